"""A list counts its rows up to ``LIST_COUNT_LIMIT`` (issue #16, docs/lists.md "Totals"): ``X-Total-Count`` is
exact up to the bound; beyond it the first page says ``X-Total-Count-More-Than: <bound>`` instead (no wrong
total), and the rows, the offsets and the cursors go on as before. The bound here is small (the app's default is
10,000); 0 counts every row."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.api.conftest import Api

INSTANCES = "/api/v1/process-instances"
LISTS = [  # (path, reader, query): the instances, the inbox, Việc của đơn vị
    (INSTANCES, "admin", {}),
    ("/api/v1/tasks", "cv.pnv", {}),
    ("/api/v1/tasks", "tp.pnv", {"scope": "unit"}),
]


@pytest.fixture
def seven(api: Api) -> list[dict[str, Any]]:
    """Seven instances of PNV, each with one open step in cv.pnv's inbox and the unit's steps."""
    started = []
    for n in range(7):
        body = {"process_key": "approval5", "unit_code": "PNV", "title": f"Hồ sơ {n}", "data": {}}
        response = api.post(INSTANCES, "cv.pnv", json=body)
        assert response.status_code == 201, response.json
        started.append(response.json)
    return started


@pytest.fixture
def bound(app: Flask) -> Iterator[Any]:
    """Set the app's count bound for the test."""
    default = app.config["LIST_COUNT_LIMIT"]

    def set_bound(value: int) -> None:
        app.config["LIST_COUNT_LIMIT"] = value

    yield set_bound
    app.config["LIST_COUNT_LIMIT"] = default


def totals(api: Api, path: str, user: str, **query: Any) -> tuple[str | None, str | None, Any]:
    response = api.get(path, user, query_string=query)
    assert response.status_code == 200, response.json
    return response.headers.get("X-Total-Count"), response.headers.get("X-Total-Count-More-Than"), response


def test_the_default_bound_is_ten_thousand(app: Flask) -> None:
    assert app.config["LIST_COUNT_LIMIT"] == 10_000


@pytest.mark.parametrize(("path", "user", "query"), LISTS)
def test_exact_up_to_the_bound(
    api: Api, seven: list[dict[str, Any]], bound: Any, path: str, user: str, query: Any
) -> None:
    for value in (7, 8, 10_000, 0):  # the bound equal to the count is still exact; 0 counts every row
        bound(value)
        exact, more, _ = totals(api, path, user, limit=2, **query)
        assert (exact, more) == ("7", None), value
    bound(7)
    exact, more, response = totals(api, path, user, limit=2, offset=7, **query)  # past the end: an empty page
    assert (exact, more, response.json) == ("7", None, [])


@pytest.mark.parametrize(("path", "user", "query"), LISTS)
def test_more_than_the_bound(
    api: Api, seven: list[dict[str, Any]], bound: Any, path: str, user: str, query: Any
) -> None:
    bound(5)
    exact, more, response = totals(api, path, user, limit=2, **query)
    assert (exact, more) == (None, "5")  # no wrong total: "more than 5"
    assert len(response.json) == 2
    ids = [r["id"] for r in response.json]
    cursor = response.headers["X-Next-Cursor"]
    while cursor:  # the cursor walks the whole list; its pages are not counted
        page = api.get(path, user, query_string={**query, "limit": 2, "cursor": cursor})
        assert "X-Total-Count" not in page.headers and "X-Total-Count-More-Than" not in page.headers
        ids += [r["id"] for r in page.json]
        cursor = page.headers.get("X-Next-Cursor")
    assert len(ids) == len(set(ids)) == 7
    # the bound caps the count, never the rows: a whole page of 200, and a page by offset beyond the bound
    exact, more, response = totals(api, path, user, limit=200, **query)
    assert (exact, more, len(response.json)) == (None, "5", 7)
    assert "X-Next-Cursor" not in response.headers
    exact, more, response = totals(api, path, user, limit=2, offset=6, **query)
    assert (exact, more, [r["id"] for r in response.json]) == (None, "5", ids[6:])
    # a filter that narrows the list below the bound is exact again
    if path == INSTANCES:
        exact, more, response = totals(api, path, user, q="ho so 3", **query)
        assert (exact, more, len(response.json)) == ("1", None, 1)


def test_the_openapi_document_describes_both_headers(api: Api) -> None:
    spec: dict[str, Any] = api.client.get("/api/v1/openapi.json").json or {}
    for path in ("/api/v1/tasks", INSTANCES):
        headers = spec["paths"][path]["get"]["responses"]["200"]["headers"]
        assert {"X-Total-Count", "X-Total-Count-More-Than", "X-Next-Cursor"} <= set(headers)
        assert "hơn 10.000" in headers["X-Total-Count-More-Than"]["description"]
