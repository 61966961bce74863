"""Importing a plan for an organisation, in two steps: a preview that stores nothing, then the confirm.

The preview reads the file against the organisation's own units and shows what would be stored: the header
as read from the caption, every activity with the unit each name resolved to (or none), its schedule, the
warnings, the names not recognised with the closest units, and the plan it would replace. The confirm carries
the coordinator's answer for every name not recognised (``unit_mapping``); only then is anything stored.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.db import UnitOfWork
from engine.errors import InvalidInput, NotFound
from engine.views import Actor
from workflows import access
from workflows.models import Organisation, Unit
from workflows.org_data import OrgData, resolve_names
from workflows.services import Services

from .activity_types import load_type_rules
from .duties import DutiesResult, main_text_duties
from .markdown_import import ImportResult
from .schedule import ScheduleConfig, parse_time_text
from .store import (
    ImportOutcome,
    check_plan_size,
    find_plan,
    import_plan,
    launched,
    load_schedule_config,
    parse_plan_file,
    schedule_json,
)
from .target import TargetOrganisation, check_issuer, load_target, suggestions
from .unit_mapping import check_mapping, create_new_units, with_answers


def actor_organisation(session: Session, actor: Actor) -> str:
    """The organisation of the caller's own unit (422 ``organisation_required`` when they have none)."""
    unit = session.get(Unit, actor.unit_code) if actor.unit_code else None
    if unit is None:
        raise InvalidInput(
            "Tài khoản không thuộc tổ chức nào: nhập kế hoạch tại «Tổ chức → Nhập kế hoạch» và chọn tổ chức.",
            code="organisation_required",
        )
    return unit.organisation_code


def _check_may_import(session: Session, actor: Actor, organisation_code: str) -> TargetOrganisation:
    """The target organisation, once the actor may import for it (another organisation's is a 404, as if absent)."""
    access.EDIT_PLANS.check(actor)
    unit = session.get(Unit, actor.unit_code) if actor.unit_code else None
    if not access.may_import_plans_for(actor, unit.organisation_code if unit else None, organisation_code):
        raise NotFound(f"Không tìm thấy tổ chức «{organisation_code}».", code="organisation_not_found")
    return load_target(session, organisation_code)


