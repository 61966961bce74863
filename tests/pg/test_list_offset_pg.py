"""The offset pages of tests/api/test_list_offset_api.py against PostgreSQL: every page by ``offset`` (a deferred
join) is the slice of the whole list and the cursor walk's page, rows and headers alike, in every sort."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.clock import ManualClock
from tests.api import test_list_offset_api as cases
from tests.api.conftest import START, Api
from tests.pg.conftest import approval5_api

pytestmark = pytest.mark.pg


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def pg_api(clock: ManualClock) -> Iterator[Api]:
    with approval5_api(CLOCK=clock) as api:
        yield api


def test_offset_pages_on_postgresql(pg_api: Api, clock: ManualClock) -> None:
    listed = cases.make_lists(pg_api, clock)
    for sort in cases.SORTS:
        cases.test_offset_pages_of_the_steps(pg_api, listed, sort)
        cases.test_offset_pages_of_the_instances(pg_api, listed, sort)
    for bound in (10_000, 3):
        cases.test_an_offset_beyond_the_list_is_an_empty_page(pg_api, listed, bound)
