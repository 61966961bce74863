"""Loading, running and saving one instance's workflow inside the caller's transaction, and its observers."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any, NamedTuple
from uuid import UUID

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import instance_state

from . import audit, rows
from .caches import DefinitionCache, DeployedDefinition, WorkflowCache
from .clock import Clock, using_clock
from .db import UnitOfWork
from .driver import driver
from .errors import Conflict, DataTooLarge, InvalidInput, NotFound, ScriptFailed
from .incidents import record_incident, record_script_incident
from .models import HumanTask, InstanceTask, ProcessInstance, Timer
from .projection import UnitDirectory, sync_human_tasks, sync_timers, waiting_timers
from .sandbox import ScriptLimitTaskException
from .script_limits import ScriptLimits, data_too_large, deadline_passed, ensure_data_fits, steps_exceeded
from .state_store import SERIALIZER_VERSION, StateDelta, WorkflowState, public_data
from .tenancy import running_for


@dataclass(frozen=True)
class InstanceSaved:
    """What one save of an instance changed, handed to observers inside the caller's transaction."""

    uow: UnitOfWork
    instance: ProcessInstance
    created: list[HumanTask]  # steps that became open in this save (ids assigned)
    completed: list[HumanTask]  # the step completed by the action, if any
    data_before: dict[str, Any]  # the instance's public data before the run
    now: datetime
    actor: str | None


InstanceObserver = Callable[[InstanceSaved], None]
# The caller's columns of a step as it opens (False) or is completed (True) at ``now``, e.g. its deadline
# classification: written with the step's own INSERT or completion UPDATE rather than by a later UPDATE.
StepColumns = Callable[[HumanTask, datetime, bool], Mapping[str, Any]]

# A stored task row holds the task's data and a little more (state, internal data, children).
_ROW_OVERHEAD = 64 * 1024

# The task rows of the instance only while it is at the version its row was read at: read in a statement of their own,
# they could otherwise (PostgreSQL, READ COMMITTED) belong to a write committed in between — a migration to another
# version of the diagram, whose task specs the definition read with the row does not have.
_TASK_ROWS_OF = (
    select(InstanceTask.guid, InstanceTask.payload)
    .join(ProcessInstance, ProcessInstance.id == InstanceTask.instance_id)
    .where(InstanceTask.instance_id == bindparam("b_instance"), ProcessInstance.version == bindparam("b_version"))
)


def step_row(session: Session, task_id: int) -> HumanTask:
    """The step row ``task_id`` (``NotFound`` if there is none)."""
    row = session.get(HumanTask, task_id)
    if row is None:
        raise NotFound("Không tìm thấy bước xử lý.", code="task_not_found")
    return row


def instance_row(session: Session, instance_id: int) -> ProcessInstance:
    """The instance row ``instance_id`` (``NotFound`` if there is none)."""
    row = session.get(ProcessInstance, instance_id)
    if row is None:
        raise NotFound("Không tìm thấy hồ sơ quy trình.", code="instance_not_found")
    return row


class LoadedStep(NamedTuple):
    """A step with its instance and the instance's open steps, read together (one query)."""

    row: HumanTask
    instance: ProcessInstance
    open_rows: list[HumanTask]


def step_with_instance(session: Session, task_id: int) -> LoadedStep:
    """The step, its instance and the instance's open steps, in one query (``NotFound`` if no such step)."""
    found = rows.step_with_instance(session, task_id)
    if found is None:
        raise NotFound("Không tìm thấy bước xử lý.", code="task_not_found")
    return LoadedStep(*found)


class _NoTasks:
    """Stands for a workflow with no READY steps (a cancelled instance)."""

    def get_tasks(self, **_: Any) -> list[Any]:
        """No tasks, whatever the filter."""
        return []


class _StepCounter:
    """Called after each automatic step of one run: stops a run that never reaches a person or a timer, and one
    still going at the limits' wall-clock deadline."""

    def __init__(self, limits: ScriptLimits) -> None:
        self.limits = limits
        self.steps = 0

    def __call__(self, task: Task) -> None:
        self.steps += 1
        if self.steps > self.limits.engine_steps:
            raise ScriptLimitTaskException(task, "", steps_exceeded(self.limits))
        if self.limits.deadline is not None and time.monotonic() > self.limits.deadline:
            raise ScriptLimitTaskException(task, "", deadline_passed())


