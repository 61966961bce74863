"""The working-day calendar as users see it: due dates with the days off skipped, and the override table."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from engine.calendar import WorkingCalendar
from engine.db import UnitOfWork
from engine.errors import InvalidInput, NotFound
from engine.models import CalendarOverride
from engine.views import Actor

from . import access
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


def override_json(row: CalendarOverride) -> dict[str, Any]:
    return {
        "day": row.day,
        "working": row.working,
        "reason": row.reason,
        "created_by": row.created_by,
        "created_at": row.created_at,
    }


def list_overrides(uow: UnitOfWork, year: int | None = None, actor: Actor | None = None) -> list[dict[str, Any]]:
    """The overrides (of a year), by date: those for every organisation and, given ``actor``, those of the
    organisations it sees (no actor, or an administrator: all)."""
    query = select(CalendarOverride).order_by(CalendarOverride.day)
    scope = access.overrides_scope(actor) if actor is not None else None
    if scope is not None:
        query = query.where(scope)
    if year is not None:
        query = query.where(CalendarOverride.day >= date(year, 1, 1), CalendarOverride.day <= date(year, 12, 31))
    return [override_json(row) for row in uow.session.scalars(query)]


def set_override(
    services: Services, uow: UnitOfWork, actor: Actor, day: date, working: bool, reason: str | None
) -> tuple[dict[str, Any], bool]:
    """Add or change one day's override (administrators); returns it and whether it is new (cache resets on commit)."""
    access.MANAGE_CALENDAR.check(actor)
    row = uow.session.get(CalendarOverride, day)
    created = row is None
    if row is None:
        row = CalendarOverride(day=day)
        uow.session.add(row)
    row.working = working
    row.reason = reason
    row.created_by = actor.username
    row.created_at = services.clock.now()
    uow.session.flush()
    uow.after_commit(services.calendar.invalidate)
    return override_json(row), created


def delete_override(services: Services, uow: UnitOfWork, actor: Actor, day: date) -> None:
    """Remove one day's override (administrators); the cache resets after commit."""
    access.MANAGE_CALENDAR.check(actor)
    row = uow.session.get(CalendarOverride, day)
    if row is None:
        raise NotFound(f"Không có điều chỉnh lịch cho ngày {day:%d/%m/%Y}.", code="override_not_found")
    uow.session.delete(row)
    uow.session.flush()
    uow.after_commit(services.calendar.invalidate)
