"""Threads racing a completion of one step with a gia hạn, a return or an assignment on PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.pg.conftest import pg_url, reset_schema
from tests.step_race_support import OPERATIONS, StepRig, complete

pytestmark = pytest.mark.pg

ROUNDS = 12


@pytest.fixture
def step_rig() -> Iterator[StepRig]:
    url = pg_url()
    reset_schema(url)
    rig = StepRig(url, create=False)
    yield rig
    rig.close()


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_a_completion_and_a_write_to_the_same_step_one_wins_the_other_is_a_conflict(
    step_rig: StepRig, operation: str
) -> None:
    winners: Counter[str] = Counter()
    for round_ in range(ROUNDS):
        before = step_rig.open_step(operation)
        both_read = threading.Barrier(2, timeout=60)
        outcomes: dict[str, str] = {}
        errors: list[BaseException] = []

        def race(name: str) -> None:
            racer = complete if name == "complete" else OPERATIONS[operation]
            try:
                outcomes[name] = step_rig.attempt(racer, before.task_id, ready=both_read.wait)
            except BaseException as exc:  # noqa: BLE001 - asserted below, with the round
                errors.append(exc)

        names = ["complete", operation] if round_ % 2 == 0 else [operation, "complete"]
        threads = [threading.Thread(target=race, args=(name,)) for name in names]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, (round_, errors)
        winner = step_rig.check_outcome(operation, before, outcomes)
        winners[winner] += 1
        if winner == "complete":
            step_rig.assert_closed_for_good(operation, before)
    assert sum(winners.values()) == ROUNDS, winners
