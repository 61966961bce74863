"""A plan's progress counted by PostgreSQL (``workflows.plan.status_counts``): the same roll-ups as each occurrence
worked out on its own in Python, local days included (issue #16)."""

from __future__ import annotations

import pytest

from engine.clock import ManualClock
from engine.db import make_engine
from tests.api.conftest import START
from tests.api.test_plan_progress_dump import check_progress_counts_each_occurrence
from tests.pg.conftest import approval5_api, pg_url
from tests.unit.test_local_dates import check_local_dates

pytestmark = pytest.mark.pg


def test_postgresql_counts_what_each_occurrence_says() -> None:
    clock = ManualClock(START)
    with approval5_api(CLOCK=clock) as api:
        check_progress_counts_each_occurrence(api, clock)


def test_postgresql_gives_python_s_local_day() -> None:
    sql = make_engine(pg_url())
    try:
        check_local_dates(sql)
    finally:
        sql.dispose()