class InstanceRunner:
    """Loads an instance's workflow (cached or restored), runs it, and writes the outcome of the run.

    Holds what every engine action shares: the clock, the script engine and its limits, the organisation
    directory, the observers and both caches. The workflow is put back into the cache only after the caller's
    commit.
    """

    def __init__(
        self,
        *,
        clock: Clock,
        script_engine: PythonScriptEngine,
        limits: ScriptLimits,
        units: UnitDirectory,
        observers: list[InstanceObserver],
        cache: WorkflowCache,
    ) -> None:
        self.clock = clock
        self.script_engine = script_engine
        self.limits = limits
        self.units = units
        # Called after every save, in the caller's transaction (what they write commits or rolls back with it).
        self.observers = observers
        self.step_columns: StepColumns | None = None
        self.cache = cache
        self.definitions = DefinitionCache()

    def deployed(self, session: Session, definition_id: int) -> DeployedDefinition:
        """The cached definition (its row, with the large spec and BPMN columns, is read once)."""
        return self.definitions.get(session, definition_id)

    def load(
        self,
        session: Session,
        instance: ProcessInstance,
        definition: DeployedDefinition,
        task_rows: list[tuple[str, bytes]] | None = None,
    ) -> WorkflowState:
        """The cached workflow at the instance's version, or one restored from its task rows
        (``task_rows``: already read by the caller)."""
        cached = self.cache.take(instance.id, instance.version)
        if cached is not None:
            return cached
        if task_rows is None:
            found = session.execute(_TASK_ROWS_OF, {"b_instance": instance.id, "b_version": instance.version}).all()
            if not found:  # every instance has task rows: another write moved the instance on since it was read
                raise Conflict()
            task_rows = [(g, bytes(p)) for g, p in found]
        return WorkflowState.restore(
            definition.bundle,
            instance.state,
            task_rows,
            self.script_engine,
            instance.serializer_version,
        )

    def run_step(self, task: Task, row: HumanTask, data: Mapping[str, Any], instance: ProcessInstance) -> bool:
        """Run the READY ``task`` of step ``row`` with the submitted ``data``; False if it did not complete.

        Refused (nothing changes): too much data (``DataTooLarge``), a postScript that rejects the data
        (``InvalidInput``). A postScript that runs out of its budget is the diagram's fault, not the user's: the
        step stays open with its data as before, and the instance gets an incident for an administrator.
        """
        with using_clock(self.clock), running_for(instance.tenant):
            before = dict(task.data)
            task.data.update(data)
            ensure_data_fits(task.data, self.limits)
            try:
                task.run()
            except ScriptLimitTaskException as exc:
                task.data = before
                task._set_state(TaskState.READY)
                record_incident(instance, exc, self.clock.now())
                return False
            except SpiffWorkflowException as exc:
                # The step's own postScript refused what was submitted: nothing is written, the step stays open.
                reason = getattr(exc, "error_msg", None) or str(exc)
                raise InvalidInput(
                    f'Dữ liệu của bước "{row.name}" bị từ chối: {reason}',
                    code="step_refused",
                    details={"element_id": row.element_id, "line": getattr(exc, "line_number", None) or None},
                ) from exc
        return True

    def task_data(self, session: Session, task_id: int) -> dict[str, Any]:
        """The current data of a step (loads the workflow and puts it back into the cache)."""
        row = step_row(session, task_id)
        instance = instance_row(session, row.instance_id)
        if row.status != "ready":
            return dict(instance.data or {})
        definition = self.deployed(session, instance.definition_id)
        state = self.load(session, instance, definition)
        try:
            task = state.workflow.get_task_from_id(UUID(row.task_guid))
            data = dict(task.data)
        finally:
            self.cache.put(instance.id, instance.version, state)
        return data

    def run(self, state: WorkflowState, instance: ProcessInstance, clock: Clock | None = None) -> None:
        """Run the workflow until it needs a person or a timer; a library error becomes an incident."""
        with using_clock(clock or self.clock), running_for(instance.tenant):
            try:
                state.workflow.do_engine_steps(did_complete_task=_StepCounter(self.limits))
            except SpiffWorkflowException as exc:
                record_incident(instance, exc, (clock or self.clock).now())

    def save(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        definition: DeployedDefinition,
        state: WorkflowState,
        now: datetime,
        actor: str | None,
        *,
        keep_status: bool = False,
        clock: Clock | None = None,
        completed: HumanTask | None = None,
        open_rows: list[HumanTask] | None = None,
        timer_rows: list[Timer] | None = None,
    ) -> list[HumanTask] | None:
        """Write a run's outcome: steps, timers, status, audit, the changed task rows.

        ``open_rows`` / ``timer_rows``: the instance's open steps / waiting timer rows, already loaded.
        Returns the open step rows after the save (None if the projection failed and left the table as it was).
        """
        with running_for(instance.tenant):  # deadlines and timer values are the instance's diagram code
            return self._save(
                uow,
                instance,
                definition,
                state,
                now,
                actor,
                keep_status=keep_status,
                clock=clock,
                completed=completed,
                open_rows=open_rows,
                timer_rows=timer_rows,
            )

    def _save(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        definition: DeployedDefinition,
        state: WorkflowState,
        now: datetime,
        actor: str | None,
        *,
        keep_status: bool,
        clock: Clock | None,
        completed: HumanTask | None,
        open_rows: list[HumanTask] | None,
        timer_rows: list[Timer] | None,
    ) -> list[HumanTask] | None:
        session = uow.session
        wf = state.workflow
        data_before = instance.data
        known_open, open_rows = open_rows, []
        projected = True
        if instance.status != "cancelled":
            try:
                with using_clock(clock or self.clock):
                    open_rows = sync_human_tasks(
                        session, instance, definition, wf, self.units, now, open_rows=known_open
                    )
            except (WorkflowException, ScriptFailed) as exc:
                record_script_incident(instance, exc, now)
                projected = False
        else:
            sync_human_tasks(session, instance, definition, _NoTasks(), self.units, now)  # type: ignore[arg-type]
        # Not written yet (no identity): added by this save.
        created = [r for r in open_rows if instance_state(r).key is None]
        timers = waiting_timers(wf)
        waiting = len(timers)
        # The timer table is read only when the workflow has, or had at its last save, a waiting timer.
        if waiting or state.timer_rows != 0 or timer_rows:
            sync_timers(
                session,
                instance,
                wf,
                now,
                actor,
                none_stored=state.timer_rows == 0,
                stored=timer_rows,
                waiting=timers,
            )
        state.timer_rows = waiting
        # The instance's new column values, written by one versioned UPDATE (rows.write_instance) that leaves the
        # object holding them, without an ORM attribute event per column.
        changes: dict[str, Any] = {}
        if not keep_status and instance.status != "error":
            if wf.is_completed():
                changes["status"] = "completed"
                changes["ended_at"] = now
                audit.record(session, "instance_completed", at=now, actor=actor, instance_id=instance.id)
            else:
                changes["status"] = "running" if open_rows else "waiting"
        if instance.status == "error" and instance.incident is not None and not instance.incident.get("recorded"):
            instance.incident = dict(instance.incident, recorded=True)
            audit.record(
                session,
                "instance_failed",
                at=now,
                actor=actor,
                instance_id=instance.id,
                element_id=instance.incident.get("element_id"),
                payload=dict(instance.incident),
            )
        delta = state.delta()
        self._ensure_storable(delta)
        changes["state"] = delta.header
        changes["serializer_version"] = SERIALIZER_VERSION
        changes["data"] = public_data(wf)
        changes["updated_at"] = now
        if self.step_columns is not None:
            for row in created:
                for column, value in self.step_columns(row, now, False).items():
                    setattr(row, column, value)
        # Version check first: a lost race stops here, before other writes (PostgreSQL: the first new step is
        # inserted by the same statement, only if the instance's UPDATE matched).
        if _pipelines(session, instance, created):  # PostgreSQL: one round trip up to the task rows
            with driver(session).pipeline():
                written = rows.write_instance(session, instance, changes, new_steps=created, later=True)
                rows.write_task_rows(session, instance.id, delta.updates, delta.inserts, delta.deletes)
            written()  # the version check: a lost race is a Conflict here (what the pipeline wrote rolls back)
        else:
            rows.write_instance(session, instance, changes, new_steps=created)
            rows.insert_steps(session, created)
            uow.flush()  # cancelled steps, timers
            rows.write_task_rows(session, instance.id, delta.updates, delta.inserts, delta.deletes)
        if self.observers:
            event = InstanceSaved(
                uow, instance, created, [completed] if completed else [], dict(data_before or {}), now, actor
            )
            for observer in self.observers:
                observer(event)
        instance_id, version = instance.id, instance.version
        uow.after_commit(lambda: self.cache.put(instance_id, version, state))
        return open_rows if projected else None

    def _ensure_storable(self, delta: StateDelta) -> None:
        """Refuse a save whose task rows hold more data than an instance may keep (``DataTooLarge``).

        Scripts are stopped at the cap themselves; this catches data grown by other means (decision tables,
        multi-instance collections, an expression that appends to a list).
        """
        largest = max((len(p) for _, p in chain(delta.updates, delta.inserts)), default=0)
        largest = max(largest, len(delta.header))
        if largest > self.limits.data_max_bytes + _ROW_OVERHEAD:
            raise DataTooLarge(
                data_too_large(largest, self.limits), details={"size": largest, "max_bytes": self.limits.data_max_bytes}
            )


def _pipelines(session: Session, instance: ProcessInstance, new_steps: list[HumanTask]) -> bool:
    """Whether a save's writes from the instance's UPDATE to the task rows can go in one ``Driver.pipeline``:
    PostgreSQL, at most one new step (its INSERT joins the UPDATE) and nothing the ORM would flush in between."""
    if session._new or session._deleted or len(new_steps) > 1 or not driver(session).pg:  # type: ignore[attr-defined]
        return False
    mine = instance_state(instance)
    pending = session.identity_map._modified  # type: ignore[attr-defined]
    return all(s is mine for s in pending) and mine.committed_state.keys() <= rows.INSTANCE_WRITTEN
