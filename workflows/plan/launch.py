"""Launch a plan: start the process instance of every occurrence that is due (once, whatever the retries).

Each occurrence is one unit's deadline for one period of an activity. Launch picks the occurrences that
have a deadline (up to ``until`` when given) and no live instance, starts the process of the activity's
type for the occurrence's unit and links the two in the caller's transaction. A second launch finds
nothing left to do; two concurrent launches cannot both link one occurrence (conditional UPDATE → 409).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from engine.db import UnitOfWork
from engine.errors import Conflict
from engine.models import ProcessInstance
from engine.views import Actor
from workflows import access, organisation, processes
from workflows.definitions import start_fields
from workflows.models import Plan, PlanActivityRow, PlanOccurrence
from workflows.services import Services

from .activity_types import PLANS_DIR
from .queries import get_plan

LAUNCH_CONFIG = PLANS_DIR / "launch.yaml"
_PERIOD_KINDS = {"Q": "quarter", "H": "half_year"}


@dataclass(frozen=True)
class LaunchConfig:
    processes: dict[str, str]
    start_data: dict[str, dict[str, Any]]


@dataclass
class LaunchResult:
    created: int = 0
    already_running: int = 0
    without_deadline: int = 0
    instances: list[dict[str, Any]] = field(default_factory=list)


def load_launch_config(path: Path = LAUNCH_CONFIG) -> LaunchConfig:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return LaunchConfig(dict(raw.get("processes") or {}), dict(raw.get("start_data") or {}))


def period_kind(period: str) -> str:
    """ "2024-Q1" → quarter, "2024-H1" → half_year, "2024" → year, "2024-01" → month."""
    parts = period.split("-")
    if len(parts) == 1:
        return "year"
    return _PERIOD_KINDS.get(parts[1][:1], "month")


def _with_year(value: Any, year: int) -> Any:
    if value == "{year}":
        return year
    if isinstance(value, str):
        return value.replace("{year}", str(year))
    return value


def start_data(
    plan: Plan,
    activity: PlanActivityRow,
    occurrence: PlanOccurrence,
    config: LaunchConfig,
    declared: Collection[str] | None = None,
) -> dict[str, Any]:
    """The variables a launched instance starts with: configured defaults + the activity's own fields (only
    those the process's start schema declares, when ``declared`` is given)."""
    defaults = config.start_data.get(activity.activity_type, {})
    data = {key: _with_year(value, plan.year) for key, value in defaults.items()}
    reference = f"{activity.area.code}.{activity.code}" if activity.area else activity.code
    own: dict[str, Any] = {
        "activity_code": reference,
        "activity_title": activity.text,
        "deadline": occurrence.due_date.isoformat() if occurrence.due_date else None,
        "coordinating_units": list(activity.coordinating_units),
        "output_kind": ", ".join(activity.output_kinds) or activity.output_text,
        "period_label": occurrence.label,
        "period_kind": period_kind(occurrence.period),
        "issuing_unit": occurrence.unit_code,
        "plan": {
            "plan_id": plan.id,
            "activity_id": activity.id,
            "occurrence_id": occurrence.id,
            "title": plan.title,
            "year": plan.year,
        },
    }
    data.update({k: v for k, v in own.items() if v is not None and (declared is None or k in declared)})
    return data


def launch_plan(
    services: Services,
    uow: UnitOfWork,
    actor: Actor,
    plan_id: int,
    *,
    since: date | None = None,
    until: date | None = None,
) -> LaunchResult:
    """Start every due occurrence's instance (only deadlines from ``since`` to ``until`` when given)."""
    access.LAUNCH_PLANS.check(actor)
    session = uow.session
    plan = get_plan(session, plan_id, actor)
    config = load_launch_config()
    live = select(ProcessInstance.id).where(
        ProcessInstance.id == PlanOccurrence.instance_id, ProcessInstance.status != "cancelled"
    )
    query = (
        select(PlanOccurrence)
        .join(PlanActivityRow, PlanOccurrence.activity_id == PlanActivityRow.id)
        .where(PlanActivityRow.plan_id == plan.id)
        .options(selectinload(PlanOccurrence.activity).selectinload(PlanActivityRow.area))
        .order_by(PlanOccurrence.due_date, PlanActivityRow.position, PlanOccurrence.position)
    )
    if until is not None:
        query = query.where(PlanOccurrence.due_date <= until)
    if since is not None:
        query = query.where(PlanOccurrence.due_date >= since)
    result = LaunchResult()
    declared: dict[str, frozenset[str]] = {}  # each process's start fields
    for occurrence in session.scalars(query):
        if occurrence.due_date is None:
            result.without_deadline += 1
            continue
        if occurrence.instance_id is not None and session.scalar(live.where(PlanOccurrence.id == occurrence.id)):
            result.already_running += 1
            continue
        activity = occurrence.activity
        process_key = config.processes.get(activity.activity_type, activity.activity_type)
        if process_key not in declared:
            declared[process_key] = start_fields(uow, process_key)
        data = start_data(plan, activity, occurrence, config, declared[process_key])
        # "I.3.1 · Xây dựng, ban hành Kế hoạch CCHC năm 2024 · Quý I/2024": code · activity · period
        extras = processes.start_extras(
            session, process_key=process_key, unit_code=occurrence.unit_code, data=data, now=services.clock.now()
        )
        view = services.engine.start(
            uow,
            process_key,
            unit_code=occurrence.unit_code,
            data=data,
            actor=actor,
            title=extras.title,
            due_at=extras.due_at,
            search_words=extras.search_words,
            tenant=organisation.organisation_of_unit(session, occurrence.unit_code) or plan.organisation_code,
        )
        previous = occurrence.instance_id
        linked = session.execute(
            update(PlanOccurrence)
            .where(
                PlanOccurrence.id == occurrence.id,
                PlanOccurrence.instance_id.is_(None) if previous is None else PlanOccurrence.instance_id == previous,
            )
            .values(instance_id=view.id, launched_at=services.clock.now())
            .execution_options(synchronize_session=False)
        )
        if linked.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("Kế hoạch đang được triển khai ở một phiên khác; vui lòng thử lại.", code="launch_conflict")
        session.expire(occurrence)
        result.created += 1
        result.instances.append(
            {
                "instance_id": view.id,
                "occurrence_id": occurrence.id,
                "activity_id": activity.id,
                "process_key": process_key,
                "unit_code": occurrence.unit_code,
                "period_label": occurrence.label,
                "due_date": view.data.get("deadline"),
            }
        )
    return result
