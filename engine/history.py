"""What runs reached, against what a diagram holds: the elements and lanes of a BPMN diagram, and the elements
instances have reached (from their stored task rows and steps). Used to tell how much of a diagram a set of
test runs covered."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import HumanTask, InstanceTask, ProcessInstance
from .validation.model import BPMN_NS, ProblemLog
from .validation.parsing import parse_xml

# Flow nodes a run can pass through (sequence flows, data objects, artifacts are not counted).
NODE_KINDS = (
    "userTask",
    "manualTask",
    "scriptTask",
    "serviceTask",
    "businessRuleTask",
    "sendTask",
    "receiveTask",
    "task",
    "callActivity",
    "subProcess",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
)
_REACHED = TaskState.READY | TaskState.STARTED | TaskState.COMPLETED | TaskState.ERROR | TaskState.WAITING


@dataclass(frozen=True)
class DiagramElement:
    """One flow node of a diagram: its id, name (None: unnamed), kind (``userTask``…) and lane name."""

    element_id: str
    name: str | None
    kind: str
    lane: str | None


@dataclass(frozen=True)
class DiagramMap:
    """The lanes (by name, in order) and flow nodes of a diagram."""

    lanes: tuple[str, ...]
    elements: tuple[DiagramElement, ...]


def diagram_map(bpmn: bytes) -> DiagramMap:
    """The lanes and flow nodes of a BPMN diagram (an unreadable one: nothing)."""
    root = parse_xml(bpmn, None, ProblemLog())
    if root is None:
        return DiagramMap((), ())
    lane_of: dict[str, str] = {}
    lanes: list[str] = []
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        name = (lane.get("name") or lane.get("id") or "").strip()
        if name and name not in lanes:
            lanes.append(name)
        for ref in lane.iter(f"{{{BPMN_NS}}}flowNodeRef"):
            lane_of.setdefault((ref.text or "").strip(), name)
    elements = []
    for node in root.iter(*(f"{{{BPMN_NS}}}{kind}" for kind in NODE_KINDS)):
        element_id = node.get("id")
        if element_id:
            kind = etree.QName(node).localname
            name = (node.get("name") or "").strip() or None
            elements.append(DiagramElement(element_id, name, kind, lane_of.get(element_id)))
    return DiagramMap(tuple(lanes), tuple(elements))


def reached_elements(session: Session, instance_ids: Iterable[int]) -> set[str]:
    """The element ids the instances' runs reached: every task row past prediction, and every step."""
    ids = list(instance_ids)
    if not ids:
        return set()
    reached = set(session.scalars(select(HumanTask.element_id).where(HumanTask.instance_id.in_(ids))))
    for payload in session.scalars(select(InstanceTask.payload).where(InstanceTask.instance_id.in_(ids))):
        task = json.loads(payload)
        if int(task.get("state", 0)) & _REACHED and isinstance(task.get("task_spec"), str):
            reached.add(task["task_spec"])
    return reached


def reached_lanes(session: Session, instance_ids: Iterable[int]) -> set[str]:
    """The lanes whose steps the instances opened."""
    ids = list(instance_ids)
    if not ids:
        return set()
    lanes = session.scalars(select(HumanTask.lane).where(HumanTask.instance_id.in_(ids)).distinct())
    return {lane for lane in lanes if lane}


def instances_of(session: Session, process_key: str) -> list[int]:
    """The ids of every instance of one process."""
    return list(session.scalars(select(ProcessInstance.id).where(ProcessInstance.process_key == process_key)))
