"""Timers: firing the due ones in batches, moving a step's timers with its deadline, the next due time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Select, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from . import audit
from .caches import DeployedDefinition, WorkflowCache
from .clock import using_clock
from .db import UnitOfWork, conflicts_on_races, is_sqlite
from .errors import Conflict
from .incidents import record_incident, record_unexpected_incident
from .models import HumanTask, InstanceTask, ProcessInstance, Timer
from .projection import sync_timers, waiting_timers
from .runner import InstanceRunner, instance_row, step_row
from .tenancy import running_for
from .timer_values import is_timer, shifted_value
from .views import Actor

FIRING = ("running", "waiting")  # an instance in error keeps its timer rows waiting, untouched, until a retry


@dataclass
class FiringOutcome:
    """What one batch of due timers did."""

    claimed: int = 0  # due timer rows the batch took
    fired: int = 0  # instances whose workflow moved on
    failed: int = 0  # instances put in error (their incident names the element)
    unchanged: int = 0  # instances with nothing due after all: only their timer rows were set right
    skipped: int = 0  # instances another writer held: left for a later batch

    @property
    def progressed(self) -> int:
        """Instances the batch is done with (every one but the skipped)."""
        return self.fired + self.failed + self.unchanged


class TimerNotFired(Exception):
    """A timer the workflow itself says is due did not fire (so that it cannot hold up every later batch)."""


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


@dataclass
class _Attempt:
    """One instance's firing: its row, its due timer rows and, once read, its definition (to name a failure)."""

    instance: ProcessInstance
    due: list[Timer]
    definition: DeployedDefinition | None = None


def _running_timers() -> Select[Timer]:
    """Waiting timer rows of instances that can move on (an instance in error waits for its retry)."""
    return (
        select(Timer)
        .join(ProcessInstance, ProcessInstance.id == Timer.instance_id)
        .where(Timer.status == "waiting", ProcessInstance.status.in_(FIRING))
    )


def _fingerprint(wf: BpmnWorkflow) -> tuple[Any, ...]:
    """What a firing can change: every task's state and its last change, and the waiting timers' due times."""
    tasks = [t for w in (wf, *wf.subprocesses.values()) for t in w.tasks.values()]
    timers = sorted((guid, due) for guid, (_, due) in waiting_timers(wf).items())
    return tuple((t._state, t.last_state_change) for t in tasks), tuple(timers)


