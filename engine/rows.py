"""The row writes and reads of a completion, as prebuilt Core statements on the session's connection.

Everything here runs inside the caller's transaction, exactly the rows the ORM would write, without its
per-flush bookkeeping: on SQLite building a statement or flushing one object costs several times running
the statement (see docs/benchmarks.md). ORM objects that stay in the session are kept in step, so a later
flush sees them clean, and observers can still change them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Table, bindparam, delete, inspect, or_, select, type_coerce
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import NullType

from . import audit
from .db import UTCDateTime
from .errors import Conflict
from .models import AuditEvent, HumanTask, InstanceTask, ProcessInstance
from .views import TaskView

_Row = TypeVar("_Row", HumanTask, ProcessInstance)
_TASK_ROWS: Table = InstanceTask.__table__  # type: ignore[assignment]
_INSTANCES: Table = ProcessInstance.__table__  # type: ignore[assignment]
_STEPS: Table = HumanTask.__table__  # type: ignore[assignment]

_UPDATE_TASK_ROW = (
    _TASK_ROWS.update()
    .where(_TASK_ROWS.c.instance_id == bindparam("b_instance"), _TASK_ROWS.c.guid == bindparam("b_guid"))
    .values(payload=bindparam("b_payload"))
)
_INSERT_TASK_ROW = _TASK_ROWS.insert()

# What a save may change on the instance row; written with one versioned UPDATE (see write_instance).
_INSTANCE_COLUMNS = ("status", "state", "serializer_version", "data", "incident", "updated_at", "ended_at")
_UPDATE_INSTANCE = (
    _INSTANCES.update()
    .where(_INSTANCES.c.id == bindparam("b_id"), _INSTANCES.c.version == bindparam("b_version"))
    .values(version=bindparam("b_new_version"), **{c: bindparam(f"b_{c}") for c in _INSTANCE_COLUMNS})
)

STEP_WITH_INSTANCE = (
    select(HumanTask, ProcessInstance)
    .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
    .where(
        HumanTask.instance_id
        == select(HumanTask.instance_id).where(HumanTask.id == bindparam("b_task")).scalar_subquery(),
        or_(HumanTask.id == bindparam("b_task"), HumanTask.status == "ready"),
    )
)
# A write to a step row matches only the row as the writer read it: still open, with the assignee and the
# deadline it saw. Claim, return, assignment, gia hạn and completion change those columns and nothing else
# writes them, so of two racing writers the second finds no row (→ Conflict) instead of overwriting the first.
_STEP_AS_READ = (
    _STEPS.c.id == bindparam("b_id"),
    _STEPS.c.status == "ready",
    _STEPS.c.assignee.is_not_distinct_from(bindparam("b_read_assignee", type_=_STEPS.c.assignee.type)),
    _STEPS.c.due_at.is_not_distinct_from(bindparam("b_read_due", type_=_STEPS.c.due_at.type)),
)
_COMPLETE_STEP = (
    _STEPS.update()
    .where(*_STEP_AS_READ)
    .values(status="completed", completed_by=bindparam("b_by"), completed_at=bindparam("b_at"))
)
_STEP_NOW = select(_STEPS.c.status, _STEPS.c.assignee).where(_STEPS.c.id == bindparam("b_id"))
NOT_OPEN = "Bước xử lý này đã được hoàn thành hoặc đã bị hủy."
_INSERT_STEP = _STEPS.insert().returning(_STEPS.c.id)

# PostgreSQL: the step's UPDATE and its audit event in one round trip (a data-modifying CTE); the event is
# inserted only if the step was still open, so the INSERT's row count says whether the completion won.
_AUDIT: Table = AuditEvent.__table__  # type: ignore[assignment]
_AUDIT_COLUMNS = ("kind", "instance_id", "task_guid", "element_id", "actor", "at", "payload")
_COMPLETED_STEP = _COMPLETE_STEP.returning(_STEPS.c.id).cte("completed_step")
_COMPLETE_STEP_WITH_EVENT = (
    _AUDIT.insert()
    .from_select(
        list(_AUDIT_COLUMNS),
        select(*[bindparam(f"a_{c}", type_=_AUDIT.c[c].type) for c in _AUDIT_COLUMNS]).select_from(_COMPLETED_STEP),
    )
    # The CTE's RETURNING makes SQLAlchemy treat the statement as returning rows and drop the row count.
    .execution_options(preserve_rowcount=True)
)

# The view's columns in TaskView's field order, so that a row becomes a TaskView without look-ups by name.
# Date-times come as the driver returns them (SQLite: ISO text; PostgreSQL: aware values) and are made
# aware UTC by _utc: a fraction of the type decorator's per-value cost, on hundreds of finished steps.
_VIEW_FIELDS = [f.name for f in fields(TaskView)]
_DATETIMES = tuple(i for i, name in enumerate(_VIEW_FIELDS) if isinstance(_STEPS.c[name].type, UTCDateTime))
_STATUS_AT = _VIEW_FIELDS.index("status")
_VIEW_COLUMNS = [
    type_coerce(_STEPS.c[n], NullType()) if i in _DATETIMES else _STEPS.c[n] for i, n in enumerate(_VIEW_FIELDS)
]
_VIEW_ROWS = (
    select(*_VIEW_COLUMNS)
    .where(_STEPS.c.instance_id == bindparam("b_instance"), _STEPS.c.status.in_(("ready", "completed")))
    .order_by(_STEPS.c.id)
)
_OPEN_VIEW_ROWS = (
    select(*_VIEW_COLUMNS)
    .where(_STEPS.c.instance_id == bindparam("b_instance"), _STEPS.c.status == "ready")
    .order_by(_STEPS.c.id)
)


# The same rows as STEP_WITH_INSTANCE as plain Core columns: the ORM objects are built from them without the
# ORM's loading machinery (on SQLite it costs several times the query; see docs/benchmarks.md).
_STEP_KEYS = tuple(c.key for c in _STEPS.columns)
_INSTANCE_KEYS = tuple(c.key for c in _INSTANCES.columns)
_STEP_WITH_INSTANCE_ROWS = (
    select(*_STEPS.columns, *_INSTANCES.columns)
    .join_from(_STEPS, _INSTANCES, _INSTANCES.c.id == _STEPS.c.instance_id)
    .where(
        _STEPS.c.instance_id
        == select(_STEPS.c.instance_id).where(_STEPS.c.id == bindparam("b_task")).scalar_subquery(),
        or_(_STEPS.c.id == bindparam("b_task"), _STEPS.c.status == "ready"),
    )
)
_STEP_ID_AT = _STEP_KEYS.index("id")
_STEP_STATUS_AT = _STEP_KEYS.index("status")
_INSTANCE_ID_AT = len(_STEP_KEYS) + _INSTANCE_KEYS.index("id")


def step_with_instance(session: Session, task_id: int) -> tuple[HumanTask, ProcessInstance, list[HumanTask]] | None:
    """The step, its instance and the instance's open steps, in one query (None: no such step).

    Objects already in the session are returned as they are (as an ORM query would); the others join the
    session persistent and clean, with every column loaded.
    """
    found = session.connection().execute(_STEP_WITH_INSTANCE_ROWS, {"b_task": task_id}).all()
    if not any(r[_STEP_ID_AT] == task_id for r in found):
        return None
    width = len(_STEP_KEYS)
    instance = _persistent(session, ProcessInstance, _INSTANCE_KEYS, found[0][width:])
    steps = [_persistent(session, HumanTask, _STEP_KEYS, r[:width]) for r in found]
    row = next(h for h in steps if h.id == task_id)
    return row, instance, [h for h in steps if h.status == "ready"]


def _persistent(session: Session, cls: type[_Row], keys: Sequence[str], values: Sequence[Any]) -> _Row:
    """The session's object of this row, or a new one holding ``values`` that joins the session as loaded."""
    mapper = inspect(cls)
    key = mapper.identity_key_from_primary_key((values[keys.index("id")],))
    identity_map = session.identity_map
    existing = identity_map.get(key)
    if existing is not None:
        return existing  # type: ignore[return-value]
    # What the ORM's loader does for a new row (sqlalchemy.orm.loading._instance, SQLAlchemy 2.x internals): no
    # load events are listened to here. make_transient_to_detached + Session.add cost more than the query.
    obj = mapper.class_manager.new_instance()
    obj.__dict__.update(zip(keys, values, strict=True))  # committed values, no change history
    state = inspect(obj)
    state.key = key
    state.identity_token = key[2]
    state.session_id = session.hash_key
    identity_map._add_unpresent(state, key)  # type: ignore[attr-defined]
    return obj


