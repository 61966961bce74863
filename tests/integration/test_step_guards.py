"""Writes to a step row are conditional on the row as read: of a completion and a gia hạn, return or
assignment that read the same open step, the one that commits second is a 409 and writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.step_race_support import OPERATIONS, StepRig, complete


@pytest.fixture
def step_rig(tmp_path: Path) -> Iterator[StepRig]:
    rig = StepRig(f"sqlite:///{tmp_path / 'steps.db'}", create=True)
    yield rig
    rig.close()


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize("first", ["complete", "other"])
def test_the_second_writer_of_a_step_read_open_is_a_conflict(step_rig: StepRig, operation: str, first: str) -> None:
    before = step_rig.open_step(operation)
    racers = {"complete": complete, operation: OPERATIONS[operation]}
    early = "complete" if first == "complete" else operation
    late = operation if early == "complete" else "complete"
    outcomes: dict[str, str] = {}

    def early_wins() -> None:  # runs after the late racer has read the step, before it writes
        outcomes[early] = step_rig.attempt(racers[early], before.task_id)

    outcomes[late] = step_rig.attempt(racers[late], before.task_id, ready=early_wins)
    assert step_rig.check_outcome(operation, before, outcomes) == early
    if early == "complete":
        step_rig.assert_closed_for_good(operation, before)
