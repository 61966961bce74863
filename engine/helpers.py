"""The fixed set of helpers that diagrams' scripts and expressions may call (see docs/conventions.md)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from .calendar import WorkingCalendar
from .clock import LOCAL_TZ, Clock, current_clock
from .freshness import Recheck
from .models import CalendarOverride
from .projection import END_OF_WORKING_DAY

# The calendar builds each year it crosses (a few ms a year, cached): the helpers refuse spans a diagram never
# needs, so that one call cannot spend a script's whole budget (or the process's memory) inside the calendar.
MAX_WORKING_DAYS = 50_000  # about 200 years
MAX_YEARS_BETWEEN = 200


def as_date(value: Any) -> date:
    """ISO string, date or datetime → date."""
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value.strip()[:10])
    raise ValueError(f"Không phải ngày hợp lệ: {value!r}")


class CalendarSource:
    """Gives the working calendar with the administrator's overrides, reloaded when they change.

    This process's change clears the calendar after its commit (``invalidate``); another process's change is seen
    at the next comparison of the override rows with the ones the calendar was built from (``engine.freshness``).
    """

    def __init__(self, session_factory: sessionmaker[Session] | None = None, recheck: Recheck | None = None) -> None:
        self._factory = session_factory
        self._calendar: WorkingCalendar | None = None
        self._overrides: dict[date, bool] = {}
        self._recheck = recheck or Recheck()
        self._generation = 0  # bumped by invalidate: a read that began before it does not count as a check
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        """Forget the cached calendar (after overrides changed)."""
        with self._lock:
            self._calendar = None
            self._generation += 1
        self._recheck.reset()

    def get(self) -> WorkingCalendar:
        calendar = self._calendar
        if calendar is not None and (self._factory is None or not self._recheck.due()):
            return calendar
        generation = self._generation
        overrides: dict[date, bool] = {}
        if self._factory is not None:
            with self._factory() as session:
                rows = session.execute(select(CalendarOverride.day, CalendarOverride.working))
                overrides = {day: working for day, working in rows}
        with self._lock:
            calendar = self._calendar
            if calendar is None or overrides != self._overrides:  # unchanged: keep the years already built
                calendar = self._calendar = WorkingCalendar(overrides)
                self._overrides = overrides
            if generation == self._generation:
                self._recheck.done()
        return calendar


def standard_helpers(calendar: Callable[[], WorkingCalendar], clock: Clock | None = None) -> dict[str, Any]:
    """today, now, add_working_days, working_days_between, deadline_at."""

    def _clock() -> Clock:
        return clock if clock is not None else current_clock()

    def today() -> str:
        return _clock().now().astimezone(LOCAL_TZ).date().isoformat()

    def now() -> str:
        return _clock().now().astimezone(LOCAL_TZ).isoformat()

    def add_working_days(start: Any, n: int) -> str:
        days = int(n)
        if abs(days) > MAX_WORKING_DAYS:
            raise ValueError(f"Số ngày làm việc quá lớn: {days} (tối đa {MAX_WORKING_DAYS:,})".replace(",", "."))
        return calendar().add_working_days(as_date(start), days).isoformat()

    def working_days_between(a: Any, b: Any) -> int:
        first, last = as_date(a), as_date(b)
        if abs(last.year - first.year) > MAX_YEARS_BETWEEN:
            raise ValueError(f"Khoảng thời gian quá dài: từ {first} đến {last} (tối đa {MAX_YEARS_BETWEEN} năm)")
        return calendar().working_days_between(first, last)

    def deadline_at(day: Any) -> str:
        return datetime.combine(as_date(day), END_OF_WORKING_DAY, LOCAL_TZ).isoformat()

    return {
        "today": today,
        "now": now,
        "add_working_days": add_working_days,
        "working_days_between": working_days_between,
        "deadline_at": deadline_at,
    }
