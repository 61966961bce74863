"""The row writes and reads of a completion, as prebuilt statements on the session's connection.

Everything here runs inside the caller's transaction, exactly the rows the ORM would write, without its
per-flush bookkeeping: on SQLite building a statement or flushing one object costs several times running
the statement (see docs/benchmarks.md); the hottest run on the driver cursor (``engine.driver``). ORM objects
that stay in the session are kept in step, so a later flush sees them clean, and observers can still change them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import JSON, Integer, Table, bindparam, inspect, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import instance_state, set_committed_value
from sqlalchemy.types import NullType

from . import audit
from .db import UTCDateTime
from .driver import Driver, Sql, decode_json, decode_moment, driver
from .errors import Conflict
from .models import HumanTask, ProcessInstance, Timer
from .views import TaskView

_Row = TypeVar("_Row", HumanTask, ProcessInstance, Timer)
_INSTANCES: Table = ProcessInstance.__table__  # type: ignore[assignment]
_STEPS: Table = HumanTask.__table__  # type: ignore[assignment]

# What a save may change on the instance row; written with one versioned UPDATE (see write_instance).
_INSTANCE_COLUMNS = ("status", "state", "serializer_version", "data", "incident", "updated_at", "ended_at")

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


# The step, its instance and the instance's open steps, on the driver cursor: the ORM objects are built from
# them without the ORM's loading machinery (on SQLite it costs several times the query; see docs/benchmarks.md).
_STEP_KEYS = tuple(c.key for c in _STEPS.columns)
_INSTANCE_KEYS = tuple(c.key for c in _INSTANCES.columns)
_STEP_WITH_INSTANCE_ROWS = Sql(
    f"SELECT {', '.join(f'human_task.{c.name}' for c in _STEPS.columns)}, "
    f"{', '.join(f'process_instance.{c.name}' for c in _INSTANCES.columns)} "
    "FROM human_task JOIN process_instance ON process_instance.id = human_task.instance_id "
    "WHERE human_task.instance_id = (SELECT step.instance_id FROM human_task AS step WHERE step.id = ?) "
    "AND (human_task.id = ? OR human_task.status = 'ready')"
)
_STEP_ID_AT = _STEP_KEYS.index("id")
_INSTANCE_ID_AT = _INSTANCE_KEYS.index("id")


def _decoders(table: Table) -> tuple[tuple[int, Any], ...]:
    """(position, decoder) of the columns whose driver value is not what the ORM holds: moments, JSON."""
    out: list[tuple[int, Any]] = []
    for i, column in enumerate(table.columns):
        if isinstance(column.type, UTCDateTime):
            out.append((i, decode_moment))
        elif isinstance(column.type, JSON):
            out.append((i, decode_json))
    return tuple(out)


_STEP_DECODERS = _decoders(_STEPS)
_INSTANCE_DECODERS = _decoders(_INSTANCES)
_STEP_WIDTH = len(_STEP_KEYS)


def _decoded(values: list[Any], decoders: tuple[tuple[int, Any], ...]) -> list[Any]:
    """``values`` (one table's columns, in order) made what the ORM holds (``decoders``: from ``_decoders``)."""
    for i, decode in decoders:
        value = values[i]
        if value is None:
            continue
        if decode is decode_moment and type(value) is str and len(value) == 26:
            # SQLite's naive UTC text (YYYY-MM-DD HH:MM:SS.ffffff): what decode_moment returns, in one call.
            values[i] = _from_iso(value + "+00:00")
        elif decode is decode_json and value == "null":
            values[i] = None  # the JSON type's text for None (json.loads would say the same)
        else:
            values[i] = decode(value)
    return values


_from_iso = datetime.fromisoformat


def step_with_instance(session: Session, task_id: int) -> tuple[HumanTask, ProcessInstance, list[HumanTask]] | None:
    """The step, its instance and the instance's open steps, in one query (None: no such step).

    Objects already in the session are returned as they are (as an ORM query would); the others join the
    session persistent and clean, with every column loaded.
    """
    drv = driver(session)
    found = drv.execute(_STEP_WITH_INSTANCE_ROWS.of(drv), (task_id, task_id)).fetchall()
    width = _STEP_WIDTH
    row: HumanTask | None = None
    open_rows: list[HumanTask] = []
    for values in found:
        step_id = values[_STEP_ID_AT]
        step = _joined(session, HumanTask, _STEP_KEYS, step_id, values[:width], _STEP_DECODERS)
        if step_id == task_id:
            row = step
        status = step.__dict__.get("status", _UNLOADED)  # a loaded column, without the attribute's per-read cost
        if (step.status if status is _UNLOADED else status) == "ready":
            open_rows.append(step)
    if row is None:
        return None
    # Every row repeats the instance's columns: built once, from the first.
    first = found[0]
    instance_id = first[width + _INSTANCE_ID_AT]
    instance = _joined(session, ProcessInstance, _INSTANCE_KEYS, instance_id, first[width:], _INSTANCE_DECODERS)
    return row, instance, open_rows


_UNLOADED = object()
_MAPPERS: dict[type[Any], Any] = {cls: inspect(cls) for cls in (HumanTask, ProcessInstance, Timer)}


def _joined(
    session: Session,
    cls: type[_Row],
    keys: Sequence[str],
    row_id: int,
    values: Sequence[Any],
    decoders: tuple[tuple[int, Any], ...],
) -> _Row:
    """``persistent_row`` for a driver row (``values``, whose id is ``row_id``) not decoded yet: an object the
    session already holds is returned without decoding anything."""
    mapper = _MAPPERS[cls]
    key = mapper.identity_key_from_primary_key((row_id,))
    existing = session.identity_map.get(key)
    if existing is not None:
        return existing  # type: ignore[no-any-return]
    return _join_loaded(session, mapper, key, keys, _decoded(list(values), decoders))  # type: ignore[no-any-return]


def persistent_row(session: Session, cls: type[_Row], keys: Sequence[str], values: Sequence[Any]) -> _Row:
    """The session's object of this row, or a new one holding ``values`` that joins the session as loaded."""
    mapper = _MAPPERS[cls]
    key = mapper.identity_key_from_primary_key((values[keys.index("id")],))
    existing = session.identity_map.get(key)
    if existing is not None:
        return existing  # type: ignore[return-value]
    return _join_loaded(session, mapper, key, keys, values)  # type: ignore[no-any-return]


def _join_loaded(session: Session, mapper: Any, key: Any, keys: Sequence[str], values: Sequence[Any]) -> Any:
    """A new object of ``mapper`` holding ``values``, joined to the session as loaded under identity ``key``.

    What the ORM's loader does for a new row (sqlalchemy.orm.loading._instance, SQLAlchemy 2.x internals): no
    load events are listened to here. make_transient_to_detached + Session.add cost more than the query.
    """
    obj = mapper.class_manager.new_instance()
    obj.__dict__.update(zip(keys, values, strict=True))  # committed values, no change history
    state = instance_state(obj)
    state.key = key
    state.identity_token = key[2]
    state.session_id = session.hash_key
    session.identity_map._add_unpresent(state, key)  # type: ignore[attr-defined]
    return obj


_STEP_MOMENTS = frozenset(c.key for c in _STEPS.columns if isinstance(c.type, UTCDateTime))
# Only while the step is as this transaction read it (see _STEP_AS_READ); PostgreSQL: IS NOT DISTINCT FROM.
_AS_READ_SQL = "WHERE id = ? AND status = 'ready' AND assignee IS ? AND due_at IS ?"
_AS_READ_CASTS = (None, "varchar", "timestamptz")
_EVENT_CASTS = ("varchar", "integer", "varchar", "varchar", "varchar", "timestamptz", "json")


def _completion_sql(extra: tuple[str, ...]) -> tuple[Sql, Sql]:
    """The completion UPDATE, and PostgreSQL's UPDATE + ``task_completed`` INSERT, also writing ``extra``."""
    found = _COMPLETIONS.get(extra)
    if found is None:
        sets = "".join(f", {c} = ?" for c in extra)
        casts = (None, "timestamptz", *("timestamptz" if c in _STEP_MOMENTS else None for c in extra))
        update = f"UPDATE human_task SET status = 'completed', completed_by = ?, completed_at = ?{sets} {_AS_READ_SQL}"
        # The step's UPDATE and its audit event in one round trip (a data-modifying CTE): the event is inserted
        # only if the step was still open, so the INSERT's row count says whether the completion won.
        with_event = (
            f"WITH completed_step AS ({update} RETURNING human_task.id) "
            "INSERT INTO audit_event (kind, instance_id, task_guid, element_id, actor, at, payload) "
            "SELECT ?, ?, ?, ?, ?, ?, ? FROM completed_step"
        )
        found = _COMPLETIONS.setdefault(
            extra,
            (Sql(update, (*casts, *_AS_READ_CASTS)), Sql(with_event, (*casts, *_AS_READ_CASTS, *_EVENT_CASTS))),
        )
    return found


_COMPLETIONS: dict[tuple[str, ...], tuple[Sql, Sql]] = {}


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
    drv = driver(session)
    columns = dict(columns) if columns else {}
    extra = tuple(sorted(columns)) if columns else ()
    update, update_with_event = _completion_sql(extra)
    at = drv.moment(now)
    params: list[Any] = [username, at]
    params.extend(drv.moment(columns[c]) if c in _STEP_MOMENTS else columns[c] for c in extra)
    params.extend((row.id, row.assignee, drv.moment(row.due_at)))
    if not drv.pg:
        won = drv.execute(update.sqlite, params).rowcount == 1
        if won:  # the task_completed event (audit.record_task_event's row), on the same driver
            event = {"task_id": row.id, **event_payload}
            guid, element = row.task_guid, row.element_id
            audit.insert(drv, "task_completed", row.instance_id, None, guid, element, username, at, event)
    else:
        payload = drv.json({"task_id": row.id, **event_payload})
        params.extend(("task_completed", row.instance_id, row.task_guid, row.element_id, username, at, payload))
        won = drv.execute(update_with_event.pg, params).rowcount == 1
    if not won:
        raise lost_race(session, row)
    commit_values(row, {"status": "completed", "completed_by": username, "completed_at": now, **columns})


def commit_values(row: HumanTask | ProcessInstance | Timer, values: Mapping[str, Any]) -> None:
    """Hold ``values`` as ``row``'s committed column values (just written by this transaction): what
    ``set_committed_value`` does per column, in one step when none of them has a pending change."""
    state = instance_state(row)
    if state.expired or state.callables or not state.committed_state.keys().isdisjoint(values):
        for column, value in values.items():
            set_committed_value(row, column, value)
        return
    # No pending change, nothing expired or lazy on these columns: the values simply become the loaded ones
    # (set_committed_value's own steps, SQLAlchemy 2.x internals).
    state.dict.update(values)
    state.expired_attributes.difference_update(values)


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


_UPDATE_INSTANCE_CASTS = [
    {"data": "json", "incident": "json", "updated_at": "timestamptz", "ended_at": "timestamptz"}.get(c)
    for c in _INSTANCE_COLUMNS
]
_UPDATE_INSTANCE = Sql(
    f"UPDATE process_instance SET {', '.join(f'{c} = ?' for c in _INSTANCE_COLUMNS)}, version = ? "
    "WHERE id = ? AND version = ?",
    _UPDATE_INSTANCE_CASTS,
)
_INSTANCE_JSON = frozenset(c.key for c in _INSTANCES.columns if isinstance(c.type, JSON))
INSTANCE_WRITTEN = frozenset((*_INSTANCE_COLUMNS, "version"))
_INSTANCE_MOMENTS = frozenset(c.key for c in _INSTANCES.columns if isinstance(c.type, UTCDateTime))


def write_instance(
    session: Session,
    instance: ProcessInstance,
    changes: Mapping[str, Any] | None = None,
    *,
    new_steps: Sequence[HumanTask] = (),
    later: bool = False,
) -> Callable[[], None]:
    """The versioned UPDATE the ORM would flush, with ``changes`` (new column values) applied; the object stays
    clean, holding ``changes``.

    ``version`` stops concurrent writers exactly like the mapper's ``version_id_col``: the UPDATE matches
    only the version this transaction read, and a miss is a ``Conflict`` (the object is left as it was).

    ``new_steps``: step rows the caller INSERTs next (``insert_steps``). On PostgreSQL the first of them is
    inserted by the same statement (a data-modifying CTE: the step only if the instance's UPDATE matched), one
    round trip less; it joins the session as ``insert_steps`` would have joined it, which then skips it.
    ``later`` (in ``Driver.pipeline``): the returned function checks the result once the pipeline has ended.
    """
    drv = driver(session)
    changes = changes or {}
    values = {c: changes[c] if c in changes else getattr(instance, c) for c in _INSTANCE_COLUMNS}
    version = instance.version
    params: list[Any] = []
    for column, value in values.items():
        if column in _INSTANCE_JSON:
            value = "null" if value is None else drv.json(value)  # the JSON type's text for None
        elif column in _INSTANCE_MOMENTS:
            value = drv.moment(value)
        params.append(value)
    params.extend((version + 1, instance.id, version))
    step = next((r for r in new_steps if r.__dict__.get("id") is None), None) if drv.pg else None
    if step is not None:
        params.extend(_step_values(session, drv, step))
    sql = _UPDATE_INSTANCE.of(drv) if step is None else _UPDATE_INSTANCE_INSERT_STEP.pg
    cursor = drv.execute(sql, params, drv.side_cursor() if later and drv.pg else None)

    def written() -> None:
        if step is None and cursor.rowcount != 1:
            raise Conflict()
        if step is not None:
            found = cursor.fetchone()
            if found is None:  # the instance's UPDATE matched nothing: nor was the step inserted
                raise Conflict()
            step.__dict__["id"] = found[0]
            _join_clean(session, step)
        state = instance_state(instance)
        if state.committed_state.keys() <= INSTANCE_WRITTEN:
            # Every pending column was just written with the value the object holds: all of it is committed now,
            # and the row leaves the session's modified list, or every later flush of this unit of work would
            # inspect it again only to find nothing to write (SQLAlchemy 2.x internals). The new values go straight
            # into the object's committed state: no attribute events, no change history.
            state.dict.update(changes)
            state.dict["version"] = version + 1
            state._commit_all(state.dict, session.identity_map)
            return
        for column, value in values.items():
            set_committed_value(instance, column, value)
        set_committed_value(instance, "version", version + 1)

    if not later:
        written()
    return written


def _column_plan() -> list[tuple[str, Any]]:
    """The step columns an INSERT writes (not the primary key, nor one with only a server or callable
    default, left to the INSERT), each with the scalar default a column left unset takes (as the ORM's)."""
    plan: list[tuple[str, Any]] = []
    for column in _STEPS.columns:
        default = column.default
        left_to_insert = default.is_scalar is False if default is not None else column.server_default is not None
        if column.primary_key or left_to_insert:
            continue
        value = default.arg if default is not None and default.is_scalar else None  # type: ignore[attr-defined]
        plan.append((column.key, value))
    return plan


_STEP_COLUMN_PLAN = _column_plan()
_INSERT_STEP = Sql(
    f"INSERT INTO human_task ({', '.join(k for k, _ in _STEP_COLUMN_PLAN)}) "
    f"VALUES ({', '.join('?' for _ in _STEP_COLUMN_PLAN)}) RETURNING id",
    ["timestamptz" if k in _STEP_MOMENTS else None for k, _ in _STEP_COLUMN_PLAN],
)


def _pg_cast(column: Any) -> str:
    """The PostgreSQL type a step column's parameter is cast to where nothing else types it (a SELECT list)."""
    t = column.type
    return "timestamptz" if isinstance(t, UTCDateTime) else "integer" if isinstance(t, Integer) else "varchar"


# PostgreSQL: the instance's versioned UPDATE and its first new step's INSERT (none, and no row, if it missed).
_UPDATE_INSTANCE_INSERT_STEP = Sql(
    f"WITH updated_instance AS ({_UPDATE_INSTANCE.sqlite} RETURNING process_instance.id) "
    f"INSERT INTO human_task ({', '.join(k for k, _ in _STEP_COLUMN_PLAN)}) "
    f"SELECT {', '.join('?' for _ in _STEP_COLUMN_PLAN)} FROM updated_instance RETURNING human_task.id",
    [*_UPDATE_INSTANCE_CASTS, None, None, None, *(_pg_cast(_STEPS.c[k]) for k, _ in _STEP_COLUMN_PLAN)],
)


def insert_steps(session: Session, rows: Sequence[HumanTask]) -> None:
    """INSERT new step rows (built by the projection, not added to the session); they join the session
    persistent and clean.

    Columns left unset take their scalar default (as the ORM's INSERT would); a column with only a server
    or callable default is left to the INSERT and loads on first use.
    """
    drv = driver(session)
    sql = _INSERT_STEP.of(drv)
    for row in rows:
        if row.__dict__.get("id") is not None:  # already written (write_instance's new_steps)
            continue
        row.__dict__["id"] = drv.execute(sql, _step_values(session, drv, row)).fetchone()[0]
        _join_clean(session, row)


def _step_values(session: Session, drv: Driver, row: HumanTask) -> list[Any]:
    """The INSERT's parameters of a new step row, in ``_STEP_COLUMN_PLAN``'s order; a column left unset takes
    its default (now held by the row). A row someone else added to the session leaves it first (it is written
    as the projection's rows are)."""
    if instance_state(row).session_id is not None:
        session.expunge(row)
    loaded = row.__dict__
    moments = _STEP_MOMENTS
    values: list[Any] = []
    for key, default in _STEP_COLUMN_PLAN:
        if key in loaded:
            value = loaded[key]
        else:
            loaded[key] = value = default  # transient: no history to keep (_join_clean commits every column)
        values.append(drv.moment(value) if key in moments else value)
    return values


_STEP_DEFAULTS = dict(_STEP_COLUMN_PLAN)
_STEP_MANAGER = inspect(HumanTask).class_manager


def new_step(**values: Any) -> HumanTask:
    """A new step row (transient, for ``insert_steps``) holding ``values``, its other columns at their defaults:
    what ``HumanTask(**values)`` builds, without an instrumented attribute set per column."""
    row: HumanTask = _STEP_MANAGER.new_instance()
    loaded = row.__dict__
    loaded.update(_STEP_DEFAULTS)
    loaded.update(values)
    return row


def _join_clean(session: Session, row: HumanTask) -> None:
    """A transient row just written joins the session persistent, every column as written, no change history:
    what ``make_transient_to_detached`` + ``Session.add`` do, without their events and cascades (a step row has
    no relationship; SQLAlchemy 2.x internals, as ``persistent_row``)."""
    state = instance_state(row)
    key = state.mapper.identity_key_from_primary_key((row.id,))
    state.key = key
    state.identity_token = key[2]
    state._commit_all(state.dict)
    state.session_id = session.hash_key
    session.identity_map._add_unpresent(state, key)  # type: ignore[attr-defined]


_DELETE_TASK_ROW = Sql("DELETE FROM instance_task WHERE instance_id = ? AND guid = ?")
_UPDATE_TASK_ROW = Sql("UPDATE instance_task SET payload = ? WHERE instance_id = ? AND guid = ?")
_INSERT_TASK_ROW = Sql("INSERT INTO instance_task (instance_id, guid, owner, payload) VALUES (?, ?, ?, ?)")


def write_task_rows(
    session: Session,
    instance_id: int,
    updates: list[tuple[str, bytes]],
    inserts: list[tuple[str, bytes]],
    deletes: list[str],
) -> None:
    """Rewrite, add and drop serialized task rows (never loaded as ORM objects)."""
    drv = driver(session)
    drv.executemany(_DELETE_TASK_ROW.of(drv), [(instance_id, g) for g in deletes])
    drv.executemany(_UPDATE_TASK_ROW.of(drv), [(p, instance_id, g) for g, p in updates])
    drv.executemany(_INSERT_TASK_ROW.of(drv), [(instance_id, g, "top", p) for g, p in inserts])


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


# For reads that build step views from plain rows (engine.queries).
step_view = _task_view


def _utc(value: Any) -> datetime | None:
    """What UTCDateTime.process_result_value gives, from the driver's value (ISO text or a datetime)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
