"""A plan's progress roll-ups (``GET /plans/{id}/progress`` and the exports): its activities by status overall and
per area, its occurrences by status per lead unit and per quarter of their deadline."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.models import Plan, PlanActivityRow, PlanArea

from .facts import DUTY_AREA, PlanFacts, unit_names
from .progress import OVERDUE, STATUSES, combine, counts, quarter_of
from .status_counts import StatusCounts, counted_by_database, counted_from_facts


def _activity_areas(session: Session, plan: Plan) -> list[tuple[int, str | None]]:
    """(id, its area's code) of each activity of the plan in order, as plain rows: all that progress needs of them
    (not the activities with their areas and tasks, three queries and as many objects)."""
    query = (
        select(PlanActivityRow.id, PlanArea.code)
        .outerjoin(PlanArea, PlanActivityRow.area_id == PlanArea.id)
        .where(PlanActivityRow.plan_id == plan.id)
        .order_by(PlanActivityRow.position)
    )
    return [(int(activity_id), code) for activity_id, code in session.connection().execute(query).all()]


def _area_titles(session: Session, plan: Plan) -> dict[str, str]:
    """The title of each area code of the plan (the last by position, as ``plan.areas`` gives them)."""
    query = select(PlanArea.code, PlanArea.title).where(PlanArea.plan_id == plan.id).order_by(PlanArea.position)
    return {code: title for code, title in session.connection().execute(query).all()}


def _per_quarter(by_due: dict[date | None, dict[str, int]]) -> dict[str, dict[str, int]]:
    """The counts per deadline added up per quarter (no deadline: ``manual``)."""
    per_quarter: dict[str, dict[str, int]] = {}
    for due, found in by_due.items():
        quarter = quarter_of(due) if due is not None else "manual"
        row = per_quarter.get(quarter)
        if row is None:
            per_quarter[quarter] = dict(found)
        else:
            for status in STATUSES:
                row[status] += found[status]
    return per_quarter


def plan_progress(session: Session, plan: Plan, today: date, facts: PlanFacts | None = None) -> dict[str, Any]:
    """Roll-ups: activities overall and per area; occurrences per lead unit and per quarter of their deadline.

    Counted by the database, or from ``facts`` when they are read already (the exports)."""
    found: StatusCounts = counted_from_facts(facts) if facts is not None else counted_by_database(session, plan, today)
    names = unit_names(session)
    activities = _activity_areas(session, plan)
    per_area: dict[str, list[str]] = defaultdict(list)
    titles = _area_titles(session, plan) | {DUTY_AREA["code"]: DUTY_AREA["title"]}
    status_of = {activity_id: combine(found.by_activity.get(activity_id, ())) for activity_id, _ in activities}
    for activity_id, area_code in activities:
        per_area[area_code or DUTY_AREA["code"]].append(status_of[activity_id])
    per_quarter = _per_quarter(found.by_due)
    return {
        "plan_id": plan.id,
        "today": today,
        "overall": counts(status_of[activity_id] for activity_id, _ in activities),
        "total": len(activities),
        "by_area": [
            {"code": code, "title": titles.get(code, code), "counts": counts(statuses), "total": len(statuses)}
            for code, statuses in per_area.items()
        ],
        "by_unit": [  # the most overdue first, then by code
            {
                "code": code,
                "name": names.get(code, code),
                "counts": row,
                "total": sum(row.values()),
                "overdue": row[OVERDUE],
            }
            for code, row in sorted(found.by_unit.items(), key=lambda item: (-item[1][OVERDUE], item[0]))
        ],
        "by_quarter": [
            {
                "quarter": quarter,
                "label": _quarter_label(quarter),
                "counts": per_quarter[quarter],
                "total": sum(per_quarter[quarter].values()),
            }
            for quarter in sorted(per_quarter, key=lambda q: (q == "manual", q))
        ],
    }


def _quarter_label(quarter: str) -> str:
    if quarter == "manual":
        return "Chưa đặt hạn"
    year, q = quarter.split("-Q")
    return f"Quý {('I', 'II', 'III', 'IV')[int(q) - 1]}/{year}"
