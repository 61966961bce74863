"""The inbox's total on PostgreSQL (``engine.queries._count_kinds``) reads the caller's own steps and the unclaimed
steps of their roles and unit, each kind by its own index, and checks only those against the other conditions: not
the organisation's other open steps (docs/benchmarks.md, "PostgreSQL round trips per request, sixth pass").

With statistics of an empty step table (a server autovacuum has not come by yet) the planner weighs the indexes
alike and no form of the statement is sure to be read so: measured, not pinned here."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, text

from tests.api.conftest import Api
from tests.pg.conftest import approval5_api

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


def test_the_inbox_total_reads_the_caller_s_steps() -> None:
    # The migrations' schema, as a server's: its indexes in their order (with no statistics the planner weighs
    # indexes alike).
    with approval5_api(migrated=True) as api:
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
