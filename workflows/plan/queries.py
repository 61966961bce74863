"""Read side of plans: the tree with statuses, filtered activity lists, progress roll-ups."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.types import NullType

from engine.clock import LOCAL_TZ
from engine.driver import decode_moment
from engine.errors import NotFound
from engine.models import ProcessInstance
from engine.views import Actor
from workflows import access
from workflows.models import Organisation, Plan, PlanActivityRow, PlanArea, PlanObjectiveRow, PlanOccurrence, Unit

from .activity_types import ACTIVITY_TYPES
from .products import InstanceProducts
from .progress import (
    DONE,
    DONE_LATE,
    OVERDUE,
    STATUS_LABELS,
    STATUSES,
    OccurrenceFacts,
    combine,
    counts,
    occurrence_status,
    quarter_of,
)

DUTY_AREA = {"code": "NV", "title": "Nhiệm vụ ở phần Tổ chức thực hiện"}


def get_plan(session: Session, plan_id: int, actor: Actor | None = None) -> Plan:
    """The plan (a 404 when it does not exist or, given ``actor``, belongs to an organisation it does not see)."""
    if actor is not None:
        return access.visible_plan(session, actor, plan_id)
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound("Không tìm thấy kế hoạch.", code="plan_not_found", details={"plan_id": plan_id})
    return plan


def get_activity(session: Session, plan_id: int, activity_id: int, actor: Actor | None = None) -> PlanActivityRow:
    """An activity of the plan (a 404 as well when ``actor`` does not see the plan)."""
    if actor is not None:
        access.visible_plan(session, actor, plan_id)
    activity = session.get(PlanActivityRow, activity_id)
    if activity is None or activity.plan_id != plan_id:
        raise NotFound("Không tìm thấy hoạt động của kế hoạch.", code="activity_not_found")
    return activity


def plan_summary(session: Session, plan: Plan) -> dict[str, Any]:
    activities = session.scalar(
        select(func.count()).select_from(PlanActivityRow).where(PlanActivityRow.plan_id == plan.id)
    )
    organisation = session.get(Organisation, plan.organisation_code)
    return _summary(plan, activities or 0, organisation.name if organisation else None)


def _summary(plan: Plan, activities: int, organisation_name: str | None) -> dict[str, Any]:
    return {
        "id": plan.id,
        "organisation": {
            "code": plan.organisation_code,
            "name": organisation_name or plan.organisation_code,
        },
        "year": plan.year,
        "title": plan.title,
        "number": plan.number,
        "issuing_unit": plan.issuing_unit_code,
        "issued_on": plan.issued_on,
        "source_name": plan.source_name,
        "imported_at": plan.imported_at,
        "imported_by": plan.imported_by,
        "activity_count": activities,
    }


def list_plans(session: Session, actor: Actor | None = None) -> list[dict[str, Any]]:
    """Every plan of the organisations ``actor`` sees (no actor: every plan), newest year first.

    Three queries however many plans: the plans, their activity counts, their organisations' names."""
    query = select(Plan).order_by(Plan.year.desc(), Plan.id)
    scope = access.plans_scope(actor) if actor is not None else None
    plans = list(session.scalars(query if scope is None else query.where(scope)))
    if not plans:
        return []
    counts: dict[int, int] = {
        plan_id: count
        for plan_id, count in session.execute(
            select(PlanActivityRow.plan_id, func.count())
            .where(PlanActivityRow.plan_id.in_([p.id for p in plans]))
            .group_by(PlanActivityRow.plan_id)
        )
    }
    names: dict[str, str] = {
        code: name
        for code, name in session.execute(
            select(Organisation.code, Organisation.name).where(
                Organisation.code.in_(sorted({p.organisation_code for p in plans}))
            )
        )
    }
    return [_summary(p, counts.get(p.id, 0), names.get(p.organisation_code)) for p in plans]


# --- Facts and statuses ---------------------------------------------------------------------------


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


def _unit_names(session: Session) -> dict[str, str]:
    return {code: short or name for code, name, short in session.execute(select(Unit.code, Unit.name, Unit.short_name))}


def _units(codes: list[str], names: dict[str, str]) -> list[dict[str, str]]:
    return [{"code": code, "name": names.get(code, code)} for code in codes]


