"""Building the SpiffWorkflow specs and translating the parser's exceptions into problems."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import TypeVar

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from .elements import capitalise, describe
from .messages import SPIFF_MESSAGES
from .model import B, Element, ProblemLog, XmlDoc

_T = TypeVar("_T")


def main_process(root: Element, processes: list[Element]) -> Element:
    """The first executable process of a participant, else the first executable process."""
    by_id = {p.get("id"): p for p in processes}
    collaboration = root.find(f"{B}collaboration")
    if collaboration is not None:
        for participant in collaboration.iter(f"{B}participant"):
            if participant.get("processRef") in by_id:
                return by_id[participant.get("processRef")]
    return processes[0]


def build_specs(
    parser: SpiffBpmnParser,
    doc: XmlDoc,
    dmn_docs: Mapping[str, XmlDoc],
    key: str,
    processes: list[Element],
    out: ProblemLog,
) -> tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]] | None:
    """Parse every executable process with SpiffWorkflow; return the main spec and its subprocess specs."""

    def attempt(call: Callable[[], _T]) -> _T | None:
        try:
            return call()
        except ValidationException as exc:
            report_spiff(exc, doc, dmn_docs, out, None)
        except Exception as exc:  # noqa: BLE001 - the parser fails in arbitrary ways on odd input
            report_other(exc, out, None)
        return None

    if attempt(lambda: parser.add_bpmn_xml(doc.root) or True) is None:
        return None
    result = attempt(lambda: (parser.get_spec(key), parser.get_subprocess_specs(key)))
    # SpiffWorkflow stops at its first error: parse the other processes too, to hear about each one.
    for process in processes:
        if process.get("id") != key:
            attempt(partial(parser.get_spec, process.get("id")))
    return result


def report_spiff(
    exc: ValidationException, doc: XmlDoc, dmn_docs: Mapping[str, XmlDoc], out: ProblemLog, file: str | None
) -> None:
    """Translate SpiffWorkflow's ValidationException (its line number is never set: look the id up)."""
    raw = str(exc.args[0]) if exc.args else str(exc)
    file = exc.file_name if exc.file_name in dmn_docs else file
    source = dmn_docs[file] if file is not None else doc
    el = source.by_id.get(getattr(exc, "id", "") or "")
    code, template, locate = "parse_error", "{subject}: SpiffWorkflow không phân tích được ({raw})", None
    match = None
    for pattern, known_code, known_template, known_locate in SPIFF_MESSAGES:
        match = re.search(pattern, raw, re.S)
        if match:
            code, template, locate = known_code, known_template, known_locate
            break
    ref = " ".join((match.groupdict().get("ref") or "").split()) if match else ""
    if locate is not None:  # these messages carry no element, or the wrong one (the called process)
        candidates = source.root.iter(f"{B}{locate[0]}")
        el = next((e for e in candidates if " ".join((e.get(locate[1]) or "").split()) == ref), el)
    if code != "parse_error" and (code, el.get("id") if el is not None else None, file) in out.keys:
        return  # our own check already explains it
    subject = capitalise(describe(el)) if el is not None else "Sơ đồ"
    message = template.format(subject=subject, ref=ref, raw=" ".join(raw.split()))
    line = el.sourceline if el is not None else None
    out.add(code, message, el.get("id") if el is not None else (exc.id or None), line, file)


def report_other(exc: Exception, out: ProblemLog, file: str | None) -> None:
    """Any other parser failure becomes a ``parse_error``."""
    where = f'tệp "{file}"' if file else "sơ đồ"
    out.add("parse_error", f"SpiffWorkflow không phân tích được {where}: {type(exc).__name__}: {exc}", None, None, file)
