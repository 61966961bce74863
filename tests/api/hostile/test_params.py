"""Hostile paths and query strings: NUL, overlong or absurd values, out-of-range dates and numbers → a 4xx."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tests.api.hostile.support import assert_refused, census, login_form

GETS = [
    # NUL in a path segment: PostgreSQL refuses the lookup; never a database error
    ("/api/v1/process-definitions/a%00b", 404, "not_found"),
    ("/api/v1/process-definitions/a%00b/versions", 404, "not_found"),
    ("/api/v1/process-definitions/approval5%00/versions/1/bpmn", 404, "not_found"),
    ("/api/v1/process-definitions/" + "k" * 300, 404, "not_found"),
    # ids beyond PostgreSQL's integer, negative, or not numbers
    ("/api/v1/process-instances/2147483648", 404, "not_found"),
    ("/api/v1/process-instances/99999999999999999999999", 404, "not_found"),
    ("/api/v1/process-instances/-1", 404, "not_found"),
    ("/api/v1/tasks/1e3", 404, "not_found"),
    ("/api/v1/process-definitions/approval5/versions/2147483648/bpmn", 404, "not_found"),
    ("/api/v1/plans/0/activities/99999999999", 404, "not_found"),
    # query strings
    ("/api/v1/process-instances?process_key=a%00", 422, "text_invalid"),
    ("/api/v1/tasks?unit=%00", 422, "text_invalid"),
    ("/api/v1/process-instances?a%00=1", 422, "text_invalid"),
    ("/api/v1/process-instances?" + "&".join(f"p{i}=1" for i in range(51)), 400, "query_too_large"),
    ("/api/v1/process-instances?" + "a" + "[b]" * 200 + "=1", 400, "query_too_large"),
    ("/api/v1/process-instances?process_key=" + "x" * 2001, 400, "query_too_large"),
    ("/api/v1/process-instances?process_key=" + "x" * 201, 422, "validation_error"),
    ("/api/v1/process-instances?limit=0", 422, "validation_error"),
    ("/api/v1/process-instances?limit=-5", 422, "validation_error"),
    ("/api/v1/process-instances?limit=501", 422, "validation_error"),
    ("/api/v1/process-instances?limit=99999999999999999999999", 422, "validation_error"),
    ("/api/v1/process-instances?limit=1e3", 422, "validation_error"),
    ("/api/v1/process-instances?limit=NaN", 422, "validation_error"),
    ("/api/v1/process-instances?offset=-1", 422, "validation_error"),
    ("/api/v1/process-instances?offset=2147483648", 422, "validation_error"),
    ("/api/v1/process-instances?offset=99999999999999999999", 422, "validation_error"),
    ("/api/v1/process-instances?status=running%27%20OR%20%271%27=%271", 422, "validation_error"),
    ("/api/v1/notifications?limit=0", 422, "validation_error"),
    ("/api/v1/calendar/overrides?year=99999", 422, "validation_error"),
    ("/api/v1/calendar/overrides?year=-1", 422, "validation_error"),
    # dates: malformed, impossible, and at both ends of what a date can be
    ("/api/v1/calendar/due-date?start=9999-12-31&working_days=5", 422, "date_out_of_range"),
    ("/api/v1/calendar/due-date?start=0001-01-01&working_days=-5", 422, "date_out_of_range"),
    ("/api/v1/calendar/due-date?start=2200-12-30&working_days=5", 422, "date_out_of_range"),
    ("/api/v1/calendar/due-date?start=1900-01-02&working_days=-5", 422, "date_out_of_range"),
    ("/api/v1/calendar/due-date?start=2024-02-30&working_days=5", 422, "validation_error"),
    ("/api/v1/calendar/due-date?start=2024-13-01&working_days=5", 422, "validation_error"),
    ("/api/v1/calendar/due-date?start=24-01-01&working_days=5", 422, "validation_error"),
    ("/api/v1/calendar/due-date?start=2024-01-01&working_days=1001", 422, "validation_error"),
    ("/api/v1/calendar/due-date?start=2024-01-01&working_days=99999999999999999999", 422, "validation_error"),
    ("/api/v1/units?on=0001-01-01", 422, "validation_error"),
    ("/api/v1/units?on=9999-12-31", 422, "validation_error"),
    ("/api/v1/reports/deadlines?from=0001-01-01&to=9999-12-31", 422, "validation_error"),
    ("/api/v1/reports/deadlines?group=month&from=1899-12-31", 422, "validation_error"),
    ("/api/v1/plans/1/activities?due_before=9999-12-31", 422, "validation_error"),
]


@pytest.mark.parametrize(("path", "status", "code"), GETS, ids=[g[0][:90] for g in GETS])
def test_hostile_path_or_query_is_refused(shared: Api, path: str, status: int, code: str) -> None:
    assert_refused(shared.get(path, "admin"), status, code)


WRITES = [
    ("PATCH", "/api/v1/users/a%00b", {"full_name": "x"}, 404, "not_found"),
    ("PATCH", "/api/v1/units/a%00b", {"name": "x"}, 404, "not_found"),
    ("DELETE", "/api/v1/calendar/overrides/2024-01-0%00", None, 404, "not_found"),
    ("DELETE", "/api/v1/calendar/overrides/9999-99-99", None, 422, "date_invalid"),
    ("POST", "/api/v1/tasks/2147483648/complete", {"data": {}}, 404, "not_found"),
    ("POST", "/api/v1/calendar/overrides", {"day": "9999-12-31", "working": True}, 422, "validation_error"),
    ("POST", "/api/v1/calendar/overrides", {"day": "0001-01-01", "working": False}, 422, "validation_error"),
    ("POST", "/api/v1/calendar/overrides", {"day": "2024-02-30", "working": False}, 422, "validation_error"),
    ("POST", "/api/v1/plans/1/launch", {"from": "0001-01-01", "until": "9999-12-31"}, 422, "validation_error"),
    ("PATCH", "/api/v1/plans/1/activities/1", {"manual_due": "9999-12-31"}, 422, "validation_error"),
    (
        "POST",
        "/api/v1/units",
        {"code": "PXX", "name": "x", "kind": "cqcm", "valid_from": "0001-01-01"},
        422,
        "validation_error",
    ),
    (
        "POST",
        "/api/v1/process-instances",
        {"process_key": "approval5", "unit_code": "PNV", "version": "1"},
        422,
        "validation_error",
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "status", "code"), WRITES, ids=[f"{w[0]} {w[1]}" for w in WRITES])
def test_hostile_write_is_refused_and_nothing_stored(
    shared: Api, method: str, path: str, body: object, status: int, code: str
) -> None:
    before = census(shared.app)
    assert_refused(shared.call(method, path, "admin", json=body), status, code)
    assert census(shared.app) == before


@pytest.mark.parametrize("due_at", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "9999-12-31"])
def test_an_extension_to_the_ends_of_time_is_refused(api: Api, due_at: str) -> None:
    task = api.start()["open_tasks"][0]
    before = census(api.app)
    response = api.post(f"/api/v1/tasks/{task['id']}/extend", "tp.pnv", json={"due_at": due_at, "reason": "Lý do"})
    error = assert_refused(response, 422, "validation_error")
    assert "1900" in error["details"]["due_at"][0]
    assert census(api.app) == before
    assert api.get(f"/api/v1/tasks/{task['id']}", "tp.pnv").json["due_at"] == task["due_at"]


def test_the_calendar_answers_inside_its_range(shared: Api) -> None:
    near_end = shared.get("/api/v1/calendar/due-date?start=2200-12-01&working_days=5", "admin")
    assert near_end.status_code == 200 and near_end.json["due_date"] == "2200-12-08"
    error = assert_refused(shared.get("/api/v1/calendar/due-date?start=2200-12-31&working_days=1", "admin"), 422)
    assert error["code"] == "date_out_of_range" and "31/12/2200" in error["message"]


def test_the_web_working_day_counter_is_bounded(shared: Api) -> None:
    client = shared.app.test_client()
    assert login_form(client, "cv.pnv", "demo").status_code == 302
    ok = client.get("/ui/api/working-days?start=2024-04-26&end=2024-05-03")
    assert ok.status_code == 200 and ok.json["working_days"] == 2
    # ten thousand years of holiday tables would be computed (and kept) for this one request
    assert_refused(client.get("/ui/api/working-days?start=0001-01-01&end=9999-12-31"), 422, "date_out_of_range")


SQLISH = ["' OR '1'='1", "admin'--", "1; DROP TABLE app_user; --", "%' UNION SELECT password_hash FROM app_user --"]


@pytest.mark.parametrize("text", SQLISH)
def test_sql_looking_strings_are_only_text(shared: Api, text: str) -> None:
    before = census(shared.app)
    assert_refused(shared.post("/api/v1/auth/login", json={"username": text, "password": text}), 401)
    assert_refused(shared.post("/api/v1/auth/login", json={"username": "admin", "password": text}), 401)
    assert_refused(shared.get(f"/api/v1/process-definitions/{text.replace('%', '%25')}", "admin"), 404)
    listed = shared.get("/api/v1/process-instances", "admin", query_string={"process_key": text, "unit": text})
    assert listed.status_code == 200 and listed.json == []
    assert census(shared.app) == before