def activity_json(activity: PlanActivityRow, facts: PlanFacts, names: dict[str, str]) -> dict[str, Any]:
    area = activity.area.code if activity.area else DUTY_AREA["code"]
    status = facts.activity_status(activity.id)
    states = [s for _, s in facts.by_activity.get(activity.id, ())]
    return {
        "id": activity.id,
        "code": activity.code,
        "ref": f"{area}.{activity.code}" if activity.area else activity.code,
        "area": area,
        "section": activity.section,
        "task_code": activity.task.code if activity.task else None,
        "text": activity.text,
        "output_text": activity.output_text,
        "output_kind": ", ".join(activity.output_kinds),
        "output_kinds": list(activity.output_kinds),
        "lead_text": activity.lead_text,
        "lead_units": _units(activity.lead_units, names),
        "coordinating_text": activity.coordinating_text,
        "coordinating_units": _units(activity.coordinating_units, names),
        "time_text": activity.time_text,
        "schedule": activity.schedule,
        "budget": activity.budget_text,
        "activity_type": activity.activity_type,
        "activity_type_label": ACTIVITY_TYPES.get(activity.activity_type, activity.activity_type),
        "activity_type_source": activity.activity_type_source,
        "manual_due": activity.manual_due,
        "status": status,
        "status_label": STATUS_LABELS[status],
        "due_date": facts.activity_due(activity.id),
        "occurrence_count": len(states),
        "instance_count": facts.launched(activity.id),
        "counts": counts(states),
    }


def activity_ids_of_plans(session: Session, plan_ids: list[int]) -> dict[int, list[int]]:
    """The activity ids of several plans from one query, by plan id."""
    found: dict[int, list[int]] = {plan_id: [] for plan_id in plan_ids}
    if plan_ids:
        query = select(PlanActivityRow.plan_id, PlanActivityRow.id).where(PlanActivityRow.plan_id.in_(plan_ids))
        for plan_id, activity_id in session.execute(query.order_by(PlanActivityRow.position)):
            found[plan_id].append(activity_id)
    return found


def _activities(session: Session, plan: Plan) -> list[PlanActivityRow]:
    return list(
        session.scalars(
            select(PlanActivityRow)
            .where(PlanActivityRow.plan_id == plan.id)
            .options(selectinload(PlanActivityRow.area), selectinload(PlanActivityRow.task))
            .order_by(PlanActivityRow.position)
        )
    )


def list_activities(
    session: Session,
    plan: Plan,
    today: date,
    *,
    area: str | None = None,
    unit: str | None = None,
    status: str | None = None,
    due_before: date | None = None,
    activity_type: str | None = None,
) -> list[dict[str, Any]]:
    facts = PlanFacts(session, plan, today)
    names = _unit_names(session)
    items = []
    for activity in _activities(session, plan):
        item = activity_json(activity, facts, names)
        if area and item["area"] != area.upper():
            continue
        if unit and unit not in activity.lead_units:
            continue
        if status and item["status"] != status:
            continue
        if activity_type and activity.activity_type != activity_type:
            continue
        if due_before and (item["due_date"] is None or item["due_date"] > due_before):
            continue
        items.append(item)
    return items


def activity_detail(
    session: Session, activity: PlanActivityRow, today: date, products: Mapping[int, InstanceProducts]
) -> dict[str, Any]:
    """One activity with its occurrences, each with the products the reader may see (``products``: by
    occurrence id, from ``products.occurrence_products``) and how many it may not."""
    facts = PlanFacts(session, activity.plan, today)
    names = _unit_names(session)
    item = activity_json(activity, facts, names)
    none = InstanceProducts()
    item["occurrences"] = [
        {
            "id": occ.id,
            "unit": {"code": occ.unit_code, "name": names.get(occ.unit_code, occ.unit_code)},
            "period": occ.period,
            "label": occ.label,
            "planned_due": occ.planned_due,
            "due_date": occ.due_date,
            "instance_id": occ.instance_id,
            "status": facts.status_of_occurrence[occ.id],
            "status_label": STATUS_LABELS[facts.status_of_occurrence[occ.id]],
            "products": [p.as_json() for p in products.get(occ.id, none).products],
            "hidden_products": products.get(occ.id, none).hidden,
        }
        for occ in activity.occurrences
    ]
    return item


def plan_tree(session: Session, plan: Plan, today: date) -> dict[str, Any]:
    """The plan with areas → objectives → tasks → activities, each activity with its status."""
    facts = PlanFacts(session, plan, today)
    names = _unit_names(session)
    activities = _activities(session, plan)
    by_task: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for activity in activities:
        by_task[activity.task_id].append(activity_json(activity, facts, names))
    areas = session.scalars(
        select(PlanArea)
        .where(PlanArea.plan_id == plan.id)
        .options(selectinload(PlanArea.objectives).selectinload(PlanObjectiveRow.tasks))
        .order_by(PlanArea.position)
    )
    tree = []
    for area in areas:
        area_items: list[dict[str, Any]] = []
        objectives = []
        for objective in area.objectives:
            tasks = []
            for task in objective.tasks:
                items = by_task.get(task.id, [])
                area_items.extend(items)
                tasks.append(
                    {
                        "code": task.code,
                        "text": task.text,
                        "parent_code": task.parent.code if task.parent else None,
                        "lead_units": _units(task.lead_units, names),
                        "activities": items,
                    }
                )
            objectives.append(
                {
                    "code": objective.code,
                    "text": objective.text,
                    "lead_units": _units(objective.lead_units, names),
                    "tasks": tasks,
                }
            )
        tree.append(
            {
                "code": area.code,
                "title": area.title,
                "objectives": objectives,
                "progress": counts(item["status"] for item in area_items),
            }
        )
    duties = by_task.get(None, [])
    return plan_summary(session, plan) | {
        "report": plan.report,
        "areas": tree,
        "duties": duties,
        "progress": counts(item["status"] for items in by_task.values() for item in items),
    }


