"""Read side of plans: the plans, the tree with statuses, filtered activity lists, an activity's detail, the
exports' data. The facts statuses come from are in ``facts``, the progress roll-ups in ``roll_ups``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from engine.errors import NotFound
from engine.views import Actor
from workflows import access
from workflows.models import Organisation, Plan, PlanActivityRow, PlanArea, PlanObjectiveRow

from .activity_types import ACTIVITY_TYPES
from .facts import DUTY_AREA, PlanFacts, unit_names
from .products import InstanceProducts
from .progress import STATUS_LABELS, counts
from .roll_ups import plan_progress

__all__ = ["DUTY_AREA", "plan_progress"]  # also read from here by the routes and tests


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
    names = unit_names(session)
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
    names = unit_names(session)
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
    names = unit_names(session)
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


def plan_export(
    session: Session, plan: Plan, today: date, products: Mapping[int, InstanceProducts] | None = None
) -> dict[str, Any]:
    """What the exports print: the progress roll-ups and every activity, from one read of the facts; each
    activity with its ``products`` (by activity id, from ``products.activity_products``) when given."""
    facts = PlanFacts(session, plan, today)
    names = unit_names(session)
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
