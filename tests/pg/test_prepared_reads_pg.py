"""Reads end by COMMIT on PostgreSQL, so psycopg keeps the statements it has prepared on a connection (it forgets
them all at each ROLLBACK): a request's statements are parsed and planned once per connection, not every time."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from engine.db import UnitOfWork

from .conftest import approval5_api

pytestmark = pytest.mark.pg


def _prepared(uow: UnitOfWork) -> list[str]:
    return list(uow.session.execute(text("SELECT statement FROM pg_prepared_statements")).scalars())


def test_reads_keep_the_statements_psycopg_has_prepared() -> None:
    with approval5_api() as api:
        services = api.app.extensions["cchc"]
        for _ in range(24):  # psycopg prepares a statement at its sixth run on a connection (the pool has several)
            assert api.get("/api/v1/tasks", "cv.pnv").status_code == 200
        with services.read() as uow:
            prepared = _prepared(uow)
        assert any("FROM app_user" in s for s in prepared), prepared  # the caller's account
        assert any("count(*)" in s and "human_task" in s for s in prepared), prepared  # the inbox's total
