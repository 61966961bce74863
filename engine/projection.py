"""Keeping the human-task and timer tables in step with a workflow after every run."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any, Protocol
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from . import audit
from .clock import LOCAL_TZ
from .driver import Sql, decode_moment, driver
from .errors import ScriptFailed
from .models import HumanTask, ProcessDefinition, ProcessInstance, Timer
from .rows import new_step, persistent_row
from .spiff_workflow import ready_tasks
from .timer_values import due_time, is_timer

END_OF_WORKING_DAY = time(17, 0)


class UnitDirectory(Protocol):
    """What the engine needs to know of the organisation: a unit's parent, and which unit of a tenant stands
    for a unit a lane names (``code:X``, ``var:…``) — the same unit, or its counterpart in that tenant."""

    def parent_of(self, unit_code: str) -> str | None: ...

    def within(self, unit_code: str, tenant: str | None) -> str | None: ...


class NoUnits:
    """A directory without hierarchy or tenants (tests of the bare engine)."""

    def parent_of(self, unit_code: str) -> str | None:
        return None

    def within(self, unit_code: str, tenant: str | None) -> str | None:
        return unit_code


def ready_human_tasks(wf: BpmnWorkflow) -> list[Task]:
    """Every READY user/manual task, subprocesses included (a dict scan, not a walk of the whole history)."""
    return ready_tasks(wf, manual=True)


def task_properties(task: Task) -> dict[str, Any]:
    """The spiffworkflow properties of a task spec."""
    return dict(getattr(task.task_spec, "extensions", {}).get("properties", {}) or {})


def to_due_datetime(value: Any) -> datetime | None:
    """A date (end of the working day, Vietnam time) or an ISO datetime → aware UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, END_OF_WORKING_DAY, LOCAL_TZ)
    elif isinstance(value, str):
        text = value.strip()
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), END_OF_WORKING_DAY, LOCAL_TZ)
        else:
            moment = datetime.fromisoformat(text)
    else:
        raise ValueError(f"not a date: {value!r}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(UTC)


def resolve_unit(rule: str, instance: ProcessInstance, task: Task, units: UnitDirectory) -> str | None:
    """Apply a lane's unit rule (instance, parent, code:X, var:name); a named unit resolves inside the instance's
    tenant (``UnitDirectory.within``: a definition shared by tenants names one tenant's unit)."""
    if rule in ("", "instance"):
        return instance.unit_code
    if rule == "parent":
        return units.parent_of(instance.unit_code) if instance.unit_code else None
    if rule.startswith("code:"):
        return units.within(rule[5:], instance.tenant)
    if rule.startswith("var:"):
        value = task.data.get(rule[4:])
        return units.within(str(value), instance.tenant) if value is not None else None
    return None


def _due_at(task: Task, wf: BpmnWorkflow) -> datetime | None:
    expression = task_properties(task).get("dueDate")
    if not expression:
        return None
    value = wf.script_engine.evaluate(task, expression)
    try:
        return to_due_datetime(value)
    except ValueError as exc:
        raise ScriptFailed(
            f'Hạn xử lý của bước "{task.task_spec.bpmn_name}" không phải là ngày hợp lệ: {value!r}',
            element_id=task.task_spec.bpmn_id,
            line=None,
        ) from exc


def step_due_at(task: Task, wf: BpmnWorkflow) -> datetime | None:
    """A step's deadline from its ``dueDate`` property (None without one; ``ScriptFailed`` if it is no date)."""
    return _due_at(task, wf)


class HasLanes(Protocol):
    """A definition as the projection needs it: lane name -> {"role", "unit"} rules."""

    @property
    def lanes(self) -> dict[str, Any]: ...


def sync_human_tasks(
    session: Session,
    instance: ProcessInstance,
    definition: ProcessDefinition | HasLanes,
    wf: BpmnWorkflow,
    units: UnitDirectory,
    now: datetime,
    *,
    open_rows: list[HumanTask] | None = None,
) -> list[HumanTask]:
    """Build rows for new READY steps (id None, written by the caller), cancel rows whose step is gone; return
    the open rows.

    ``open_rows``: the instance's open rows if the caller has already loaded them (saves a query).
    """
    ready = {str(t.id): t for t in ready_human_tasks(wf)}
    if open_rows is None:
        open_rows = list(
            session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.status == "ready"))
        )
    else:
        open_rows = [row for row in open_rows if row.status == "ready"]
    result: list[HumanTask] = []
    for row in open_rows:
        if row.task_guid in ready:
            result.append(row)
        else:
            row.status = "cancelled"
            row.completed_at = now
    known = {row.task_guid for row in open_rows}
    for guid, task in ready.items():
        if guid in known:
            continue
        spec = task.task_spec
        lane = getattr(spec, "lane", None)
        rule = definition.lanes.get(lane, {}) if lane else {}
        props = task_properties(task)
        row = new_step(
            instance_id=instance.id,
            process_key=instance.process_key,
            task_guid=guid,
            element_id=spec.bpmn_id,
            name=spec.bpmn_name or spec.bpmn_id,
            lane=lane,
            role=rule.get("role"),
            unit_code=resolve_unit(rule.get("unit", "instance"), instance, task, units) if rule else None,
            tenant=instance.tenant,
            form_schema=props.get("formJsonSchemaFilename"),
            ui_schema=props.get("formUiSchemaFilename"),
            instructions=spec.extensions.get("instructionsForEndUser") if hasattr(spec, "extensions") else None,
            status="ready",
            created_at=now,
            due_at=_due_at(task, wf),
        )
        result.append(row)  # not added to the session: the save INSERTs it (rows.insert_steps)
    return result


