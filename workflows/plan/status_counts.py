"""A plan's occurrences counted by status: what its progress roll-ups are made of.

``counted_by_database`` has the database work out each occurrence's status (``occurrence_status_sql``, the SQL of
``progress.occurrence_status``) and group them, so that a plan comes back as a row of counts per activity, lead unit and
deadline (the million seed's 10,764 occurrences: 2,086 rows, 2,010 of them units) rather than a row per occurrence
for Python to go through (issue #16). ``counted_from_facts`` gives the same
counts from occurrences already read (``PlanFacts``, which the exports read anyway).
"""

from __future__ import annotations

import functools
from datetime import date, tzinfo
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    any_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine.clock import LOCAL_TZ
from engine.local_dates import local_date
from engine.models import ProcessInstance
from workflows.models import Plan, PlanActivityRow, PlanOccurrence

from .facts import PlanFacts
from .progress import DONE_EARLY, DONE_LATE, DONE_ON_TIME, IN_PROGRESS, NOT_STARTED, OVERDUE, STATUSES

K = TypeVar("K")


class StatusCounts(NamedTuple):
    """Which statuses each activity's occurrences have; how many occurrences of each status per lead unit and per
    deadline (``None``: no deadline). Every row of counts has every status, in ``STATUSES`` order."""

    by_activity: dict[int, set[str]]
    by_unit: dict[str, dict[str, int]]
    by_due: dict[date | None, dict[str, int]]


def occurrence_status_sql(
    due: ColumnElement[Any],
    instance_status: ColumnElement[Any],
    ended_on: ColumnElement[Any],
    today: ColumnElement[Any],
) -> ColumnElement[str]:
    """``progress.occurrence_status`` in SQL, of an occurrence's deadline, its instance's status (NULL: none) and
    the local day that instance ended on (``local_date``, NULL unless completed); a cancelled instance counts as
    none."""
    return case(
        (
            and_(instance_status == "completed", ended_on.is_not(None)),
            case((or_(due.is_(None), ended_on == due), DONE_ON_TIME), (ended_on < due, DONE_EARLY), else_=DONE_LATE),
        ),
        (and_(due.is_not(None), due < today), OVERDUE),
        (or_(instance_status.is_(None), instance_status == "cancelled"), NOT_STARTED),
        else_=IN_PROGRESS,
    )


@functools.lru_cache(maxsize=8)
def _counts_query(zone: tzinfo, dialect: str) -> Any:
    """One statement, three groupings of the plan's occurrences, a row of counts (``STATUSES`` order) per activity
    (kind 0), per lead unit (1) and per deadline (2); built once per zone and dialect, its parameters ``plan_id`` and
    ``today``. The local day an instance ended on is worked out once per occurrence (a subquery: the conversion is
    the costly part of the statement on PostgreSQL, ≈ 2 µs a row)."""
    if dialect == "postgresql":
        return _counts_query_postgresql(zone)
    occurrences = (
        select(
            PlanOccurrence.activity_id,
            PlanOccurrence.unit_code,
            PlanOccurrence.due_date,
            ProcessInstance.status,
            case((ProcessInstance.status == "completed", local_date(ProcessInstance.ended_at, zone))).label("ended_on"),
        )
        .join(PlanActivityRow, PlanOccurrence.activity_id == PlanActivityRow.id)
        .outerjoin(ProcessInstance, ProcessInstance.id == PlanOccurrence.instance_id)
        .where(PlanActivityRow.plan_id == bindparam("plan_id", type_=Integer))
        .offset(0)  # PostgreSQL would merge the subquery and convert the moment at every use of ``ended_on``
        .subquery("occurrence")
    )
    f = occurrences.c
    statuses = select(
        f.activity_id,
        f.unit_code,
        f.due_date,
        occurrence_status_sql(f.due_date, f.status, f.ended_on, bindparam("today", type_=Date)).label("status"),
    ).cte("occurrence_status")
    o = statuses.c
    no_activity, no_unit, no_due = cast(null(), Integer), cast(null(), String), cast(null(), Date)
    per_status = [func.count().filter(o.status == status) for status in STATUSES]
    return (
        select(literal_column("0", Integer), o.activity_id, no_unit, no_due, *per_status)
        .group_by(o.activity_id)
        .union_all(
            select(literal_column("1", Integer), no_activity, o.unit_code, no_due, *per_status).group_by(o.unit_code),
            select(literal_column("2", Integer), no_activity, no_unit, o.due_date, *per_status).group_by(o.due_date),
        )
    )


