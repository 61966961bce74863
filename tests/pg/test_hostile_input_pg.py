"""Hostile input against PostgreSQL, where NUL in text and integer overflow are errors of the database itself."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from engine.clock import ManualClock
from tests.api.conftest import START, Api
from tests.api.hostile.support import assert_refused, census, login_form
from tests.pg.conftest import approval5_api

pytestmark = pytest.mark.pg

START_BODY = '{"process_key": "approval5", "unit_code": "PNV", '


@pytest.fixture(scope="module")
def pg_api() -> Iterator[Api]:
    limits = {"LOGIN_RATE_LIMIT": "1000 per minute", "LOGIN_ADDRESS_RATE_LIMIT": "1000 per minute"}
    with approval5_api(CLOCK=ManualClock(START), **limits) as api:
        yield api


BODIES = [
    ("/api/v1/process-instances", START_BODY + '"title": "a\\u0000b"}', 422, "text_invalid"),
    ("/api/v1/process-instances", '{"process_key": "approval5", "unit_code": "P\\u0000NV"}', 422, "text_invalid"),
    ("/api/v1/process-instances", '{"process_key": "appr\\u0000oval5", "unit_code": "PNV"}', 422, "text_invalid"),
    ("/api/v1/process-instances", START_BODY + '"data": {"note": "\\u0000"}}', 422, "text_invalid"),
    ("/api/v1/process-instances", START_BODY + f'"version": {2**40}}}', 422, "validation_error"),
    ("/api/v1/process-instances", START_BODY + f'"version": {2**31}}}', 422, "validation_error"),
    ("/api/v1/process-instances", START_BODY + '"version": ' + "9" * 5000 + "}", 422, "number_out_of_range"),
    ("/api/v1/process-instances", START_BODY + f'"data": {{"n": {2**63}}}}}', 422, "number_out_of_range"),
    ("/api/v1/process-instances", START_BODY + '"title": "\\ud800"}', 422, "text_invalid"),
    ("/api/v1/process-instances", "[" * 10_000 + "]" * 10_000, 400, "json_too_deep"),
    ("/api/v1/units", '{"code": "PXX", "name": "a\\u0000", "kind": "cqcm"}', 422, "text_invalid"),
    ("/api/v1/units", '{"code": "PXX", "name": "a", "kind": "cqcm", "parent_code": "U\\u0000"}', 422, "text_invalid"),
    (
        "/api/v1/users",
        '{"username": "ab", "full_name": "a", "password": "abcd", "unit_code": "P\\u0000", "roles": ["staff"]}',
        422,
        "text_invalid",
    ),
    ("/api/v1/calendar/overrides", '{"day": "2024-05-02", "working": false, "reason": "\\u0000"}', 422, "text_invalid"),
    ("/api/v1/tasks/1/assign", '{"username": "x\\u0000"}', 422, "text_invalid"),
]


@pytest.mark.parametrize(
    ("path", "raw", "status", "code"), BODIES, ids=[f"{b[0]} {b[3]} {i}" for i, b in enumerate(BODIES)]
)
def test_hostile_bodies_are_refused_on_postgresql(pg_api: Api, path: str, raw: str, status: int, code: str) -> None:
    before = census(pg_api.app)
    assert_refused(pg_api.post(path, "admin", data=raw, content_type="application/json"), status, code)
    assert census(pg_api.app) == before


def test_the_login_with_nul_is_refused_on_postgresql(pg_api: Api) -> None:
    assert_refused(pg_api.post("/api/v1/auth/login", json={"username": "admin\x00", "password": "demo"}), 422)
    assert_refused(pg_api.post("/api/v1/auth/login", data="[" * 10_000, content_type="application/json"), 400)
    client = pg_api.app.test_client()
    refused = login_form(client, "admin\x00", "demo")  # a web page: the Vietnamese HTML error page (issue #13)
    assert refused.status_code == 422 and refused.mimetype == "text/html"
    assert "Chuỗi chứa ký tự không hợp lệ" in refused.get_data(as_text=True)
    assert login_form(client, "admin", "demo").status_code == 302


GETS = [
    ("/api/v1/process-definitions/a%00b", 404),
    ("/api/v1/process-definitions/a%00b/versions", 404),
    ("/api/v1/process-instances?process_key=a%00", 422),
    ("/api/v1/process-instances?unit=a%00", 422),
    ("/api/v1/tasks?process_key=a%00&unit=b%00", 422),
    ("/api/v1/process-instances?offset=99999999999999999999", 422),
    ("/api/v1/process-instances/2147483648", 404),
    ("/api/v1/tasks/9223372036854775808", 404),
    ("/api/v1/process-definitions/approval5/versions/2147483648/bpmn", 404),
    ("/api/v1/calendar/due-date?start=9999-12-31&working_days=5", 422),
    ("/api/v1/calendar/due-date?start=0001-01-01&working_days=-5", 422),
    ("/api/v1/reports/deadlines?from=0001-01-01&to=9999-12-31", 422),
]


@pytest.mark.parametrize(("path", "status"), GETS, ids=[g[0] for g in GETS])
def test_hostile_paths_and_queries_are_refused_on_postgresql(pg_api: Api, path: str, status: int) -> None:
    assert_refused(pg_api.get(path, "admin"), status)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("PATCH", "/api/v1/users/a%00b", {"full_name": "x"}), ("PATCH", "/api/v1/units/a%00b", {"name": "x"})],
)
def test_nul_in_a_path_to_write_is_a_404_on_postgresql(pg_api: Api, method: str, path: str, body: Any) -> None:
    before = census(pg_api.app)
    assert_refused(pg_api.call(method, path, "admin", json=body), 404, "not_found")
    assert census(pg_api.app) == before


def test_the_largest_accepted_values_are_stored_exactly_on_postgresql(pg_api: Api) -> None:
    data = {"big": 2**53 - 1, "small": -(2**53 - 1), "text": "Kế hoạch \U0001f600"}
    response = pg_api.post(
        "/api/v1/process-instances",
        "cv.pnv",
        json={"process_key": "approval5", "unit_code": "PNV", "version": 2**31 - 1, "data": data},
    )
    assert_refused(response, 404, "definition_not_found")  # the highest version there can be: looked up, not found
    response = pg_api.post(
        "/api/v1/process-instances", "cv.pnv", json={"process_key": "approval5", "unit_code": "PNV", "data": data}
    )
    assert response.status_code == 201, response.get_data(as_text=True)[:300]
    stored = pg_api.get(f"/api/v1/process-instances/{response.json['id']}", "cv.pnv").json["data"]
    assert {k: stored[k] for k in data} == data
    listed = pg_api.get("/api/v1/process-instances?offset=2147483647&limit=200", "admin")
    assert listed.status_code == 200 and listed.json == []