class TimerBatch:
    """Fires due timers instance by instance, and shifts the boundary timers of an extended step."""

    def __init__(self, runner: InstanceRunner) -> None:
        self._runner = runner

    def fire_due_timers(self, uow: UnitOfWork, now: datetime, limit: int = 100) -> FiringOutcome:
        """Fire the timers due at ``now`` (at most ``limit`` rows); each exactly once.

        Due rows are claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers share
        the work. Each instance runs in its own savepoint: whatever goes wrong while firing one (a bad
        timer value, a failing script, a bug) rolls back that instance alone and becomes its incident;
        the rest of the batch fires. An instance with nothing due after all is not rewritten: its timer
        rows are set right, so that no row stays due without firing. The caller commits.
        """
        session = uow.session
        query = _running_timers().where(Timer.due_at < now)  # SpiffWorkflow fires strictly after
        query = query.order_by(Timer.due_at, Timer.id).limit(limit)
        if not is_sqlite(session):
            query = query.with_for_update(skip_locked=True, of=Timer)
        rows = list(session.scalars(query))
        outcome = FiringOutcome(claimed=len(rows))
        if not rows:
            return outcome
        # What the batch's instances need, one query per table for the whole batch (not per instance): the
        # instances, the task rows of those whose workflow is not cached, their open steps and waiting timers.
        batch = _BatchRows(session, {r.instance_id for r in rows}, self._runner.cache)
        due: dict[int, list[Timer]] = {}
        for row in rows:
            due.setdefault(row.instance_id, []).append(row)
        clock = _FixedClock(now)
        for instance_id, due_rows in due.items():
            instance = batch.instances.get(instance_id)
            if instance is None or instance.status not in FIRING:
                continue
            attempt = _Attempt(instance, due_rows)
            savepoint = session.begin_nested()
            try:
                changed = self._fire_instance(uow, attempt, now, clock, batch)
                savepoint.commit()
            except Conflict:
                savepoint.rollback()
                self._forget(uow, attempt, batch)
                outcome.skipped += 1
                continue
            except OperationalError:
                raise  # the database itself is in trouble, not this instance: the whole batch is retried
            except Exception as exc:  # noqa: BLE001 - the worker's entry point for one instance: any failure is its incident
                savepoint.rollback()
                self._forget(uow, attempt, batch)
                if self._record_failure(uow, attempt, exc, now):
                    outcome.failed += 1
                else:
                    outcome.skipped += 1
                continue
            if instance.status == "error":
                outcome.failed += 1
            elif changed:
                outcome.fired += 1
            else:
                outcome.unchanged += 1
        return outcome

    @conflicts_on_races
    def _fire_instance(
        self, uow: UnitOfWork, attempt: _Attempt, now: datetime, clock: _FixedClock, batch: _BatchRows
    ) -> bool:
        """Fire one instance's due timers and run it on; save it if that changed anything. Returns whether it did."""
        with running_for(attempt.instance.tenant):  # timer values and deadlines: the instance's own calendar
            return self._fire(uow, attempt, now, clock, batch)

    def _fire(self, uow: UnitOfWork, attempt: _Attempt, now: datetime, clock: _FixedClock, batch: _BatchRows) -> bool:
        """The body of ``_fire_instance``, run for the instance's tenant."""
        runner = self._runner
        session = uow.session
        instance = attempt.instance
        definition = attempt.definition = runner.deployed(session, instance.definition_id)
        state = runner.load(session, instance, definition, batch.task_rows.get(instance.id))
        before = _fingerprint(state.workflow)
        with using_clock(clock):
            try:
                state.workflow.refresh_timers()
            except SpiffWorkflowException as exc:
                record_incident(instance, exc, now)
        if instance.status != "error":
            runner.run(state, instance, clock)
        timer_rows = batch.timers.get(instance.id, [])
        if instance.status != "error" and _fingerprint(state.workflow) == before:
            # Nothing was due after all: the instance is not rewritten, its rows take the workflow's due times.
            sync_timers(session, instance, state.workflow, now, "system", stored=timer_rows)
            stuck = [r for r in attempt.due if r.status == "waiting" and r.due_at < now]
            if stuck:
                raise TimerNotFired(f"hẹn giờ đã đến hạn ({stuck[0].due_at.isoformat()}) nhưng không chạy")
            uow.flush()
            instance_id, version = instance.id, instance.version
            uow.after_commit(lambda: runner.cache.put(instance_id, version, state))
            return False
        runner.save(
            uow,
            instance,
            definition,
            state,
            now,
            "system",
            clock=clock,
            open_rows=batch.open_steps.get(instance.id, []),
            timer_rows=timer_rows,
        )
        uow.flush()  # inside the race check: the savepoint's commit has nothing left to write
        return True

    def _forget(self, uow: UnitOfWork, attempt: _Attempt, batch: _BatchRows) -> None:
        """After a rolled-back attempt: reload its rows when next read, and never cache what it ran."""
        session = uow.session
        instance_id = attempt.instance.id
        for row in (attempt.instance, *batch.timers.get(instance_id, []), *batch.open_steps.get(instance_id, [])):
            session.expire(row)
        cache = self._runner.cache
        uow.after_commit(lambda: cache.discard(instance_id))  # runs after any put the failed save registered

    def _record_failure(self, uow: UnitOfWork, attempt: _Attempt, exc: Exception, now: datetime) -> bool:
        """Put the instance in error, in a savepoint of its own; False if another writer changed it meanwhile."""
        session = uow.session
        instance = attempt.instance
        savepoint = session.begin_nested()
        try:
            if instance.status not in FIRING:  # reloaded: another writer finished it meanwhile
                savepoint.rollback()
                return False
            task = getattr(exc, "task", None)
            if isinstance(exc, SpiffWorkflowException) and task is not None:
                record_incident(instance, exc, now)
            else:
                element_id = attempt.due[0].element_id
                record_unexpected_incident(
                    instance, exc, now, element_id=element_id, element_name=_element_name(attempt, element_id)
                )
            incident = dict(instance.incident or {}, recorded=True)
            instance.incident = incident
            instance.updated_at = now
            uow.flush()  # the versioned UPDATE first: a lost race stops before the audit event
            audit.record(
                session,
                "instance_failed",
                at=now,
                actor="system",
                instance_id=instance.id,
                element_id=incident.get("element_id"),
                payload=incident,
            )
            savepoint.commit()
        except Conflict:
            savepoint.rollback()
            session.expire(instance)
            return False
        return True

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
            if sibling is task or not sibling.has_state(TaskState.WAITING) or not is_timer(sibling):
                continue
            value = sibling._get_internal_data("event_value")
            if isinstance(value, str):
                sibling._set_internal_data(event_value=shifted_value(value, delta))
            elif isinstance(value, dict) and isinstance(value.get("next"), str):
                sibling._set_internal_data(event_value=dict(value, next=shifted_value(value["next"], delta)))
            else:
                continue
            moved += 1
        if moved:
            runner.save(uow, instance, definition, state, runner.clock.now(), actor.username, keep_status=True)
        return moved


def _element_name(attempt: _Attempt, element_id: str) -> str | None:
    """The name of ``element_id`` in the attempt's definition, if it was read."""
    if attempt.definition is None:
        return None
    bundle = attempt.definition.bundle
    for spec in (bundle.spec, *bundle.subprocess_specs.values()):
        for task_spec in spec.task_specs.values():
            if getattr(task_spec, "bpmn_id", None) == element_id:
                return getattr(task_spec, "bpmn_name", None)
    return None


def next_timer_due(session: Session, after: datetime | None = None) -> datetime | None:
    """When the earliest waiting timer of a running instance is due (only those due at or after ``after``)."""
    query = _running_timers().with_only_columns(Timer.due_at)
    if after is not None:
        query = query.where(Timer.due_at >= after)
    return session.scalar(query.order_by(Timer.due_at).limit(1))
