"""Timers: firing the due ones in batches, moving a step's timers with its deadline, the next due time."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from .caches import WorkflowCache
from .clock import using_clock
from .db import UnitOfWork, conflicts_on_races, is_sqlite
from .errors import Conflict
from .incidents import record_incident
from .models import HumanTask, InstanceTask, ProcessInstance, Timer
from .runner import InstanceRunner, instance_row, step_row
from .views import Actor


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
    """A clock standing still at the batch's ``now`` (every firing of one batch happens at the same moment)."""

    def __init__(self, moment: datetime) -> None:
        self._moment = moment

    def now(self) -> datetime:
        """The batch's moment."""
        return self._moment


class TimerBatch:
    """Fires due timers instance by instance, and shifts the boundary timers of an extended step."""

    def __init__(self, runner: InstanceRunner) -> None:
        self._runner = runner

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
        batch = _BatchRows(session, {r.instance_id for r in rows}, self._runner.cache)
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
        """Fire one instance's due timers, run it on, and save it with the rows the batch already read."""
        runner = self._runner
        session = uow.session
        definition = runner.deployed(session, instance.definition_id)
        state = runner.load(session, instance, definition, batch.task_rows.get(instance.id))
        with using_clock(clock):
            try:
                state.workflow.refresh_timers()
            except SpiffWorkflowException as exc:
                record_incident(instance, exc, now)
        if instance.status != "error":
            runner.run(state, instance, clock)
        runner.save(
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
        runner = self._runner
        session = uow.session
        row = step_row(session, task_id)
        instance = instance_row(session, row.instance_id)
        definition = runner.deployed(session, instance.definition_id)
        state = runner.load(session, instance, definition)
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
            runner.save(uow, instance, definition, state, runner.clock.now(), actor.username, keep_status=True)
        return moved


def next_timer_due(session: Session) -> datetime | None:
    """When the earliest waiting timer is due."""
    return session.scalar(select(Timer.due_at).where(Timer.status == "waiting").order_by(Timer.due_at).limit(1))
