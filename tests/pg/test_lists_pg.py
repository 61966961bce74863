"""The list tests of tests/api/test_lists_api.py against PostgreSQL: search folding, word starts, literal
wildcards (LIKE … ESCAPE), paging totals, sort and ties, the unit's steps and the activity's deadline."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from engine.clock import ManualClock
from tests.api import test_lists_api as cases
from tests.api.conftest import START, Api
from tests.pg.conftest import approval5_api

pytestmark = pytest.mark.pg

CASES: list[Callable[..., Any]] = [
    cases.test_q_folds_diacritics_and_matches_word_starts,
    cases.test_like_wildcards_in_q_are_literal,
    cases.test_total_count_with_limit_and_offset,
    cases.test_sort_by_due_date_and_update_time,
    cases.test_unit_scope_lists_every_open_step_of_the_heads_unit,
    cases.test_activity_deadline_beside_the_steps_and_its_filter,
    cases.test_a_renamed_unit_is_found_by_its_new_name,
]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def pg_api(clock: ManualClock) -> Iterator[Api]:
    with approval5_api(CLOCK=clock) as api:
        yield api


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__.removeprefix("test_"))
def test_lists_on_postgresql(case: Callable[..., Any], pg_api: Api, clock: ManualClock) -> None:
    wanted = inspect.signature(case).parameters
    case(**{name: value for name, value in {"api": pg_api, "clock": clock}.items() if name in wanted})
