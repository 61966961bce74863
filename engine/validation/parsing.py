"""The hardened XML parser (no entities, no network, no DTD) and the BPMN/DMN XSD check."""

from __future__ import annotations

import re
import threading

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from .elements import capitalise, describe, owner_of
from .messages import XML_MESSAGES, XSD_MESSAGES, translate
from .model import BPMN_NS, SPIFF_NS, Element, ProblemLog, XmlDoc

_schema_lock = threading.Lock()  # an lxml schema keeps its error log on the shared object
_dmn_validators: dict[str, BpmnValidator] = {}


def _xml_parser() -> etree.XMLParser:
    """A parser that resolves no entities and reads no network (one per call: parsers are not shared)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def parse_xml(data: bytes, file: str | None, out: ProblemLog) -> Element | None:
    """Parse XML without entities or network; report a syntax error or a DOCTYPE as ``xml_malformed``."""
    where = f'Tệp "{file}"' if file else "Sơ đồ BPMN"
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError as exc:
        # The exception's own position is reliable; lxml's error log can hold entries of earlier parses.
        line, column = exc.position if exc.position and exc.position[0] else (exc.lineno or 1, 0)
        raw = (exc.msg or str(exc)).split(" (line ")[0].split(", line ")[0]
        detail = translate(raw, XML_MESSAGES) or f"lỗi cú pháp XML ({raw})"
        message = f"{where} không phải XML hợp lệ ở dòng {line}, cột {column}: {detail}"
        out.add("xml_malformed", message, None, line, file)
        return None
    if root.getroottree().docinfo.doctype:
        # Diagrams never need a DTD; entities are a security risk and break the schema validator.
        message = f"{where} có khai báo DOCTYPE; sơ đồ và bảng quyết định không được dùng DTD hay thực thể (entity)"
        out.add("xml_malformed", message, None, 1, file)
        return None
    return root


_XSD_ERROR_RE = re.compile(r"Element '(?P<el>[^']+)'(?:, attribute '(?P<attr>[^']+)')?: (?P<rest>.*)", re.S)


def check_xsd(data: bytes, doc: XmlDoc, out: ProblemLog) -> None:
    """Validate against the BPMN (with the spiffworkflow extension) or DMN XSD, one problem per error."""
    # SpiffWorkflow's validator renames some tags before validating: work on a private copy.
    copy = etree.fromstring(data, _xml_parser())
    schema_name, xsd = "BPMN 2.0", None
    if doc.file is not None:
        schema_name, xsd = "DMN", DMN_SCHEMAS.get(copy.nsmap.get(None) or copy.nsmap.get("dmn") or "")
        if xsd is None:
            return  # a DMN version SpiffWorkflow does not validate either
    with _schema_lock:
        if xsd is None:
            validator = VALIDATOR
        else:
            validator = _dmn_validators.get(xsd) or _dmn_validators.setdefault(xsd, BpmnValidator(xsd))
        validator.preprocess(copy)
        try:
            validator.validator.validate(copy)
            errors = [(e.line, e.message) for e in validator.validator.error_log]
        except etree.XMLSchemaValidateError as exc:  # libxml2 gave up on the document
            errors = [(copy.sourceline, str(exc))]
    for line, raw in errors:
        el = owner_of(doc.by_line.get(line))
        where = capitalise(describe(el)) if el is not None else f"Dòng {line}"
        match = _XSD_ERROR_RE.fullmatch(raw.strip())
        if match:
            attr = f', thuộc tính "{match["attr"]}"' if match["attr"] else ""
            rest = translate(match["rest"], XSD_MESSAGES) or f"vi phạm lược đồ ({match['rest']})"
            detail = f"thẻ <{_short(match['el'])}>{attr}: {_short(rest)}"
        else:
            detail = translate(raw, XSD_MESSAGES) or f"vi phạm lược đồ ({raw})"
        out.add(
            "xsd_invalid",
            f"{where} không khớp lược đồ {schema_name} (XSD): {detail}",
            el.get("id") if el is not None else None,
            line,
            doc.file,
        )


def _short(text: str) -> str:
    """Write namespaced names with the usual prefixes."""
    text = text.replace(f"{{{BPMN_NS}}}", "bpmn:").replace(f"{{{SPIFF_NS}}}", "spiffworkflow:")
    return re.sub(r"\{[^}]*\}", "", text)