def _activity_areas(session: Session, plan: Plan) -> list[tuple[int, str | None]]:
    """(id, its area's code) of each activity of the plan in order, as plain rows: all that progress needs of them
    (not the activities with their areas and tasks, three queries and as many objects)."""
    query = (
        select(PlanActivityRow.id, PlanArea.code)
        .outerjoin(PlanArea, PlanActivityRow.area_id == PlanArea.id)
        .where(PlanActivityRow.plan_id == plan.id)
        .order_by(PlanActivityRow.position)
    )
    return [(int(activity_id), code) for activity_id, code in session.execute(query)]


def _area_titles(session: Session, plan: Plan) -> dict[str, str]:
    """The title of each area code of the plan (the last by position, as ``plan.areas`` gives them)."""
    query = select(PlanArea.code, PlanArea.title).where(PlanArea.plan_id == plan.id).order_by(PlanArea.position)
    return {code: title for code, title in session.execute(query)}


def plan_progress(session: Session, plan: Plan, today: date, facts: PlanFacts | None = None) -> dict[str, Any]:
    """Roll-ups: activities overall and per area; occurrences per lead unit and per quarter of their deadline."""
    facts = facts or PlanFacts(session, plan, today)
    names = _unit_names(session)
    activities = _activity_areas(session, plan)
    per_area: dict[str, list[str]] = defaultdict(list)
    titles = _area_titles(session, plan) | {DUTY_AREA["code"]: DUTY_AREA["title"]}
    status_of = {activity_id: facts.activity_status(activity_id) for activity_id, _ in activities}
    for activity_id, area_code in activities:
        per_area[area_code or DUTY_AREA["code"]].append(status_of[activity_id])
    # Counted as they come (10,000 occurrences and more): a row of counts per unit and per quarter, in STATUSES'
    # order as ``counts`` gives them; a deadline's quarter worked out once per day.
    per_unit: dict[str, dict[str, int]] = {}
    per_quarter: dict[str, dict[str, int]] = {}
    quarters: dict[date | None, str] = {}
    for items in facts.by_activity.values():
        for occurrence, state in items:
            unit_counts = per_unit.get(occurrence.unit_code)
            if unit_counts is None:
                unit_counts = per_unit[occurrence.unit_code] = dict.fromkeys(STATUSES, 0)
            unit_counts[state] += 1
            due = occurrence.due_date
            quarter = quarters.get(due)
            if quarter is None:
                quarter = quarters[due] = quarter_of(due) if due else "manual"
            quarter_counts = per_quarter.get(quarter)
            if quarter_counts is None:
                quarter_counts = per_quarter[quarter] = dict.fromkeys(STATUSES, 0)
            quarter_counts[state] += 1
    return {
        "plan_id": plan.id,
        "today": today,
        "overall": counts(status_of[activity_id] for activity_id, _ in activities),
        "total": len(activities),
        "by_area": [
            {"code": code, "title": titles.get(code, code), "counts": counts(statuses), "total": len(statuses)}
            for code, statuses in per_area.items()
        ],
        "by_unit": sorted(
            (
                {
                    "code": code,
                    "name": names.get(code, code),
                    "counts": found,
                    "total": sum(found.values()),
                    "overdue": found[OVERDUE],
                }
                for code, found in per_unit.items()
            ),
            key=lambda row: (-row["overdue"], row["code"]),
        ),
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


def plan_export(
    session: Session, plan: Plan, today: date, products: Mapping[int, InstanceProducts] | None = None
) -> dict[str, Any]:
    """What the exports print: the progress roll-ups and every activity, from one read of the facts; each
    activity with its ``products`` (by activity id, from ``products.activity_products``) when given."""
    facts = PlanFacts(session, plan, today)
    names = _unit_names(session)
    titles = {area.code: area.title for area in plan.areas} | {DUTY_AREA["code"]: DUTY_AREA["title"]}
    activities = []
    for activity in _activities(session, plan):
        item = activity_json(activity, facts, names)
        item["area_title"] = titles.get(item["area"], item["area"])
        item["done_on"] = facts.done_on(activity.id)
        item["late_days"] = facts.late_days(activity.id)
        item["products"] = [p.as_json() for p in (products or {}).get(activity.id, InstanceProducts()).products]
        activities.append(item)
    return {
        "plan": plan_summary(session, plan),
        "progress": plan_progress(session, plan, today, facts),
        "activities": activities,
        "facts": facts,
    }


def _quarter_label(quarter: str) -> str:
    if quarter == "manual":
        return "Chưa đặt hạn"
    year, q = quarter.split("-Q")
    return f"Quý {('I', 'II', 'III', 'IV')[int(q) - 1]}/{year}"
