"""Drafts for the scenario tests: the plan-issuance bundle as it is, the same without its approval step, and a
small diagram whose scripts loop for ever; their feature files."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from lxml import etree

from engine.definitions import read_bundle
from workflows.definitions import PROCESSES_DIR

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
PLAN_ISSUANCE = PROCESSES_DIR / "plan_issuance" / "plan_issuance.bpmn"
# The approval step and everything that exists only for it: its timer and escalation, its decision, its return.
APPROVAL_ONLY = {
    "Task_approval",
    "Timer_approval",
    "Script_escalate_approval",
    "End_escalated_approval",
    "DataObjectReference_approval",
    "Gateway_approval",
    "Script_return_approval",
    "Flow_approved_or_not",
    "Flow_approval_ok",
    "Flow_approval_return",
    "Flow_rememo",
    "Flow_overdue_approval",
    "Flow_escalated_approval",
}


def plan_issuance_bundle() -> tuple[bytes, dict[str, bytes]]:
    return read_bundle(PLAN_ISSUANCE)


def without_approval(bpmn: bytes) -> bytes:
    """The plan-issuance diagram with "Phê duyệt, ký ban hành" deleted: the memo's flow goes straight to the
    numbering script (the draft an administrator might make by mistake; it still deploys)."""
    root = etree.fromstring(bpmn)
    for element in list(root.iter()):
        parent = element.getparent()
        if parent is None or not isinstance(element.tag, str):
            continue
        gone = element.get("id") in APPROVAL_ONLY or element.get("bpmnElement") in APPROVAL_ONLY
        ref = etree.QName(element).localname in {"flowNodeRef", "incoming", "outgoing"}
        if gone or (ref and (element.text or "").strip() in APPROVAL_ONLY):
            parent.remove(element)
    for flow in root.iter(f"{{{BPMN}}}sequenceFlow"):
        if flow.get("id") == "Flow_approval_sent":
            flow.set("targetRef", "Script_number")
    for script in root.iter(f"{{{BPMN}}}scriptTask"):
        if script.get("id") == "Script_number":
            incoming = etree.SubElement(script, f"{{{BPMN}}}incoming")
            incoming.text = "Flow_approval_sent"
            script.insert(1, incoming)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


LOOP_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_loop"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="Collab_loop">
    <bpmn:participant id="Participant_loop" name="Vòng lặp" processRef="vong_lap" />
  </bpmn:collaboration>
  <bpmn:process id="vong_lap" name="Quy trình vòng lặp" isExecutable="true">
    <bpmn:laneSet id="LaneSet_loop">
      <bpmn:lane id="Lane_staff" name="Chuyên viên">
        <bpmn:extensionElements>
          <spiffworkflow:properties>
            <spiffworkflow:property name="role" value="staff" />
            <spiffworkflow:property name="unit" value="instance" />
          </spiffworkflow:properties>
        </bpmn:extensionElements>
        <bpmn:flowNodeRef>Start_loop</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Script_spin</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Gateway_again</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task_never</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>End_loop</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="Start_loop" name="Bắt đầu"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="Script_spin" name="Tính mãi">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:incoming>Flow_again</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
      <bpmn:script>spins = sum(range(20000))</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="Gateway_again" name="Lặp lại?" default="Flow_again">
      <bpmn:incoming>Flow_2</bpmn:incoming>
      <bpmn:outgoing>Flow_again</bpmn:outgoing><bpmn:outgoing>Flow_done</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:userTask id="Task_never" name="Không bao giờ tới">
      <bpmn:incoming>Flow_done</bpmn:incoming><bpmn:outgoing>Flow_end</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="End_loop" name="Kết thúc"><bpmn:incoming>Flow_end</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_loop" targetRef="Script_spin" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Script_spin" targetRef="Gateway_again" />
    <bpmn:sequenceFlow id="Flow_again" sourceRef="Gateway_again" targetRef="Script_spin" />
    <bpmn:sequenceFlow id="Flow_done" sourceRef="Gateway_again" targetRef="Task_never">
      <bpmn:conditionExpression>spins &lt; 0</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_end" sourceRef="Task_never" targetRef="End_loop" />
  </bpmn:process>
</bpmn:definitions>
"""

LOOP_FEATURE = """# language: vi
Tính năng: Quy trình vòng lặp
  Kịch bản: Khởi tạo rồi chờ bước đầu tiên
    Cho hôm nay là ngày 02/01/2024 lúc 08:00
    Khi "cv.pnv" khởi tạo quy trình "vong_lap" cho đơn vị "PNV"
    Thì bước "Không bao giờ tới" thuộc về chuyên viên của đơn vị "PNV"
"""


def multipart(bpmn: bytes, files: dict[str, bytes], features: dict[str, str] | None = None, **fields: str) -> Any:
    """The multipart body of a deploy or a scenario run."""
    body: dict[str, Any] = {
        "bpmn": (io.BytesIO(bpmn), "draft.bpmn"),
        "files": [(io.BytesIO(data), name) for name, data in sorted(files.items())],
        **fields,
    }
    if features:
        body["features"] = [(io.BytesIO(text.encode()), name) for name, text in features.items()]
    return body


def first_scenario(feature: Path, count: int = 1) -> str:
    """A feature file cut after its first ``count`` scenarios (the Background kept)."""
    lines = feature.read_text(encoding="utf-8").splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.strip().startswith(("Kịch bản:", "Khung kịch bản:"))]
    end = starts[count] if len(starts) > count else len(lines)
    return "".join(lines[:end])
