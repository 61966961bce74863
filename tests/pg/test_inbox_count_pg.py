"""The inbox's total on PostgreSQL (``engine.queries._count_kinds``) reads the caller's own steps and the unclaimed
steps of their roles and unit, each kind by its own index, and checks only those against the other conditions: not
the organisation's other open steps (docs/benchmarks.md, "PostgreSQL round trips per request, sixth pass").

With statistics of an empty step table (a server autovacuum has not come by yet) the planner weighs the indexes
alike and no form of the statement is sure to be read so: measured, not pinned here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, text

from api import create_app
from engine.db import make_engine
from engine.definitions import read_bundle
from engine.views import SYSTEM_ACTOR
from tests.api.conftest import Api
from tests.engine_support import FIXTURES
from tests.pg.conftest import pg_url
from workflows.definitions import deploy_definition
from workflows.demo import load_demo
from workflows.schema import upgrade

pytestmark = pytest.mark.pg

OTHER_UNIT_STEPS = 3_000


def _rows_read(node: dict[str, Any], table: str) -> int:
    """Rows the plan's nodes on ``table`` produced or threw away (EXPLAIN ANALYZE, as JSON), over every loop."""
    found = 0
    if node.get("Relation Name") == table:
        loops = int(node.get("Actual Loops", 1))
        found += (int(node.get("Actual Rows", 0)) + int(node.get("Rows Removed by Filter", 0))) * loops
    for child in node.get("Plans", ()):
        found += _rows_read(child, table)
    return found


def _count_statement(api: Api, user: str) -> tuple[str, Any, int]:
    """The inbox's count statement of ``user`` with its parameters, and the total the answer gives."""
    sql = api.app.extensions["cchc"].sql
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    api.token(user)
    event.listen(sql, "before_cursor_execute", capture)
    try:
        answer = api.get("/api/v1/tasks", user)
    finally:
        event.remove(sql, "before_cursor_execute", capture)
    assert answer.status_code == 200, answer.json
    [(statement, parameters)] = [(s, p) for s, p in seen if s.startswith("SELECT count(*)")]
    return statement, parameters, int(answer.headers["X-Total-Count"])


@contextmanager
def _migrated_api() -> Iterator[Api]:
    """The app on a fresh schema made by the migrations, as a server's (its indexes in the migrations' order: with
    no statistics the planner weighs indexes alike), with the demo data and the approval5 fixture."""
    url = pg_url()
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "TESTING": True})
    services = app.extensions["cchc"]
    load_demo(services)
    with services.uow() as uow:
        bpmn, files = read_bundle(FIXTURES / "approval5" / "approval5.bpmn")
        deploy_definition(services, uow, bpmn, files, SYSTEM_ACTOR)
        uow.commit()
    try:
        yield Api(app)
    finally:
        services.close()


def test_the_inbox_total_reads_the_caller_s_steps() -> None:
    with _migrated_api() as api:
        sql = api.app.extensions["cchc"].sql
        mine = api.start("cv.pnv", "PNV", topic="Của tôi")["open_tasks"][0]
        other = api.start("cv.ptp", "PTP", topic="Việc của phòng khác")["open_tasks"][0]
        with sql.begin() as conn:  # the organisation's other open steps: copies of another unit's
            columns = ", ".join(
                conn.scalars(
                    text(
                        "SELECT column_name FROM information_schema.columns WHERE table_name = 'human_task' "
                        "AND column_name NOT IN ('id', 'task_guid') ORDER BY ordinal_position"
                    )
                )
            )
            conn.execute(
                text(
                    f"INSERT INTO human_task (task_guid, {columns}) SELECT md5(task_guid || n), {columns} "
                    "FROM human_task, generate_series(1, :n) AS n WHERE id = :id"
                ),
                {"n": OTHER_UNIT_STEPS, "id": other["id"]},
            )
        with sql.begin() as conn:
            conn.execute(text("ANALYZE human_task"))
        statement, parameters, total = _count_statement(api, "cv.pnv")
        assert total == 1 and mine["id"]
        with sql.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            with raw.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
                [[[plan]]] = cursor.fetchall()
            conn.rollback()
        read = _rows_read(plan["Plan"], "human_task")
        assert read <= 2, (read, statement)  # the caller's one step (and its candidates' scan finding it)
