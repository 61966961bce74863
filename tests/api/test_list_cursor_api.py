"""Keyset paging over the API (issue #16, docs/lists.md "Cursor"): walking a list by ``X-Next-Cursor`` gives the
rows of the whole list once each, in the order of ``offset`` paging, for every sort (deadlines: undated last);
a cursor that is not ours, or given with another sort or with an offset, is a 422."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import update

from engine.clock import ManualClock
from engine.models import HumanTask
from tests.api.conftest import Api, assert_error
from tests.engine_support import at


def start(api: Api, n: int, deadline: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"deadline": deadline} if deadline else {}
    body = {"process_key": "approval5", "unit_code": "PNV", "title": f"Hồ sơ {n}", "data": data}
    response = api.post("/api/v1/process-instances", "cv.pnv", json=body)
    assert response.status_code == 201, response.json
    return response.json


def walk(api: Api, path: str, user: str, **query: Any) -> tuple[list[int], int]:
    """The ids of every page, following X-Next-Cursor from the first page; and how many pages."""
    ids: list[int] = []
    pages = 0
    cursor = None
    while True:
        response = api.get(path, user, query_string={**query, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.json
        assert ("X-Total-Count" in response.headers) == (cursor is None)  # counted on the first page only
        pages += 1
        ids += [r["id"] for r in response.json]
        cursor = response.headers.get("X-Next-Cursor")
        if cursor is None:
            return ids, pages
        assert pages < 50


def whole(api: Api, path: str, user: str, **query: Any) -> list[int]:
    response = api.get(path, user, query_string={**query, "limit": 200})
    assert "X-Next-Cursor" not in response.headers  # the last page has none
    return [r["id"] for r in response.json]


@pytest.fixture
def seven(api: Api, clock: ManualClock) -> list[dict[str, Any]]:
    """Seven instances of PNV, four with a deadline (two sharing one), three without."""
    clock.set(at(date(2024, 3, 4), 9))
    deadlines = ["2024-05-10", None, "2024-04-01", "2024-05-10", None, "2024-06-30", None]
    return [start(api, n, d) for n, d in enumerate(deadlines)]


@pytest.mark.parametrize("sort", [None, "due_at", "-due_at", "updated_at", "-updated_at"])
def test_cursor_walks_the_instances_like_offset(api: Api, seven: list[dict[str, Any]], sort: str | None) -> None:
    query = {"sort": sort} if sort else {}
    ids, pages = walk(api, "/api/v1/process-instances", "admin", limit=2, **query)
    assert ids == whole(api, "/api/v1/process-instances", "admin", **query)
    assert sorted(ids) == sorted(i["id"] for i in seven)
    assert pages == 4
    by_offset = [
        r["id"]
        for offset in range(0, 7, 2)
        for r in api.get(
            "/api/v1/process-instances", "admin", query_string={**query, "limit": 2, "offset": offset}
        ).json
    ]
    assert ids == by_offset


@pytest.mark.parametrize("sort", ["due_at", "-due_at", "-updated_at"])
def test_cursor_walks_the_steps_like_offset(api: Api, seven: list[dict[str, Any]], sort: str) -> None:
    # two steps share a deadline (ties broken by id); three have none, as a step of a diagram without dueDate
    steps = [i["open_tasks"][0]["id"] for i in seven]
    answer = api.post(f"/api/v1/tasks/{steps[1]}/extend", "tp.pnv", json={"due_at": "2024-04-20", "reason": "Gia hạn."})
    assert answer.status_code == 200, answer.json
    with api.app.extensions["cchc"].uow() as uow:
        due = uow.session.get(HumanTask, steps[1]).due_at
        uow.session.execute(update(HumanTask).where(HumanTask.id == steps[5]).values(due_at=due))
        uow.session.execute(update(HumanTask).where(HumanTask.id.in_(steps[2:5])).values(due_at=None))
        uow.commit()
    for path, user, extra in (
        ("/api/v1/tasks", "cv.pnv", {}),
        ("/api/v1/tasks", "tp.pnv", {"scope": "unit"}),
    ):
        ids, _ = walk(api, path, user, limit=3, sort=sort, **extra)
        assert ids == whole(api, path, user, sort=sort, **extra)
        assert sorted(ids) == sorted(steps)
    if sort != "-updated_at":  # the undated steps come last in both directions
        assert sorted(whole(api, "/api/v1/tasks", "cv.pnv", sort=sort)[-3:]) == steps[2:5]


def test_cursor_walks_the_done_view(api: Api, seven: list[dict[str, Any]]) -> None:
    for instance in seven[:5]:
        answer = api.post(
            f"/api/v1/tasks/{instance['open_tasks'][0]['id']}/complete", "cv.pnv", json={"data": {"title": "Dự thảo"}}
        )
        assert answer.status_code == 200, answer.json
    ids, pages = walk(api, "/api/v1/tasks", "cv.pnv", status="completed", limit=2)
    assert len(ids) == 5 and pages == 3
    assert ids == whole(api, "/api/v1/tasks", "cv.pnv", status="completed")


def test_a_cursor_not_ours_or_with_an_offset_is_refused(api: Api, seven: list[dict[str, Any]]) -> None:
    first = api.get("/api/v1/process-instances", "admin", query_string={"limit": 2})
    cursor = first.headers["X-Next-Cursor"]
    for bad in ("xyz", "bm90IGpzb24", "WyJkdWVfYXQiLCJ4IiwxXQ", cursor[:-3]):
        assert_error(api.get("/api/v1/process-instances", "admin", query_string={"cursor": bad}), 422, "invalid_cursor")
    # the cursor of newest-first is no cursor of the deadline order
    other = api.get("/api/v1/process-instances", "admin", query_string={"cursor": cursor, "sort": "due_at"})
    assert assert_error(other, 422, "invalid_cursor")["message"].startswith("Con trỏ trang không hợp lệ")
    both = api.get("/api/v1/process-instances", "admin", query_string={"cursor": cursor, "offset": 2})
    assert "cursor" in str(assert_error(both, 422)["details"])
