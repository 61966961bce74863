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


def one_round(step_rig: StepRig, operation: str, first: str) -> str:
    """Two threads read the same open step, then write it at once: the completion and ``operation``."""
    before = step_rig.open_step(operation)
    both_read = threading.Barrier(2, timeout=60)
    outcomes: dict[str, str] = {}
    errors: list[BaseException] = []

    def race(name: str) -> None:
        racer = complete if name == "complete" else OPERATIONS[operation]
        try:
            outcomes[name] = step_rig.attempt(racer, before.task_id, ready=both_read.wait)
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    names = [first, operation if first == "complete" else "complete"]
    threads = [threading.Thread(target=race, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    winner = step_rig.check_outcome(operation, before, outcomes)
    if winner == "complete":
        step_rig.assert_closed_for_good(operation, before)
    return winner


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_a_completion_and_a_write_to_the_same_step_one_wins_the_other_is_a_conflict(
    step_rig: StepRig, operation: str
) -> None:
    winners: Counter[str] = Counter()
    for round_ in range(ROUNDS):
        winners[one_round(step_rig, operation, "complete" if round_ % 2 == 0 else operation)] += 1
    assert sum(winners.values()) == ROUNDS, winners
