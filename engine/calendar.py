"""Working-day calendar: Monday–Friday minus public holidays plus make-up Saturdays, with overrides.

The official schedule comes from the `holidays` package (country "VN"): statutory holidays, the
Tết/observed days off, and the yearly announced swaps (a weekday off paired with a make-up Saturday,
exposed by the library as `weekend_workdays`). Schedules announced after the library release are
expressed by the administrator's override table, which wins over everything.

The library's own `is_working_day` / `get_nth_working_day` know nothing of overrides and cost tens of
microseconds per call, so the arithmetic below runs on per-year sorted tuples of working-day ordinals.
"""

from __future__ import annotations

import functools
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

import holidays

__all__ = ["OVERRIDE_DAY_OFF_REASON", "WorkingCalendar"]

OVERRIDE_DAY_OFF_REASON = "Ngày nghỉ bổ sung"
_WEEKEND_REASONS: Mapping[int, str] = MappingProxyType({5: "Thứ Bảy", 6: "Chủ nhật"})


@dataclass(frozen=True, slots=True)
class _OfficialYear:
    """The library's schedule for one calendar year."""

    days_off: Mapping[date, str]  # holiday name by date (may fall on a weekend)
    make_up_saturdays: frozenset[date]  # weekend days that are working days


@functools.cache
def _library_year(year: int) -> _OfficialYear:
    """Build the `holidays` data for one year once; building it takes tens of milliseconds."""
    vn = holidays.country_holidays("VN", years=year, language="vi", expand=False)
    return _OfficialYear(MappingProxyType(dict(vn)), frozenset(vn.weekend_workdays))


@functools.cache
def _official_year(year: int) -> _OfficialYear:
    """Days off and make-up days falling in `year`, including swaps declared in a neighbouring year."""
    # A swap is filed under the year of its day off, but its make-up day may lie in the year before
    # or after (e.g. 02/01/2015 off, worked on 27/12/2014).
    make_up = frozenset(
        d for y in (year - 1, year, year + 1) for d in _library_year(y).make_up_saturdays if d.year == year
    )
    return _OfficialYear(_library_year(year).days_off, make_up)


def _officially_working(d: date) -> bool:
    """Whether `d` is a working day in the library's schedule (the library's own rule)."""
    official = _official_year(d.year)
    if d.weekday() in _WEEKEND_REASONS:
        return d in official.make_up_saturdays
    return d not in official.days_off


class WorkingCalendar:
    """Working days of the Vietnamese civil service, with an administrator's override table on top.

    Works on `date` values only. Instances are immutable after construction (the overrides are
    copied) and safe to share between threads: their caches are filled idempotently.
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        """Create a calendar; `overrides` maps a date to True (extra working day) or False (extra day off)."""
        self._overrides: dict[date, bool] = dict(overrides or {})
        self._working_by_year: dict[int, tuple[int, ...]] = {}

    def __repr__(self) -> str:
        return f"WorkingCalendar(overrides={len(self._overrides)})"

    def is_working_day(self, d: date) -> bool:
        """Whether civil servants work on `d`."""
        override = self._overrides.get(d)
        if override is not None:
            return override
        return _officially_working(d)

    def day_off_reason(self, d: date) -> str | None:
        """Why `d` is a day off, in Vietnamese (holiday name, weekend, extra day off); None if working."""
        if self.is_working_day(d):
            return None
        if d in self._overrides:
            return OVERRIDE_DAY_OFF_REASON
        name = _official_year(d.year).days_off.get(d)
        if name is not None:
            return name
        return _WEEKEND_REASONS[d.weekday()]

    def next_working_day(self, d: date) -> date:
        """`d` itself if it is a working day, else the first working day after it."""
        if self.is_working_day(d):
            return d
        return self.add_working_days(d, 1)

    def add_working_days(self, start: date, n: int) -> date:
        """The date `n` working days after `start` (not counting `start`); backwards if `n` < 0."""
        if n == 0:
            return self.next_working_day(start)
        year = start.year
        days = self._working_ordinals(year)
        ordinal = start.toordinal()
        if n > 0:
            # bisect_right counts this year's working days up to and including `start`.
            index = bisect_right(days, ordinal) + n - 1
            while index >= len(days):
                index -= len(days)
                year += 1
                days = self._working_ordinals(year)
        else:
            # bisect_left counts this year's working days strictly before `start`.
            index = bisect_left(days, ordinal) + n
            while index < 0:
                year -= 1
                days = self._working_ordinals(year)
                index += len(days)
        return date.fromordinal(days[index])

    def working_days_between(self, a: date, b: date) -> int:
        """Number of working days d with a < d <= b; minus the count for b < d <= a when b < a."""
        if b < a:
            return -self.working_days_between(b, a)
        whole_years = sum(len(self._working_ordinals(year)) for year in range(a.year, b.year))
        up_to_b = bisect_right(self._working_ordinals(b.year), b.toordinal())
        up_to_a = bisect_right(self._working_ordinals(a.year), a.toordinal())
        return whole_years + up_to_b - up_to_a

    def _working_ordinals(self, year: int) -> tuple[int, ...]:
        """Sorted ordinals of the working days of `year`, overrides applied (cached per instance)."""
        days = self._working_by_year.get(year)
        if days is None:
            first = date(year, 1, 1).toordinal()
            last = date(year, 12, 31).toordinal()
            days = tuple(o for o in range(first, last + 1) if self.is_working_day(date.fromordinal(o)))
            self._working_by_year[year] = days
        return days