def _completion_statements(extra: tuple[str, ...]) -> tuple[Any, Any]:
    """The completion UPDATE (and PostgreSQL's UPDATE + audit INSERT) also writing the columns ``extra``."""
    found = _COMPLETIONS.get(extra)
    if found is None:
        values = {c: bindparam(f"x_{c}", type_=_STEPS.c[c].type) for c in extra}
        update = _COMPLETE_STEP.values(**values)
        cte = update.returning(_STEPS.c.id).cte("completed_step")
        with_event = (
            _AUDIT.insert()
            .from_select(
                list(_AUDIT_COLUMNS),
                select(*[bindparam(f"a_{c}", type_=_AUDIT.c[c].type) for c in _AUDIT_COLUMNS]).select_from(cte),
            )
            .execution_options(preserve_rowcount=True)
        )
        found = _COMPLETIONS.setdefault(extra, (update, with_event))
    return found


_COMPLETIONS: dict[tuple[str, ...], tuple[Any, Any]] = {(): (_COMPLETE_STEP, _COMPLETE_STEP_WITH_EVENT)}


def mark_completed(
    session: Session,
    row: HumanTask,
    username: str,
    now: datetime,
    *,
    event_payload: dict[str, Any],
    columns: Mapping[str, Any] | None = None,
) -> None:
    """Close the step row, only while still open (a concurrent completion loses), and record its
    ``task_completed`` audit event (``task_id`` and ``event_payload``): one statement on PostgreSQL, two elsewhere.

    ``columns``: other columns of the step to write with the same UPDATE (the caller's bookkeeping).
    """
    conn = session.connection()
    columns = dict(columns or {})
    update, update_with_event = _completion_statements(tuple(sorted(columns)))
    params: dict[str, Any] = {"b_id": row.id, "b_by": username, "b_at": now, **_as_read(row)}
    params.update({f"x_{c}": v for c, v in columns.items()})
    if conn.dialect.name != "postgresql":
        won = conn.execute(update, params).rowcount == 1
        if won:
            audit.record_task_event(session, "task_completed", row, at=now, actor=username, **event_payload)
    else:
        params.update(
            a_kind="task_completed",
            a_instance_id=row.instance_id,
            a_task_guid=row.task_guid,
            a_element_id=row.element_id,
            a_actor=username,
            a_at=now,
            a_payload={"task_id": row.id, **event_payload},
        )
        won = conn.execute(update_with_event, params).rowcount == 1
    if not won:
        raise lost_race(session, row)
    set_committed_value(row, "status", "completed")
    set_committed_value(row, "completed_by", username)
    set_committed_value(row, "completed_at", now)
    for column, value in columns.items():
        set_committed_value(row, column, value)


