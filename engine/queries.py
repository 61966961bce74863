"""Read side: the inbox and lists, answered from the projection tables alone (no workflow loading).

Lists come a page at a time (``PageRequest``: limit, offset, sort) with the total of the whole list
(``Listed``); a step row carries its instance's title and deadline and its process's name, read by primary key
for the page's rows only (docs/benchmarks.md, "Lists"). ``q`` matches the instance's folded search text
(``engine.search``).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, false, select
from sqlalchemy.orm import Session

from . import instructions, list_sql, search
from .db import reads_only
from .driver import Driver, decode_json, decode_moment, driver
from .errors import NotFound
from .keyset import Cursor, Order
from .list_sql import Where
from .models import AuditEvent, HumanTask, ProcessInstance
from .rows import step_view
from .views import INSTANCE_VIEW_KEYS, Actor, EventView, InstanceView, Listed, SubmissionView, TaskRowView, TaskView

_MAX_SQL_INTEGER = 2**63 - 1  # BIGINT / SQLite INTEGER
SORTS = ("due_at", "-due_at", "updated_at", "-updated_at")


@dataclass(frozen=True)
class InboxFilter:
    status: str = "ready"
    process_key: str | None = None
    unit_code: str | None = None
    overdue_at: datetime | None = None  # only steps due before this moment
    deadline_state: str | None = None  # only steps with this stored deadline classification
    q: str | None = None  # words the instance's search text must start (engine.search)
    instance_due_before: datetime | None = None  # only steps whose instance was due before this moment
    assigned: bool | None = None  # only steps someone holds (True) or nobody holds (False)
    tenants: frozenset[str] | None = None  # only steps of these tenants (None: every tenant)


@dataclass(frozen=True)
class InstanceFilter:
    status: str | None = None
    statuses: tuple[str, ...] | None = None  # any of these
    process_key: str | None = None
    unit_code: str | None = None
    ids: list[int] | None = None
    q: str | None = None
    definition_version: int | None = None
    tenants: frozenset[str] | None = None  # only instances of these tenants (None: every tenant)


@dataclass(frozen=True)
class PageRequest:
    """Which slice of a list: ``sort`` one of ``SORTS`` (None: the list's own default), ties broken by id."""

    limit: int = 50
    offset: int = 0
    sort: str | None = None
    cursor: str | None = None  # keyset paging: the rows after this cursor (``offset`` is then not used)
    count_limit: int | None = None  # count the list up to this many rows (None: every row); see ``_count``


# A list's steps' instances (title, deadline, process name; their version and data where a step's instructions are a
# template), read by id on the driver cursor: one short statement a page, without SQLAlchemy's per-statement Python.
# The data comes as its JSON text (PostgreSQL's json as stored, SQLite's text), decoded only where an instruction
# is rendered, not found in the render cache.
_INSTANCE_OF_STEP = (
    "SELECT process_instance.id, process_instance.title, process_definition.name, process_instance.due_at{data} "
    "FROM process_instance JOIN process_definition ON process_definition.id = process_instance.definition_id "
    "WHERE process_instance.id {ids}"
)
_DATA_PG = ", process_instance.version, process_instance.data::text"
_DATA_SQLITE = ", process_instance.version, process_instance.data"


def _instances_of_steps(drv: Driver, ids: list[int], *, with_data: bool) -> dict[int, tuple[Any, ...]]:
    """(title, process name, due, version or None, the data's JSON text or None) of each instance of ``ids``."""
    data = (_DATA_PG if drv.pg else _DATA_SQLITE) if with_data else ""
    params: list[Any] = [ids] if drv.pg else list(ids)  # PostgreSQL: one array; SQLite: one placeholder per id
    where = "= ANY(%s)" if drv.pg else f"IN ({', '.join('?' * len(ids))})"
    sql = _INSTANCE_OF_STEP.format(data=data, ids=where)
    found = drv.execute(sql, params).fetchall()
    if with_data:
        return {row[0]: (row[1], row[2], decode_moment(row[3]), row[4], row[5]) for row in found}
    return {row[0]: (row[1], row[2], decode_moment(row[3]), None, None) for row in found}


# Rendered instructions, per database (its connection pool): see ``instructions.RenderCache``.
_RENDERED: weakref.WeakKeyDictionary[Any, instructions.RenderCache] = weakref.WeakKeyDictionary()


def render_cache(drv: Driver) -> instructions.RenderCache:
    """The database's cache of rendered instructions (this process's)."""
    pool = drv.conn.engine.pool
    found = _RENDERED.get(pool)
    if found is None:
        found = _RENDERED[pool] = instructions.RenderCache()
    return found


def _filled_in(drv: Driver, steps: list[TaskView], about: dict[int, tuple[Any, ...]]) -> list[str | None]:
    """The steps' instructions as people read them: templates filled in from their instances' data.

    A template's text for an instance at a version is taken from the render cache, or rendered (its data decoded
    once per instance) and kept there when this transaction only reads (committed data).
    """
    cache = render_cache(drv)
    keep = reads_only(drv.conn)
    decoded: dict[int, Any] = {}
    texts: list[str | None] = []
    for step in steps:
        source = step.instructions
        if source is None or not instructions.is_template(source):
            texts.append(source)
            continue
        iid = step.instance_id
        found = about.get(iid)
        version = found[3] if found is not None else None
        text = cache.get(source, iid, version) if version is not None else None
        if text is None:
            if iid not in decoded:
                decoded[iid] = decode_json(found[4]) if found is not None and found[4] is not None else None
            text = instructions.render(source, decoded[iid] or {})
            if keep and version is not None and text is not None:
                cache.put(source, iid, version, text)
        texts.append(text)
    return texts


def in_tenants(column: Any, tenants: frozenset[str] | None) -> ColumnElement[bool] | None:
    """The condition that a row's tenant ``column`` is one of ``tenants`` (None: no condition, every tenant).

    A row without a tenant belongs to nobody restricted: only an unrestricted reader sees it.
    """
    if tenants is None:
        return None
    return column.in_(sorted(tenants)) if tenants else false()


_STEPS_OF_INSTANCES = "human_task JOIN process_instance ON process_instance.id = human_task.instance_id"


def _step_where(drv: Driver, flt: InboxFilter) -> Where:
    """The conditions of ``flt`` on steps (and their instances)."""
    where = Where(drv)
    where.equals("human_task.status", flt.status)
    where.tenants("human_task.tenant", flt.tenants)
    if flt.process_key:
        where.equals("human_task.process_key", flt.process_key)
    if flt.unit_code:
        where.equals("human_task.unit_code", flt.unit_code)
    if flt.overdue_at is not None:
        where.add("human_task.due_at IS NOT NULL AND human_task.due_at < ?", flt.overdue_at)
    if flt.deadline_state:
        where.equals("human_task.deadline_state", flt.deadline_state)
    if flt.instance_due_before is not None:
        where.add("process_instance.due_at IS NOT NULL AND process_instance.due_at < ?", flt.instance_due_before)
    if flt.assigned is not None:
        where.parts.append("human_task.assignee IS NOT NULL" if flt.assigned else "human_task.assignee IS NULL")
    where.like_all("process_instance.search_text", search.like_patterns(flt.q))
    return where


def _step_order(sort: str | None) -> Order:
    if sort in ("updated_at", "-updated_at"):
        return Order(sort, ProcessInstance.updated_at, HumanTask.id, descending=sort.startswith("-"))
    if sort == "-due_at":
        return Order(sort, HumanTask.due_at, HumanTask.id, descending=True, nullable=True)
    return Order("due_at", HumanTask.due_at, HumanTask.id, nullable=True)  # by due date, undated last


def _bounded(page: PageRequest) -> PageRequest | None:
    """The page with a limit the databases accept; None when the offset lies beyond any row."""
    if page.offset > _MAX_SQL_INTEGER:
        return None  # no row lies that far, and the databases refuse such an integer
    return PageRequest(min(page.limit, _MAX_SQL_INTEGER - 1), page.offset, page.sort, page.cursor)


def _count(
    drv: Driver, source: str, ident: str, where: Where, page: PageRequest, source_params: list[Any] | None = None
) -> tuple[int | None, bool]:
    """How many rows of ``source`` (its own parameters ``source_params``) hold ``where``, and whether there are
    more than that.

    None on a page after a cursor (the first page gave the total). With ``count_limit`` the count stops after
    that many rows plus one: a list of 234,003 rows costs a count of 10,001, and answers (10,000, True) — "more
    than 10,000" — instead of an exact figure nobody pages through.
    """
    if page.cursor is not None:
        return None, False
    if page.count_limit is None:
        return list_sql.count(drv, source, ident, where, None, source_params), False
    found = list_sql.count(drv, source, ident, where, page.count_limit + 1, source_params)
    return (page.count_limit, True) if found > page.count_limit else (found, False)


def _page(
    drv: Driver, columns: str, source: str, narrow: str, where: Where, order: Order, page: PageRequest
) -> tuple[list[Any], str | None]:
    """The rows of one page (by ``offset`` or after ``cursor``) and the cursor of the next page (None: no more).

    ``columns`` end with the sort value and the id; ``narrow`` is ``source`` without what only the columns need.
    One more row than the page is read to know whether another page follows.

    A page deep by ``offset`` is a deferred join: the ids alone skip the first ``offset`` rows in the list's order
    (an index-only scan where an index covers the filter and the order), then the page's rows are read by those
    ids, in the same order — instead of reading and discarding ``offset`` whole rows (docs/benchmarks.md, "Deep
    pages by offset"). Still one statement.
    """
    bounded = _bounded(page)
    if bounded is None:
        return [], None
    cursor = Cursor.decode(bounded.cursor) if bounded.cursor is not None else None
    rows = list_sql.page(drv, columns, source, narrow, where, order, bounded.limit + 1, bounded.offset, cursor)
    return _trimmed(rows, bounded, order)


def _trimmed(rows: list[Any], bounded: PageRequest, order: Order) -> tuple[list[Any], str | None]:
    """The page's rows (one more was read) and the cursor of the next page (None: no more)."""
    if len(rows) <= bounded.limit:
        return rows, None
    rows = rows[: bounded.limit]
    value = rows[-1][-2]
    return rows, order.cursor_of(decode_moment(value) if order.column is not None else value, rows[-1][-1])


def _needs_instance(flt: InboxFilter, sort: str | None) -> bool:
    """Whether the filter or the order reads the instance row (the step table alone answers otherwise)."""
    return flt.instance_due_before is not None or bool(flt.q and flt.q.strip()) or sort in ("updated_at", "-updated_at")


_STEP_COLUMNS = ", ".join(f"human_task.{f.name}" for f in fields(TaskView))


def _steps(
    drv: Driver, where: Where, page: PageRequest, *, join: bool, counted: tuple[Where, Where, Where] | None = None
) -> Listed[TaskRowView]:
    """One page of steps and the total; the instances' titles and deadlines are read for the page's rows only.

    ``counted`` (the inbox): the same steps as ``where`` as (kind, other kind, the rest): the steps of either kind
    that hold the rest, counted so (``_count_kinds``)."""
    source = _STEPS_OF_INSTANCES if join else "human_task"
    if counted is None:
        total, more = _count(drv, source, "human_task.id", where, page)
    else:
        total, more = _count_kinds(drv, counted, page, join=join)
    if total is not None and not more and total <= page.offset:
        return Listed([], total)
    order = _step_order(page.sort)
    # plain rows: no ORM objects to build; the sort value and the id last, for the next page's cursor
    columns = f"{_STEP_COLUMNS}, {list_sql.column_names([order.column])}, human_task.id"
    rows, next_cursor = _page(drv, columns, source, source, where, order, page)
    steps = [step_view(r[:-2]) for r in rows]
    templated = any(instructions.is_template(s.instructions) for s in steps)
    ids = sorted({s.instance_id for s in steps})
    about = _instances_of_steps(drv, ids, with_data=templated) if steps else {}
    texts = _filled_in(drv, steps, about) if templated else [s.instructions for s in steps]
    items = []
    for row, text in zip(steps, texts, strict=True):
        title, name, due = about.get(row.instance_id, (None, None, None))[:3]
        values = vars(row)
        if text is not row.instructions:
            values = {**values, "instructions": text}
        items.append(TaskRowView(**values, instance_title=title, process_name=name, instance_due_at=due))
    return Listed(items, total, next_cursor, more)


def _whose(drv: Driver, actor: Actor, status: str) -> tuple[Where, Where]:
    """The steps of the actor's inbox as two conditions: their own, and (open) the unclaimed ones their roles and
    unit may take or (finished) those they completed. Each is one indexed read: an OR of them defeats the indexes."""
    mine = Where(drv)
    mine.equals("human_task.assignee", actor.username)
    mine.equals("human_task.status", status)
    others = Where(drv)
    if status == "ready":
        others.equals("human_task.status", status)
        others.parts.append("human_task.assignee IS NULL")
        others.among("human_task.role", sorted(actor.roles))
        if actor.unit_code is None:
            others.parts.append("(human_task.unit_code IS NULL OR human_task.unit_code IS NULL)")
        else:
            others.add("(human_task.unit_code IS NULL OR human_task.unit_code = ?)", actor.unit_code)
    else:
        others.equals("human_task.completed_by", actor.username)
        others.equals("human_task.status", status)
    return mine, others


def _count_kinds(
    drv: Driver, counted: tuple[Where, Where, Where], page: PageRequest, *, join: bool
) -> tuple[int | None, bool]:
    """``_count`` of the steps of either kind of ``counted`` (``_whose``) that hold its third, the other conditions:
    each kind read by its own index, then only its rows checked (``list_sql.either_kind``)."""
    mine, others, rest = counted
    source, params = list_sql.either_kind(drv, "human_task", _COUNTED_STEP_COLUMNS, mine, others)
    if join:
        source = f"{source} JOIN process_instance ON process_instance.id = human_task.instance_id"
    return _count(drv, source, "human_task.id", rest, page, params)


# What the conditions of an inbox (``_step_where``, the tenants) and the join to the instances read of a step.
_COUNTED_STEP_COLUMNS = "id, instance_id, status, tenant, process_key, unit_code, due_at, deadline_state, assignee"


def inbox_page(session: Session, actor: Actor, flt: InboxFilter, page: PageRequest) -> Listed[TaskRowView]:
    """Steps assigned to the actor plus unclaimed steps their roles and unit may take (default: by due date)."""
    drv = _reader(session)
    mine, others = _whose(drv, actor, flt.status)
    rest = Where(drv)
    rest.tenants("human_task.tenant", actor.tenants)
    own = _step_where(drv, flt)
    rest.add(" AND ".join(own.parts), *own.params)
    where = Where(drv)
    where.add(
        f"human_task.id IN (SELECT human_task.id FROM human_task{mine.sql()} "
        f"UNION SELECT human_task.id FROM human_task{others.sql()})",
        *mine.params,
        *others.params,
    )
    where.parts.extend(rest.parts)
    where.params.extend(rest.params)
    # Each kind counted by its index on PostgreSQL (stale statistics); SQLite counts the union of ids faster.
    counted = (mine, others, rest) if drv.pg else None
    return _steps(drv, where, page, join=_needs_instance(flt, page.sort), counted=counted)


def inbox(session: Session, actor: Actor, flt: InboxFilter, limit: int = 500) -> list[TaskRowView]:
    """The first ``limit`` steps of the actor's inbox, by due date."""
    return inbox_page(session, actor, flt, PageRequest(limit=limit)).items


def unit_steps(session: Session, flt: InboxFilter, page: PageRequest) -> Listed[TaskRowView]:
    """The steps of one unit (``flt.unit_code``; every unit when None), whoever holds them (default: by due date)."""
    drv = _reader(session)
    return _steps(drv, _step_where(drv, flt), page, join=_needs_instance(flt, page.sort))


def _reader(session: Session) -> Driver:
    """The session's driver, its pending changes written first (the lists run as text, not through the session)."""
    session.flush()  # nothing to do when clean (a read)
    return driver(session)


def task(session: Session, task_id: int, *, tenants: frozenset[str] | None = None) -> TaskView:
    """One step by id (``NotFound`` as well when it belongs to none of ``tenants``)."""
    row = session.get(HumanTask, task_id)
    if row is None or (tenants is not None and row.tenant not in tenants):
        raise NotFound("Không tìm thấy bước xử lý.", code="task_not_found")
    return TaskView.of(row)


def _instance_order(sort: str | None) -> Order:
    if sort in ("due_at", "-due_at"):
        return Order(sort, ProcessInstance.due_at, ProcessInstance.id, descending=sort.startswith("-"), nullable=True)
    if sort in ("updated_at", "-updated_at"):
        return Order(sort, ProcessInstance.updated_at, ProcessInstance.id, descending=sort.startswith("-"))
    return Order("-id", None, ProcessInstance.id, descending=True)  # newest first


_INSTANCES_OF_DEFINITIONS = (
    "process_instance JOIN process_definition ON process_definition.id = process_instance.definition_id"
)
_INSTANCE_COLUMNS = ", ".join(f"process_instance.{k}" for k in INSTANCE_VIEW_KEYS)
_INSTANCE_MOMENTS = tuple(INSTANCE_VIEW_KEYS.index(k) for k in ("created_at", "updated_at", "ended_at", "due_at"))
_INSTANCE_JSON = tuple(INSTANCE_VIEW_KEYS.index(k) for k in ("data", "incident"))


def instance_page(session: Session, flt: InstanceFilter, page: PageRequest) -> Listed[InstanceView]:
    """Instances by filter (default: newest first), with their open steps, and how many match."""
    drv = _reader(session)
    where = Where(drv)
    where.tenants("process_instance.tenant", flt.tenants)
    if flt.status:
        where.equals("process_instance.status", flt.status)
    if flt.statuses is not None:
        where.among("process_instance.status", flt.statuses)
    if flt.process_key:
        where.equals("process_instance.process_key", flt.process_key)
    if flt.unit_code:
        where.equals("process_instance.unit_code", flt.unit_code)
    if flt.ids is not None:
        where.among("process_instance.id", flt.ids)
    if flt.definition_version is not None:
        where.equals("process_definition.version", flt.definition_version)
    where.like_all("process_instance.search_text", search.like_patterns(flt.q))
    matching = _INSTANCES_OF_DEFINITIONS if flt.definition_version is not None else "process_instance"
    total, more = _count(drv, matching, "process_instance.id", where, page)  # not counted after a cursor
    if total is not None and not more and total <= page.offset:
        return Listed([], total)
    order = _instance_order(page.sort)
    key = list_sql.column_names([order.column if order.column is not None else ProcessInstance.id])
    # plain rows, not ORM objects: the view's columns (never the serialized workflow), the version, the sort value
    # and the id last (the next page's cursor)
    columns = f"{_INSTANCE_COLUMNS}, process_definition.version, {key}, process_instance.id"
    rows, next_cursor = _page(drv, columns, _INSTANCES_OF_DEFINITIONS, matching, where, order, page)
    width = len(INSTANCE_VIEW_KEYS)
    open_tasks: dict[int, list[TaskView]] = {}
    if rows:
        steps = Where(drv)
        steps.any_of("human_task.instance_id", [r[0] for r in rows])
        steps.equals("human_task.status", "ready")
        text = f"SELECT {_STEP_COLUMNS} FROM human_task{steps.sql()} ORDER BY human_task.id"
        for step in list_sql.run(drv, text, steps.params):
            view = step_view(step)
            open_tasks.setdefault(view.instance_id, []).append(view)
    items = []
    for r in rows:
        values = list(r[:width])
        for i in _INSTANCE_MOMENTS:
            values[i] = decode_moment(values[i])
        for i in _INSTANCE_JSON:
            values[i] = decode_json(values[i])
        items.append(InstanceView.of_values(values, r[width], open_tasks.get(r[0], [])))
    return Listed(items, total, next_cursor, more)


def instances(
    session: Session,
    *,
    status: str | None = None,
    process_key: str | None = None,
    unit_code: str | None = None,
    ids: list[int] | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[InstanceView]:
    """Instances by filter, newest first, with their open steps."""
    flt = InstanceFilter(status=status, process_key=process_key, unit_code=unit_code, ids=ids)
    return instance_page(session, flt, PageRequest(limit=limit, offset=offset)).items


def events(session: Session, instance_id: int, *, tenants: frozenset[str] | None = None) -> list[EventView]:
    """The audit trail of one instance, oldest first (``NotFound`` when it belongs to none of ``tenants``)."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None or (tenants is not None and instance.tenant not in tenants):
        raise NotFound("Không tìm thấy hồ sơ quy trình.", code="instance_not_found")
    rows = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id))
    return [EventView.of(r) for r in rows]


def submissions(
    session: Session,
    instance_id: int,
    *,
    before_event: int | None = None,
    limit: int = 200,
    tenants: frozenset[str] | None = None,
) -> list[SubmissionView]:
    """The completions of an instance's steps with the data each submitted (its ``task_completed`` audit
    events, joined with the step for its form), newest first; only those recorded before ``before_event``;
    none when the instance belongs to none of ``tenants``."""
    if (
        tenants is not None
        and session.scalar(select(ProcessInstance.tenant).where(ProcessInstance.id == instance_id)) not in tenants
    ):
        return []
    query = (
        select(AuditEvent, HumanTask.id, HumanTask.form_schema)
        .outerjoin(HumanTask, HumanTask.task_guid == AuditEvent.task_guid)
        .where(AuditEvent.instance_id == instance_id, AuditEvent.kind == "task_completed")
    )
    if before_event is not None:
        query = query.where(AuditEvent.id < before_event)
    found: list[SubmissionView] = []
    for event, task_id, form in session.execute(query.order_by(AuditEvent.id.desc()).limit(limit)):
        payload = event.payload or {}
        data = payload.get("data")
        found.append(
            SubmissionView(
                event.id,
                task_id if task_id is not None else payload.get("task_id"),
                event.element_id,
                str(payload.get("name") or event.element_id or ""),
                event.actor,
                event.at,
                dict(data) if isinstance(data, dict) else {},
                form,
            )
        )
    return found


def completion_event(session: Session, instance_id: int, task_guid: str) -> int | None:
    """The id of the audit event that recorded the completion of the step ``task_guid`` (None: not completed)."""
    return session.scalar(
        select(AuditEvent.id)
        .where(
            AuditEvent.instance_id == instance_id,
            AuditEvent.kind == "task_completed",
            AuditEvent.task_guid == task_guid,
        )
        .limit(1)
    )
