"""The per-process copies of the calendar overrides and of the unit tree see another process's change within the
recheck interval (``engine.freshness``), and this process's own change at once (``invalidate``)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.db import Base, make_engine, make_session_factory
from engine.freshness import Recheck, recheck_seconds
from engine.helpers import CalendarSource
from engine.models import CalendarOverride
from workflows.models import Organisation, Unit
from workflows.unit_directory import DbUnitDirectory

NOW = datetime(2024, 1, 2, tzinfo=UTC)
SATURDAY = date(2024, 3, 2)


class Ticks:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    sql = make_engine(f"sqlite:///{tmp_path / 'caches.db'}")
    Base.metadata.create_all(sql)
    return make_session_factory(sql)


def other_process_sets(sessions: sessionmaker[Session], day: date, working: bool) -> None:
    """Another process's committed change: this process's caches are not told."""
    with sessions() as s:
        shared = select(CalendarOverride).where(
            CalendarOverride.day == day, CalendarOverride.organisation_code.is_(None)
        )
        row = s.scalars(shared).one_or_none() or CalendarOverride(day=day)
        row.working, row.created_at = working, NOW
        s.add(row)
        s.commit()


def test_calendar_sees_another_process_change_after_the_recheck_interval(sessions: sessionmaker[Session]) -> None:
    ticks = Ticks()
    source = CalendarSource(sessions, Recheck(5.0, ticks))
    first = source.get()
    assert not first.is_working_day(SATURDAY)
    other_process_sets(sessions, SATURDAY, True)
    ticks.now += 4.9
    assert source.get() is first  # within the interval: the copy is used as is, no query
    ticks.now += 0.2
    second = source.get()
    assert second.is_working_day(SATURDAY)
    ticks.now += 10
    assert source.get() is second  # compared again, unchanged: the calendar (and its built years) is kept
    other_process_sets(sessions, SATURDAY, False)
    source.invalidate()  # this process's own change: at once, whatever the interval
    assert not source.get().is_working_day(SATURDAY)


def test_zero_interval_checks_at_every_use(sessions: sessionmaker[Session]) -> None:
    source = CalendarSource(sessions, Recheck(0.0, Ticks()))
    assert not source.get().is_working_day(SATURDAY)
    other_process_sets(sessions, SATURDAY, True)
    assert source.get().is_working_day(SATURDAY)


def test_unit_directory_sees_another_process_unit(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        s.add(Organisation(code="A", name="Tổ chức A", kind="xa", aliases=[], created_at=NOW))
        s.add(Unit(code="UBND", name="Ủy ban", kind="ubnd", organisation_code="A", aliases=[]))
        s.commit()
    ticks = Ticks()
    units = DbUnitDirectory(sessions, Recheck(5.0, ticks))
    assert units.parent_of("PNV") is None
    with sessions() as s:
        s.add(Unit(code="PNV", name="Phòng Nội vụ", kind="cqcm", parent_code="UBND", organisation_code="A", aliases=[]))
        s.commit()
    assert units.parent_of("PNV") is None
    ticks.now += 5
    assert units.parent_of("PNV") == "UBND"


def test_recheck_interval_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CCHC_CACHE_RECHECK_SECONDS", raising=False)
    assert recheck_seconds() == 5.0 and recheck_seconds(default=math.inf) == math.inf
    monkeypatch.setenv("CCHC_CACHE_RECHECK_SECONDS", "0")
    assert recheck_seconds() == 0.0
    monkeypatch.setenv("CCHC_CACHE_RECHECK_SECONDS", "-1")
    with pytest.raises(ValueError, match="không âm"):
        recheck_seconds()
