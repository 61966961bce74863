"""Each organisation's working calendar: the overrides for every organisation plus its own, its own winning.

The demo's two organisations: SADEC (cv.pnv, coordinator cchc.pnv) and BINHTHANH (cv.bt, coordinator cchc.bt).
In January 2024, a shared extra day off on Wednesday 03/01 that BINHTHANH declares a working day of its own, and a
SADEC-only day off on Thursday 04/01: from Tuesday 02/01, three working days end on Tuesday 09/01 in SADEC
(05, 08, 09) and on Friday 05/01 in BINHTHANH (03, 04, 05).
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook

from engine.clock import ManualClock
from tests.api.conftest import Api, assert_error
from tests.engine_support import at, due
from tests.worker_support import tick_at
from workflows.services import Services

OVERRIDES = (
    {"day": "2024-01-03", "working": False, "reason": "Nghỉ chung", "organisation_code": None},
    {"day": "2024-01-03", "working": True, "reason": "Làm việc", "organisation_code": "BINHTHANH"},
    {"day": "2024-01-04", "working": False, "reason": "Nghỉ riêng", "organisation_code": "SADEC"},
)


def declare(api: Api, overrides: tuple[dict[str, Any], ...] = OVERRIDES, user: str = "admin") -> None:
    for body in overrides:
        response = api.post("/api/v1/calendar/overrides", user, json=body)
        assert response.status_code == 201, response.json


def due_date(api: Api, user: str, start: str, days: int, **query: str) -> str:
    response = api.get("/api/v1/calendar/due-date", user, query_string={"start": start, "working_days": days, **query})
    assert response.status_code == 200, response.json
    return str(response.json["due_date"])


def services_of(app: Flask) -> Services:
    return app.extensions["cchc"]  # type: ignore[no-any-return]


def test_each_organisations_steps_follow_its_own_calendar(api: Api) -> None:
    """The step deadline (the diagram's ``add_working_days``) and its classification, per organisation."""
    declare(api)
    sadec = api.start("cv.pnv", "PNV")
    binh_thanh = api.start("cv.bt", "BT_VP")
    [draft_a] = sadec["open_tasks"]
    [draft_b] = binh_thanh["open_tasks"]
    assert datetime.fromisoformat(draft_a["due_at"]) == due(date(2024, 1, 9))
    assert datetime.fromisoformat(draft_b["due_at"]) == due(date(2024, 1, 5))
    # The script helper itself, in each instance: BINHTHANH's ignores SADEC's day off and the shared one it overrode.
    assert sadec["data"]["draft_due"] == "2024-01-09" and binh_thanh["data"]["draft_due"] == "2024-01-05"
    assert api.get(f"/api/v1/tasks/{draft_b['id']}", "cv.bt").json["deadline_state"] == "on_track"


def test_due_date_endpoint_uses_the_callers_organisation(api: Api) -> None:
    declare(api)
    assert due_date(api, "cv.pnv", "2024-01-02", 3) == "2024-01-09"
    assert due_date(api, "cv.bt", "2024-01-02", 3) == "2024-01-05"
    assert due_date(api, "admin", "2024-01-02", 3) == "2024-01-08"  # no organisation: only the shared day off
    assert due_date(api, "admin", "2024-01-02", 3, organisation_code="BINHTHANH") == "2024-01-05"
    assert due_date(api, "cv.pnv", "2024-01-02", 3, organisation_code="SADEC") == "2024-01-09"
    hidden = api.get(
        "/api/v1/calendar/due-date",
        "cv.pnv",
        query_string={"start": "2024-01-02", "working_days": 3, "organisation_code": "BINHTHANH"},
    )
    assert_error(hidden, 404, "organisation_not_found")


def web_client(app: Flask, username: str) -> FlaskClient:
    """A browser session of ``username`` (the page helpers under /ui/api/ read the session, not a token)."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token, page[:300]
    response = client.post("/login", data={"username": username, "password": "demo", "csrf_token": token.group(1)})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def test_the_working_days_count_of_a_step_page_uses_the_steps_organisation(app: Flask, api: Api) -> None:
    declare(api)
    [draft_a] = api.start("cv.pnv", "PNV")["open_tasks"]
    [draft_b] = api.start("cv.bt", "BT_VP")["open_tasks"]
    span = {"start": "2024-01-02", "end": "2024-01-05"}
    admin, sadec = web_client(app, "admin"), web_client(app, "cv.pnv")
    count = "/ui/api/working-days"
    assert admin.get(count, query_string={**span, "task_id": draft_b["id"]}).json["working_days"] == 3
    assert admin.get(count, query_string={**span, "task_id": draft_a["id"]}).json["working_days"] == 1  # 05 only
    assert sadec.get(count, query_string=span).json["working_days"] == 1  # the user's own organisation
    assert_error(sadec.get(count, query_string={**span, "task_id": draft_b["id"]}), 404, "task_not_found")


def plan_workbook(issuer: str, lead: str) -> bytes:
    """A one-activity plan for 2025 (Quý II: due Monday 30/06/2025), issued by ``issuer``, led by ``lead``."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["KẾ HOẠCH Cải cách hành chính năm 2025"])
    sheet.append([f"(Ban hành kèm theo Kế hoạch số 15/KH-UBND ngày 12 tháng 01 năm 2025 của {issuer})"])
    sheet.append(
        ["STT", "Mục tiêu", "Nhiệm vụ", "Hoạt động", "Kết quả/sản phẩm", "Chủ trì", "Phối hợp", "Thời gian", "Kinh phí"]
    )
    sheet.append(["I", "CẢI CÁCH THỂ CHẾ"])
    sheet.append(
        ["", "1.1. Văn bản", "2.1. Rà soát văn bản", "3.1. Rà soát VBQPPL.", "Quyết định", lead, "", "Quý II/2025"]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_plans_of_the_same_title_and_year_follow_their_organisations_calendar(api: Api) -> None:
    """Both organisations import "Kế hoạch CCHC năm 2025" (same title, year and number): two plans, and the
    activity due on Monday 30/06/2025 moves to each organisation's working day."""
    declare(
        api,
        (
            {"day": "2025-06-30", "working": False, "organisation_code": None},
            {"day": "2025-06-30", "working": True, "organisation_code": "BINHTHANH"},
            {"day": "2025-07-01", "working": False, "organisation_code": "SADEC"},
        ),
    )
    due_dates = {}
    plans = set()
    for coordinator, issuer, lead in (
        ("cchc.pnv", "UBND thành phố Sa Đéc", "Phòng Tư pháp"),
        ("cchc.bt", "UBND xã Bình Thành", "Tư pháp - Hộ tịch"),
    ):
        response = api.post(
            "/api/v1/plans/import",
            coordinator,
            content_type="multipart/form-data",
            data={"file": (io.BytesIO(plan_workbook(issuer, lead)), "ke-hoach-2025.xlsx")},
        )
        assert response.status_code == 201, response.json
        plan = response.json["plan"]
        assert (plan["year"], plan["number"]) == (2025, "15/KH-UBND")
        plans.add((plan["id"], plan["title"]))
        [act] = api.get(f"/api/v1/plans/{plan['id']}/activities", coordinator).json["items"]
        due_dates[coordinator] = act["due_date"]
    assert len(plans) == 2 and len({title for _, title in plans}) == 1
    assert due_dates == {"cchc.pnv": "2025-07-02", "cchc.bt": "2025-06-30"}


def test_the_worker_classifies_each_step_by_its_organisations_calendar(
    app: Flask, api: Api, clock: ManualClock
) -> None:
    """Both drafts due Friday 05/01; then SADEC alone declares Thursday 04/01 off: on Tuesday evening SADEC's draft
    has two working days left (Wed, Fri: due soon), BINHTHANH's three (on track)."""
    [draft_a] = api.start("cv.pnv", "PNV")["open_tasks"]
    [draft_b] = api.start("cv.bt", "BT_VP")["open_tasks"]
    assert draft_a["due_at"] == draft_b["due_at"]
    declare(api, ({"day": "2024-01-04", "working": False, "organisation_code": "SADEC"},))
    report = tick_at(services_of(app), clock, at("2024-01-02", 23))
    assert report.classified == 1
    assert api.get(f"/api/v1/tasks/{draft_a['id']}", "cv.pnv").json["deadline_state"] == "due_soon"
    assert api.get(f"/api/v1/tasks/{draft_b['id']}", "cv.bt").json["deadline_state"] == "on_track"


def test_overrides_list_names_their_organisation_and_hides_the_others(api: Api) -> None:
    declare(api)
    listed = api.get("/api/v1/calendar/overrides", "cv.pnv", query_string={"year": 2024}).json
    assert [(o["day"], o["organisation"], o["organisation_name"]) for o in listed] == [
        ("2024-01-03", None, None),
        ("2024-01-04", "SADEC", "Thành phố Sa Đéc"),
    ]
    theirs = api.get("/api/v1/calendar/overrides", "cv.bt").json
    assert [(o["day"], o["organisation"], o["working"]) for o in theirs] == [
        ("2024-01-03", None, False),
        ("2024-01-03", "BINHTHANH", True),
    ]
    assert len(api.get("/api/v1/calendar/overrides", "admin").json) == 3
    chosen = api.get("/api/v1/calendar/overrides", "admin", query_string={"organisation_code": "SADEC"}).json
    assert [o["organisation"] for o in chosen] == [None, "SADEC"]
    hidden = api.get("/api/v1/calendar/overrides", "cv.pnv", query_string={"organisation_code": "BINHTHANH"})
    assert_error(hidden, 404, "organisation_not_found")


def test_a_coordinator_manages_only_their_own_organisations_overrides(api: Api) -> None:
    declare(api)
    own = api.post("/api/v1/calendar/overrides", "cchc.bt", json={"day": "2024-01-08", "working": False})
    assert own.status_code == 201 and own.json["organisation"] == "BINHTHANH"  # no code: their own organisation
    assert due_date(api, "cv.bt", "2024-01-02", 4) == "2024-01-09"  # 03, 04, 05, (08 off), 09
    assert due_date(api, "cv.pnv", "2024-01-02", 4) == "2024-01-10"  # SADEC unchanged: 05, 08, 09, 10
    error = assert_error(
        api.post("/api/v1/calendar/overrides", "cchc.bt", json={**OVERRIDES[2], "day": "2024-01-10"}),
        404,
        "organisation_not_found",
    )
    assert "Không tìm thấy tổ chức" in error["message"]
    shared = api.post(
        "/api/v1/calendar/overrides", "cchc.bt", json={"day": "2024-01-10", "working": False, "organisation_code": None}
    )
    assert "quản trị hệ thống" in assert_error(shared, 403, "calendar_shared_admin_only")["message"]
    assert_error(api.post("/api/v1/calendar/overrides", "cv.bt", json={"day": "2024-01-10", "working": False}), 403)
    # Deleting another organisation's override, or the shared one: as if it did not exist / not theirs.
    sadec_day = "/api/v1/calendar/overrides/2024-01-04"
    assert_error(api.call("DELETE", sadec_day + "?organisation_code=SADEC", "cchc.bt"), 404, "organisation_not_found")
    assert_error(api.call("DELETE", sadec_day, "cchc.bt"), 404, "override_not_found")  # their own has none
    assert_error(api.call("DELETE", "/api/v1/calendar/overrides/2024-01-03?organisation_code=", "cchc.bt"), 403)
    assert api.call("DELETE", "/api/v1/calendar/overrides/2024-01-08", "cchc.bt").status_code == 204
    assert due_date(api, "cv.bt", "2024-01-02", 4) == "2024-01-08"
    # The system administrator: any organisation's, and the shared one (an empty code).
    assert api.call("DELETE", sadec_day + "?organisation_code=SADEC", "admin").status_code == 204
    assert api.call("DELETE", "/api/v1/calendar/overrides/2024-01-03?organisation_code=", "admin").status_code == 204
    assert due_date(api, "cv.pnv", "2024-01-02", 3) == "2024-01-05"
    assert_error(
        api.post("/api/v1/calendar/overrides", "admin", json={**OVERRIDES[2], "organisation_code": "KHONGCO"}),
        404,
        "organisation_not_found",
    )


def test_the_same_day_once_per_organisation(api: Api) -> None:
    """Setting a day again changes that organisation's row; the shared row and another's stay as they were."""
    declare(api)
    again = api.post("/api/v1/calendar/overrides", "admin", json={**OVERRIDES[1], "reason": "Đổi"})
    assert again.status_code == 200 and again.json["reason"] == "Đổi"
    rows = api.get("/api/v1/calendar/overrides", "admin", query_string={"year": 2024}).json
    assert [(o["day"], o["organisation"], o["reason"]) for o in rows] == [
        ("2024-01-03", None, "Nghỉ chung"),
        ("2024-01-03", "BINHTHANH", "Đổi"),
        ("2024-01-04", "SADEC", "Nghỉ riêng"),
    ]


def test_the_calendar_page_is_for_administrators_and_coordinators(app: Flask) -> None:
    assert web_client(app, "cv.pnv").get("/calendar").status_code == 403
    page = web_client(app, "cchc.bt").get("/calendar")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Lịch làm việc" in text and "BINHTHANH" in text  # its own organisation, handed to the page
    assert web_client(app, "admin").get("/calendar").status_code == 200
