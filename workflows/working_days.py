"""The working-day calendar as users see it: due dates with the days off skipped, and the override table."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.calendar import WorkingCalendar
from engine.db import UnitOfWork
from engine.errors import InvalidInput, NotFound
from engine.models import CalendarOverride
from engine.views import Actor

from . import access
from .models import Organisation
from .services import Services

MAX_WORKING_DAYS = 1000
# The days the calendar answers for: the holiday tables behind it are built per year and kept, and the year
# 10000 does not exist; a deadline outside these two centuries is a typing mistake.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2200, 12, 31)
DATE_RANGE_TEXT = f"{FIRST_DAY:%d/%m/%Y} đến {LAST_DAY:%d/%m/%Y}"


def check_date_range(day: date, field: str) -> None:
    """Refuse (422 ``date_out_of_range``) a day the calendar does not cover."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput(
            f"Ngày {day.isoformat()} nằm ngoài khoảng lịch hỗ trợ ({DATE_RANGE_TEXT}).",
            code="date_out_of_range",
            details={field: [f"Ngày phải nằm trong khoảng {DATE_RANGE_TEXT}."]},
        )


def due_date(calendar: WorkingCalendar, start: date, working_days: int) -> dict[str, Any]:
    """The date ``working_days`` working days after ``start`` and the days off skipped on the way."""
    if abs(working_days) > MAX_WORKING_DAYS:
        raise InvalidInput(
            f"Số ngày làm việc phải trong khoảng ±{MAX_WORKING_DAYS}.",
            code="working_days_out_of_range",
            details={"working_days": [f"Tối đa {MAX_WORKING_DAYS} ngày."]},
        )
    check_date_range(start, "start")
    due = calendar.add_working_days(start, working_days)
    check_date_range(due, "working_days")
    low, high = sorted((start, due))
    skipped = []
    day = low + timedelta(days=1)
    while day <= high:
        reason = calendar.day_off_reason(day)
        if reason is not None:
            skipped.append({"date": day, "reason": reason})
        day += timedelta(days=1)
    return {
        "start": start,
        "working_days": working_days,
        "due_date": due,
        "calendar_days": (due - start).days,
        "days_off": skipped,
    }


def working_days_between(calendar: WorkingCalendar, start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier)."""
    check_date_range(start, "start")
    check_date_range(end, "end")
    return calendar.working_days_between(start, end)


def calendar_for(services: Services, session: Session, actor: Actor, organisation_code: str | None) -> WorkingCalendar:
    """The calendar the caller asks for: ``organisation_code``'s (one the caller sees, else a 404), or when none is
    named the caller's own organisation's (a system administrator's: every organisation's)."""
    if organisation_code is None:
        return services.calendar.get(access.default_calendar_organisation(session, actor))
    access.check_sees_calendar(session, actor, organisation_code)
    return services.calendar.get(organisation_code)


def own_organisation(session: Session, actor: Actor) -> dict[str, str] | None:
    """The code and name of the actor's own organisation (None without a unit)."""
    code = access.own_organisation(session, actor)
    if code is None:
        return None
    return {"code": code, "name": _names(session, {code}).get(code, code)}


def step_calendar(services: Services, uow: UnitOfWork, actor: Actor, task_id: int) -> WorkingCalendar:
    """The calendar of a step's organisation (a step the actor sees, else a 404)."""
    return services.calendar.get(access.visible_task(services, uow, actor, task_id).tenant)


def override_json(row: CalendarOverride, names: dict[str, str]) -> dict[str, Any]:
    code = row.organisation_code
    return {
        "day": row.day,
        "working": row.working,
        "reason": row.reason,
        "organisation": code,
        "organisation_name": names.get(code) if code is not None else None,
        "created_by": row.created_by,
        "created_at": row.created_at,
    }


def _names(session: Session, codes: set[str | None]) -> dict[str, str]:
    wanted = sorted(c for c in codes if c is not None)
    if not wanted:
        return {}
    found = session.execute(select(Organisation.code, Organisation.name).where(Organisation.code.in_(wanted)))
    return {str(code): str(name) for code, name in found}


def list_overrides(
    uow: UnitOfWork, year: int | None = None, actor: Actor | None = None, organisation_code: str | None = None
) -> list[dict[str, Any]]:
    """The overrides (of a year), by date then organisation: those for every organisation and, given ``actor``,
    those of the organisations it sees (no actor, or a system administrator: all); given ``organisation_code``
    (one the actor sees), those for every organisation and that one's."""
    session = uow.session
    query = select(CalendarOverride).order_by(CalendarOverride.day, CalendarOverride.organisation_code)
    if organisation_code is not None:
        if actor is not None:
            access.check_sees_calendar(session, actor, organisation_code)
        query = query.where(
            or_(CalendarOverride.organisation_code.is_(None), CalendarOverride.organisation_code == organisation_code)
        )
    scope = access.overrides_scope(actor) if actor is not None else None
    if scope is not None:
        query = query.where(scope)
    if year is not None:
        query = query.where(CalendarOverride.day >= date(year, 1, 1), CalendarOverride.day <= date(year, 12, 31))
    rows = list(session.scalars(query))
    names = _names(session, {r.organisation_code for r in rows})
    return [override_json(row, names) for row in rows]


def _override(session: Session, day: date, organisation_code: str | None) -> CalendarOverride | None:
    who = (
        CalendarOverride.organisation_code.is_(None)
        if organisation_code is None
        else CalendarOverride.organisation_code == organisation_code
    )
    return session.scalar(select(CalendarOverride).where(CalendarOverride.day == day, who))


def set_override(
    services: Services,
    uow: UnitOfWork,
    actor: Actor,
    day: date,
    working: bool,
    reason: str | None,
    organisation_code: str | None,
) -> tuple[dict[str, Any], bool]:
    """Add or change one day's override for ``organisation_code`` (None: every organisation); returns it and
    whether it is new. Every cached calendar resets on commit."""
    session = uow.session
    access.check_may_manage_calendar(session, actor, organisation_code)
    check_date_range(day, "day")
    row = _override(session, day, organisation_code)
    created = row is None
    if row is None:
        row = CalendarOverride(day=day, organisation_code=organisation_code)
        session.add(row)
    row.working = working
    row.reason = reason
    row.created_by = actor.username
    row.created_at = services.clock.now()
    session.flush()
    uow.after_commit(services.calendar.invalidate)
    return override_json(row, _names(session, {organisation_code})), created


def delete_override(
    services: Services, uow: UnitOfWork, actor: Actor, day: date, organisation_code: str | None
) -> None:
    """Remove one day's override of ``organisation_code`` (None: the one for every organisation); the cached
    calendars reset after commit."""
    session = uow.session
    access.check_may_manage_calendar(session, actor, organisation_code)
    row = _override(session, day, organisation_code)
    if row is None:
        whose = "chung của mọi tổ chức" if organisation_code is None else f"của tổ chức «{organisation_code}»"
        raise NotFound(
            f"Không có điều chỉnh lịch {whose} cho ngày {day:%d/%m/%Y}.",
            code="override_not_found",
            details={"day": day.isoformat(), "organisation_code": organisation_code},
        )
    session.delete(row)
    session.flush()
    uow.after_commit(services.calendar.invalidate)
