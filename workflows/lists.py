"""The lists people work from, a page at a time: the inbox, "Việc của đơn vị" (a unit's steps, whoever holds
them), the instances, and who a step may be given to.

Each list takes ``q`` (words the instance's title, activity code, unit or process start: ``engine.search``),
``limit``/``offset`` and ``sort`` (``engine.queries.SORTS``), and answers with the page and the total (counted
up to ``Page.count_limit`` rows: beyond it, "more than" that many).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import queries
from engine.db import UnitOfWork
from engine.driver import driver
from engine.queries import InboxFilter, InstanceFilter, PageRequest
from engine.views import Actor, InstanceView, Listed, TaskRowView

from . import access
from .models import PlanActivityRow, PlanOccurrence, Unit, User
from .services import Services

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
COUNT_LIMIT = 10_000  # a list counts its rows up to this many; beyond, it says "more than 10,000" (docs/lists.md)
MAX_Q = 200  # characters of a search
SORTS = queries.SORTS  # due_at, -due_at, updated_at, -updated_at
Page = PageRequest  # limit, offset, sort
OPEN_STATUSES = ("running", "waiting", "error")


@dataclass(frozen=True)
class StepRow(TaskRowView):
    """A step of a list, with its unit's name and whether its activity (the whole instance) is past due."""

    unit_name: str | None = None
    assignee_name: str | None = None
    activity_overdue: bool = False
    may_assign: bool = False  # the reader may give this step to someone (Việc của đơn vị)


@dataclass(frozen=True)
class StepFilter:
    """What the lists of steps filter by (beyond the reader)."""

    status: str = "ready"
    process_key: str | None = None
    unit_code: str | None = None
    overdue: bool = False  # the step's own deadline has passed
    deadline_state: str | None = None
    activity_overdue: bool = False  # the instance's deadline has passed
    q: str | None = None
    assigned: bool | None = None  # someone holds the step (True), nobody (False)


@dataclass(frozen=True)
class InstanceListFilter:
    """What the instance list filters by (beyond what the reader may see)."""

    status: str | None = None  # one status, or "open": running, waiting or error
    process_key: str | None = None
    unit_code: str | None = None
    q: str | None = None
    version: int | None = None
    plan_id: int | None = None
    activity_id: int | None = None


@dataclass(frozen=True)
class Candidate:
    username: str
    full_name: str


@cache
def _in_sql(table: str, key: str, values: str, pg: bool) -> str:
    """The rows of ``table`` whose ``key`` is one of a list: PostgreSQL one array parameter (one text, prepared once
    per connection, whatever the length), SQLite its ``IN``."""
    return f"SELECT {table}.{key}, {values} FROM {table} WHERE {table}.{key} " + ("= ANY(%s)" if pg else "IN ({})")


def _in(session: Session, table: str, key: str, values: str, wanted: set[str]) -> list[Any]:
    drv = driver(session)
    sql = _in_sql(table, key, values, drv.pg)
    found = sorted(wanted)
    if drv.pg:
        return drv.execute(sql, [found]).fetchall()  # type: ignore[no-any-return]
    return drv.execute(sql.format(", ".join("?" * len(found))), found).fetchall()  # type: ignore[no-any-return]


def _unit_names(session: Session, codes: set[str]) -> dict[str, str]:
    """The names of the units ``codes`` (a page's, not every unit of every organisation), on the driver cursor."""
    return {
        code: short or name for code, name, short in _in(session, "unit", "code", "unit.name, unit.short_name", codes)
    }


def _full_names(session: Session, usernames: set[str]) -> dict[str, str]:
    """The full names of the users ``usernames``, on the driver cursor."""
    return dict(_in(session, "app_user", "username", "app_user.full_name", usernames))


def _rows(session: Session, listed: Listed[TaskRowView], now: datetime, actor: Actor | None = None) -> Listed[StepRow]:
    codes = {t.unit_code for t in listed.items if t.unit_code}
    names = _unit_names(session, codes) if codes else {}
    holders = {t.assignee for t in listed.items if t.assignee}
    people = _full_names(session, holders) if holders else {}
    items = [
        StepRow(
            **vars(t),  # the instructions already filled in (engine.queries)
            unit_name=names.get(t.unit_code or ""),
            assignee_name=people.get(t.assignee or ""),
            activity_overdue=t.instance_due_at is not None and t.instance_due_at < now,
            may_assign=actor is not None and access.may_assign(t, actor),
        )
        for t in listed.items
    ]
    return Listed(items, listed.total, listed.next_cursor, listed.more_than_total)


