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
from .tenancy import current_tenant

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
    """Gives each tenant's working calendar: the overrides for every tenant (``organisation_code`` NULL) with the
    tenant's own on top (they win on the same day).

    The whole override table is read at once (a few rows per tenant and year); a tenant without overrides of its
    own shares the calendar of every tenant, so its yearly tables are built once. This process's change clears the
    calendars after its commit (``invalidate``); another process's change is seen at the next comparison of the
    override rows with the ones the calendars were built from (``engine.freshness``).
    """

    def __init__(self, session_factory: sessionmaker[Session] | None = None, recheck: Recheck | None = None) -> None:
        self._factory = session_factory
        self._rows: frozenset[tuple[str | None, date, bool]] | None = None  # what the calendars were built from
        self._own: dict[str, dict[date, bool]] = {}  # each tenant's own overrides
        self._shared: dict[date, bool] = {}  # the overrides for every tenant
        self._calendars: dict[str | None, WorkingCalendar] = {}
        self._recheck = recheck or Recheck()
        self._generation = 0  # bumped by invalidate: a read that began before it does not count as a check
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        """Forget every cached calendar (after overrides changed)."""
        with self._lock:
            self._rows = None
            self._calendars = {}
            self._generation += 1
        self._recheck.reset()

    def get(self, tenant: str | None = None) -> WorkingCalendar:
        """The calendar of ``tenant`` (None: the calendar of every tenant, without any tenant's own overrides)."""
        calendar = self._calendars.get(tenant)
        if calendar is not None and (self._factory is None or not self._recheck.due()):
            return calendar
        self._refresh()
        with self._lock:
            key = tenant if tenant in self._own else None
            calendar = self._calendars.get(key)
            if calendar is None:
                calendar = WorkingCalendar(self._shared if key is None else self._shared | self._own[key])
                self._calendars[key] = calendar
            self._calendars[tenant] = calendar
        return calendar

    def tenants(self) -> frozenset[str]:
        """The tenants with overrides of their own (the others follow the calendar of every tenant)."""
        if self._rows is None or (self._factory is not None and self._recheck.due()):
            self._refresh()
        with self._lock:
            return frozenset(self._own)

    def _refresh(self) -> None:
        """Read the override table; rebuild the calendars only when the rows differ from the ones they came from."""
        generation = self._generation
        rows: frozenset[tuple[str | None, date, bool]] = frozenset()
        if self._factory is not None:
            with self._factory() as session:
                result = session.execute(
                    select(CalendarOverride.organisation_code, CalendarOverride.day, CalendarOverride.working)
                )
                rows = frozenset((tenant, day, working) for tenant, day, working in result)
        with self._lock:
            if rows != self._rows:  # unchanged: keep the years already built
                shared: dict[date, bool] = {}
                own: dict[str, dict[date, bool]] = {}
                for tenant, day, working in rows:
                    (shared if tenant is None else own.setdefault(tenant, {}))[day] = working
                self._rows, self._shared, self._own, self._calendars = rows, shared, own, {}
            if generation == self._generation:
                self._recheck.done()


def standard_helpers(
    calendar: Callable[[str | None], WorkingCalendar], clock: Clock | None = None
) -> dict[str, Any]:
    """today, now, add_working_days, working_days_between, deadline_at.

    ``calendar(tenant)`` gives a tenant's working calendar; the helpers count on the calendar of the instance
    being run (``tenancy.current_tenant``).
    """

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
        return calendar(current_tenant()).add_working_days(as_date(start), days).isoformat()

    def working_days_between(a: Any, b: Any) -> int:
        first, last = as_date(a), as_date(b)
        if abs(last.year - first.year) > MAX_YEARS_BETWEEN:
            raise ValueError(f"Khoảng thời gian quá dài: từ {first} đến {last} (tối đa {MAX_YEARS_BETWEEN} năm)")
        return calendar(current_tenant()).working_days_between(first, last)

    def deadline_at(day: Any) -> str:
        return datetime.combine(as_date(day), END_OF_WORKING_DAY, LOCAL_TZ).isoformat()

    return {
        "today": today,
        "now": now,
        "add_working_days": add_working_days,
        "working_days_between": working_days_between,
        "deadline_at": deadline_at,
    }