def import_organisations(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The organisations the actor may import plans for: every one for an administrator, else their own."""
    access.EDIT_PLANS.check(actor)
    unit = session.get(Unit, actor.unit_code) if actor.unit_code else None
    own = unit.organisation_code if unit is not None else None
    rows = session.scalars(select(Organisation).order_by(Organisation.name, Organisation.code))
    return [
        {"code": o.code, "name": o.name, "own": o.code == own}
        for o in rows
        if access.may_import_plans_for(actor, own, o.code)
    ]


def _names(text: str, org: OrgData) -> list[dict[str, Any]]:
    return [{"name": n.name, "units": list(n.codes) if n.codes is not None else None} for n in resolve_names(text, org)]


def _read(data: bytes, filename: str, target: TargetOrganisation) -> tuple[ImportResult, str | None, ScheduleConfig]:
    check_plan_size(data)
    parsed, text = parse_plan_file(data, filename, target.vocabulary)
    check_issuer(parsed.plan.issuer_text, target)
    return parsed, text, target.schedule_config(load_schedule_config())


def _duties(parsed: ImportResult, text: str | None, org: OrgData, config: ScheduleConfig) -> DutiesResult:
    """The main text's duties (none for a workbook: it holds only the appendix)."""
    return main_text_duties(text, parsed.plan.year, org, config) if text is not None else DutiesResult()


def _unresolved(parsed: ImportResult, duties: DutiesResult) -> list[str]:
    """Every name not recognised: the appendix's, then the main text's."""
    names = list(parsed.report.unresolved_units)
    names.extend(name for name in duties.unresolved_units if name not in names)
    return names


def preview_plan_import(
    services: Services, session: Session, actor: Actor, organisation_code: str, data: bytes, filename: str
) -> dict[str, Any]:
    """What importing the file for the organisation would store, and what it needs answered (nothing stored)."""
    target = _check_may_import(session, actor, organisation_code)
    parsed, text, config = _read(data, filename, target)
    org, plan = target.vocabulary, parsed.plan
    rules = load_type_rules()
    activities: list[dict[str, Any]] = []
    for area, _, _, activity in parsed.plan.iter_activities():
        schedule = parse_time_text(activity.time_text, plan.year, config)
        activity_type, _ = rules.classify(activity.text, activity.output_kinds, schedule.kind)
        activities.append(
            {
                "section": "appendix",
                "area": area.numeral,
                "code": activity.code,
                "text": activity.text,
                "lead_text": activity.lead_text,
                "lead": _names(activity.lead_text, org),
                "coordinating_text": activity.coordinating_text,
                "coordinating": _names(activity.coordinating_text, org),
                "time_text": activity.time_text,
                "schedule": schedule_json(schedule),
                "activity_type": activity_type,
            }
        )
    duties = _duties(parsed, text, org, config)
    warnings = [*parsed.report.warnings, *duties.warnings]
    for duty in duties.duties:
        activities.append(
            {
                "section": "duty",
                "area": None,
                "code": duty.code,
                "text": duty.text,
                "lead_text": duty.lead_text,
                "lead": [{"name": duty.lead_text, "units": list(duty.lead_units)}],
                "coordinating_text": duty.coordinating_text,
                "coordinating": _names(duty.coordinating_text, org),
                "time_text": duty.time_text,
                "schedule": {"kind": "per_unit", "occurrences": len(duty.occurrences)},
                "activity_type": duty.activity_type,
            }
        )
    existing = find_plan(session, target.code, plan.year, plan.number)
    unresolved = _unresolved(parsed, duties)
    in_duties = duties.unresolved_units
    return {
        "organisation": {"code": target.code, "name": target.name},
        "header": {
            "title": plan.title,
            "year": plan.year,
            "number": plan.number,
            "issued_on": plan.issued_on.isoformat() if plan.issued_on else None,
            "issuer": plan.issuer_text or None,
        },
        "activities": activities,
        "counts_per_area": dict(parsed.report.counts),
        "repairs": list(parsed.report.repairs),
        "warnings": warnings,
        "unresolved": [
            {
                "name": name,
                "activities": [
                    *(
                        f"{a['area']}/{a['code']}"
                        for a in activities
                        if a["section"] == "appendix"
                        and any(n["name"] == name for n in (*a["lead"], *a["coordinating"]))
                    ),
                    *(f"NV/{code}" for code in in_duties.get(name, ())),
                ],
                "suggestions": suggestions(name, target),
            }
            for name in unresolved
        ],
        "replaces": (
            {"plan_id": existing.id, "title": existing.title, "launched": launched(session, existing.id)}
            if existing is not None
            else None
        ),
        "units": [{"code": u.code, "name": u.name, "short_name": u.short_name, "kind": u.kind} for u in org.units],
    }


def confirm_plan_import(
    services: Services,
    uow: UnitOfWork,
    actor: Actor,
    organisation_code: str,
    data: bytes,
    filename: str,
    mapping: dict[str, Any],
) -> ImportOutcome:
    """Store the plan for the organisation once every name not recognised has an answer (one transaction)."""
    session = uow.session
    target = _check_may_import(session, actor, organisation_code)
    parsed, text, config = _read(data, filename, target)
    units = {u.code: u for u in session.scalars(select(Unit).where(Unit.organisation_code == target.code))}
    answers = check_mapping(mapping, _unresolved(parsed, _duties(parsed, text, target.vocabulary, config)), units)
    create_new_units(session, target.code, answers)
    org = with_answers(target.vocabulary, answers)
    reparsed = parse_plan_file(data, filename, org)
    left = _unresolved(reparsed[0], _duties(reparsed[0], reparsed[1], org, config))
    if left:  # an answer changed how a cell splits into names: the new names need answers too
        check_mapping(mapping, left, units)
    outcome = import_plan(
        uow,
        data,
        filename,
        org=org,
        organisation_code=target.code,
        issuing_unit=target.issuing_unit,
        calendar=services.calendar.get(target.code),
        actor=actor.username,
        now=services.clock.now(),
        config=config,
        parsed_file=reparsed,
    )
    if not outcome.created:
        return outcome
    outcome.plan.report = {**outcome.plan.report, "unit_mapping": [a.as_report() for a in answers]}
    session.flush()
    return replace(outcome, report=outcome.plan.report)


def import_for_own_organisation(
    services: Services, uow: UnitOfWork, actor: Actor, data: bytes, filename: str
) -> ImportOutcome:
    """The one-step import of ``POST /plans/import``: the caller's own organisation, no names left to answer."""
    access.EDIT_PLANS.check(actor)
    organisation_code = actor_organisation(uow.session, actor)
    return confirm_plan_import(services, uow, actor, organisation_code, data, filename, {})
