"""workflows.hot_sql on PostgreSQL (psycopg placeholders, casts, prepared statements): the same rows as the Core
statements it replaced (tests/hot_sql_checks.py)."""

from __future__ import annotations

import pytest

from tests import hot_sql_checks as checks
from tests.engine_support import EngineRig

pytestmark = pytest.mark.pg


def test_hot_statements_match_core_on_postgresql(pg_rig: EngineRig) -> None:
    checks.check_all(pg_rig)
