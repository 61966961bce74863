"""The SQL statements of each main API call, counted, so that an extra query (an N+1, a second read) shows.

Counted with SQLAlchemy's ``before_cursor_execute`` on the app's engine: every statement through SQLAlchemy,
and those the engine runs on the driver cursor (``engine.driver`` dispatches the same event), the per-request user
look-up included; ``BEGIN``/``COMMIT`` and SQLite's ``PRAGMA query_only`` (sent straight to
the driver by ``engine.db``) are not counted. Lists are counted with 1 and with 20 rows of what they list: the
count must not grow with the rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from tests.api.conftest import Api
from tests.api.test_form_documents_api import REPORT, REPORT_START

# approval5: draft (a form, starts the reminder timer), review (cancels the timer, rewrites the tree), legal.
# A new step's holders and whoever last held its element (a return goes back to them): one statement.
COMPLETE_DRAFT = 10
COMPLETE_REVIEW = 13
COMPLETE_LEGAL = 9
START = 10  # a new instance's steps are the save's own rows: not read before the save nor after it (12 before)
COMPLETE_WITH_TWO_DOCUMENTS = 21  # periodic_report; each document read and checked once (26 when attaching read again,
# 22 when attaching read the step's references: none can exist, the step was completed in the same transaction)
LOGIN = 1
TASK_PAGE = 5
INSTANCE_PAGE = 6  # engine.queries.submissions reads the tenant of the instance already read (a list query)


class Statements:
    """The statements the app's engine runs while ``counting()`` is open."""

    def __init__(self, app: Flask) -> None:
        self.engine = app.extensions["cchc"].sql
        self.seen: list[str] = []

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        seen: list[str] = []

        def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            seen.append(statement)

        event.listen(self.engine, "before_cursor_execute", record)
        try:
            yield seen
        finally:
            event.remove(self.engine, "before_cursor_execute", record)
        self.seen = seen

    def count(self, call: Any) -> int:
        """Statements run by ``call()`` (a request; it must succeed)."""
        with self.counting() as seen:
            response = call()
        assert response.status_code < 300, (response.status_code, response.get_data(as_text=True)[:300])
        return len(seen)

    def listed(self) -> str:
        """The statements of the last count, one short line each (for assertion messages)."""
        return "\n".join(" ".join(s.split())[:150] for s in self.seen)


@pytest.fixture
def sql(app: Flask) -> Statements:
    return Statements(app)


def _listing(sql: Statements, call: Any) -> int:
    """Statements of ``call``, which must answer a non-empty list."""
    with sql.counting() as seen:
        response = call()
    assert response.status_code == 200 and response.json, response.get_data(as_text=True)[:300]
    return len(seen)


def _complete(api: Api, user: str, task_id: int, data: dict[str, Any] | None = None) -> Any:
    return api.post(f"/api/v1/tasks/{task_id}/complete", user, json={"data": data or {}})


def _walk_three_steps(api: Api) -> None:
    """An instance through draft, review and legal: the app's caches (units, calendar, forms) are warm after it."""
    task = api.start(topic="Khởi động")["open_tasks"][0]
    for user, data in (("cv.pnv", {"title": "Dự thảo"}), ("tp.pnv", {"approved": True}), ("cv.ptp", {})):
        response = _complete(api, user, task["id"], data)
        assert response.status_code == 200, response.json
        task = response.json["next_tasks"][0]


def test_a_completion_runs_a_fixed_number_of_statements(api: Api, sql: Statements) -> None:
    _walk_three_steps(api)  # logged in and caches warm before counting
    draft = api.start(topic="Kế hoạch")["open_tasks"][0]["id"]
    assert sql.count(lambda: _complete(api, "cv.pnv", draft, {"title": "Dự thảo"})) == COMPLETE_DRAFT, sql.listed()
    review = api.get("/api/v1/tasks", "tp.pnv").json[0]["id"]
    assert sql.count(lambda: _complete(api, "tp.pnv", review, {"approved": True})) == COMPLETE_REVIEW, sql.listed()
    legal = api.get("/api/v1/tasks", "cv.ptp").json[0]["id"]
    assert sql.count(lambda: _complete(api, "cv.ptp", legal)) == COMPLETE_LEGAL, sql.listed()
    # The engine's writes on the driver cursor are counted too: the instance's versioned UPDATE, the step closed.
    writes = [" ".join(s.split()) for s in sql.seen]
    assert sum(s.startswith("UPDATE process_instance SET status = ?") for s in writes) == 1, sql.listed()
    assert sum(s.startswith("UPDATE human_task SET status = 'completed'") for s in writes) == 1, sql.listed()
    # One read of the step (with its instance and open steps) for the check and the engine alike.
    reads = [s for s in sql.seen if s.lstrip().upper().startswith("SELECT")]
    assert sum("FROM human_task" in s and "process_instance" in s for s in reads) == 1, reads


def test_a_completion_reads_each_attached_document_once(api: Api, sql: Statements) -> None:
    """The form's check reads each document and whether the caller may use it; attaching it after the completion
    does not read it again."""
    [step] = api.start("cv.pnv", "PNV", "periodic_report", **REPORT_START)["open_tasks"]
    ids = [api.upload("cv.pnv", "bao-cao-quy-1.pdf"), api.upload("cv.pnv", "phu-luc.xlsx")]
    count = sql.count(lambda: _complete(api, "cv.pnv", step["id"], {**REPORT, "attachments": ids}))
    reads = [s for s in sql.seen if " ".join(s.split()).startswith("SELECT document.id")]
    assert len(reads) == len(ids), sql.listed()
    assert count == COMPLETE_WITH_TWO_DOCUMENTS, sql.listed()


