"""References between files: DMN decisions called by business-rule tasks, processes by call activities."""

from __future__ import annotations

from collections.abc import Mapping

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from .elements import capitalise, describe, iter_bpmn, local_name
from .model import B, Element, ProblemLog, S, XmlDoc
from .specs import report_other, report_spiff


def load_dmns(
    parser: SpiffBpmnParser, dmn_docs: Mapping[str, XmlDoc], doc: XmlDoc, out: ProblemLog
) -> dict[str, tuple[str, bool]]:
    """Register each DMN with the parser; return decision id -> (file, usable by SpiffWorkflow)."""
    decisions: dict[str, tuple[str, bool]] = {}
    for name, dmn in dmn_docs.items():
        found = [el for el in dmn.root.iter() if isinstance(el.tag, str) and local_name(el) == "decision"]
        for el in found:
            decisions.setdefault(el.get("id", ""), (name, False))
        # SpiffWorkflow 3.2 reads exactly one decision per file and crashes on any other count.
        if len(found) != 1:
            where = f'Tệp DMN "{name}"'
            if not found:
                out.add("parse_error", f"{where} không có quyết định (decision) nào", None, dmn.root.sourceline, name)
            else:
                message = (
                    f"{where} có {len(found)} quyết định; SpiffWorkflow chỉ đọc được tệp có đúng một quyết định, "
                    "hãy tách mỗi quyết định ra một tệp riêng"
                )
                out.add("parse_error", message, found[1].get("id"), found[1].sourceline, name)
            continue
        try:
            parser.add_dmn_xml(dmn.root, filename=name)
            decision_id = next(k for k, p in parser.dmn_parsers.items() if p.node is dmn.root)
            decisions[decision_id] = (name, True)
            parser.dmn_parsers[decision_id].parse()  # errors now name the DMN file, not the calling task
        except ValidationException as exc:
            report_spiff(exc, doc, dmn_docs, out, name)
        except Exception as exc:  # noqa: BLE001 - the parser fails in arbitrary ways on odd input
            report_other(exc, out, name)
    return decisions


def check_calls(
    doc: XmlDoc, processes: list[Element], decisions: Mapping[str, tuple[str, bool]], out: ProblemLog
) -> None:
    """Business-rule tasks call a known decision; call activities call a process of the diagram."""
    for process in processes:
        for task in iter_bpmn(process, ("businessRuleTask",)):
            called = task.find(f"{B}extensionElements/{S}calledDecisionId")
            ref = (called.text or "").strip() if called is not None else ""
            where = capitalise(describe(task))
            if not ref:
                out.at(
                    "decision_missing",
                    f"{where} chưa chỉ định bảng quyết định (spiffworkflow:calledDecisionId)",
                    task,
                    called,
                )
            elif ref not in decisions:
                out.at(
                    "decision_missing",
                    f'{where} gọi bảng quyết định "{ref}" nhưng không tệp DMN nào trong gói có quyết định này',
                    task,
                    called,
                )
            elif not decisions[ref][1]:
                out.at(
                    "decision_missing",
                    f'{where} gọi quyết định "{ref}" của tệp "{decisions[ref][0]}", '
                    "nhưng SpiffWorkflow không đọc được tệp DMN này",
                    task,
                    called,
                )
        for call in iter_bpmn(process, ("callActivity",)):
            ref = call.get("calledElement", "")
            target = doc.by_id.get(ref)
            where = capitalise(describe(call))
            if not ref:
                out.at("called_process_missing", f"{where} chưa chỉ định quy trình được gọi (calledElement)", call)
            elif target is None or local_name(target) != "process":
                out.at(
                    "called_process_missing",
                    f'{where} gọi quy trình "{ref}" nhưng quy trình này không có trong sơ đồ',
                    call,
                )
            elif target.get("isExecutable", "true") != "true":
                out.at(
                    "called_process_missing",
                    f'{where} gọi quy trình "{ref}" nhưng quy trình này '
                    'không được đánh dấu thực thi được (isExecutable="true")',
                    call,
                )
