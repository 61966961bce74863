"""Serialization of specs and instances.

A definition's spec is serialized once per version. An instance is stored as a small header (the
workflow minus its spec and its top-level tasks) plus one row per task; after each run only the tasks
that changed are rewritten, so the cost of a save does not grow with the instance's history.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SERIALIZER_VERSION
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from .spiff_workflow import EngineWorkflow

__all__ = ["SERIALIZER_VERSION", "SpecBundle", "StateDelta", "WorkflowState", "dump_spec", "load_spec", "public_data"]


def _make_serializer() -> BpmnWorkflowSerializer:
    registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    # The engine's workflow class serializes exactly like SpiffWorkflow's (it adds no state).
    registry.typenames[EngineWorkflow] = registry.typenames[BpmnWorkflow]
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


def public_data(wf: BpmnWorkflow) -> dict[str, Any]:
    """A JSON-safe snapshot of the latest task data (for lists and the instance page)."""
    task = wf.last_task or wf.task_tree
    data = dict(wf.data)
    data.update(task.data if task is not None else {})
    return _REGISTRY.convert(_REGISTRY.clean(data))  # type: ignore[no-any-return]


@dataclass
class StateDelta:
    """What to write after a run: the header, changed and new task rows, the deleted task ids."""

    header: str
    updates: list[tuple[str, bytes]]
    inserts: list[tuple[str, bytes]]
    deletes: list[str]


@dataclass
class WorkflowState:
    """A live workflow plus what is known to be stored for it.

    ``stored_marks``: ``id(task)`` -> (task, its last state change, its number of children, and for an open
    task its stored row payload) at the last save. Keyed by object identity, not by the task's UUID: hashing
    a UUID runs Python code, and this map is read for every task of the instance on every save. Holding the
    task keeps its ``id`` from being reused.
    """

    workflow: BpmnWorkflow
    stored_marks: dict[int, tuple[Task, float, int, bytes | None]] = field(default_factory=dict)
    # Waiting timer rows stored at the last save (None: not known, e.g. after a restore from the database).
    timer_rows: int | None = None

    @classmethod
    def new(cls, bundle: SpecBundle, script_engine: Any) -> WorkflowState:
        """A fresh workflow of ``bundle`` with nothing stored yet."""
        wf = EngineWorkflow(bundle.spec, bundle.subprocess_specs, script_engine=script_engine)
        return cls(wf, {}, timer_rows=0)

    def delta(self) -> StateDelta:
        """Serialize what changed since the last save and remember it as saved."""
        tasks = self.workflow.tasks
        marks = self.stored_marks
        marked = marks.get
        finished = TaskState.FINISHED_MASK
        new_marks: dict[int, tuple[Task, float, int, bytes | None]] = {}
        changed: dict[int, Task] = {}
        for task in tasks.values():
            key = id(task)
            changed_at, children = task.last_state_change, len(task._children)
            new_marks[key] = (task, changed_at, children, None)
            # Open tasks may change data without changing state (serialized, and compared below). A row holds
            # the task's children (the parent link is derived from them): a finished task whose children were
            # dropped is rewritten.
            if not task._state & finished:
                changed[key] = task
            else:
                old = marked(key)
                if old is None or old[1] != changed_at or old[2] != children:
                    changed[key] = task
        # A task stores its data as a delta of its parent's: look at children of changed tasks too.
        for task in list(changed.values()):
            for child_id in task._children:
                child = tasks.get(child_id)
                if child is not None:
                    changed.setdefault(id(child), child)
        updates: list[tuple[str, bytes]] = []
        inserts: list[tuple[str, bytes]] = []
        for key, task in changed.items():
            payload = compact_task(task)
            old = marked(key)
            if not task._state & finished:
                mark = new_marks[key]
                new_marks[key] = (mark[0], mark[1], mark[2], payload)
                if old is not None and old[3] == payload:
                    continue  # the stored row already says exactly this (most open and predicted steps)
            (updates if old is not None else inserts).append((str(task.id), payload))
        deletes = [str(old[0].id) for key, old in marks.items() if key not in new_marks]
        self.stored_marks = new_marks
        return StateDelta(_dumps(_header(self.workflow)), updates, inserts, deletes)

    @classmethod
    def restore(
        cls,
        bundle: SpecBundle,
        header: str,
        rows: Iterable[tuple[str, bytes]],
        script_engine: Any,
        serializer_version: str = SERIALIZER_VERSION,
    ) -> WorkflowState:
        """Rebuild a workflow from its header and task rows (compact or in SpiffWorkflow's own form)."""
        dct = json.loads(header)
        payloads = dict(rows)
        tasks = {guid: json.loads(payload) for guid, payload in payloads.items()}
        order = _expand_tasks(dct["root"], tasks)
        if serializer_version != SERIALIZER_VERSION:
            return cls._restore_migrated(bundle, dct, tasks, serializer_version, script_engine)
        wf = EngineWorkflow(bundle.spec, bundle.subprocess_specs, script_engine=script_engine, deserializing=True)
        wf.tasks = {}
        restore = _REGISTRY.restore
        for guid in order:
            wf.tasks[UUID(guid)] = restore(tasks[guid], workflow=wf)
        wf.task_tree = wf.tasks[UUID(dct["root"])]
        wf.success = dct["success"]
        wf.completed = dct.get("completed", False)
        wf.correlations = dct.get("correlations", {})
        wf.last_task = wf.tasks.get(UUID(dct["last_task"])) if dct.get("last_task") else None
        wf.data = restore(dct.get("data", {}))
        _restore_subprocesses(dct.get("subprocesses", {}), wf)
        wf.bpmn_events = restore(dct.get("bpmn_events", []))
        # The stored payload of each open task is kept: the next save rewrites only those that differ.
        finished = TaskState.FINISHED_MASK
        marks = {
            id(t): (t, t.last_state_change, len(t._children), None if t._state & finished else payloads.get(str(t.id)))
            for t in wf.tasks.values()
        }
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
        wf.__class__ = EngineWorkflow  # a subclass without state of its own
        wf.script_engine = script_engine
        # Every row is rewritten in the current form at the next save: as an UPDATE where a row exists.
        stored: dict[int, tuple[Task, float, int, bytes | None]] = {
            id(t): (t, -1.0, -1, None) for t in wf.tasks.values() if str(t.id) in tasks
        }
        return cls(wf, stored)

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


# Keys a compact task row leaves out when they hold SpiffWorkflow's default (restored before loading).
_TASK_DEFAULTS: dict[str, Any] = {"triggered": False, "internal_data": {}, "data": {}, "children": []}


def compact_task(task: Any) -> bytes:
    """One task as its row payload: SpiffWorkflow's dict without what the row or the tree already says.

    ``id`` is the row's key, ``parent`` follows from the parent's ``children``, ``typename`` is always
    ``Task``; empty ``data``, ``delta``, ``internal_data``, ``children`` and a false ``triggered`` are defaults.
    """
    dct = _REGISTRY.convert(task)
    del dct["id"], dct["parent"], dct["typename"]
    for key, default in _TASK_DEFAULTS.items():
        if dct[key] == default:
            del dct[key]
    delta = dct["delta"]
    if not delta or (not delta.get("updates") and not delta.get("deletions")):
        del dct["delta"]
    return _dumps(dct).encode()


def _expand_tasks(root: str, tasks: dict[str, Any]) -> list[str]:
    """Give compact rows back their defaults and parent links (in place); ids parents first.

    Breadth-first from the root: a task's data is restored from its parent's. Rows in SpiffWorkflow's full
    form (written before rows were compacted) pass through unchanged.
    """
    order: list[str] = []
    queue: deque[tuple[str, str | None]] = deque([(root, None)])
    while queue:
        guid, parent = queue.popleft()
        dct = tasks.get(guid)
        if dct is None:
            continue
        order.append(guid)
        if "id" not in dct:
            dct["id"] = guid
            dct["parent"] = parent
            dct["typename"] = "Task"
            for key, default in _TASK_DEFAULTS.items():
                if key not in dct:
                    dct[key] = type(default)()
            dct.setdefault("delta", {"updates": {}, "deletions": []})
        queue.extend((child, guid) for child in dct["children"])
    return order


def _restore_subprocesses(dct: Mapping[str, Any], wf: BpmnWorkflow) -> None:
    # Reuse SpiffWorkflow's own logic (it creates parent workflows before their children).
    _SUBPROCESS_HELPER.subprocesses_from_dict(dict(dct), wf)


class _SubprocessHelper:
    """Minimal stand-in giving ``subprocesses_from_dict`` the registry it needs."""

    registry = _REGISTRY

    def subprocesses_from_dict(self, dct: dict[str, Any], workflow: Any, top_workflow: Any = None) -> None:
        BpmnWorkflowConverter.subprocesses_from_dict(self, dct, workflow, top_workflow)


_SUBPROCESS_HELPER = _SubprocessHelper()


def _strip_volatile(dct: dict[str, Any]) -> dict[str, Any]:
    dct = dict(dct)
    dct.pop("spec", None)
    dct.pop("subprocess_specs", None)
    return dct
