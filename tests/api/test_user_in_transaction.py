"""A completion reads its caller inside its own transaction: a locked or unknown account is still refused at once,
before anything else it could learn or change, whatever else is wrong with the request."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event

from tests.api.conftest import Api, assert_error


def _lock(api: Api, username: str) -> None:
    response = api.patch(f"/api/v1/users/{username}", "admin", json={"active": False})
    assert response.status_code == 200 and response.json["active"] is False, response.json


def _complete(api: Api, user: str, task_id: int, **kwargs: Any) -> Any:
    return api.post(f"/api/v1/tasks/{task_id}/complete", user, **kwargs)


def _status(api: Api, task_id: int) -> str:
    return str(api.get(f"/api/v1/tasks/{task_id}", "admin").json["status"])


def test_a_locked_account_cannot_complete_a_step_with_a_token_issued_before(api: Api) -> None:
    task = api.start(topic="Khóa tài khoản")["open_tasks"][0]["id"]
    api.token("cv.pnv")  # logged in while active
    _lock(api, "cv.pnv")
    error = assert_error(_complete(api, "cv.pnv", task, json={"data": {"title": "Dự thảo"}}), 401, "account_disabled")
    assert error["message"] == "Tài khoản đã bị khóa."
    assert _status(api, task) == "ready"


def test_a_locked_account_is_refused_before_its_body_is_judged(api: Api) -> None:
    task = api.start(topic="Khóa tài khoản")["open_tasks"][0]["id"]
    api.token("cv.pnv")
    # an active account learns what is wrong with its body
    assert_error(_complete(api, "cv.pnv", task, json={"data": "không phải đối tượng"}), 422, "validation_error")
    assert_error(_complete(api, "cv.pnv", task, json={"data": {}, "extra": 1}), 422, "validation_error")
    malformed = {"data": "{không phải json", "content_type": "application/json"}
    assert _complete(api, "cv.pnv", task, **malformed).status_code == 400
    _lock(api, "cv.pnv")
    # a locked one only that it is locked, as when its account was read before the body
    assert_error(_complete(api, "cv.pnv", task, json={"data": "không phải đối tượng"}), 401, "account_disabled")
    assert_error(_complete(api, "cv.pnv", task, json={"data": {}, "extra": 1}), 401, "account_disabled")
    assert_error(_complete(api, "cv.pnv", task, **malformed), 401, "account_disabled")
    assert_error(_complete(api, "cv.pnv", 999999, json={"data": {}}), 401, "account_disabled")
    assert _status(api, task) == "ready"


def test_a_token_of_an_unknown_account_is_refused(api: Api, app: Flask) -> None:
    from api.auth import issue_token

    task = api.start(topic="Không có tài khoản")["open_tasks"][0]["id"]
    headers = {"Authorization": f"Bearer {issue_token(app, 'không-có-ai')}"}
    response = api.client.post(f"/api/v1/tasks/{task}/complete", headers=headers, json={"data": {"title": "x"}})
    assert_error(response, 401, "token_invalid")
    response = api.client.post(f"/api/v1/tasks/{task}/complete", headers=headers, json={"data": 1})
    assert_error(response, 401, "token_invalid")
    assert _status(api, task) == "ready"


def test_a_completion_runs_in_one_transaction(api: Api, app: Flask) -> None:
    task = api.start(topic="Một giao dịch")["open_tasks"][0]["id"]
    api.token("cv.pnv")
    begun: list[object] = []

    def count(conn: Any) -> None:
        begun.append(conn)

    engine = app.extensions["cchc"].sql
    event.listen(engine, "begin", count)
    try:
        response = _complete(api, "cv.pnv", task, json={"data": {"title": "Dự thảo"}})
    finally:
        event.remove(engine, "begin", count)
    assert response.status_code == 200, response.json
    assert len(begun) == 1  # the account, the step and the save: one transaction, one commit


def test_a_token_checked_once_still_expires_and_a_changed_one_is_refused(api: Api) -> None:
    token = api.token("cv.pnv")
    assert api.get("/api/v1/me", "cv.pnv").status_code == 200  # its signature checked (and remembered)
    # a changed signature (not its last character: base64 leaves some of that one's bits unused)
    tampered = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    assert_error(api.get("/api/v1/me", headers={"Authorization": f"Bearer {tampered}"}), 401, "token_invalid")
    api.app.config["TOKEN_MAX_AGE"] = -1
    assert_error(api.get("/api/v1/me", "cv.pnv"), 401, "token_expired")
    api.app.config["TOKEN_MAX_AGE"] = 3600
    assert api.get("/api/v1/me", "cv.pnv").status_code == 200
    api.app.config["SECRET_KEY"] = "another key"  # a new key: the tokens signed with the old one are refused
    assert_error(api.get("/api/v1/me", "cv.pnv"), 401, "token_invalid")


def test_a_locked_account_cannot_start_an_instance(api: Api) -> None:
    api.token("cv.pnv")
    _lock(api, "cv.pnv")
    body = {"process_key": "approval5", "unit_code": "PNV", "data": {}}
    assert_error(api.post("/api/v1/process-instances", "cv.pnv", json=body), 401, "account_disabled")
    assert_error(api.post("/api/v1/process-instances", "cv.pnv", json={"data": 1}), 401, "account_disabled")
    assert api.get("/api/v1/process-instances", "admin").json == []


def test_the_inbox_and_plan_progress_read_their_caller_in_their_own_transaction(api: Api, app: Flask) -> None:
    api.token("cv.pnv"), api.token("cchc.pnv")
    plan_id = api.get("/api/v1/plans", "cchc.pnv").json[0]["id"]
    begun: list[object] = []

    def count(conn: Any) -> None:
        begun.append(conn)

    engine = app.extensions["cchc"].sql
    event.listen(engine, "begin", count)
    try:
        assert api.get("/api/v1/tasks", "cv.pnv").status_code == 200
        assert api.get(f"/api/v1/plans/{plan_id}/progress", "cchc.pnv").status_code == 200
    finally:
        event.remove(engine, "begin", count)
    assert len(begun) == 2  # one transaction each: the account and the list (or the plan's progress)
    # a locked account learns only that it is locked, whatever else is wrong with the request
    _lock(api, "cv.pnv"), _lock(api, "cchc.pnv")
    assert_error(api.get("/api/v1/tasks", "cv.pnv"), 401, "account_disabled")
    assert_error(api.get("/api/v1/tasks?limit=9999", "cv.pnv"), 401, "account_disabled")
    assert_error(api.get(f"/api/v1/plans/{plan_id}/progress", "cchc.pnv"), 401, "account_disabled")
    assert_error(api.get("/api/v1/plans/999999/progress", "cchc.pnv"), 401, "account_disabled")


def test_the_reads_of_a_step_an_instance_a_plan_a_document_and_the_notifications_take_one_transaction(
    api: Api, app: Flask
) -> None:
    started = api.start(topic="Một giao dịch mỗi lần đọc")
    task, instance = started["open_tasks"][0]["id"], started["id"]
    document = api.upload("cv.pnv", "bao-cao.pdf")
    plan = api.get("/api/v1/plans", "cchc.pnv").json[0]["id"]
    activity = api.get(f"/api/v1/plans/{plan}/activities", "cchc.pnv").json["items"][0]["id"]
    reads = [
        ("cv.pnv", f"/api/v1/tasks/{task}"),
        ("admin", f"/api/v1/tasks/{task}/candidates"),
        ("cv.pnv", "/api/v1/process-instances"),
        ("cv.pnv", f"/api/v1/process-instances/{instance}"),
        ("cv.pnv", f"/api/v1/process-instances/{instance}/events"),
        ("cv.pnv", f"/api/v1/documents/{document}"),
        ("cv.pnv", "/api/v1/notifications"),
        ("cchc.pnv", "/api/v1/plans"),
        ("cchc.pnv", f"/api/v1/plans/{plan}"),
        ("cchc.pnv", f"/api/v1/plans/{plan}/activities"),
        ("cchc.pnv", f"/api/v1/plans/{plan}/activities/{activity}"),
    ]
    api.token("admin")  # logged in before the count
    begun: list[object] = []

    def count(conn: Any) -> None:
        begun.append(conn)

    engine = app.extensions["cchc"].sql
    for user, path in reads:
        event.listen(engine, "begin", count)
        try:
            response = api.get(path, user)
        finally:
            event.remove(engine, "begin", count)
        assert response.status_code == 200, (path, response.json)
        assert len(begun) == 1, path  # the account and the read: one transaction
        begun.clear()
    # a locked account learns only that it is locked: not whether the step, instance, plan or document exists,
    # nor what is wrong with its query
    _lock(api, "cv.pnv"), _lock(api, "cchc.pnv")
    for user, path in [
        *[(u, p) for u, p in reads if u != "admin"],
        ("cv.pnv", f"/api/v1/tasks/{task}/candidates"),
        ("cv.pnv", "/api/v1/tasks/999999"),
        ("cv.pnv", "/api/v1/tasks/999999/candidates"),
        ("cv.pnv", "/api/v1/process-instances/999999"),
        ("cv.pnv", "/api/v1/process-instances/999999/events"),
        ("cv.pnv", "/api/v1/process-instances?limit=9999"),
        ("cv.pnv", "/api/v1/documents/999999"),
        ("cv.pnv", "/api/v1/notifications?limit=-1"),
        ("cchc.pnv", "/api/v1/plans/999999"),
        ("cchc.pnv", f"/api/v1/plans/{plan}/activities?status=không-có"),
        ("cchc.pnv", f"/api/v1/plans/{plan}/activities/999999"),
    ]:
        assert_error(api.get(path, user), 401, "account_disabled")
