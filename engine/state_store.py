"""Serialization of specs and instances.

A definition's spec is serialized once per version. An instance is stored as a small header (the
workflow minus its spec and its top-level tasks) plus one row per task; after each run only the tasks
that changed are rewritten, so the cost of a save does not grow with the instance's history.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SERIALIZER_VERSION
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

__all__ = ["SERIALIZER_VERSION", "SpecBundle", "StateDelta", "WorkflowState", "dump_spec", "load_spec"]


def _make_serializer() -> BpmnWorkflowSerializer:
    registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    return BpmnWorkflowSerializer(registry)


SERIALIZER = _make_serializer()
_REGISTRY = SERIALIZER.registry


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class SpecBundle:
    """A process spec with the specs of its subprocesses / call activities."""

    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]


def dump_spec(bundle: SpecBundle) -> str:
    """Serialize a spec bundle to JSON (stored once per definition version)."""
    return _dumps(
        {
            "spec": _REGISTRY.convert(bundle.spec),
            "subprocess_specs": {k: _REGISTRY.convert(v) for k, v in bundle.subprocess_specs.items()},
        }
    )


def load_spec(text: str) -> SpecBundle:
    """Restore a spec bundle serialized by ``dump_spec``."""
    dct = json.loads(text)
    return SpecBundle(
        spec=_REGISTRY.restore(dct["spec"]),
        subprocess_specs={k: _REGISTRY.restore(v) for k, v in dct["subprocess_specs"].items()},
    )


@dataclass
class StateDelta:
    """What to write after a run: the header, the changed task rows, the deleted task ids."""

    header: str
    upserts: list[tuple[str, bytes]]
    deletes: list[str]


@dataclass
class WorkflowState:
    """A live workflow plus what is known to be stored for it (task id -> last state change)."""

    workflow: BpmnWorkflow
    stored_marks: dict[str, float] = field(default_factory=dict)

    @classmethod
    def new(cls, bundle: SpecBundle, script_engine: Any) -> WorkflowState:
        """A fresh workflow of ``bundle`` with nothing stored yet."""
        wf = BpmnWorkflow(bundle.spec, bundle.subprocess_specs, script_engine=script_engine)
        return cls(wf, {})

    def delta(self) -> StateDelta:
        """Serialize what changed since the last save and remember it as saved."""
        wf = self.workflow
        marks = self.stored_marks
        changed: set[UUID] = set()
        for task_id, task in wf.tasks.items():
            key = str(task_id)
            if marks.get(key) != task.last_state_change or not task.has_state(TaskState.FINISHED_MASK):
                changed.add(task_id)
        # A task stores its data as a delta of its parent's: rewrite children of changed tasks too.
        for task_id in list(changed):
            changed.update(wf.tasks[task_id]._children)
        upserts: list[tuple[str, bytes]] = []
        for task_id in changed:
            task = wf.tasks.get(task_id)
            if task is None:
                continue
            upserts.append((str(task_id), _dumps(_REGISTRY.convert(task)).encode()))
        current = {str(k) for k in wf.tasks}
        deletes = [k for k in marks if k not in current]
        self.stored_marks = {str(k): t.last_state_change for k, t in wf.tasks.items()}
        return StateDelta(header=_dumps(_header(wf)), upserts=upserts, deletes=deletes)

    @classmethod
    def restore(
        cls,
        bundle: SpecBundle,
        header: str,
        rows: Iterable[tuple[str, bytes]],
        script_engine: Any,
        serializer_version: str = SERIALIZER_VERSION,
    ) -> WorkflowState:
        """Rebuild a workflow from its header and task rows."""
        dct = json.loads(header)
        tasks = {guid: json.loads(payload) for guid, payload in rows}
        if serializer_version != SERIALIZER_VERSION:
            return cls._restore_migrated(bundle, dct, tasks, serializer_version, script_engine)
        wf = BpmnWorkflow(bundle.spec, bundle.subprocess_specs, script_engine=script_engine, deserializing=True)
        wf.tasks = {}
        for guid in _parents_first(dct["root"], tasks):
            wf.tasks[UUID(guid)] = _REGISTRY.restore(tasks[guid], workflow=wf)
        wf.task_tree = wf.tasks[UUID(dct["root"])]
        wf.success = dct["success"]
        wf.completed = dct.get("completed", False)
        wf.correlations = dct.get("correlations", {})
        wf.last_task = wf.tasks.get(UUID(dct["last_task"])) if dct.get("last_task") else None
        wf.data = _REGISTRY.restore(dct.get("data", {}))
        _restore_subprocesses(dct.get("subprocesses", {}), wf)
        wf.bpmn_events = _REGISTRY.restore(dct.get("bpmn_events", []))
        marks = {k: v["last_state_change"] for k, v in tasks.items()}
        return cls(wf, marks)

    @classmethod
    def _restore_migrated(
        cls,
        bundle: SpecBundle,
        dct: dict[str, Any],
        tasks: dict[str, Any],
        version: str,
        script_engine: Any,
    ) -> WorkflowState:
        full = dict(dct, tasks=tasks)
        full["spec"] = _REGISTRY.convert(bundle.spec)
        full["subprocess_specs"] = {k: _REGISTRY.convert(v) for k, v in bundle.subprocess_specs.items()}
        full[SERIALIZER.VERSION_KEY] = version
        SERIALIZER.migrate(full)
        wf = SERIALIZER.from_dict(full)
        wf.script_engine = script_engine
        return cls(wf, {})

    def full_dict(self) -> dict[str, Any]:
        """The whole workflow as SpiffWorkflow's serializer sees it (tests compare these)."""
        return _strip_volatile(SERIALIZER.to_dict(self.workflow))


def _header(wf: BpmnWorkflow) -> dict[str, Any]:
    return {
        "data": _REGISTRY.convert(_REGISTRY.clean(wf.data)),
        "correlations": wf.correlations,
        "last_task": str(wf.last_task.id) if wf.last_task is not None else None,
        "success": wf.success,
        "completed": wf.completed,
        "root": str(wf.task_tree.id),
        "subprocesses": {str(k): _REGISTRY.convert(v) for k, v in wf.subprocesses.items()},
        "bpmn_events": _REGISTRY.convert(wf.bpmn_events),
    }


def _parents_first(root: str, tasks: Mapping[str, Any]) -> list[str]:
    """Task ids in breadth-first order from the root: a task's data is restored from its parent's."""
    order, queue = [], [root]
    while queue:
        guid = queue.pop(0)
        if guid not in tasks:
            continue
        order.append(guid)
        queue.extend(tasks[guid]["children"])
    return order


def _restore_subprocesses(dct: Mapping[str, Any], wf: BpmnWorkflow) -> None:
    # Reuse SpiffWorkflow's own logic (it creates parent workflows before their children).
    _SUBPROCESS_HELPER.subprocesses_from_dict(dict(dct), wf)


class _SubprocessHelper:
    """Minimal stand-in giving ``subprocesses_from_dict`` the registry it needs."""

    registry = _REGISTRY

    def subprocesses_from_dict(self, dct: dict[str, Any], workflow: Any, top_workflow: Any = None) -> None:
        from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter

        BpmnWorkflowConverter.subprocesses_from_dict(self, dct, workflow, top_workflow)


_SUBPROCESS_HELPER = _SubprocessHelper()


def _strip_volatile(dct: dict[str, Any]) -> dict[str, Any]:
    dct = dict(dct)
    dct.pop("spec", None)
    dct.pop("subprocess_specs", None)
    return dct