def test_a_document_already_attached_is_checked_in_one_statement_however_many_instances_reference_it(
    api: Api, sql: Statements
) -> None:
    """Whether the caller may use a document that completed steps reference: its references with their instances'
    tenant and unit in one query, not each referencing instance's whole row read in turn (the soak's clerks attach
    the same upload at every completion)."""
    ids = [api.upload("cv.pnv", "bao-cao-quy-1.pdf"), api.upload("cv.pnv", "phu-luc.xlsx")]
    api.token("cv.ptp")
    completions, refused = [], []
    for _ in range(3):
        [step] = api.start("cv.pnv", "PNV", "periodic_report", **REPORT_START)["open_tasks"]
        data = {**REPORT, "attachments": ids}
        completions.append(sql.count(lambda task=step["id"], data=data: _complete(api, "cv.pnv", task, data)))
        # someone of another unit who holds no step of the referencing instances: a 404, as cheap however many
        with sql.counting() as seen:
            assert api.get(f"/api/v1/documents/{ids[0]}", "cv.ptp").status_code == 404
        refused.append(len(seen))
    # referenced by 0, 1, then 2 instances: the same statements as two fresh uploads
    assert completions == [COMPLETE_WITH_TWO_DOCUMENTS] * 3, completions
    # the account, the document, its references with their instances, whether the caller holds a step of one
    assert refused == [4, 4, 4], refused
    assert api.get(f"/api/v1/documents/{ids[0]}", "cv.pnv").status_code == 200


def test_starting_an_instance_and_logging_in_run_a_fixed_number_of_statements(api: Api, sql: Statements) -> None:
    _walk_three_steps(api)
    body = {"process_key": "approval5", "unit_code": "PNV", "data": {"topic": "Kế hoạch"}}
    assert sql.count(lambda: api.post("/api/v1/process-instances", "cv.pnv", json=body)) == START, sql.listed()
    login = {"username": "tp.pnv", "password": "demo"}
    assert sql.count(lambda: api.client.post("/api/v1/auth/login", json=login)) == LOGIN, sql.listed()


def test_reading_a_step_and_an_instance_runs_a_fixed_number_of_statements(api: Api, sql: Statements) -> None:
    _walk_three_steps(api)
    api.get(f"/api/v1/tasks/{api.start(topic='Khởi động')['open_tasks'][0]['id']}", "cv.pnv")  # forms cached
    started = api.start(topic="Kế hoạch")
    task_id = started["open_tasks"][0]["id"]
    assert sql.count(lambda: api.get(f"/api/v1/tasks/{task_id}", "cv.pnv")) == TASK_PAGE, sql.listed()
    _complete(api, "cv.pnv", task_id, {"title": "Dự thảo"})
    path = f"/api/v1/process-instances/{started['id']}"
    assert sql.count(lambda: api.get(path, "cv.pnv")) == INSTANCE_PAGE, sql.listed()


def test_lists_run_as_many_statements_for_twenty_rows_as_for_one(api: Api, sql: Statements) -> None:
    api.token("cv.pnv"), api.token("cchc.pnv")
    api.start(topic="Kế hoạch 0")
    one = {
        "inbox": _listing(sql, lambda: api.get("/api/v1/tasks", "cv.pnv")),
        "instances": _listing(sql, lambda: api.get("/api/v1/process-instances", "cv.pnv")),
    }
    for n in range(1, 20):
        api.start(topic=f"Kế hoạch {n}")
    assert len(api.get("/api/v1/tasks", "cv.pnv").json) == 20
    twenty = {
        "inbox": _listing(sql, lambda: api.get("/api/v1/tasks", "cv.pnv")),
        "instances": _listing(sql, lambda: api.get("/api/v1/process-instances", "cv.pnv")),
    }
    assert twenty == one
    # The user, the total (paging), the rows, their instances and definitions, the unit names at most.
    assert max(one.values()) <= 5, one


def test_plans_and_their_progress_run_a_fixed_number_of_statements(api: Api, sql: Statements) -> None:
    api.token("cchc.pnv"), api.token("admin")
    own = api.get("/api/v1/plans", "cchc.pnv").json
    every = api.get("/api/v1/plans", "admin").json
    assert len(own) == 1 and len(every) > 1  # the coordinator's organisation's plan; every organisation's
    assert _listing(sql, lambda: api.get("/api/v1/plans", "cchc.pnv")) == PLANS, sql.listed()
    assert _listing(sql, lambda: api.get("/api/v1/plans", "admin")) == PLANS, sql.listed()
    plan_id = own[0]["id"]
    assert sql.count(lambda: api.get(f"/api/v1/plans/{plan_id}/progress", "cchc.pnv")) == PROGRESS, sql.listed()
    launched = api.post(f"/api/v1/plans/{plan_id}/launch", "cchc.pnv")
    assert launched.status_code in (200, 201), launched.json
    overall = api.get(f"/api/v1/plans/{plan_id}/progress", "cchc.pnv").json["overall"]
    assert overall["in_progress"] + overall["overdue"] > 1, overall
    assert sql.count(lambda: api.get(f"/api/v1/plans/{plan_id}/progress", "cchc.pnv")) == PROGRESS, sql.listed()


PLANS = 4  # the user, the plans, their activity counts, their organisations' names
PROGRESS = 6  # the user, the plan, its facts, the unit names, its activities' areas, the areas' titles