def update_open_step(session: Session, row: HumanTask, **values: Any) -> None:
    """Write ``values`` to the step row only while it is as this transaction read it (``Conflict`` otherwise).

    Still open, with the assignee and the deadline read: a completion, claim, return, assignment or gia hạn
    that committed in between wins, and this write changes nothing. The ORM object is kept in step.
    """
    statement = _STEPS.update().where(*_STEP_AS_READ).values(**values)
    result = session.connection().execute(statement, {"b_id": row.id, **_as_read(row)})
    if result.rowcount != 1:
        raise lost_race(session, row)
    for column, value in values.items():
        set_committed_value(row, column, value)


def lost_race(session: Session, row: HumanTask) -> Conflict:
    """The ``Conflict`` of a write to a step row that someone else changed since it was read, saying how."""
    found = session.connection().execute(_STEP_NOW, {"b_id": row.id}).first()
    if found is None or found.status != "ready":
        return Conflict(NOT_OPEN, code="task_not_ready")
    if found.assignee is not None and found.assignee != row.assignee:
        return Conflict(f"Bước xử lý vừa được giao cho {found.assignee}.", code="task_claimed_by_other")
    return Conflict(
        "Bước xử lý vừa được người khác thay đổi (người xử lý hoặc hạn xử lý). Vui lòng tải lại rồi thử lại.",
        code="task_changed",
    )


def _as_read(row: HumanTask) -> dict[str, Any]:
    return {"b_read_assignee": row.assignee, "b_read_due": row.due_at}


