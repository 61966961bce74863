"""In-app notifications over the API, and e-mail through the outbox to an SMTP sink."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from engine.clock import ManualClock
from engine.errors import InvalidInput
from tests.api.conftest import Api, assert_error
from tests.engine_support import at
from tests.worker_support import enable_mail, give_emails, kinds_of, notifications_of, smtp_sink, tick_at
from workflows import deadlines, worker
from workflows.accounts import get_user
from workflows.models import EmailOutbox, Notification
from workflows.services import Services

DRAFT = {"title": "Dự thảo kế hoạch"}


def services_of(app: Flask) -> Services:
    return app.extensions["cchc"]  # type: ignore[no-any-return]


def complete(api: Api, task_id: int, user: str, data: dict[str, Any], **extra: Any) -> Any:
    return api.post(f"/api/v1/tasks/{task_id}/complete", user, json={"data": data, **extra})


def test_new_step_reaches_the_lane_and_the_list_has_the_agreed_shape(app: Flask, api: Api) -> None:
    view = api.start()
    draft = view["open_tasks"][0]
    assert kinds_of(services_of(app), "cv.pnv") == []  # who started it is not told about their own step
    done = complete(api, draft["id"], "cv.pnv", DRAFT)
    assert done.status_code == 200
    review = done.json["next_tasks"][0]

    body = api.get("/api/v1/notifications", "tp.pnv", query_string={"unread": "true"}).json
    assert set(body) == {"items", "unread"} and body["unread"] == 1
    [item] = body["items"]
    assert set(item) == {"id", "kind", "title", "message", "link", "created_at", "read_at"}
    assert item["kind"] == "new_task" and item["title"] == "Bạn có việc mới: Xem xét dự thảo"
    assert item["link"] == f"/tasks/{review['id']}" and item["read_at"] is None
    assert f"hồ sơ #{view['id']}" in item["message"] and "Hạn xử lý: 17:00 ngày" in item["message"]
    assert api.get("/api/v1/notifications", "tp.ptp").json == {"items": [], "unread": 0}  # another unit's head

    read = api.post(f"/api/v1/notifications/{item['id']}/read", "tp.pnv")
    assert read.status_code == 200 and read.json["read_at"] is not None
    assert api.get("/api/v1/notifications", "tp.pnv", query_string={"unread": "true"}).json == {
        "items": [],
        "unread": 0,
    }
    assert len(api.get("/api/v1/notifications", "tp.pnv").json["items"]) == 1
    assert_error(api.post(f"/api/v1/notifications/{item['id']}/read", "cv.pnv"), 404, "notification_not_found")


def test_return_tells_who_did_the_step_and_assigned_steps_tell_only_the_assignee(app: Flask, api: Api) -> None:
    services = services_of(app)
    view = api.start()
    draft = view["open_tasks"][0]
    review = complete(api, draft["id"], "cv.pnv", DRAFT).json["next_tasks"][0]
    redo = complete(api, review["id"], "tp.pnv", {"approved": False}).json["next_tasks"][0]
    assert redo["element_id"] == "Task_draft"
    [returned] = notifications_of(services, "cv.pnv")
    assert (returned.kind, returned.title) == ("returned", "Bị trả lại: Soạn thảo dự thảo")
    assert returned.link == f"/tasks/{redo['id']}"

    review = complete(api, redo["id"], "cv.pnv", DRAFT).json["next_tasks"][0]
    legal = complete(api, review["id"], "tp.pnv", {"approved": True}).json["next_tasks"][0]
    assert legal["element_id"] == "Task_legal"
    assert kinds_of(services, "cv.ptp") == ["new_task"]  # staff of Phòng Tư pháp (lane code:PTP)
    assert kinds_of(services, "tp.ptp") == []


def test_read_all(app: Flask, api: Api) -> None:
    for _ in range(3):
        view = api.start()
        complete(api, view["open_tasks"][0]["id"], "cv.pnv", DRAFT)
    assert api.get("/api/v1/notifications", "tp.pnv").json["unread"] == 3
    response = api.post("/api/v1/notifications/read-all", "tp.pnv")
    assert response.status_code == 200 and response.json == {"updated": 3, "unread": 0}
    assert api.get("/api/v1/notifications", "tp.pnv", query_string={"unread": "true"}).json["items"] == []


def test_notifications_roll_back_with_the_action(app: Flask, api: Api) -> None:
    services = services_of(app)
    view = api.start()
    draft_id = view["open_tasks"][0]["id"]

    with services.uow() as uow:
        who = get_user(uow.session, "cv.pnv").actor
        deadlines.complete_step(services, uow, who, draft_id, DRAFT, None)
        assert uow.session.scalar(select(func.count()).select_from(Notification)) == 1  # written in the action …
        # … and gone when it rolls back (no commit)
    assert kinds_of(services, "tp.pnv") == []
    with services.uow() as uow, pytest.raises(InvalidInput):
        deadlines.complete_step(services, uow, who, draft_id, {"title": ""}, None)
    assert kinds_of(services, "tp.pnv") == []


def test_emails_go_out_after_commit_exactly_once(app: Flask, api: Api, clock: ManualClock) -> None:
    services = services_of(app)
    give_emails(services)
    with smtp_sink() as (sink, port):
        enable_mail(services, port)
        view = api.start()
        complete(api, view["open_tasks"][0]["id"], "cv.pnv", DRAFT)
        assert sink.messages == []  # nothing is sent inside the request
        report = worker.tick(services, clock.now())
        assert report.notifications_sent == 1
        assert sink.subjects_to("tp.pnv@sadec.test") == ["Bạn có việc mới: Xem xét dự thảo"]
        assert worker.tick(services, clock.now()).notifications_sent == 0
        assert len(sink.messages) == 1
        with services.sessions() as session:
            row = session.scalar(select(EmailOutbox))
            assert (row.status, row.attempts, row.sent_at is not None) == ("sent", 1, True)


def test_smtp_failure_is_retried_with_backoff_and_nothing_is_lost(app: Flask, api: Api, clock: ManualClock) -> None:
    services = services_of(app)
    give_emails(services)
    with smtp_sink() as (sink, port):
        enable_mail(services, port)
    # the server is gone now
    view = api.start()
    complete(api, view["open_tasks"][0]["id"], "cv.pnv", DRAFT)
    report = worker.tick(services, clock.now())
    assert (report.notifications_sent, report.notifications_failed) == (0, 1)
    with services.sessions() as session:
        row = session.scalar(select(EmailOutbox))
        assert (row.status, row.attempts) == ("pending", 1) and row.last_error
        first_retry = row.next_attempt_at
    assert (first_retry - clock.now()).total_seconds() == 30
    assert worker.tick(services, clock.now()).notifications_failed == 0  # not due yet
    tick_at(services, clock, first_retry)
    with services.sessions() as session:
        row = session.scalar(select(EmailOutbox))
        assert row.attempts == 2 and (row.next_attempt_at - first_retry).total_seconds() == 60
    with smtp_sink(port) as (sink, _):
        report = tick_at(services, clock, row.next_attempt_at)
        assert report.notifications_sent == 1
        assert sink.subjects_to("tp.pnv@sadec.test") == ["Bạn có việc mới: Xem xét dự thảo"]


def test_mail_is_off_by_default(app: Flask, api: Api) -> None:
    services = services_of(app)
    give_emails(services)
    assert not services.mail.enabled
    view = api.start()
    complete(api, view["open_tasks"][0]["id"], "cv.pnv", DRAFT)
    with services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(EmailOutbox)) == 0
    assert kinds_of(services, "tp.pnv") == ["new_task"]


def test_due_day_in_the_message_is_local_time(app: Flask, api: Api, clock: ManualClock) -> None:
    services = services_of(app)
    clock.set(at(date(2024, 1, 2)))
    view = api.start()
    complete(api, view["open_tasks"][0]["id"], "cv.pnv", DRAFT)
    [notice] = notifications_of(services, "tp.pnv")
    assert "17:00 ngày 09/01/2024" in notice.message  # review due: draft due (Fri 05/01) + 2 working days


def test_escalation_records_naming_several_roles(app: Flask, api: Api, clock: ManualClock) -> None:
    """inspection records {'step', 'to': ['head', 'coordinator'], 'unit': <code>}: the head hears; the holder once."""
    services = services_of(app)
    clock.set(at(date(2024, 1, 2)))
    view = api.start(
        user="cchc.pnv",
        unit="PNV",
        key="inspection",
        activity_title="Kiểm tra công tác CCHC năm 2024",
        notice_working_days=5,
        plan_working_days=5,
    )
    [plan] = view["open_tasks"]
    assert (plan["element_id"], plan["role"]) == ("Task_plan_draft", "coordinator")
    report = tick_at(services, clock, at("2024-01-09", 17, 1))  # 02/01 + 5 working days, 17:00
    assert report.timers_fired == 1 and report.escalations == 0
    assert [(n.kind, n.title) for n in notifications_of(services, "tp.pnv")] == [
        ("escalated", "Cảnh báo quá hạn: Soạn kế hoạch kiểm tra CCHC")
    ]
    assert kinds_of(services, "cchc.pnv") == ["overdue"]
    assert kinds_of(services, "cv.pnv") == []


def test_assignment_tells_the_assignee(app: Flask, api: Api) -> None:
    services = services_of(app)
    view = api.start(user="cv.p1", unit="P1")
    draft = view["open_tasks"][0]
    assert kinds_of(services, "cv.p1") == []
    assigned = api.post(f"/api/v1/tasks/{draft['id']}/assign", "ct.p1", json={"username": "cv.p1"})
    assert assigned.status_code == 200
    [notice] = notifications_of(services, "cv.p1")
    assert (notice.kind, notice.title) == ("new_task", "Bạn có việc mới: Soạn thảo dự thảo")
    assert "được giao" in notice.message and notice.link == f"/tasks/{draft['id']}"


def test_return_recorded_by_the_process_carries_its_reason(app: Flask, api: Api) -> None:
    services = services_of(app)
    data = {
        "activity_code": "VII.3.2",
        "activity_title": "Báo cáo CCHC quý I/2024",
        "deadline": "2024-03-15",
        "period_label": "Quý I/2024",
        "period_kind": "quarter",
    }
    view = api.start(user="cv.p1", unit="P1", key="periodic_report", **data)
    files = [api.upload("cv.p1", "bc.pdf")]
    report = {"report_content": "Kết quả thực hiện CCHC quý I/2024 của đơn vị", "attachments": files}
    review = complete(api, view["open_tasks"][0]["id"], "cv.p1", report).json["next_tasks"][0]
    assert kinds_of(services, "ct.p1") == ["new_task"]
    decision = {"decision": "return", "return_reason": "Bổ sung phụ lục", "extend": False}
    back = complete(api, review["id"], "ct.p1", decision)
    assert back.status_code == 200, back.json
    [returned] = notifications_of(services, "cv.p1")
    assert returned.kind == "returned" and "Lý do: Bổ sung phụ lục." in returned.message
    assert 'Bước "Soạn báo cáo" của hồ sơ' in returned.message and "Báo cáo CCHC quý I/2024" in returned.message
