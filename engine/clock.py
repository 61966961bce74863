"""Engine time: one clock and one local time zone for everything the engine does, SpiffWorkflow's timers too.

SpiffWorkflow's timer module reads ``datetime.now(timezone.utc)`` itself. We give that module a
``datetime`` subclass whose ``now`` asks the clock of the current context, so tests move time by
moving a clock and never by sleeping.

A timer value without a zone (``'2024-03-15T09:00:00'``) is local time. SpiffWorkflow reads it in the
server's zone, fixed when its timer module is imported (``LOCALTZ``); the engine's timer table and
deadlines read it in ``LOCAL_TZ``. On a UTC server the two disagreed by seven hours. ``LOCAL_TZ`` is
configured once (``CCHC_TIMEZONE``, an IANA name, default Asia/Ho_Chi_Minh) and given to SpiffWorkflow
as well, so the server's own zone never matters.
"""

from __future__ import annotations

import contextvars
import os
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


def configured_zone(name: str | None = None) -> ZoneInfo:
    """The zone local times are read in: ``name``, else ``CCHC_TIMEZONE``, else Asia/Ho_Chi_Minh."""
    name = name or os.environ.get("CCHC_TIMEZONE") or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # a typo must stop the start, not shift every timer
        raise RuntimeError(f"CCHC_TIMEZONE: {name!r} is not an IANA time zone (e.g. Asia/Ho_Chi_Minh)") from exc


LOCAL_TZ = configured_zone()


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


class using_clock:
    """Run a block (engine steps, timer refreshes) under ``clock``.

    A class rather than a generator context manager: it is entered several times per completion.
    """

    __slots__ = ("clock", "token")

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def __enter__(self) -> Clock:
        self.token = _current.set(self.clock)
        return self.clock

    def __exit__(self, *_: object) -> None:
        _current.reset(self.token)


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
# SpiffWorkflow reads a zone-less timer value in this zone (``get_datetime``); by default, the server's.
_spiff_timer.LOCALTZ = LOCAL_TZ