def waiting_timers(wf: BpmnWorkflow) -> dict[str, tuple[Task, datetime]]:
    """Task id -> (task, due time) of every waiting timer event.

    The due time is read by SpiffWorkflow's own parser (``timer_values.due_time``), in the zone it reads
    timers in: the table and the library can never disagree on when a timer fires.
    """
    out: dict[str, tuple[Task, datetime]] = {}
    for task in wf.event_manager.tasks.values():
        if not task.has_state(TaskState.WAITING) or not is_timer(task):
            continue
        due = due_time(task)
        if due is not None:
            out[str(task.id)] = (task, due)
    return out


_INSERT_TIMER = Sql(
    "INSERT INTO timer (instance_id, task_guid, element_id, due_at, status, fired_at) VALUES (?, ?, ?, ?, ?, ?)",
    (None, None, None, "timestamptz"),
)


_TIMER_KEYS = tuple(c.key for c in Timer.__table__.columns)
_WAITING_TIMER_ROWS = Sql(f"SELECT {', '.join(_TIMER_KEYS)} FROM timer WHERE instance_id = ? AND status = 'waiting'")
_TIMER_MOMENTS = tuple(i for i, k in enumerate(_TIMER_KEYS) if k in ("due_at", "fired_at"))
# What the ORM's flush wrote for each change of a timer row, as statements on the driver cursor.
_MOVE_TIMER = Sql("UPDATE timer SET due_at = ? WHERE id = ?", ("timestamptz",))
_FIRE_TIMER = Sql("UPDATE timer SET status = ?, fired_at = ? WHERE id = ?", (None, "timestamptz"))
_CANCEL_TIMER = Sql("UPDATE timer SET status = ? WHERE id = ?")


def sync_timers(
    session: Session,
    instance: ProcessInstance,
    wf: BpmnWorkflow,
    now: datetime,
    actor: str | None,
    *,
    none_stored: bool = False,
    stored: list[Timer] | None = None,
    waiting: dict[str, tuple[Task, datetime]] | None = None,
) -> None:
    """Mirror the workflow's waiting timers; rows whose timer left WAITING are marked fired or cancelled.

    ``none_stored``: the caller knows the instance has no waiting timer row (the query is skipped);
    ``stored``: the instance's waiting timer rows, already loaded by the caller (the timer worker loads a
    whole batch's in one query); ``waiting``: ``waiting_timers(wf)`` if the caller has it already (it is
    consumed). The rows are written on the driver cursor; their ORM objects are kept in step.
    """
    waiting = waiting_timers(wf) if waiting is None else waiting
    drv = driver(session)
    rows: list[Timer] = []
    if stored is not None:
        rows = [row for row in stored if row.status == "waiting"]
    elif not none_stored:
        for found in drv.execute(_WAITING_TIMER_ROWS.of(drv), (instance.id,)).fetchall():
            values = list(found)
            for i in _TIMER_MOMENTS:
                values[i] = decode_moment(values[i])
            rows.append(persistent_row(session, Timer, _TIMER_KEYS, values))
    moved: list[tuple[Timer, datetime]] = []
    fired: list[Timer] = []
    cancelled: list[Timer] = []
    for row in rows:
        entry = waiting.pop(row.task_guid, None)
        if entry is not None:
            if row.due_at != entry[1]:
                moved.append((row, entry[1]))
            continue
        task = _find_task(wf, row.task_guid)
        if task is not None and task.has_state(TaskState.READY):
            # Fired by the refresh that ends every run, but not run yet: the row stays due, the worker runs it.
            continue
        if task is not None and task.has_state(TaskState.COMPLETED):
            fired.append(row)
            audit.record(
                session,
                "timer_fired",
                at=now,
                actor=actor,
                instance_id=instance.id,
                task_guid=row.task_guid,
                element_id=row.element_id,
                payload={"due_at": row.due_at.isoformat()},
            )
        else:
            cancelled.append(row)
    drv.executemany(_MOVE_TIMER.of(drv), [(drv.moment(due), row.id) for row, due in moved])
    drv.executemany(_FIRE_TIMER.of(drv), [("fired", drv.moment(now), row.id) for row in fired])
    drv.executemany(_CANCEL_TIMER.of(drv), [("cancelled", row.id) for row in cancelled])
    for row, due in moved:
        set_committed_value(row, "due_at", due)
    for row in fired:
        set_committed_value(row, "status", "fired")
        set_committed_value(row, "fired_at", now)
    for row in cancelled:
        set_committed_value(row, "status", "cancelled")
    if waiting:  # nothing reads them back in this transaction: an INSERT on the driver cursor, not ORM objects
        drv.executemany(
            _INSERT_TIMER.of(drv),
            [
                (instance.id, guid, task.task_spec.bpmn_id, drv.moment(due), "waiting", None)
                for guid, (task, due) in waiting.items()
            ],
        )


def _find_task(wf: BpmnWorkflow, guid: str) -> Task | None:
    try:
        return wf.get_task_from_id(UUID(guid))
    except TaskNotFoundException:
        return None
