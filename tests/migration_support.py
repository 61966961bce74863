"""A four-step procedure in two versions for the bulk migration tests.

v1: Tiếp nhận (receive) → Thẩm định (review, a 3-day boundary timer) → Trình ký (sign) → Ban hành (issue).
v2: the review step is renamed ``Task_review2`` "Thẩm định hồ sơ" (its timer 5 days, its deadline two working
days later), the signing step is removed, the rest unchanged. ``variant="needs_var"`` makes v2's issue step's
deadline read a variable no step sets; ``variant="head_lane"`` puts v2's receiving step in a lane of heads.
"""

from __future__ import annotations

import json
from typing import Any

KEY = "migr_demo"

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
  id="Defs_migr" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="Collab_migr">
    <bpmn:participant id="Participant_migr" name="Văn bản" processRef="migr_demo" />
  </bpmn:collaboration>
  <bpmn:process id="migr_demo" name="Ban hành văn bản (chuyển phiên bản)" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_staff" name="Chuyên viên">
        <bpmn:extensionElements>
          <spiffworkflow:properties>
            <spiffworkflow:property name="role" value="staff" />
            <spiffworkflow:property name="unit" value="instance" />
          </spiffworkflow:properties>
        </bpmn:extensionElements>
{refs}
      </bpmn:lane>{extra_lane}
    </bpmn:laneSet>
"""


def _task(task_id: str, name: str, due: str) -> str:
    return f"""    <bpmn:userTask id="{task_id}" name="{name}">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="dueDate" value="{due}" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
"""


def _flow(flow_id: str, source: str, target: str) -> str:
    return f'    <bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}" />\n'


def diagram(version: int, variant: str = "") -> bytes:
    """The BPMN of ``version`` (1 or 2)."""
    review = "Task_review" if version == 1 else "Task_review2"
    review_name = "Thẩm định" if version == 1 else "Thẩm định hồ sơ"
    review_due = "review_due" if version == 1 else "add_working_days(review_due, 2)"
    timer = "'P3D'" if version == 1 else "'P5D'"
    issue_due = "issue_due" if variant != "needs_var" else "so_ngay_ban_hanh"
    nodes = ["StartEvent_1", "Task_receive", review, "Timer_review", "Task_issue", "EndEvent_1"]
    if version == 1:
        nodes.insert(4, "Task_sign")
    body = '    <bpmn:startEvent id="StartEvent_1" name="Bắt đầu" />\n'
    body += _flow("F1", "StartEvent_1", "Task_receive")
    body += _task("Task_receive", "Tiếp nhận", "receive_due")
    body += _flow("F2", "Task_receive", review)
    body += _task(review, review_name, review_due)
    body += f"""    <bpmn:boundaryEvent id="Timer_review" name="Quá hạn thẩm định" attachedToRef="{review}">
      <bpmn:timerEventDefinition id="TimerDef_review">
        <bpmn:timeDuration>{timer}</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
