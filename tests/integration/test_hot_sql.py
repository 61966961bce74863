"""workflows.hot_sql on SQLite: the same rows as the Core statements it replaced (tests/hot_sql_checks.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import hot_sql_checks as checks
from tests.engine_support import EngineRig, make_rig
from workflows import models as _domain  # noqa: F401 - the domain's tables too


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[EngineRig, int, int]]:
    rig = make_rig(f"sqlite:///{tmp_path / 'hot.db'}")
    instance, review = checks.seed(rig)
    yield rig, instance, review
    rig.sql.dispose()


def test_the_request_user_row(seeded: tuple[EngineRig, int, int]) -> None:
    checks.check_request_user(seeded[0])


def test_the_users_of_a_unit_and_organisation(seeded: tuple[EngineRig, int, int]) -> None:
    checks.check_users_of(seeded[0])


def test_the_previous_holder_alone_and_with_the_users(seeded: tuple[EngineRig, int, int]) -> None:
    checks.check_previous_holder(*seeded)


def test_the_active_users_named(seeded: tuple[EngineRig, int, int]) -> None:
    checks.check_active_named(seeded[0])


def test_notifications_written_in_one_statement(seeded: tuple[EngineRig, int, int]) -> None:
    checks.check_insert_notifications(*seeded)
