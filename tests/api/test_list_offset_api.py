"""Pages by ``offset`` over the API (a deferred join: the page's ids first, then its rows; docs/benchmarks.md
"Deep pages by offset"): every page at every offset is the same rows, whole, in the same order and with the same
headers as the slice of the whole list and as the cursor walk — for the inbox, the done view, a unit's steps
and the instances, in every sort, with and without filters that read the instance row."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from engine.clock import ManualClock
from engine.models import HumanTask
from tests.api.conftest import Api
from tests.engine_support import at

SORTS = [None, "due_at", "-due_at", "updated_at", "-updated_at"]
TITLES = ["Báo cáo quý", "Kế hoạch năm", "Báo cáo tháng", "Tờ trình", "Báo cáo năm", "Công văn", "Báo cáo tuần"]
DEADLINES = ["2024-05-10", None, "2024-04-01", "2024-05-10", None, "2024-06-30", None]


def start(api: Api, n: int, clock: ManualClock) -> dict[str, Any]:
    clock.set(at(date(2024, 3, 4), 9) + timedelta(minutes=7 * n))  # update times apart, in another order than ids
    data: dict[str, Any] = {"deadline": DEADLINES[n]} if DEADLINES[n] else {}
    body = {"process_key": "approval5", "unit_code": "PNV", "title": f"{TITLES[n]} {n}", "data": data}
    response = api.post("/api/v1/process-instances", "cv.pnv", json=body)
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def listed(api: Api, clock: ManualClock) -> dict[str, Any]:
    return make_lists(api, clock)


def make_lists(api: Api, clock: ManualClock) -> dict[str, Any]:
    """Seven instances of PNV (deadlines tied and missing); the first step of three completed, of one extended, of
    two undated; then three more instances whose steps stay open (the done view and the open steps differ)."""
    made = [start(api, n, clock) for n in range(7)]
    for instance in made[:3]:
        step = instance["open_tasks"][0]["id"]
        answer = api.post(f"/api/v1/tasks/{step}/complete", "cv.pnv", json={"data": {"title": "Dự thảo"}})
        assert answer.status_code == 200, answer.json
    later = [start(api, n, clock) for n in (3, 1, 5)]
    open_steps = [i["open_tasks"][0]["id"] for i in made[3:] + later]
    with api.app.extensions["cchc"].uow() as uow:
        due = uow.session.get(HumanTask, open_steps[0]).due_at
        uow.session.execute(update(HumanTask).where(HumanTask.id == open_steps[4]).values(due_at=due))
        uow.session.execute(update(HumanTask).where(HumanTask.id.in_(open_steps[1:3])).values(due_at=None))
        uow.commit()
    return {"instances": made + later, "open": open_steps}


def page(api: Api, path: str, user: str, **query: Any) -> tuple[list[dict[str, Any]], dict[str, str]]:
    response = api.get(path, user, query_string={k: v for k, v in query.items() if v is not None})
    assert response.status_code == 200, response.json
    headers = {k: v for k, v in response.headers.items() if k.startswith("X-")}
    return response.json, headers


def check_offsets(api: Api, path: str, user: str, limit: int, **query: Any) -> list[dict[str, Any]]:
    """Every page by offset is the slice of the whole list and, at a page boundary, the cursor walk's page."""
    rows, headers = page(api, path, user, limit=200, **query)
    total = len(rows)
    assert headers.get("X-Total-Count") == str(total) and "X-Next-Cursor" not in headers
    walked: dict[int, tuple[list[dict[str, Any]], str | None]] = {}
    cursor, at_row = None, 0
    while True:  # the cursor walk, page by page
        got, h = page(api, path, user, limit=limit, cursor=cursor, **query)
        walked[at_row] = (got, h.get("X-Next-Cursor"))
        at_row += len(got)
        cursor = h.get("X-Next-Cursor")
        if cursor is None:
            break
    assert at_row == total
    for offset in range(total + 2):
        got, h = page(api, path, user, limit=limit, offset=offset, **query)
        assert got == rows[offset : offset + limit], (path, query, offset)
        assert h.get("X-Total-Count") == str(total)
        more = offset + limit < total
        assert ("X-Next-Cursor" in h) == more
        if offset in walked:
            assert (got, h.get("X-Next-Cursor")) == walked[offset]
        elif more:  # the next page by that cursor is the next page by offset
            after, _ = page(api, path, user, limit=limit, cursor=h["X-Next-Cursor"], **query)
            assert after == rows[offset + limit : offset + 2 * limit]
    return rows


@pytest.mark.parametrize("sort", SORTS)
def test_offset_pages_of_the_steps(api: Api, listed: dict[str, Any], sort: str | None) -> None:
    inbox = check_offsets(api, "/api/v1/tasks", "cv.pnv", 2, sort=sort)
    assert sorted(r["id"] for r in inbox) == sorted(listed["open"])
    unit = check_offsets(api, "/api/v1/tasks", "tp.pnv", 3, scope="unit", sort=sort)
    assert {r["id"] for r in unit} > set(listed["open"])  # and the next steps of the completed ones
    done = check_offsets(api, "/api/v1/tasks", "cv.pnv", 2, status="completed", sort=sort)
    assert len(done) == 3
    # a filter on the instance row (the search text): the page's ids come through the same join
    found = check_offsets(api, "/api/v1/tasks", "tp.pnv", 2, scope="unit", q="bao cao", sort=sort)
    assert len(found) == 4 and all(r["instance_title"].startswith("Báo cáo") for r in found)


@pytest.mark.parametrize("sort", SORTS)
def test_offset_pages_of_the_instances(api: Api, listed: dict[str, Any], sort: str | None) -> None:
    every = check_offsets(api, "/api/v1/process-instances", "admin", 3, sort=sort)
    assert sorted(r["id"] for r in every) == sorted(i["id"] for i in listed["instances"])
    own = check_offsets(api, "/api/v1/process-instances", "cv.pnv", 4, sort=sort)
    assert own == every
    found = check_offsets(api, "/api/v1/process-instances", "admin", 2, q="bao cao", status="open", sort=sort)
    assert len(found) == 4
    versioned = check_offsets(
        api, "/api/v1/process-instances", "admin", 2, version=every[0]["definition_version"], sort=sort
    )
    assert versioned == every


@pytest.mark.parametrize("bound", [10_000, 3])
def test_an_offset_beyond_the_list_is_an_empty_page(api: Api, listed: dict[str, Any], bound: int) -> None:
    # with a count bound below the list, the count cannot tell the page is empty: the page's query runs
    api.app.config["LIST_COUNT_LIMIT"] = bound
    for path, user, query in (
        ("/api/v1/tasks", "cv.pnv", {}),
        ("/api/v1/tasks", "tp.pnv", {"scope": "unit"}),
        ("/api/v1/process-instances", "admin", {}),
    ):
        whole, _ = page(api, path, user, limit=200, **query)
        for offset in (len(whole), len(whole) + 1, 1000, 10**9):
            rows, headers = page(api, path, user, limit=5, offset=offset, **query)
            assert rows == [] and "X-Next-Cursor" not in headers
        last, headers = page(api, path, user, limit=5, offset=len(whole) - 2, **query)
        assert last == whole[-2:] and "X-Next-Cursor" not in headers