"""
    if version == 1:
        body += _flow("F3", review, "Task_sign")
        body += _task("Task_sign", "Trình ký", "sign_due")
        body += _flow("F4", "Task_sign", "Task_issue")
    else:
        body += _flow("F3", review, "Task_issue")
    body += _flow("F5", "Timer_review", "Task_issue")
    body += _task("Task_issue", "Ban hành", issue_due)
    body += _flow("F6", "Task_issue", "EndEvent_1")
    body += '    <bpmn:endEvent id="EndEvent_1" name="Kết thúc" />\n'
    in_head = ["Task_receive"] if variant == "head_lane" else []
    refs = "\n".join(f"        <bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in nodes if n not in in_head)
    extra_lane = "".join(
        f"""
      <bpmn:lane id="Lane_head" name="Lãnh đạo phòng">
        <bpmn:extensionElements>
          <spiffworkflow:properties>
            <spiffworkflow:property name="role" value="head" />
            <spiffworkflow:property name="unit" value="instance" />
          </spiffworkflow:properties>
        </bpmn:extensionElements>
        <bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>
      </bpmn:lane>"""
        for n in in_head
    )
    flows = [("F1", "StartEvent_1", "Task_receive"), ("F2", "Task_receive", review)]
    if version == 1:
        flows += [("F3", review, "Task_sign"), ("F4", "Task_sign", "Task_issue")]
    else:
        flows += [("F3", review, "Task_issue")]
    flows += [("F5", "Timer_review", "Task_issue"), ("F6", "Task_issue", "EndEvent_1")]
    text = (
        _HEAD.format(refs=refs, extra_lane=extra_lane)
        + body
        + "  </bpmn:process>\n"
        + _layout(nodes, flows)
        + "</bpmn:definitions>\n"
    )
    return text.encode()


def _layout(nodes: list[str], flows: list[tuple[str, str, str]]) -> str:
    """Diagram interchange: the flow nodes in a row inside the pool, the timer on the review step's lower edge."""
    boxes: dict[str, tuple[int, int, int, int]] = {}
    x = 200
    for node in nodes:
        if node == "Timer_review":
            continue
        width, height = (36, 36) if node.endswith("Event_1") else (100, 80)
        boxes[node] = (x, 160 - height // 2, width, height)
        x += width + 60
    rx, ry, rw, rh = boxes[nodes[2]]
    boxes["Timer_review"] = (rx + rw // 2 - 18, ry + rh - 18, 36, 36)
    shapes = [
        f'      <bpmndi:BPMNShape id="Participant_migr_di" bpmnElement="Participant_migr" isHorizontal="true">'
        f'<dc:Bounds x="120" y="60" width="{x}" height="240" /></bpmndi:BPMNShape>',
        f'      <bpmndi:BPMNShape id="Lane_staff_di" bpmnElement="Lane_staff" isHorizontal="true">'
        f'<dc:Bounds x="150" y="60" width="{x - 30}" height="240" /></bpmndi:BPMNShape>',
    ]
    for node, (bx, by, bw, bh) in boxes.items():
        shapes.append(
            f'      <bpmndi:BPMNShape id="{node}_di" bpmnElement="{node}"><dc:Bounds x="{bx}" y="{by}" '
            f'width="{bw}" height="{bh}" /></bpmndi:BPMNShape>'
        )
    for flow, source, target in flows:
        sx, sy, sw, sh = boxes[source]
        tx, ty, _, th = boxes[target]
        start = (sx + sw // 2, sy + sh) if source == "Timer_review" else (sx + sw, sy + sh // 2)
        end = (tx, ty + th // 2)
        shapes.append(
            f'      <bpmndi:BPMNEdge id="{flow}_di" bpmnElement="{flow}"><di:waypoint x="{start[0]}" y="{start[1]}" />'
            f'<di:waypoint x="{end[0]}" y="{end[1]}" /></bpmndi:BPMNEdge>'
        )
    return (
        '  <bpmndi:BPMNDiagram id="Diagram_migr"><bpmndi:BPMNPlane id="Plane_migr" bpmnElement="Collab_migr">\n'
        + "\n".join(shapes)
        + "\n  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n"
    )


def start_data(n: int) -> dict[str, Any]:
    """Start data of the n-th instance: every step's deadline in January 2024."""
    return {
        "receive_due": "2024-01-10",
        "review_due": "2024-01-15",
        "sign_due": "2024-01-20",
        "issue_due": "2024-01-25",
        "ref": f"HS-{n:03d}",
    }


# The steps an instance is left at, in order, and how many of the 200 wait at each (see test_bulk_migration).
STEPS = ("Task_receive", "Task_review", "Task_sign", "Task_issue")


_START_SCHEMA = {
    "type": "object",
    "properties": {
        name: {"type": "string", "title": title}
        for name, title in (
            ("receive_due", "Hạn tiếp nhận"),
            ("review_due", "Hạn thẩm định"),
            ("sign_due", "Hạn trình ký"),
            ("issue_due", "Hạn ban hành"),
            ("ref", "Số hồ sơ"),
        )
    },
}


def files() -> dict[str, bytes]:
    """The bundle's other files: the start schema."""
    return {"start.schema.json": json.dumps(_START_SCHEMA, ensure_ascii=False).encode()}
