"""``engine.local_dates.local_date``: the database's local day of a stored UTC moment is Python's, in any zone —
at local midnight, across daylight-saving changes, a UTC date behind or ahead (issue #16: a plan's progress is
counted by the database against deadlines held in local days)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, literal, select

from engine.db import UTCDateTime, make_engine
from engine.local_dates import local_date

ZONES = ["Asia/Ho_Chi_Minh", "Europe/Paris", "America/New_York", "Pacific/Chatham", "Asia/Kolkata"]


def moments() -> list[datetime]:
    """Every half hour across two days around each zone's DST changes of 2024, and around a new year."""
    starts = [datetime(2024, 3, 9, tzinfo=UTC), datetime(2024, 3, 30, tzinfo=UTC), datetime(2024, 4, 6, tzinfo=UTC)]
    starts += [datetime(2024, 9, 28, tzinfo=UTC), datetime(2024, 10, 26, tzinfo=UTC), datetime(2024, 11, 2, tzinfo=UTC)]
    starts += [datetime(2023, 12, 31, tzinfo=UTC)]
    return [start + timedelta(minutes=30 * n, seconds=n % 7) for start in starts for n in range(96)]


def check_local_dates(sql: Engine) -> None:
    with sql.connect() as conn:
        for name in ZONES:
            zone = ZoneInfo(name)
            for moment in moments():
                found = conn.scalar(select(local_date(literal(moment, UTCDateTime()), zone)))
                assert found == moment.astimezone(zone).date(), (name, moment)
        assert conn.scalar(select(local_date(literal(None, UTCDateTime())))) is None


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///{tmp}/file.db"])
def test_sqlite_gives_python_s_local_day(url: str, tmp_path: object) -> None:
    sql = make_engine(url.format(tmp=tmp_path))
    try:
        check_local_dates(sql)
    finally:
        sql.dispose()


def test_a_zone_without_an_iana_name_is_refused() -> None:
    with pytest.raises(ValueError, match="IANA"):
        local_date(literal(datetime(2024, 1, 1, tzinfo=UTC), UTCDateTime()), UTC)
