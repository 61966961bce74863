"""Validate a diagram bundle (BPMN + DMN + JSON forms) and explain every problem in Vietnamese.

Each problem names the element and the line of the XML element that carries the faulty value, so an
administrator can fix the diagram in one pass. SpiffWorkflow stops at its first error, so the checks
read the XML themselves and use the parser only for what it alone knows.

Modules, bottom to top (each imports only those above it in this list): ``model`` (shared types),
``text`` (UTF-8 in NFC, hidden characters), ``messages`` (Vietnamese wording), ``names`` (ASCII process
keys, names without hidden characters), ``elements`` (naming elements), ``parsing`` (XML and XSD),
``specs`` (SpiffWorkflow specs and its errors), ``expressions`` (timers and code), ``structure``
(ids, lanes, gateways, properties, forms), ``graph`` (every node reached from a start, leading to an end),
``references`` (DMN and call activities), ``variables``
(the variables a diagram computes; no form field may name one), ``start`` (the start schema),
``instructions`` (instructions templates: syntax, names), ``bundle`` (the orchestrator).
"""

from .bundle import check_bundle, validate_bundle
from .model import BundleReport, CodeMode, FormChecker, ParsedBundle, Problem, SourceChecker
from .start import START_SCHEMA, START_UI_SCHEMA
from .text import utf8_nfc

__all__ = [
    "START_SCHEMA",
    "START_UI_SCHEMA",
    "BundleReport",
    "CodeMode",
    "FormChecker",
    "ParsedBundle",
    "Problem",
    "SourceChecker",
    "check_bundle",
    "utf8_nfc",
    "validate_bundle",
]
