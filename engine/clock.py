"""Engine time: one clock for everything the engine does, including SpiffWorkflow's timers.

SpiffWorkflow's timer module reads ``datetime.now(timezone.utc)`` itself. We give that module a
``datetime`` subclass whose ``now`` asks the clock of the current context, so tests move time by
moving a clock and never by sleeping.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    """Source of the current time (timezone-aware, UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to (tests, benchmarks)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to ``moment`` (timezone-aware)."""
        self._now = moment.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move forward by ``delta``."""
        self._now += delta


_SYSTEM_CLOCK = SystemClock()
_current: contextvars.ContextVar[Clock | None] = contextvars.ContextVar("cchc_clock", default=None)


def current_clock() -> Clock:
    """The clock of the current context."""
    return _current.get() or _SYSTEM_CLOCK


@contextlib.contextmanager
def using_clock(clock: Clock) -> Iterator[Clock]:
    """Run a block (engine steps, timer refreshes) under ``clock``."""
    token = _current.set(clock)
    try:
        yield clock
    finally:
        _current.reset(token)


def local_today(clock: Clock | None = None) -> date:
    """Today's date in Vietnam according to ``clock`` (or the current one)."""
    return (clock or current_clock()).now().astimezone(LOCAL_TZ).date()


class _ClockDatetime(datetime):
    """``datetime`` whose ``now`` follows the context clock."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _ClockDatetime:  # type: ignore[override]
        moment = current_clock().now()
        m = moment.astimezone(tz) if tz is not None else moment.astimezone(LOCAL_TZ).replace(tzinfo=None)
        return cls(m.year, m.month, m.day, m.hour, m.minute, m.second, m.microsecond, tzinfo=m.tzinfo)


_spiff_timer.datetime = _ClockDatetime  # type: ignore[attr-defined,misc]