def _counts_query_postgresql(zone: tzinfo) -> Any:
    """``_counts_query`` for PostgreSQL, which reads the instances the plan's occurrences name and no others.

    An outer join of every occurrence to ``process_instance`` is a hash join over the whole instance table at every
    call, however few of the plan's occurrences have an instance (none, in the soak: ≈ 1.5 ms of the backend's CPU
    at 1,140 instances, growing with the office's history). Split in two — the occurrences without an instance, and
    those with one joined to it — the planner sizes the join by the launched occurrences alone: none, no instance
    read; a few, one primary-key probe each; most of a large plan, a merge or hash join as before. The plan's
    activities are read once for the second part (``= ANY(ARRAY(…))``): as a join, a plan cached while the
    occurrence table's statistics counted no launched occurrence rescans them for each one. The three groupings are
    one pass of ``GROUPING SETS`` (docs/benchmarks.md, "PostgreSQL round trips per request, sixth pass")."""
    plan_id = bindparam("plan_id", type_=Integer)
    activities = select(PlanActivityRow.id).where(PlanActivityRow.plan_id == plan_id).scalar_subquery()
    not_launched = (
        select(
            PlanOccurrence.activity_id,
            PlanOccurrence.unit_code,
            PlanOccurrence.due_date,
            cast(null(), String).label("status"),
            cast(null(), Date).label("ended_on"),
        )
        .join(PlanActivityRow, PlanOccurrence.activity_id == PlanActivityRow.id)
        .where(PlanActivityRow.plan_id == plan_id, PlanOccurrence.instance_id.is_(None))
    )
    launched = (
        select(
            PlanOccurrence.activity_id,
            PlanOccurrence.unit_code,
            PlanOccurrence.due_date,
            ProcessInstance.status,
            case((ProcessInstance.status == "completed", local_date(ProcessInstance.ended_at, zone))),
        )
        .join(ProcessInstance, ProcessInstance.id == PlanOccurrence.instance_id)
        .where(PlanOccurrence.activity_id == any_(func.array(activities)), PlanOccurrence.instance_id.is_not(None))
    )
    occurrences = (
        not_launched.union_all(launched)
        .offset(0)  # PostgreSQL would merge the subquery and convert the moment at every use of ``ended_on``
        .subquery("occurrence")
    )
    f = occurrences.c
    status_of = occurrence_status_sql(f.due_date, f.status, f.ended_on, bindparam("today", type_=Date))
    statuses = select(f.activity_id, f.unit_code, f.due_date, status_of.label("status")).subquery("occurrence_status")
    o = statuses.c
    per_status = [func.count().filter(o.status == status) for status in STATUSES]
    kind = case((func.grouping(o.activity_id) == 0, 0), (func.grouping(o.unit_code) == 0, 1), else_=2)
    sets = func.grouping_sets(tuple_(o.activity_id), tuple_(o.unit_code), tuple_(o.due_date))
    return select(kind, o.activity_id, o.unit_code, o.due_date, *per_status).group_by(sets)


def counted_by_database(session: Session, plan: Plan, today: date) -> StatusCounts:
    """The plan's occurrences counted by status on ``today``, grouped by the database."""
    found = StatusCounts({}, {}, {})
    query = _counts_query(LOCAL_TZ, session.get_bind().dialect.name)
    rows = session.connection().execute(query, {"plan_id": plan.id, "today": today}).all()  # plain rows
    for kind, activity_id, unit_code, due, *numbers in rows:
        row = dict(zip(STATUSES, numbers, strict=True))
        if kind == 0:
            found.by_activity[activity_id] = {status for status, n in row.items() if n}
        elif kind == 1:
            found.by_unit[unit_code] = row
        else:
            found.by_due[due] = row
    return found


def counted_from_facts(facts: PlanFacts) -> StatusCounts:
    """The same counts from occurrences already read."""
    found = StatusCounts({}, {}, {})
    for activity_id, items in facts.by_activity.items():
        found.by_activity[activity_id] = {status for _, status in items}
        for occurrence, status in items:
            _row(found.by_unit, occurrence.unit_code)[status] += 1
            _row(found.by_due, occurrence.due_date)[status] += 1
    return found


def _row(rows: dict[K, dict[str, int]], key: K) -> dict[str, int]:
    row = rows.get(key)
    if row is None:
        row = rows[key] = dict.fromkeys(STATUSES, 0)
    return row
