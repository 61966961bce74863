"""The facts a plan's statuses are worked out from: each occurrence with its instance's status and the local day it
ended (``PlanFacts``, one query), and the names the answers give units and the duties' area."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from engine.clock import LOCAL_TZ
from engine.driver import decode_moment
from engine.models import ProcessInstance
from workflows.models import Plan, PlanActivityRow, PlanOccurrence, Unit

from .progress import DONE, DONE_LATE, OVERDUE, OccurrenceFacts, combine, counts, occurrence_status

DUTY_AREA = {"code": "NV", "title": "Nhiệm vụ ở phần Tổ chức thực hiện"}


def _facts_query(plan_ids: list[int]) -> Any:
    return (
        select(
            PlanActivityRow.plan_id,
            PlanOccurrence.id,
            PlanOccurrence.activity_id,
            PlanOccurrence.unit_code,
            PlanOccurrence.due_date,
            ProcessInstance.status,
            type_coerce(ProcessInstance.ended_at, NullType()),  # as the driver gives it: see _local_day
        )
        .join(PlanActivityRow, PlanOccurrence.activity_id == PlanActivityRow.id)
        .outerjoin(ProcessInstance, ProcessInstance.id == PlanOccurrence.instance_id)
        .where(PlanActivityRow.plan_id.in_(plan_ids))
    )


class PlanFacts:
    """Every occurrence of one plan with its instance's status, read in one query (``of_plans``: many plans, one
    query)."""

    def __init__(self, session: Session, plan: Plan, today: date, rows: list[Any] | None = None) -> None:
        if rows is None:
            rows = list(session.connection().execute(_facts_query([plan.id])).all())  # plain rows: no ORM pass
        self.today = today
        self.by_activity: dict[int, list[tuple[OccurrenceFacts, str]]] = defaultdict(list)
        self.status_of_occurrence: dict[int, str] = {}
        for _plan_id, occ_id, activity_id, unit, due, status, ended_at in rows:
            facts = OccurrenceFacts(
                activity_id,
                unit,
                due,
                None if status == "cancelled" else status,
                _local_day(ended_at) if ended_at is not None else None,
            )
            state = occurrence_status(facts, today)
            self.by_activity[activity_id].append((facts, state))
            self.status_of_occurrence[occ_id] = state

    @classmethod
    def of_plans(cls, session: Session, plans: list[Plan], today: date) -> dict[int, PlanFacts]:
        """The facts of several plans from one query, by plan id."""
        rows: dict[int, list[Any]] = defaultdict(list)
        if plans:
            for row in session.connection().execute(_facts_query([p.id for p in plans])):
                rows[row[0]].append(row)
        return {p.id: cls(session, p, today, rows.get(p.id, [])) for p in plans}

    def overall(self, activity_ids: list[int]) -> dict[str, int]:
        """The plan's headline counts: its activities by status (``plan_progress``'s ``overall``)."""
        return counts(self.activity_status(a) for a in activity_ids)

    def activity_status(self, activity_id: int) -> str:
        return combine({state for _, state in self.by_activity.get(activity_id, ())})  # which states, not how many

    def activity_due(self, activity_id: int) -> date | None:
        """The next deadline still open, or the last one when everything is done."""
        items = self.by_activity.get(activity_id, ())
        open_dues = [f.due_date for f, s in items if s not in DONE and f.due_date is not None]
        if open_dues:
            return min(open_dues)
        dues = [f.due_date for f, _ in items if f.due_date is not None]
        return max(dues) if dues else None

    def done_on(self, activity_id: int) -> date | None:
        """The day the last occurrence finished, once the activity is done."""
        items = self.by_activity.get(activity_id, ())
        if not items or combine(s for _, s in items) not in DONE:
            return None
        return max((f.ended_on for f, _ in items if f.ended_on is not None), default=None)

    def late_days(self, activity_id: int) -> int:
        """Calendar days past the deadline: the worst occurrence, finished late or still open."""
        worst = 0
        for f, state in self.by_activity.get(activity_id, ()):
            if f.due_date is None:
                continue
            if state == OVERDUE:
                worst = max(worst, (self.today - f.due_date).days)
            elif state == DONE_LATE and f.ended_on is not None:
                worst = max(worst, (f.ended_on - f.due_date).days)
        return worst

    def launched(self, activity_id: int) -> int:
        return sum(1 for f, _ in self.by_activity.get(activity_id, ()) if f.instance_status is not None)


def _local_day(ended_at: Any) -> date:
    """The local day of a moment as the driver gives it (PostgreSQL: an aware datetime; SQLite: UTC text)."""
    moment = decode_moment(ended_at) if isinstance(ended_at, str) else ended_at
    return moment.astimezone(LOCAL_TZ).date()  # type: ignore[no-any-return,union-attr]


def unit_names(session: Session) -> dict[str, str]:
    """Each unit's short name (its name when it has none), by code (plain rows: a province has thousands of units)."""
    query = select(Unit.code, Unit.name, Unit.short_name)
    return {code: short or name for code, name, short in session.connection().execute(query).all()}
