"""The main lists on a seeded PostgreSQL database (``bench/seed_million.py`` at 20,000 steps, analysed): every
statement the API runs for them reads ``human_task`` through an index, never by a sequential scan (issue #16)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, text

from api import create_app
from bench.seed_million import seed
from tests.pg.conftest import pg_url

pytestmark = pytest.mark.pg


@pytest.fixture(scope="module")
def seeded() -> Iterator[dict[str, Any]]:
    yield seed(pg_url(), 20_000, 200, 1_000)


def _plans(url: str, lists: list[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    """The query plans (EXPLAIN) of the statements reading ``human_task`` that each list's request runs."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "TESTING": True})
    services = app.extensions["cchc"]
    client = app.test_client()
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        captured.append((statement, parameters))

    found: dict[str, list[tuple[str, str]]] = {}
    try:
        for user, path in lists:
            token = client.post("/api/v1/auth/login", json={"username": user, "password": "demo"}).get_json()["token"]
            event.listen(services.sql, "before_cursor_execute", capture)
            answer = client.get(path, headers={"Authorization": f"Bearer {token}"})
            event.remove(services.sql, "before_cursor_execute", capture)
            assert answer.status_code == 200, answer.get_json()
            assert answer.get_json(), path  # the list is not empty: its query had rows to find
            with services.sql.connect() as conn:
                raw = conn.connection.dbapi_connection
                assert raw is not None
                for statement, parameters in captured:
                    if "human_task" in statement and statement.lstrip().upper().startswith("SELECT"):
                        with raw.cursor() as cursor:
                            cursor.execute("EXPLAIN " + statement, parameters)
                            plan = "\n".join(r[0] for r in cursor.fetchall())
                        found.setdefault(path, []).append((statement, plan))
            captured.clear()
    finally:
        services.close()
    return found


def test_no_sequential_scan_of_human_task(seeded: dict[str, Any]) -> None:
    url = pg_url()
    assert seeded["steps"] == 20_000 and seeded["open"] >= 1_900
    assert len(seeded["verified"]) == 9  # a step of each kind opened, completed and its instance read via the API
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "TESTING": True})
    with app.extensions["cchc"].sessions() as session:
        # a staff member to whom a step was given (Giao việc): their inbox reads both kinds of steps
        staff = session.scalar(
            text("SELECT 'cv2.' || lower(unit_code) FROM human_task WHERE status = 'ready' AND role = 'staff' LIMIT 1")
        )
        session.execute(
            text(
                "UPDATE human_task SET assignee = :u WHERE id = (SELECT min(id) FROM human_task WHERE status='ready')"
            ).bindparams(u=staff)
        )
        session.commit()
        finisher = session.scalar(text("SELECT completed_by FROM human_task WHERE completed_by LIKE 'cv%' LIMIT 1"))
        unit = session.scalar(text("SELECT unit_code FROM human_task WHERE status = 'ready' AND unit_code LIKE 'DV%'"))
    app.extensions["cchc"].close()
    first = _cursor(url, "cchc.pnv", "/api/v1/tasks?scope=unit&limit=50")
    lists = [
        (staff, "/api/v1/tasks"),
        (f"cv1.{unit.lower()}", "/api/v1/tasks"),
        (finisher, "/api/v1/tasks?status=completed"),
        ("cchc.pnv", "/api/v1/tasks?scope=unit"),
        ("cchc.pnv", f"/api/v1/tasks?scope=unit&cursor={first}"),
        (f"tp.{unit.lower()}", "/api/v1/tasks?scope=unit"),
        ("admin", "/api/v1/tasks?scope=unit"),
        ("cchc.pnv", "/api/v1/process-instances"),
        ("admin", "/api/v1/process-instances?offset=1000"),
        ("cchc.pnv", "/api/v1/process-instances?offset=1000"),
        ("cchc.pnv", "/api/v1/tasks?scope=unit&offset=1000"),  # deep pages by offset: the page's ids, then its rows
        ("admin", "/api/v1/tasks?scope=unit&offset=1500"),
        ("cchc.pnv", "/api/v1/tasks?scope=unit&sort=-due_at&offset=1000"),
    ]
    plans = _plans(url, lists)
    assert set(plans) == {path for _, path in lists}
    for path, statements in plans.items():
        for statement, plan in statements:
            assert "Seq Scan on human_task" not in plan, f"{path}\n{statement}\n{plan}"


def _cursor(url: str, user: str, path: str) -> str:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "TESTING": True})
    client = app.test_client()
    token = client.post("/api/v1/auth/login", json={"username": user, "password": "demo"}).get_json()["token"]
    answer = client.get(path, headers={"Authorization": f"Bearer {token}"})
    app.extensions["cchc"].close()
    return str(answer.headers["X-Next-Cursor"])


def test_latest_deadline_first_walks_an_index_without_sorting(seeded: dict[str, Any]) -> None:
    """``sort=-due_at`` (nulls last): the page reads the dated rows, then the undated, each by an index walked
    backward — no sort of every open step (before: a top-N sort of the whole list, docs/benchmarks.md)."""
    url = pg_url()
    after = _cursor(url, "cchc.pnv", "/api/v1/tasks?scope=unit&sort=-due_at&limit=50")
    lists = [
        ("cchc.pnv", "/api/v1/tasks?scope=unit&sort=-due_at"),
        ("cchc.pnv", f"/api/v1/tasks?scope=unit&sort=-due_at&cursor={after}"),
        ("admin", "/api/v1/tasks?scope=unit&sort=-due_at"),
    ]
    plans = _plans(url, lists)
    assert set(plans) == {path for _, path in lists}
    for path, statements in plans.items():
        pages = [(statement, plan) for statement, plan in statements if "ORDER BY" in statement]
        assert pages, path
        for statement, plan in pages:
            assert "Sort" not in plan and "Index" in plan, f"{path}\n{statement}\n{plan}"
