"""The engine: start instances, complete steps, fire timers — each inside the caller's transaction.

Every method takes the caller's ``UnitOfWork``; the engine flushes but never commits. A live workflow
is kept in a small per-process cache keyed by the instance's ``version``; it is put back only after the
caller's commit, so a rolled-back action can never leave a half-run workflow behind.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException, WorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from . import audit, rows
from .clock import Clock, SystemClock, using_clock
from .db import UnitOfWork, conflicts_on_races, is_sqlite
from .definitions import SpecCache, get_definition
from .errors import Conflict, Forbidden, InvalidInput, NotFound, ScriptFailed
from .forms import validate_form_data
from .models import HumanTask, InstanceTask, ProcessDefinition, ProcessInstance, Timer
from .projection import NoUnits, UnitDirectory, sync_human_tasks, sync_timers, waiting_timers
from .sandbox import make_script_engine
from .state_store import SERIALIZER_VERSION, SpecBundle, WorkflowState
from .views import Actor, InstanceView, TaskView

OPEN_STATUSES = ("running", "waiting", "error")

@dataclass(frozen=True)
class DeployedDefinition:
    """What a run needs of a definition; deployed versions never change, so this is cached by id."""

    id: int
    process_key: str
    version: int
    lanes: dict[str, Any]
    files: dict[str, str]
    bundle: SpecBundle
    forms: dict[str, dict[str, Any]]  # parsed form schemas, filled on first use


@dataclass(frozen=True)
class CompletionResult:
    """The instance after a completion, without its finished steps (``completed_tasks`` is None: the
    history grows with every round of a long instance; ``get_instance`` lists it), and its open steps."""

    instance: InstanceView
    next_tasks: list[TaskView]


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


class WorkflowCache:
    """Live workflows by instance id, valid for exactly one stored ``version``."""

    def __init__(self, size: int = 512) -> None:
        self._items: OrderedDict[int, tuple[int, WorkflowState]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def has(self, instance_id: int, version: int) -> bool:
        """Whether the workflow of ``instance_id`` at ``version`` is cached (a later ``take`` may still miss)."""
        with self._lock:
            item = self._items.get(instance_id)
        return item is not None and item[0] == version

    def take(self, instance_id: int, version: int) -> WorkflowState | None:
        """Remove and return the cached workflow if it is at ``version`` (one user at a time)."""
        with self._lock:
            item = self._items.pop(instance_id, None)
        if item is None or item[0] != version:
            return None
        return item[1]

    def put(self, instance_id: int, version: int, state: WorkflowState) -> None:
        with self._lock:
            self._items[instance_id] = (version, state)
            self._items.move_to_end(instance_id)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class Engine:
    """Runs BPMN instances on SpiffWorkflow and keeps their persisted state, steps, timers and audit."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        helpers: Mapping[str, Callable[..., Any]] | None = None,
        units: UnitDirectory | None = None,
        cache_size: int = 512,
        observers: list[InstanceObserver] | None = None,
    ) -> None:
        self.clock = clock or SystemClock()
        # Called after every save, in the caller's transaction (what they write commits or rolls back with it).
        self.observers: list[InstanceObserver] = list(observers or [])
        self.units = units or NoUnits()
        self._helpers = dict(helpers or {})
        self.script_engine = make_script_engine(self._helpers)
        self.specs = SpecCache()
        self.cache = WorkflowCache(cache_size)
        self._definitions: dict[int, DeployedDefinition] = {}
        self._definitions_lock = threading.Lock()

    # ----------------------------------------------------------------- instances
    @conflicts_on_races
    def start(
        self,
        uow: UnitOfWork,
        process_key: str,
        *,
        unit_code: str | None,
        data: Mapping[str, Any] | None = None,
        actor: Actor,
        version: int | None = None,
        title: str | None = None,
    ) -> InstanceView:
        """Start an instance and run it until it needs a person or a timer."""
        session = uow.session
        definition = self._deployed(session, get_definition(session, process_key, version).id)
        now = self.clock.now()
        state = WorkflowState.new(definition.bundle, self.script_engine)
        initial = dict(data or {})
        initial["unit_code"] = unit_code
        start_task = state.workflow.get_next_task(state=TaskState.READY)
        if start_task is not None:
            start_task.data.update(initial)
        instance = ProcessInstance(
            definition_id=definition.id,
            process_key=definition.process_key,
            title=title,
            unit_code=unit_code,
            status="running",
            state="{}",
            serializer_version=SERIALIZER_VERSION,
            data=initial,
            incident=None,
            started_by=actor.username,
            created_at=now,
            updated_at=now,
        )
        session.add(instance)
        uow.flush()
        audit.record(
            session,
            "instance_started",
            at=now,
            actor=actor.username,
            instance_id=instance.id,
            definition_id=definition.id,
            payload={"process_key": process_key, "version": definition.version, "data": initial},
        )
        self._run(state, instance)
        self._save(uow, instance, definition, state, now, actor.username)
        return self.instance_view(session, instance)

    @conflicts_on_races
    def complete(self, uow: UnitOfWork, task_id: int, actor: Actor, data: Mapping[str, Any]) -> CompletionResult:
        """Complete one step: check, validate, run, save — all in the caller's transaction."""
        session = uow.session
        row, instance, open_rows = self._task_with_instance(session, task_id)
        if row.status != "ready":
            raise Conflict("Bước xử lý này đã được hoàn thành hoặc đã bị hủy.", code="task_not_ready")
        self.ensure_may_act(row, actor)
        definition = self._deployed(session, instance.definition_id)
        if row.form_schema:
            validate_form_data(_form_json(definition, row.form_schema), data)
        state = self._load(session, instance, definition)
        try:
            task = state.workflow.get_task_from_id(UUID(row.task_guid))
        except TaskNotFoundException as exc:
            raise Conflict("Bước xử lý không còn trong quy trình.", code="task_not_ready") from exc
        if task.state != TaskState.READY:
            raise Conflict("Bước xử lý này đã được hoàn thành hoặc đã bị hủy.", code="task_not_ready")
        now = self.clock.now()
        with using_clock(self.clock):
            task.data.update(data)
            try:
                task.run()
            except SpiffWorkflowException as exc:
                # The step's own postScript refused what was submitted: nothing is written, the step stays open.
                reason = getattr(exc, "error_msg", None) or str(exc)
                raise InvalidInput(
                    f'Dữ liệu của bước "{row.name}" bị từ chối: {reason}',
                    code="step_refused",
                    details={"element_id": row.element_id, "line": getattr(exc, "line_number", None) or None},
                ) from exc
        rows.mark_completed(
            session, row, actor.username, now, event_payload={"task_id": row.id, "name": row.name, "data": dict(data)}
        )
        if instance.status != "error":
            self._run(state, instance)
        still_open = self._save(
            uow, instance, definition, state, now, actor.username, completed=row, open_rows=open_rows
        )
        if still_open is None:  # the projection failed (an incident): read what the table holds
            view = self._view(session, instance, definition.version, history=False)
        else:
            session.flush()  # what observers changed on the step rows
            # The save's own open rows (ORM objects in step with their rows): no SELECT to read them back.
            steps = sorted((TaskView.of(r) for r in still_open if r.status == "ready"), key=lambda t: t.id)
            view = InstanceView.of(instance, definition.version, steps, with_history=False)
        return CompletionResult(view, view.open_tasks)

    @conflicts_on_races
    def cancel(self, uow: UnitOfWork, instance_id: int, actor: Actor, reason: str | None = None) -> InstanceView:
        """Cancel an open instance: its steps and timers are withdrawn."""
        session = uow.session
        instance = self._instance_row(session, instance_id)
        if instance.status not in OPEN_STATUSES:
            raise Conflict("Hồ sơ quy trình đã kết thúc, không thể hủy.", code="instance_not_open")
        definition = self._deployed(session, instance.definition_id)
        state = self._load(session, instance, definition)
        now = self.clock.now()
        state.workflow.cancel()
        instance.status = "cancelled"
        instance.ended_at = now
        audit.record(
            session,
            "instance_cancelled",
            at=now,
            actor=actor.username,
            instance_id=instance.id,
            payload={"reason": reason},
        )
        self._save(uow, instance, definition, state, now, actor.username, keep_status=True)
        return self.instance_view(session, instance)

    @conflicts_on_races
    def retry(
        self, uow: UnitOfWork, instance_id: int, actor: Actor, data: Mapping[str, Any] | None = None
    ) -> InstanceView:
        """Re-run the failed step of an instance in ``error`` after correcting its data."""
        session = uow.session
        instance = self._instance_row(session, instance_id)
        if instance.status != "error":
            raise Conflict("Hồ sơ quy trình không ở trạng thái lỗi.", code="instance_not_failed")
        definition = self._deployed(session, instance.definition_id)
        state = self._load(session, instance, definition)
        failed = _failed_tasks(state.workflow)
        now = self.clock.now()
        for task in failed:
            if data:
                task.data.update(data)
            task._set_state(TaskState.READY)
        audit.record(
            session,
            "instance_retried",
            at=now,
            actor=actor.username,
            instance_id=instance.id,
            payload={"data": dict(data or {}), "incident": instance.incident},
        )
        instance.status = "running"
        instance.incident = None
        self._run(state, instance)
        self._save(uow, instance, definition, state, now, actor.username)
        return self.instance_view(session, instance)

    # ----------------------------------------------------------------- steps
    def ensure_may_act(self, row: HumanTask, actor: Actor) -> None:
        """Raise unless ``actor`` may work on this step (lane role + unit, or its assignee)."""
        if row.assignee is not None and row.assignee != actor.username:
            raise Conflict(f"Bước xử lý đang do {row.assignee} thực hiện.", code="task_claimed_by_other")
        if not self.may_act(row, actor):
            raise Forbidden("Bạn không được phân công xử lý bước này.", code="not_your_task")

    @staticmethod
    def may_act(row: HumanTask, actor: Actor) -> bool:
        """Role and unit of the actor satisfy the step's lane (or the step is assigned to them)."""
        if row.assignee is not None:
            return row.assignee == actor.username
        if row.role is None or row.role not in actor.roles:
            return False
        return row.unit_code is None or row.unit_code == actor.unit_code

    @conflicts_on_races
    def claim(self, uow: UnitOfWork, task_id: int, actor: Actor) -> TaskView:
        """Take an unclaimed step into one's own inbox."""
        session = uow.session
        row = self._task_row(session, task_id)
        if row.status != "ready":
            raise Conflict("Bước xử lý này đã được hoàn thành hoặc đã bị hủy.", code="task_not_ready")
        if row.assignee == actor.username:
            return TaskView.of(row)
        self.ensure_may_act(row, actor)
        result = session.execute(
            update(HumanTask)
            .where(HumanTask.id == row.id, HumanTask.status == "ready", HumanTask.assignee.is_(None))
            .values(assignee=actor.username)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("Bước xử lý vừa được người khác nhận.", code="task_claimed_by_other")
        session.refresh(row)
        audit.record(
            session,
            "task_claimed",
            at=self.clock.now(),
            actor=actor.username,
            instance_id=row.instance_id,
            task_guid=row.task_guid,
            element_id=row.element_id,
            payload={"task_id": row.id},
        )
        return TaskView.of(row)

    @conflicts_on_races
    def unclaim(self, uow: UnitOfWork, task_id: int, actor: Actor, *, may_override: bool = False) -> TaskView:
        """Return a claimed step to the shared queue (its assignee, or a head/admin)."""
        session = uow.session
        row = self._task_row(session, task_id)
        if row.status != "ready":
            raise Conflict("Bước xử lý này đã được hoàn thành hoặc đã bị hủy.", code="task_not_ready")
        if row.assignee is None:
            raise Conflict("Bước xử lý chưa có người nhận.", code="task_not_claimed")
        if row.assignee != actor.username and not may_override:
            raise Forbidden("Chỉ người đang xử lý mới trả lại được bước này.", code="not_your_task")
        previous = row.assignee
        row.assignee = None
        audit.record(
            session,
            "task_unclaimed",
            at=self.clock.now(),
            actor=actor.username,
            instance_id=row.instance_id,
            task_guid=row.task_guid,
            element_id=row.element_id,
            payload={"task_id": row.id, "previous_assignee": previous},
        )
        return TaskView.of(row)

    @conflicts_on_races
    def assign(self, uow: UnitOfWork, task_id: int, assignee: Actor, actor: Actor) -> TaskView:
        """Give a step to a named user who may act on it (the caller checks that ``actor`` may assign)."""
        session = uow.session
        row = self._task_row(session, task_id)
        if row.status != "ready":
            raise Conflict("Bước xử lý này đã được hoàn thành hoặc đã bị hủy.", code="task_not_ready")
        probe = HumanTask(role=row.role, unit_code=row.unit_code, assignee=None)
        if not self.may_act(probe, assignee):
            raise InvalidInput(
                f"Người dùng {assignee.username} không có vai trò hoặc đơn vị phù hợp với bước này.",
                code="assignee_not_eligible",
            )
        previous = row.assignee
        row.assignee = assignee.username
        audit.record(
            session,
            "task_assigned",
            at=self.clock.now(),
            actor=actor.username,
            instance_id=row.instance_id,
            task_guid=row.task_guid,
            element_id=row.element_id,
            payload={"task_id": row.id, "assignee": assignee.username, "previous_assignee": previous},
        )
        return TaskView.of(row)

    def task_data(self, session: Session, task_id: int) -> dict[str, Any]:
        """The current data of a step (loads the workflow; for the step's own page)."""
        row = self._task_row(session, task_id)
        instance = self._instance_row(session, row.instance_id)
        if row.status != "ready":
            return dict(instance.data or {})
        definition = self._deployed(session, instance.definition_id)
        state = self._load(session, instance, definition)
        try:
            task = state.workflow.get_task_from_id(UUID(row.task_guid))
            data = dict(task.data)
        finally:
            self.cache.put(instance.id, instance.version, state)
        return data

    # ----------------------------------------------------------------- timers
    def fire_due_timers(self, uow: UnitOfWork, now: datetime, limit: int = 100) -> int:
        """Fire the timers due at ``now`` (at most ``limit`` instances); each exactly once.

        Due rows are claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers share
        the work; each instance runs in a savepoint so one failure does not undo the others. The
        caller commits. Returns the number of instances advanced.
        """
        session = uow.session
        query = (
            select(Timer)
            .where(Timer.status == "waiting", Timer.due_at < now)  # SpiffWorkflow fires strictly after
            .order_by(Timer.due_at, Timer.id)
            .limit(limit)
        )
        if not is_sqlite(session):
            query = query.with_for_update(skip_locked=True, of=Timer)
        rows = list(session.scalars(query))
        if not rows:
            return 0
        # What the batch's instances need, one query per table for the whole batch (not per instance): the
        # instances, the task rows of those whose workflow is not cached, their open steps and waiting timers.
        batch = _BatchRows(session, {r.instance_id for r in rows}, self.cache)
        advanced = 0
        seen: set[int] = set()
        clock = _FixedClock(now)
        for row in rows:
            if row.instance_id in seen or row.status != "waiting":
                continue
            seen.add(row.instance_id)
            instance = batch.instances.get(row.instance_id)
            if instance is None or instance.status not in ("running", "waiting"):
                row.status = "cancelled"
                continue
            savepoint = session.begin_nested()
            try:
                self._fire_instance(uow, instance, now, clock, batch)
                savepoint.commit()
                advanced += 1
            except Conflict:
                savepoint.rollback()
        return advanced

    @conflicts_on_races
    def _fire_instance(
        self, uow: UnitOfWork, instance: ProcessInstance, now: datetime, clock: _FixedClock, batch: _BatchRows
    ) -> None:
        session = uow.session
        definition = self._deployed(session, instance.definition_id)
        state = self._load(session, instance, definition, batch.task_rows.get(instance.id))
        with using_clock(clock):
            try:
                state.workflow.refresh_timers()
            except SpiffWorkflowException as exc:
                self._incident(instance, exc, now)
        if instance.status != "error":
            self._run(state, instance, clock)
        self._save(
            uow,
            instance,
            definition,
            state,
            now,
            "system",
            clock=clock,
            open_rows=batch.open_steps.get(instance.id, []),
            timer_rows=batch.timers.get(instance.id, []),
        )

    @conflicts_on_races
    def shift_step_timers(self, uow: UnitOfWork, task_id: int, delta: timedelta, actor: Actor) -> int:
        """Move every waiting timer attached to an open step by ``delta`` (its deadline was extended).

        Boundary timers (reminders, escalations) hang on the step's deadline; an extension moves them with
        it so that none fires against the old date. Returns how many timers moved; the caller commits.
        """
        session = uow.session
        row = self._task_row(session, task_id)
        instance = self._instance_row(session, row.instance_id)
        definition = self._deployed(session, instance.definition_id)
        state = self._load(session, instance, definition)
        try:
            task = state.workflow.get_task_from_id(UUID(row.task_guid))
        except TaskNotFoundException:
            return 0
        moved = 0
        for sibling in task.parent.children if task.parent is not None else ():
            definition_of = getattr(sibling.task_spec, "event_definition", None)
            if sibling is task or not sibling.has_state(TaskState.WAITING):
                continue
            if not isinstance(definition_of, TimerEventDefinition):
                continue
            value = sibling._get_internal_data("event_value")
            if isinstance(value, str):
                sibling._set_internal_data(event_value=(datetime.fromisoformat(value) + delta).isoformat())
            elif isinstance(value, dict) and isinstance(value.get("next"), str):
                shifted = dict(value, next=(datetime.fromisoformat(value["next"]) + delta).isoformat())
                sibling._set_internal_data(event_value=shifted)
            else:
                continue
            moved += 1
        if moved:
            self._save(uow, instance, definition, state, self.clock.now(), actor.username, keep_status=True)
        return moved

    def next_timer_due(self, session: Session) -> datetime | None:
        """When the earliest waiting timer is due."""
        return session.scalar(select(Timer.due_at).where(Timer.status == "waiting").order_by(Timer.due_at).limit(1))

    # ----------------------------------------------------------------- views
    def instance_view(self, session: Session, instance: ProcessInstance) -> InstanceView:
        """An instance with its open and finished steps (from the projection, not the workflow)."""
        return self._view(session, instance, self._deployed(session, instance.definition_id).version)

    @staticmethod
    def _view(
        session: Session, instance: ProcessInstance, definition_version: int, *, history: bool = True
    ) -> InstanceView:
        # Plain rows, not ORM objects: a long-running instance has hundreds of finished steps.
        open_tasks, done = rows.step_views(session, instance.id, finished=history)
        return InstanceView.of(instance, definition_version, open_tasks, done, with_history=history)

    def get_instance(self, session: Session, instance_id: int) -> InstanceView:
        return self.instance_view(session, self._instance_row(session, instance_id))

    # ----------------------------------------------------------------- internals
    def _task_row(self, session: Session, task_id: int) -> HumanTask:
        row = session.get(HumanTask, task_id)
        if row is None:
            raise NotFound("Không tìm thấy bước xử lý.", code="task_not_found")
        return row

    def _instance_row(self, session: Session, instance_id: int) -> ProcessInstance:
        row = session.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFound("Không tìm thấy hồ sơ quy trình.", code="instance_not_found")
        return row

    def _task_with_instance(
        self, session: Session, task_id: int
    ) -> tuple[HumanTask, ProcessInstance, list[HumanTask]]:
        """The step, its instance and the instance's open steps, in one query."""
        found = rows.step_with_instance(session, task_id)
        if found is None:
            raise NotFound("Không tìm thấy bước xử lý.", code="task_not_found")
        return found

    def _deployed(self, session: Session, definition_id: int) -> DeployedDefinition:
        """The cached definition (its row, with the large spec and BPMN columns, is read once)."""
        cached = self._definitions.get(definition_id)
        if cached is not None:
            return cached
        row = session.get(ProcessDefinition, definition_id)
        if row is None:
            raise NotFound("Không tìm thấy định nghĩa quy trình.", code="definition_not_found")
        deployed = DeployedDefinition(
            row.id, row.process_key, row.version, dict(row.lanes or {}), dict(row.files or {}), self.specs.get(row), {}
        )
        with self._definitions_lock:
            self._definitions[definition_id] = deployed
        return deployed

    def _load(
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
            found = session.execute(_TASK_ROWS_OF, {"b_instance": instance.id}).all()
            task_rows = [(g, bytes(p)) for g, p in found]
        return WorkflowState.restore(
            definition.bundle,
            instance.state,
            task_rows,
            self.script_engine,
            instance.serializer_version,
        )

    def _run(self, state: WorkflowState, instance: ProcessInstance, clock: Clock | None = None) -> None:
        with using_clock(clock or self.clock):
            try:
                state.workflow.do_engine_steps()
            except SpiffWorkflowException as exc:
                self._incident(instance, exc, (clock or self.clock).now())

    def _incident(self, instance: ProcessInstance, exc: SpiffWorkflowException, now: datetime) -> None:
        task = getattr(exc, "task", None)
        spec = task.task_spec if task is not None else getattr(exc, "task_spec", None)
        element_id = getattr(spec, "bpmn_id", None)
        element_name = getattr(spec, "bpmn_name", None)
        line = getattr(exc, "line_number", None) if isinstance(exc, WorkflowTaskException) else None
        message = getattr(exc, "error_msg", None) or str(exc)
        instance.status = "error"
        instance.incident = {
            "element_id": element_id,
            "element_name": element_name,
            "line": line or None,
            "message": f'Lỗi tại bước "{element_name or element_id}": {message}',
            "error_type": getattr(exc, "error_type", exc.__class__.__name__),
            "at": now.isoformat(),
        }

    def _save(
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
                self._script_incident(instance, exc, now)
                projected = False
        else:
            sync_human_tasks(session, instance, definition, _NoTasks(), self.units, now)  # type: ignore[arg-type]
        created = [r for r in open_rows if r.id is None]  # not flushed yet: added by this save
        waiting = len(waiting_timers(wf))
        # The timer table is read only when the workflow has, or had at its last save, a waiting timer.
        if waiting or state.timer_rows != 0 or timer_rows:
            sync_timers(session, instance, wf, now, actor, none_stored=state.timer_rows == 0, stored=timer_rows)
        state.timer_rows = waiting
        if not keep_status and instance.status != "error":
            if wf.is_completed():
                instance.status = "completed"
                instance.ended_at = now
                audit.record(session, "instance_completed", at=now, actor=actor, instance_id=instance.id)
            else:
                instance.status = "running" if open_rows else "waiting"
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
        instance.state = delta.header
        instance.serializer_version = SERIALIZER_VERSION
        instance.data = _public_data(wf)
        instance.updated_at = now
        rows.write_instance(session, instance)  # version check first: a lost race stops here, before other writes
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

    def _script_incident(self, instance: ProcessInstance, exc: Exception, now: datetime) -> None:
        if isinstance(exc, SpiffWorkflowException):
            self._incident(instance, exc, now)
            return
        assert isinstance(exc, ScriptFailed)
        instance.status = "error"
        instance.incident = {
            "element_id": exc.element_id,
            "element_name": None,
            "line": exc.line,
            "message": exc.message,
            "error_type": "ScriptFailed",
            "at": now.isoformat(),
        }


def _failed_tasks(wf: Any) -> list[Any]:
    """Every task in ERROR, subprocesses and multi-instance children included (get_tasks skips some)."""
    workflows = [wf, *wf.subprocesses.values()]
    return [t for w in workflows for t in w.tasks.values() if t.state == TaskState.ERROR]


_TASK_ROWS_OF = select(InstanceTask.guid, InstanceTask.payload).where(
    InstanceTask.instance_id == bindparam("b_instance")
)


class _BatchRows:
    """The rows a batch of timer firings needs, read with one query per table for all its instances."""

    def __init__(self, session: Session, instance_ids: set[int], cache: WorkflowCache) -> None:
        ids = sorted(instance_ids)
        # Held here: the session's identity map keeps its objects only while something refers to them.
        self.instances = {i.id: i for i in session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(ids)))}
        restore = [i.id for i in self.instances.values() if not cache.has(i.id, i.version)]
        self.task_rows: dict[int, list[tuple[str, bytes]]] = {i: [] for i in restore}
        if restore:
            found = session.execute(
                select(InstanceTask.instance_id, InstanceTask.guid, InstanceTask.payload).where(
                    InstanceTask.instance_id.in_(restore)
                )
            )
            for instance_id, guid, payload in found:
                self.task_rows[instance_id].append((guid, bytes(payload)))
        self.open_steps: dict[int, list[HumanTask]] = {}
        steps = select(HumanTask).where(HumanTask.instance_id.in_(ids), HumanTask.status == "ready")
        for step in session.scalars(steps):
            self.open_steps.setdefault(step.instance_id, []).append(step)
        self.timers: dict[int, list[Timer]] = {}
        for timer in session.scalars(select(Timer).where(Timer.instance_id.in_(ids), Timer.status == "waiting")):
            self.timers.setdefault(timer.instance_id, []).append(timer)


class _FixedClock:
    def __init__(self, moment: datetime) -> None:
        self._moment = moment

    def now(self) -> datetime:
        return self._moment


class _NoTasks:
    """Stands for a workflow with no READY steps (a cancelled instance)."""

    def get_tasks(self, **_: Any) -> list[Any]:
        return []


def _form_json(definition: DeployedDefinition, filename: str) -> dict[str, Any]:
    form = definition.forms.get(filename)
    if form is None:
        text = definition.files.get(filename)
        if text is None:
            raise NotFound(f'Không tìm thấy biểu mẫu "{filename}" của quy trình.', code="form_not_found")
        form = definition.forms[filename] = dict(json.loads(text))
    return form


def _public_data(wf: Any) -> dict[str, Any]:
    """A JSON-safe snapshot of the latest task data (for lists and the instance page)."""
    from .state_store import SERIALIZER

    task = wf.last_task or wf.task_tree
    data = dict(wf.data)
    data.update(task.data if task is not None else {})
    registry = SERIALIZER.registry
    return registry.convert(registry.clean(data))  # type: ignore[no-any-return]
