"""Moving running instances to another version of their process, one instance at a time.

SpiffWorkflow's own helpers do the tree work (``SpecDiff`` aligns the two specs by element id, ``WorkflowDiff``
and ``migrate_workflow`` point every task at its new spec and re-predict the open branches). Around them:

- the caller's ``mapping`` (old element id -> new id, or None for "no counterpart") overrides the alignment; a
  step's boundary-event split and join follow the step;
- an instance moves only if every open task (READY, WAITING, STARTED) has a counterpart; a finished task whose
  element is gone is taken out of the history when it has one child (its data is already in its child's),
  otherwise the instance stays; subprocesses and multi-instance steps in progress are refused;
- the steps ahead must find the variables they read (``migration_checks.missing_variables``), and the new
  version's deadlines and lanes must be computable for the open steps;
- open step rows whose task survives keep their row (id, claim), with the new element, name, lane and form;
  their deadline is recomputed unless the deadline expression is unchanged (a gia hạn is kept); the assignee is
  kept while the lane's role and unit stay the same; timers keep their time (see ``migration_checks``).

``preview`` never writes; ``apply`` writes in the caller's transaction, with the instance row locked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from . import audit, rows
from .caches import DeployedDefinition, form_json
from .clock import using_clock
from .db import UnitOfWork
from .errors import InvalidInput, ScriptFailed
from .migration_checks import forms_by_file, keep_timer_times, missing_variables, specs_ahead, timer_expression
from .models import HumanTask, InstanceTask, ProcessInstance, Timer
from .projection import ready_human_tasks, resolve_unit, step_due_at, task_properties
from .runner import InstanceRunner
from .state_store import SERIALIZER, WorkflowState

_OPEN = TaskState.READY | TaskState.WAITING | TaskState.STARTED
_FOLLOWERS = (".BoundaryEventSplit", ".BoundaryEventJoin")
_INSTANCES: Table = ProcessInstance.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class MigrationPlan:
    """Two versions of one process and the alignment of their elements (built once per run)."""

    source: DeployedDefinition
    target: DeployedDefinition
    mapping: dict[str, str | None]
    spec_diff: SpecDiff
    form_fields: dict[str, frozenset[str]]


@dataclass(frozen=True)
class StepChange:
    """An open step before and after: element ids and names (``after`` None: withdrawn)."""

    element_id: str
    name: str
    after_element_id: str | None
    after_name: str | None
    due_at: datetime | None
    assignee_kept: bool


@dataclass(frozen=True)
class MigrationOutcome:
    """Whether one instance can move (or moved), why not, and what happens to its open steps."""

    instance_id: int
    movable: bool
    code: str | None = None
    reason: str | None = None
    steps: list[StepChange] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


class MigrationRefused(Exception):
    """One instance cannot move: a code and a Vietnamese reason."""

    def __init__(self, code: str, reason: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.details = details or {}


def _label(spec: Any) -> str:
    name = getattr(spec, "bpmn_name", None)
    bpmn_id = getattr(spec, "bpmn_id", None) or spec.name
    return f'"{name}" ({bpmn_id})' if name else f"({bpmn_id})"


def make_plan(
    source: DeployedDefinition, target: DeployedDefinition, mapping: Mapping[str, str | None]
) -> MigrationPlan:
    """Align ``source`` with ``target`` and apply ``mapping`` (``InvalidInput`` naming any unknown element)."""
    old_specs, new_specs = source.bundle.spec.task_specs, target.bundle.spec.task_specs
    unknown_old = sorted(k for k in mapping if k not in old_specs)
    unknown_new = sorted(str(v) for v in mapping.values() if v is not None and v not in new_specs)
    if unknown_old or unknown_new:
        details: dict[str, list[str]] = {}
        for name in unknown_old:
            details[name] = [f'Phiên bản {source.version} không có phần tử "{name}".']
        for name in unknown_new:
            details.setdefault(name, []).append(f'Phiên bản {target.version} không có phần tử "{name}".')
        raise InvalidInput(
            "Bảng ánh xạ bước có phần tử không tồn tại: " + ", ".join(sorted(details)) + ".",
            code="migration_mapping_invalid",
            details=details,
        )
    diff = SpecDiff(SERIALIZER.registry, source.bundle.spec, target.bundle.spec)
    full: dict[str, str | None] = dict(mapping)
    for old, new in mapping.items():
        for suffix in _FOLLOWERS:
            if old + suffix in old_specs and old + suffix not in full:
                full[old + suffix] = new + suffix if new is not None and new + suffix in new_specs else None
    for old, new in full.items():
        diff.alignment[old_specs[old]] = new_specs[new] if new is not None else None
        if new is not None:
            diff.comparisons[old_specs[old]] = diff._compare_task_specs(old_specs[old], new_specs[new])
    forms = forms_by_file(target.files, lambda name: form_json(target, name))
    return MigrationPlan(source, target, dict(mapping), diff, forms)


def unaligned(plan: MigrationPlan) -> tuple[list[dict[str, str | None]], list[dict[str, str | None]]]:
    """The elements of the source with no counterpart after the mapping, and the target's elements nothing maps
    to (BPMN elements only, not SpiffWorkflow's own): what a mapping editor offers."""
    mapped_to = {new.name for new in plan.spec_diff.alignment.values() if new is not None}

    def element(spec: Any) -> dict[str, str | None]:
        return {"element_id": spec.bpmn_id, "name": spec.bpmn_name, "type": type(spec).__name__}

    removed = [
        element(old) for old, new in plan.spec_diff.alignment.items() if new is None and getattr(old, "bpmn_id", None)
    ]
    added = [
        element(spec)
        for spec in plan.target.bundle.spec.task_specs.values()
        if getattr(spec, "bpmn_id", None) and spec.name not in mapped_to
    ]
    return sorted(removed, key=lambda e: str(e["element_id"])), sorted(added, key=lambda e: str(e["element_id"]))


def elements(definition: DeployedDefinition) -> list[dict[str, str | None]]:
    """Every BPMN element of a version's process (what a mapping may point at), by id."""
    specs = definition.bundle.spec.task_specs.values()
    found = [
        {"element_id": s.bpmn_id, "name": s.bpmn_name, "type": type(s).__name__}
        for s in specs
        if getattr(s, "bpmn_id", None)
    ]
    return sorted(found, key=lambda e: str(e["element_id"]))


class Migrator:
    """Previews and applies the migration of single instances with the engine's runner."""

    def __init__(self, runner: InstanceRunner, helper_names: Callable[[], frozenset[str]]) -> None:
        self.runner = runner
        self.helper_names = helper_names  # read at each use: the script engine's helpers may be replaced

    def preview(self, session: Session, plan: MigrationPlan, instance: ProcessInstance) -> MigrationOutcome:
        """What migrating ``instance`` would do, without writing (a fresh copy of its workflow is moved)."""
        status, incident = instance.status, instance.incident
        try:
            self._check_instance(plan, instance)
            state = self._restore(session, instance, plan.source)
            open_rows = self._open_rows(session, instance.id)
            steps, _ = self._move(plan, instance, state, open_rows)
            return MigrationOutcome(instance.id, True, steps=steps)
        except MigrationRefused as refused:
            return MigrationOutcome(instance.id, False, refused.code, refused.reason, details=refused.details)
        finally:
            set_committed_value(instance, "status", status)
            set_committed_value(instance, "incident", incident)

    def apply(
        self,
        uow: UnitOfWork,
        plan: MigrationPlan,
        instance_id: int,
        actor: str | None,
        now: datetime,
        payload: Mapping[str, Any] | None = None,
    ) -> MigrationOutcome:
        """Move one instance in the caller's transaction: its row is locked first (PostgreSQL ``FOR UPDATE``;
        SQLite writers hold the database lock); a refusal raises ``MigrationRefused`` and writes nothing."""
        session = uow.session
        instance = session.scalars(
            select(ProcessInstance)
            .where(ProcessInstance.id == instance_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        self._check_instance(plan, instance)
        open_rows = self._open_rows(session, instance.id)
        timer_rows = list(
            session.scalars(select(Timer).where(Timer.instance_id == instance.id, Timer.status == "waiting"))
        )
        self.runner.cache.discard(instance.id)  # a workflow moved in memory must never be taken for the old one
        state = self._restore(session, instance, plan.source)
        steps, values = self._move(plan, instance, state, open_rows)
        for row in open_rows:
            changes = {k: v for k, v in values.get(row.task_guid, {}).items() if getattr(row, k) != v}
            if changes:
                rows.update_open_step(session, row, **changes)
        self.runner.save(uow, instance, plan.target, state, now, actor, open_rows=open_rows, timer_rows=timer_rows)
        session.connection().execute(
            update(_INSTANCES).where(_INSTANCES.c.id == instance.id).values(definition_id=plan.target.id)
        )
        set_committed_value(instance, "definition_id", plan.target.id)
        audit.record(
            session,
            "instance_migrated",
            at=now,
            actor=actor,
            instance_id=instance.id,
            definition_id=plan.target.id,
            payload={
                "from_version": plan.source.version,
                "to_version": plan.target.version,
                "steps": [{"from": s.element_id, "to": s.after_element_id} for s in steps],
                **dict(payload or {}),
            },
        )
        return MigrationOutcome(instance.id, True, steps=steps)

    # ------------------------------------------------------------------ the parts
    @staticmethod
    def _check_instance(plan: MigrationPlan, instance: ProcessInstance) -> None:
        if instance.definition_id == plan.target.id:
            raise MigrationRefused("already_on_version", f"Hồ sơ đã ở phiên bản {plan.target.version}.")
        if instance.definition_id != plan.source.id:
            raise MigrationRefused("not_on_version", f"Hồ sơ không ở phiên bản {plan.source.version}.")
        if instance.status == "error":
            raise MigrationRefused("instance_failed", "Hồ sơ đang gặp lỗi; hãy xử lý lỗi trước khi chuyển phiên bản.")
        if instance.status not in ("running", "waiting"):
            raise MigrationRefused("instance_not_open", "Hồ sơ đã kết thúc hoặc đã bị hủy.")

    def _restore(self, session: Session, instance: ProcessInstance, source: DeployedDefinition) -> WorkflowState:
        found = session.execute(
            select(InstanceTask.guid, InstanceTask.payload).where(InstanceTask.instance_id == instance.id)
        ).all()
        return WorkflowState.restore(
            source.bundle,
            instance.state,
            [(g, bytes(p)) for g, p in found],
            self.runner.script_engine,
            instance.serializer_version,
        )

    @staticmethod
    def _open_rows(session: Session, instance_id: int) -> list[HumanTask]:
        return list(
            session.scalars(
                select(HumanTask)
                .where(HumanTask.instance_id == instance_id, HumanTask.status == "ready")
                .order_by(HumanTask.id)
            )
        )

    def _move(
        self, plan: MigrationPlan, instance: ProcessInstance, state: WorkflowState, open_rows: list[HumanTask]
    ) -> tuple[list[StepChange], dict[str, dict[str, Any]]]:
        """Move the workflow to the new spec in memory; the open steps' changes and their rows' new values."""
        wf = state.workflow
        if wf.subprocesses:
            raise MigrationRefused(
                "subprocess_unsupported", "Hồ sơ đang ở trong quy trình con; chưa hỗ trợ chuyển phiên bản hồ sơ này."
            )
        for task in wf.get_tasks(state=_OPEN | TaskState.PREDICTED_MASK):
            if isinstance(task.task_spec, LoopTask) and task.has_state(_OPEN):
                raise MigrationRefused(
                    "multi_instance_unsupported",
                    f"Bước {_label(task.task_spec)} đang chạy nhiều lượt; chưa hỗ trợ chuyển phiên bản hồ sơ này.",
                    {"element_id": task.task_spec.name},
                )
        try:
            diff = WorkflowDiff(wf, plan.spec_diff)
        except KeyError as exc:
            raise MigrationRefused("structure_unsupported", "Không đối chiếu được hồ sơ với phiên bản mới.") from exc
        for task in diff.removed:
            if task.has_state(_OPEN):
                raise MigrationRefused(
                    "step_removed",
                    f"Bước hiện tại {_label(task.task_spec)} không còn trong phiên bản {plan.target.version} "
                    "và chưa được ánh xạ sang bước nào.",
                    {"element_id": task.task_spec.name},
                )
        # Every stored row is rewritten (tasks now name other specs); the removed ones are deleted.
        state.stored_marks = {k: (m[0], -1.0, -1, None) for k, m in state.stored_marks.items()}
        _prune_history(wf, [t for t in diff.removed if not t.has_state(_OPEN | TaskState.PREDICTED_MASK)], plan)
        timers_before = {
            str(t.id): (timer_expression(t) or "", dict(t.internal_data))
            for t in wf.get_tasks(state=TaskState.WAITING)
            if timer_expression(t) is not None
        }
        before = {str(t.id): t.task_spec for t in ready_human_tasks(wf)}
        due_before = {guid: task_properties_of(spec).get("dueDate") for guid, spec in before.items()}
        data_before = {str(t.id): dict(t.data) for t in wf.get_tasks(state=_OPEN)}
        with using_clock(self.runner.clock):
            migrate_workflow(diff, wf, plan.target.bundle.spec)
            keep_timer_times(timers_before, wf.get_tasks(state=TaskState.WAITING))
        # A reset task takes its parent's data: put back what it held (what a step taken out of history set), but
        # for what the new version's own preScript just computed.
        for task in wf.get_tasks(state=_OPEN):
            old = data_before.get(str(task.id))
            if old is not None:
                inherited = task.parent.data if task.parent is not None else {}
                computed = {k for k, v in task.data.items() if k not in inherited or inherited[k] != v}
                task.data = {**task.data, **{k: v for k, v in old.items() if k not in computed}}
        new_specs = set(map(id, plan.target.bundle.spec.task_specs.values()))
        stray = [t for t in wf.tasks.values() if id(t.task_spec) not in new_specs]
        if stray:
            raise MigrationRefused(
                "structure_unsupported",
                f"Phần tử {_label(stray[0].task_spec)} của hồ sơ không có trong phiên bản mới.",
                {"element_id": stray[0].task_spec.name},
            )
        self.runner.run(state, instance)
        if instance.status == "error":
            incident = instance.incident or {}
            raise MigrationRefused(
                "run_failed",
                f"Phiên bản mới không chạy được với dữ liệu của hồ sơ: {incident.get('message') or ''}".strip(),
                {"element_id": incident.get("element_id")},
            )
        self._check_variables(plan, wf)
        return self._project(plan, instance, wf, open_rows, before, due_before)

    def _check_variables(self, plan: MigrationPlan, wf: Any) -> None:
        waiting = [t for t in wf.get_tasks(state=TaskState.READY | TaskState.WAITING)]
        present: set[str] = set(wf.data)
        for task in waiting:
            present |= set(task.data)
        bundle = plan.target.bundle
        missing = missing_variables(
            specs_ahead(t.task_spec for t in waiting),
            plan.target.lanes,
            plan.form_fields,
            set(bundle.spec.data_objects),
            present,
            self.helper_names(),
        )
        if missing:
            names = ", ".join(sorted(missing))
            raise MigrationRefused(
                "variable_missing",
                f"Phiên bản {plan.target.version} cần dữ liệu mà hồ sơ chưa có: {names}.",
                {"variables": missing},
            )

    def _project(
        self,
        plan: MigrationPlan,
        instance: ProcessInstance,
        wf: Any,
        open_rows: list[HumanTask],
        before: dict[str, Any],
        due_before: dict[str, Any],
    ) -> tuple[list[StepChange], dict[str, dict[str, Any]]]:
        ready = {str(t.id): t for t in ready_human_tasks(wf)}
        steps: list[StepChange] = []
        values: dict[str, dict[str, Any]] = {}
        for row in open_rows:
            task = ready.get(row.task_guid)
            if task is None:
                steps.append(StepChange(row.element_id, row.name, None, None, None, False))
                continue
            spec = task.task_spec
            lane = getattr(spec, "lane", None)
            rule = plan.target.lanes.get(lane, {}) if lane else {}
            props = task_properties(task)
            with using_clock(self.runner.clock):
                try:
                    same_due = props.get("dueDate") == due_before.get(row.task_guid)
                    due = row.due_at if same_due else step_due_at(task, wf)
                    unit = (
                        resolve_unit(rule.get("unit", "instance"), instance, task, self.runner.units) if rule else None
                    )
                except (ScriptFailed, WorkflowException, SpiffWorkflowException) as exc:
                    raise MigrationRefused(
                        "deadline_invalid",
                        f"Không tính được hạn xử lý của bước {_label(spec)} theo phiên bản mới: "
                        f"{getattr(exc, 'message', None) or exc}",
                        {"element_id": spec.name},
                    ) from exc
            keep = rule.get("role") == row.role and unit == row.unit_code
            values[row.task_guid] = {
                "element_id": spec.bpmn_id,
                "name": spec.bpmn_name or spec.bpmn_id,
                "lane": lane,
                "role": rule.get("role"),
                "unit_code": unit,
                "form_schema": props.get("formJsonSchemaFilename"),
                "ui_schema": props.get("formUiSchemaFilename"),
                "instructions": spec.extensions.get("instructionsForEndUser") if hasattr(spec, "extensions") else None,
                "due_at": due,
                "assignee": row.assignee if keep else None,
            }
            if due != row.due_at:
                values[row.task_guid].update(deadline_state=None, classified_at=None)
            steps.append(
                StepChange(
                    row.element_id,
                    row.name,
                    spec.bpmn_id,
                    spec.bpmn_name or spec.bpmn_id,
                    due,
                    keep and row.assignee is not None,
                )
            )
        known = {r.task_guid for r in open_rows}
        for guid, task in ready.items():
            if guid not in known:
                spec = task.task_spec
                with using_clock(self.runner.clock):
                    try:
                        due = step_due_at(task, wf)
                    except (ScriptFailed, WorkflowException, SpiffWorkflowException) as exc:
                        raise MigrationRefused(
                            "deadline_invalid",
                            f"Không tính được hạn xử lý của bước {_label(spec)} theo phiên bản mới.",
                            {"element_id": spec.name},
                        ) from exc
                steps.append(StepChange("", "", spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, due, False))
        return steps, values


def task_properties_of(spec: Any) -> dict[str, Any]:
    """The spiffworkflow properties of a task spec."""
    return dict((getattr(spec, "extensions", None) or {}).get("properties") or {})


def _prune_history(wf: Any, removed: list[Task], plan: MigrationPlan) -> None:
    """Take finished tasks whose element is gone out of the tree: a finished task with one child is replaced by
    that child (whose data already holds everything before it); a cancelled or errored branch goes whole."""
    for task in removed:
        if task.id not in wf.tasks:
            continue  # already gone with a branch removed before it
        parent = task.parent
        children = task.children
        if task.has_state(TaskState.COMPLETED) and len(children) == 1 and parent is not None:
            child = children[0]
            siblings = parent._children
            siblings[siblings.index(task.id)] = child.id
            child._parent = parent.id
            task._children = []
            del wf.tasks[task.id]
            if wf.last_task is task:
                wf.last_task = child  # its data holds everything the removed task added
        elif (
            not task.has_state(TaskState.COMPLETED) and parent is not None and not any(d.has_state(_OPEN) for d in task)
        ):
            for descendant in list(task):
                wf.tasks.pop(descendant.id, None)
            parent._children.remove(task.id)
        else:
            raise MigrationRefused(
                "history_step_removed",
                f"Hồ sơ đã qua {_label(task.task_spec)}, phần tử này không còn trong phiên bản {plan.target.version} "
                "và không thể bỏ khỏi lịch sử; hãy ánh xạ nó sang một phần tử của phiên bản mới.",
                {"element_id": task.task_spec.name},
            )
        if wf.last_task is task:
            wf.last_task = None
