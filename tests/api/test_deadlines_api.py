"""Deadline classification over the API: giải trình for late steps, gia hạn, the inbox filter, the roll-up."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from engine.clock import ManualClock
from engine.models import HumanTask
from tests.api.conftest import Api, assert_error
from tests.engine_support import at, due
from tests.worker_support import kinds_of, tick_at
from workflows.models import DeadlineExtension
from workflows.services import Services

DRAFT = {"title": "Dự thảo kế hoạch"}


def services_of(app: Flask) -> Services:
    return app.extensions["cchc"]  # type: ignore[no-any-return]


def complete(api: Api, task_id: int, user: str, data: dict[str, Any], **extra: Any) -> Any:
    return api.post(f"/api/v1/tasks/{task_id}/complete", user, json={"data": data, **extra})


def events(api: Api, instance_id: int, kind: str) -> list[dict[str, Any]]:
    all_events = api.get(f"/api/v1/process-instances/{instance_id}/events", "admin").json
    return [e for e in all_events if e["kind"] == kind]


def start_draft(api: Api, clock: ManualClock, day: date = date(2024, 1, 2)) -> tuple[dict[str, Any], dict[str, Any]]:
    clock.set(at(day))
    view = api.start()
    return view, view["open_tasks"][0]  # draft due 3 working days later, 17:00


def test_a_late_step_needs_an_explanation(app: Flask, api: Api, clock: ManualClock) -> None:
    view, draft = start_draft(api, clock)  # due Fri 05/01/2024 17:00
    clock.set(at("2024-01-08", 9))
    error = assert_error(complete(api, draft["id"], "cv.pnv", DRAFT), 422, "late_reason_required")
    assert "giải trình" in error["message"] and "17:00 ngày 05/01/2024" in error["message"]
    assert error["details"] == {"late_reason": ["Cần nhập lý do giải trình khi hoàn thành bước quá hạn."]}
    assert_error(complete(api, draft["id"], "cv.pnv", DRAFT, late_reason="   "), 422, "late_reason_required")
    assert complete(api, draft["id"], "tp.pnv", DRAFT).status_code == 403  # not theirs: no hint about lateness
    assert complete(api, draft["id"], "cv.ptp", DRAFT).status_code == 404

    done = complete(api, draft["id"], "cv.pnv", DRAFT, late_reason="Chờ số liệu của các phường")
    assert done.status_code == 200
    finished = api.get(f"/api/v1/tasks/{draft['id']}", "cv.pnv").json
    assert (finished["status"], finished["deadline_state"]) == ("completed", "late")
    assert finished["late_reason"] == "Chờ số liệu của các phường"
    [explained] = events(api, view["id"], "task_late_explained")
    assert explained["actor"] == "cv.pnv" and explained["payload"]["reason"] == "Chờ số liệu của các phường"
    assert explained["payload"]["task_id"] == draft["id"]


def test_finished_steps_are_early_or_on_time(app: Flask, api: Api, clock: ManualClock) -> None:
    _, draft = start_draft(api, clock)  # due Fri 05/01
    clock.set(at("2024-01-04", 10))
    review = complete(api, draft["id"], "cv.pnv", DRAFT).json["next_tasks"][0]  # due Tue 09/01
    assert api.get(f"/api/v1/tasks/{draft['id']}", "cv.pnv").json["deadline_state"] == "early"
    clock.set(at("2024-01-09", 16, 59))
    complete(api, review["id"], "tp.pnv", {"approved": True})
    got = api.get(f"/api/v1/tasks/{review['id']}", "tp.pnv").json
    assert (got["deadline_state"], got["late_reason"]) == ("on_time", None)


def test_inbox_filters_by_deadline_state(app: Flask, api: Api, clock: ManualClock) -> None:
    services = services_of(app)
    _, late = start_draft(api, clock, date(2024, 1, 2))  # due 05/01
    _, soon = start_draft(api, clock, date(2024, 1, 8))  # due 11/01
    _, later = start_draft(api, clock, date(2024, 1, 10))  # due 15/01
    tick_at(services, clock, at("2024-01-10", 9))

    def ids(state: str) -> list[int]:
        response = api.get("/api/v1/tasks", "cv.pnv", query_string={"deadline_state": state})
        assert response.status_code == 200
        return [t["id"] for t in response.json]

    assert (ids("overdue"), ids("due_soon"), ids("on_track")) == ([late["id"]], [soon["id"]], [later["id"]])
    assert ids("late") == []
    assert_error(api.get("/api/v1/tasks", "cv.pnv", query_string={"deadline_state": "sắp"}), 422)


def test_extension_by_the_unit_head_is_recorded_and_reclassifies(app: Flask, api: Api, clock: ManualClock) -> None:
    services = services_of(app)
    view, draft = start_draft(api, clock)  # due Fri 05/01
    tick_at(services, clock, at("2024-01-08", 9))
    assert kinds_of(services, "tp.pnv") == ["escalated"]
    url = f"/api/v1/tasks/{draft['id']}/extend"
    body = {"due_at": "2024-01-12", "reason": "Đơn vị chờ văn bản hướng dẫn của tỉnh"}

    assert_error(api.post(url, "cv.pnv", json=body), 403, "cannot_extend")
    assert_error(api.post(url, "tp.ptp", json=body), 404)
    assert_error(api.post(url, "tp.pnv", json={**body, "due_at": "2024-01-04"}), 422, "extension_not_later")
    assert_error(api.post(url, "tp.pnv", json={"due_at": "2024-01-12"}), 422)
    assert_error(api.post(url, "tp.pnv", json={**body, "due_at": "hôm nay"}), 422)

    extended = api.post(url, "tp.pnv", json=body)
    assert extended.status_code == 200, extended.json
    assert datetime.fromisoformat(extended.json["due_at"]) == due(date(2024, 1, 12))
    assert extended.json["deadline_state"] == "on_track"  # Tue 09 … Fri 12: three working days left
    [event] = events(api, view["id"], "task_deadline_extended")
    assert event["actor"] == "tp.pnv" and event["payload"]["reason"] == body["reason"]
    assert datetime.fromisoformat(event["payload"]["old_due_at"]) == due(date(2024, 1, 5))
    assert datetime.fromisoformat(event["payload"]["new_due_at"]) == due(date(2024, 1, 12))
    with services.sessions() as session:
        [row] = session.scalars(select(DeadlineExtension)).all()
        assert (row.extended_by, row.old_due_at) == ("tp.pnv", due(date(2024, 1, 5)))
        assert row.new_due_at == due(date(2024, 1, 12))

    # within the new deadline no explanation is needed, and the step counts as early
    clock.set(at("2024-01-10", 9))
    assert complete(api, draft["id"], "cv.pnv", DRAFT).status_code == 200
    assert api.get(f"/api/v1/tasks/{draft['id']}", "cv.pnv").json["deadline_state"] == "early"


def test_coordinator_and_admin_may_extend_any_step(app: Flask, api: Api, clock: ManualClock) -> None:
    _, draft = start_draft(api, clock)
    clock.set(at("2024-01-03", 9))
    url = f"/api/v1/tasks/{draft['id']}/extend"
    first = api.post(url, "cchc.pnv", json={"due_at": "2024-01-09", "reason": "Theo đề nghị của đơn vị"})
    assert first.status_code == 200
    second = api.post(url, "admin", json={"due_at": "2024-01-10T17:00:00+07:00", "reason": "Điều chỉnh lịch"})
    assert second.status_code == 200 and datetime.fromisoformat(second.json["due_at"]) == due(date(2024, 1, 10))
    done = complete(api, draft["id"], "cv.pnv", DRAFT)
    assert done.status_code == 200
    assert_error(api.post(url, "admin", json={"due_at": "2024-01-11", "reason": "x"}), 409, "task_not_ready")


def test_missed_extension_escalates_again(app: Flask, api: Api, clock: ManualClock) -> None:
    services = services_of(app)
    _, draft = start_draft(api, clock)  # due Fri 05/01
    tick_at(services, clock, at("2024-01-08", 9))
    api.post(f"/api/v1/tasks/{draft['id']}/extend", "tp.pnv", json={"due_at": "2024-01-09", "reason": "Chờ số liệu"})
    assert not tick_at(services, clock, at("2024-01-09", 16)).escalations
    assert tick_at(services, clock, at("2024-01-09", 17, 30)).escalations == 1
    assert kinds_of(services, "tp.pnv") == ["escalated", "escalated"]
    assert kinds_of(services, "cv.pnv") == ["overdue", "overdue"]  # the extension re-classified without a notice


def test_rollup_per_unit_process_and_month(app: Flask, api: Api, clock: ManualClock) -> None:
    services = services_of(app)
    _, a = start_draft(api, clock, date(2024, 1, 2))  # due 05/01 → finished late
    _, b = start_draft(api, clock, date(2024, 1, 3))  # due 08/01 → finished early
    start_draft(api, clock, date(2024, 1, 29))  # due 01/02 → open
    clock.set(at("2024-01-04", 9))
    complete(api, b["id"], "cv.pnv", DRAFT)
    clock.set(at("2024-01-08", 9))
    complete(api, a["id"], "cv.pnv", DRAFT, late_reason="Nghỉ ốm")
    clock.set(at("2024-01-29", 9))
    view = api.post(
        "/api/v1/process-instances",
        "cv.p1",
        json={"process_key": "approval5", "unit_code": "P1", "data": {}},
    ).json
    tick_at(services, clock, at("2024-02-02", 9))  # c and the P1 draft (due 01/02) are overdue now

    by_unit = api.get("/api/v1/reports/deadlines", "cchc.pnv", query_string={"group": "unit"}).json
    rows = {r["key"]: r for r in by_unit["rows"]}
    pnv = rows["PNV"]
    assert pnv["label"].startswith("Phòng Nội vụ")
    assert pnv["finished"] == {"early": 1, "on_time": 0, "late": 1}
    assert pnv["open"] == {"on_track": 0, "due_soon": 0, "overdue": 3}  # c and the two reviews (due 09/01, 11/01)
    assert pnv["total"] == sum(pnv["open"].values()) + sum(pnv["finished"].values())
    assert rows["P1"]["open"]["overdue"] == 1
    assert by_unit["totals"]["total"] == sum(r["total"] for r in by_unit["rows"])
    assert by_unit["labels"]["due_soon"] == "Sắp đến hạn"

    by_month = api.get(
        "/api/v1/reports/deadlines", "admin", query_string={"group": "month", "from": "2024-01-01", "to": "2024-01-31"}
    ).json
    assert [r["key"] for r in by_month["rows"]] == ["2024-01"] and by_month["rows"][0]["label"] == "Tháng 01/2024"
    assert by_month["rows"][0]["finished"]["late"] == 1

    by_process = api.get("/api/v1/reports/deadlines", "admin", query_string={"group": "process"}).json
    assert [r["key"] for r in by_process["rows"]] == ["approval5"]

    mine = api.get("/api/v1/reports/deadlines", "ct.p1", query_string={"group": "unit"}).json
    assert [r["key"] for r in mine["rows"]] == ["P1"]  # heads see their own unit
    assert_error(api.get("/api/v1/reports/deadlines", "admin", query_string={"group": "year"}), 422)
    assert view["open_tasks"]
    with services.sessions() as session:
        assert session.scalar(select(HumanTask.late_reason).where(HumanTask.id == a["id"])) == "Nghỉ ốm"


def test_an_extension_moves_the_processs_own_deadline_timer(app: Flask, api: Api, clock: ManualClock) -> None:
    """Timer_draft (escalation record at the step's deadline) follows the extension, also after a reload."""
    services = services_of(app)
    clock.set(at("2024-03-01", 9))
    started = api.post(
        "/api/v1/process-instances",
        "cv.pnv",
        json={
            "process_key": "periodic_report",
            "unit_code": "PNV",
            "data": {
                "activity_code": "VII.3.2",
                "activity_title": "Báo cáo CCHC",
                "deadline": "2024-03-15",
                "period_label": "Quý I/2024",
                "period_kind": "quarter",
            },
        },
    ).json
    [draft] = started["open_tasks"]
    old_due = datetime.fromisoformat(draft["due_at"])
    extended = api.post(
        f"/api/v1/tasks/{draft['id']}/extend", "tp.pnv", json={"due_at": "2024-03-20", "reason": "Chờ số liệu quý"}
    )
    assert extended.status_code == 200, extended.json
    new_due = datetime.fromisoformat(extended.json["due_at"])
    services.engine.cache.clear()  # the next run restores the instance from its rows

    tick_at(services, clock, old_due + (new_due - old_due) / 2)  # past the old deadline, before the new one
    data = api.get(f"/api/v1/process-instances/{started['id']}", "admin").json["data"]
    assert data.get("data_objects", {}).get("escalations", []) == []

    tick_at(services, clock, new_due + timedelta(hours=1))
    escalations = api.get(f"/api/v1/process-instances/{started['id']}", "admin").json["data"]["data_objects"][
        "escalations"
    ]
    assert [e["step"] for e in escalations] == ["draft"]