def _engine_filter(
    flt: StepFilter, now: datetime, unit_code: str | None, tenants: frozenset[str] | None = None
) -> InboxFilter:
    return InboxFilter(
        status=flt.status,
        process_key=flt.process_key,
        unit_code=unit_code,
        overdue_at=now if flt.overdue else None,
        deadline_state=flt.deadline_state,
        q=flt.q,
        instance_due_before=now if flt.activity_overdue else None,
        assigned=flt.assigned,
        tenants=tenants,
    )


def inbox(services: Services, uow: UnitOfWork, actor: Actor, flt: StepFilter, page: PageRequest) -> Listed[StepRow]:
    """The actor's steps and the unclaimed steps they may take (default: by due date)."""
    now = services.clock.now()
    listed = queries.inbox_page(uow.session, actor, _engine_filter(flt, now, flt.unit_code, actor.tenants), page)
    return _rows(uow.session, listed, now)


def unit_tasks(
    services: Services, uow: UnitOfWork, actor: Actor, flt: StepFilter, page: PageRequest
) -> Listed[StepRow]:
    """Việc của đơn vị: every open step of the head's unit, whoever holds it (overseers: any or every unit)."""
    unit_code = access.unit_tasks_scope(actor, flt.unit_code)
    now = services.clock.now()
    engine_filter = _engine_filter(StepFilter(**{**vars(flt), "status": "ready"}), now, unit_code, actor.tenants)
    return _rows(uow.session, queries.unit_steps(uow.session, engine_filter, page), now, actor)


def instances(uow: UnitOfWork, actor: Actor, flt: InstanceListFilter, page: PageRequest) -> Listed[InstanceView]:
    """Instances the actor may see (overseers: every unit; others: their own), optionally of a plan or activity."""
    unit_code = flt.unit_code
    if not access.sees_every_unit(actor):
        if unit_code and unit_code != actor.unit_code:
            return Listed([], 0)
        unit_code = actor.unit_code
    ids: list[int] | None = None
    plan_id, activity_id = flt.plan_id, flt.activity_id
    if plan_id is not None or activity_id is not None:
        query = select(PlanOccurrence.instance_id).where(PlanOccurrence.instance_id.is_not(None))
        if activity_id is not None:
            query = query.where(PlanOccurrence.activity_id == activity_id)
        if plan_id is not None:
            query = query.join(PlanActivityRow, PlanActivityRow.id == PlanOccurrence.activity_id).where(
                PlanActivityRow.plan_id == plan_id
            )
        ids = [i for i in uow.session.scalars(query) if i is not None]
    narrowed = InstanceFilter(
        status=None if flt.status == "open" else flt.status,
        statuses=OPEN_STATUSES if flt.status == "open" else None,
        process_key=flt.process_key,
        unit_code=unit_code,
        ids=ids,
        q=flt.q,
        definition_version=flt.version,
        tenants=actor.tenants,
    )
    return queries.instance_page(uow.session, narrowed, page)


def candidates(services: Services, uow: UnitOfWork, actor: Actor, task_id: int) -> list[Candidate]:
    """Who the step may be given to (Giao việc): active users with its role, of its unit; for those who may assign."""
    row = access.visible_task(services, uow, actor, task_id)
    access.check_may_assign(row, actor)
    if row.role is None:
        return []
    query = select(User.username, User.full_name, User.roles).where(User.active.is_(True))
    if row.unit_code is not None:
        query = query.where(User.unit_code == row.unit_code)
    if row.tenant is not None:  # never someone of another organisation
        query = query.where(User.unit_code.in_(select(Unit.code).where(Unit.organisation_code == row.tenant)))
    found = [
        Candidate(u, n)
        for u, n, roles in uow.session.execute(query.order_by(User.full_name))
        if row.role in (roles or [])
    ]
    return found
