"""The flow-graph check of the deploy validator (issue #17): unreachable nodes, nodes with no path to an end,
gateways without incoming or outgoing flows, each on its element; no false alarm on valid diagrams."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.validation import check_bundle
from engine.validation.graph import check_flow_graph
from engine.validation.model import B, Problem, ProblemLog
from workflows.roles import ROLES

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "processes" / "periodic_report"
MIWG = sorted((ROOT / "tests" / "fixtures" / "miwg").glob("*.bpmn"))
GRAPH_CODES = {"node_unreachable", "no_path_to_end", "gateway_without_incoming", "gateway_without_outgoing"}
DIAGRAMS = sorted(p for p in (ROOT / "processes").rglob("*.bpmn"))


def _graph_problems(xml: bytes) -> list[Problem]:
    root = etree.fromstring(xml)
    out = ProblemLog()
    check_flow_graph(root.findall(f"{B}process"), out)  # every process, executable or not
    return out.sorted()


def _report_bundle() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in REPORT.iterdir() if p.suffix == ".json"}


def _delete_as_the_modeler_does(xml: bytes, element_id: str) -> bytes:
    """Remove a node with its boundary events, every flow touching them, their lane references and shapes."""
    root = etree.fromstring(xml)
    gone = {element_id} | {b.get("id") for b in root.iter(f"{B}boundaryEvent") if b.get("attachedToRef") == element_id}
    for flow in list(root.iter(f"{B}sequenceFlow")):
        if flow.get("sourceRef") in gone or flow.get("targetRef") in gone:
            gone.add(flow.get("id"))
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        if el.get("id") in gone or el.get("bpmnElement") in gone or (el.text or "").strip() in gone:
            el.getparent().remove(el)
    for ref in list(root.iter(f"{B}incoming", f"{B}outgoing")):
        if (ref.text or "").strip() in gone:
            ref.getparent().remove(ref)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def test_the_report_process_without_its_review_step_fails_on_each_broken_element() -> None:
    bpmn = (REPORT / "periodic_report.bpmn").read_bytes()
    assert not [p for p in check_bundle(bpmn, _report_bundle(), ROLES).problems if p.code in GRAPH_CODES]
    broken = _delete_as_the_modeler_does(bpmn, "Task_review")
    assert b'name="Duy\xe1\xbb\x87t b\xc3\xa1o c\xc3\xa1o"' not in broken.split(b"<bpmndi")[0]
    report = check_bundle(broken, _report_bundle(), ROLES)
    found = {(p.code, p.element_id) for p in report.problems if p.code in GRAPH_CODES}
    assert ("no_path_to_end", "Script_review_due") in found  # the step before it now leads nowhere
    assert ("gateway_without_incoming", "Gateway_review") in found  # the gateway after it has no way in
    assert ("node_unreachable", "Script_escalate_review") in found  # its timer's branch hangs in the air
    problem = next(p for p in report.problems if p.element_id == "Script_review_due" and p.code == "no_path_to_end")
    start = 'Bước tự động "Tính hạn duyệt" (Script_review_due) không dẫn tới sự kiện kết thúc'
    assert problem.message.startswith(start)
    assert "không có luồng ra" in problem.message and problem.line
    gateway = next(p for p in report.problems if p.code == "gateway_without_incoming")
    assert gateway.message.startswith('Cổng rẽ nhánh "Lãnh đạo duyệt?" (Gateway_review) không có luồng vào; vì vậy ')
    # what follows it is named in its message, not reported again: one badge on the cause
    assert "Task_acceptance" in gateway.message and ("node_unreachable", "Task_acceptance") not in found


@pytest.mark.parametrize("path", MIWG, ids=lambda p: p.name)
def test_no_false_alarm_on_the_miwg_reference_diagrams(path: Path) -> None:
    # boundary events, event sub-processes, compensation, link events, loops, pools with message flows
    assert _graph_problems(path.read_bytes()) == []


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_no_false_alarm_on_our_own_processes(path: Path) -> None:
    assert _graph_problems(path.read_bytes()) == []


def _process(body: str) -> bytes:
    return (
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="t">'
        f'<bpmn:process id="P" isExecutable="true">{body}</bpmn:process></bpmn:definitions>'
    ).encode()


def _flow(i: str, a: str, b: str) -> str:
    return f'<bpmn:sequenceFlow id="{i}" sourceRef="{a}" targetRef="{b}" />'


def _codes(xml: bytes) -> set[tuple[str, str | None]]:
    return {(p.code, p.element_id) for p in _graph_problems(xml)}


def test_a_loop_without_an_exit_never_reaches_the_end() -> None:
    body = (
        '<bpmn:startEvent id="S" /><bpmn:task id="A" name="Soạn" /><bpmn:task id="B" name="Sửa" />'
        '<bpmn:endEvent id="E" /><bpmn:task id="C" />'
        + _flow("f1", "S", "A") + _flow("f2", "A", "B") + _flow("f3", "B", "A") + _flow("f4", "S", "C")
        + _flow("f5", "C", "E")
    )  # fmt: skip
    assert _codes(_process(body)) == {("no_path_to_end", "A")}  # the loop, on its first element
    message = next(p.message for p in _graph_problems(_process(body)) if p.element_id == "A")
    assert "mọi đường đi từ nó đều quay vòng" in message
    assert message.endswith("vì vậy 1 phần tử trước nó cũng không tới được sự kiện kết thúc: B")


def test_a_loop_with_an_exit_and_link_events_pass() -> None:
    body = (
        '<bpmn:startEvent id="S" /><bpmn:task id="A" /><bpmn:exclusiveGateway id="G" default="back" />'
        '<bpmn:intermediateThrowEvent id="T"><bpmn:linkEventDefinition name="tiep" /></bpmn:intermediateThrowEvent>'
        '<bpmn:intermediateCatchEvent id="C"><bpmn:linkEventDefinition name="tiep" /></bpmn:intermediateCatchEvent>'
        '<bpmn:endEvent id="E" />'
        + _flow("f1", "S", "A") + _flow("f2", "A", "G") + _flow("back", "G", "A") + _flow("f3", "G", "T")
        + _flow("f4", "C", "E")
    )  # fmt: skip
    assert _codes(_process(body)) == set()


def test_a_gateway_without_outgoing_flows_and_an_end_nobody_reaches() -> None:
    body = (
        '<bpmn:startEvent id="S" /><bpmn:parallelGateway id="G" name="Chia việc" /><bpmn:endEvent id="E" />'
        + _flow("f1", "S", "G")
    )  # fmt: skip
    problems = _graph_problems(_process(body))
    assert {(p.code, p.element_id) for p in problems} == {
        ("gateway_without_outgoing", "G"),  # the start before it is named in its message
        ("node_unreachable", "E"),
    }
    gateway = next(p for p in problems if p.element_id == "G")
    assert gateway.message.endswith("; vì vậy 1 phần tử trước nó cũng không tới được sự kiện kết thúc: S")
    assert gateway.message.startswith('Cổng song song "Chia việc" (G) không có luồng ra; ')


def test_an_embedded_sub_process_is_a_scope_of_its_own() -> None:
    body = (
        '<bpmn:startEvent id="S" /><bpmn:subProcess id="Sub"><bpmn:startEvent id="s1" /><bpmn:task id="x" />'
        '<bpmn:endEvent id="e1" />' + _flow("g1", "s1", "x") + "</bpmn:subProcess><bpmn:endEvent id='E' />"
        '<bpmn:subProcess id="Ev" triggeredByEvent="true"><bpmn:startEvent id="s2"><bpmn:messageEventDefinition />'
        '</bpmn:startEvent><bpmn:endEvent id="e2" />' + _flow("g2", "s2", "e2") + "</bpmn:subProcess>"
        + _flow("f1", "S", "Sub") + _flow("f2", "Sub", "E")
    )  # fmt: skip
    assert _codes(_process(body)) == {("no_path_to_end", "x"), ("node_unreachable", "e1")}