def write_instance(session: Session, instance: ProcessInstance) -> None:
    """The versioned UPDATE the ORM would flush; the object stays clean.

    ``version`` stops concurrent writers exactly like the mapper's ``version_id_col``: the UPDATE matches
    only the version this transaction read, and a miss is a ``Conflict``.
    """
    values = {c: getattr(instance, c) for c in _INSTANCE_COLUMNS}
    version = instance.version
    params: dict[str, Any] = {f"b_{c}": v for c, v in values.items()}
    params.update(b_id=instance.id, b_version=version, b_new_version=version + 1)
    if session.connection().execute(_UPDATE_INSTANCE, params).rowcount != 1:
        raise Conflict()
    for column, value in values.items():
        set_committed_value(instance, column, value)
    set_committed_value(instance, "version", version + 1)
    state = inspect(instance)
    if not state.committed_state:
        # No other column is pending: take the row off the session's modified list, or every later flush of
        # this unit of work would inspect it again only to find nothing to write (SQLAlchemy 2.x internals).
        state._commit_all(state.dict, session.identity_map)


def _column_plan() -> list[tuple[str, bool, Any]]:
    """Per step column: its key, whether a value left unset is left to the INSERT (primary key, server or
    callable default), else the scalar default it takes (as the ORM's INSERT would)."""
    plan: list[tuple[str, bool, Any]] = []
    for column in _STEPS.columns:
        default = column.default
        left_to_insert = default.is_scalar is False if default is not None else column.server_default is not None
        value = default.arg if default is not None and default.is_scalar else None  # type: ignore[attr-defined]
        plan.append((column.key, bool(column.primary_key or left_to_insert), value))
    return plan


_STEP_COLUMN_PLAN = _column_plan()


def insert_steps(session: Session, rows: Sequence[HumanTask]) -> None:
    """INSERT new step rows (built by the projection, not added to the session); they join the session
    persistent and clean.

    Columns left unset take their scalar default (as the ORM's INSERT would); a column with only a server
    or callable default is left to the INSERT and loads on first use.
    """
    conn = session.connection()
    for row in rows:
        if row.id is not None:  # already written
            continue
        if row in session:  # added by someone else: write it as the projection's own rows are
            session.expunge(row)
        values: dict[str, Any] = {}
        loaded = row.__dict__
        for key, left_to_insert, default in _STEP_COLUMN_PLAN:
            if key in loaded:
                values[key] = loaded[key]
            elif not left_to_insert:
                setattr(row, key, default)
                values[key] = default
        row.id = conn.execute(_INSERT_STEP, values).scalar_one()
        make_transient_to_detached(row)
        session.add(row)


def write_task_rows(
    session: Session,
    instance_id: int,
    updates: list[tuple[str, bytes]],
    inserts: list[tuple[str, bytes]],
    deletes: list[str],
) -> None:
    """Rewrite, add and drop serialized task rows (never loaded as ORM objects)."""
    conn = session.connection()
    if deletes:
        conn.execute(delete(_TASK_ROWS).where(_TASK_ROWS.c.instance_id == instance_id, _TASK_ROWS.c.guid.in_(deletes)))
    if updates:
        conn.execute(_UPDATE_TASK_ROW, [{"b_instance": instance_id, "b_guid": g, "b_payload": p} for g, p in updates])
    if inserts:
        conn.execute(
            _INSERT_TASK_ROW,
            [{"instance_id": instance_id, "guid": g, "owner": "top", "payload": p} for g, p in inserts],
        )


def step_views(session: Session, instance_id: int, *, finished: bool = True) -> tuple[list[TaskView], list[TaskView]]:
    """The open and (unless ``finished`` is false) the completed steps of an instance, oldest first."""
    session.flush()  # what observers changed on the step rows
    query = _VIEW_ROWS if finished else _OPEN_VIEW_ROWS
    rows = session.connection().execute(query, {"b_instance": instance_id}).all()
    status = _STATUS_AT
    open_steps = [_task_view(r) for r in rows if r[status] == "ready"]
    done = [_task_view(r) for r in rows if r[status] == "completed"]
    return open_steps, done


def _task_view(row: Any) -> TaskView:
    values = list(row)
    for i in _DATETIMES:
        values[i] = _utc(values[i])
    return TaskView(*values)


# For reads that build step views from plain rows (engine.queries): the columns, in TaskView's order, and the view.
STEP_VIEW_COLUMNS = _VIEW_COLUMNS
step_view = _task_view


def _utc(value: Any) -> datetime | None:
    """What UTCDateTime.process_result_value gives, from the driver's value (ISO text or a datetime)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
