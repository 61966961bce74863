"""The 2024 plan through the HTTP API: import, tree, activities, launch, progress; the calendar endpoints."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import Workbook

from engine.clock import LOCAL_TZ, ManualClock
from tests.api.conftest import Api, assert_error
from workflows.plan.store import SEED_PLAN

SEED = SEED_PLAN.read_bytes()
# Units that issue their own plan and report: 11 cơ quan chuyên môn + 9 phường/xã.
DUTY_UNITS = {
    "PNV", "PTP", "VP", "PVHTT", "PTCKH", "PTNMT", "PQLDT", "PGDDT", "PKT", "PLDTBXH", "TTRA",
    "P1", "P2", "P3", "P4", "PAH", "PTQD", "XTQT", "XTPD", "XTKD",
}  # fmt: skip


def sadec_plans(api: Api, user: str) -> list[dict[str, Any]]:
    """The plans of the city (the demo also holds a commune's plan, issued by BT_UBND)."""
    return [p for p in api.get("/api/v1/plans", user).json if p["issuing_unit"] != "BT_UBND"]


def plan_id(api: Api) -> int:
    [plan] = sadec_plans(api, "cv.pnv")
    return int(plan["id"])


def activity(api: Api, pid: int, area: str, code: str, **query: Any) -> dict[str, Any]:
    items = api.get(f"/api/v1/plans/{pid}/activities", "cv.pnv", query_string={"area": area, **query}).json["items"]
    [found] = [item for item in items if item["code"] == code]
    return found


def launch(api: Api, pid: int, until: str | None = None, user: str = "cchc.pnv") -> Any:
    return api.post(f"/api/v1/plans/{pid}/launch", user, json={"until": until} if until else {})


# --------------------------------------------------------------------------- the demo plan


def test_demo_database_holds_the_seed_plan(api: Api) -> None:
    [plan] = sadec_plans(api, "cv.p1")
    assert (plan["year"], plan["title"], plan["issuing_unit"], plan["number"]) == (
        2024,
        "Cải cách hành chính năm 2024",
        "UBND",
        None,  # the appendix reads "Kế hoạch số /KH-UBND": not numbered yet
    )
    assert plan["activity_count"] == 46  # 43 appendix activities + 3 duties of the main text


def test_tree_has_seven_areas_with_real_rows(api: Api) -> None:
    tree = api.get(f"/api/v1/plans/{plan_id(api)}", "cv.p1").json
    assert [a["code"] for a in tree["areas"]] == ["I", "II", "III", "IV", "V", "VI", "VII"]
    area_ii = tree["areas"][1]
    activities = [act for obj in area_ii["objectives"] for task in obj["tasks"] for act in task["activities"]]
    assert [a["code"] for a in activities] == [f"3.{i}" for i in range(1, 10)]
    survey = activities[8]
    assert survey["text"].startswith("Thực hiện khảo sát đo lường sự hài lòng của người dân")
    assert (survey["activity_type"], survey["activity_type_label"]) == ("satisfaction_survey", "Khảo sát sự hài lòng")
    assert [u["code"] for u in survey["lead_units"]] == ["PNV"]
    assert survey["status"] == "not_started" and survey["status_label"] == "Chưa thực hiện"
    # VII 3.11 appears twice (nhiệm vụ 2.3 and 2.4): both kept, in order
    area_vii = tree["areas"][6]
    vii = [act for obj in area_vii["objectives"] for task in obj["tasks"] for act in task["activities"]]
    assert [a["code"] for a in vii if a["code"] == "3.11"] == ["3.11", "3.11"]
    scoring = [a for a in vii if a["activity_type"] == "index_scoring"]
    assert [(a["code"], a["time_text"], a["due_date"]) for a in scoring] == [("3.11", "Quý IV/2024", "2024-12-31")]
    assert [d["code"] for d in tree["duties"]] == ["NV.1", "NV.2", "NV.3"]
    assert tree["report"]["counts_per_area"] == {"I": 4, "II": 9, "III": 4, "IV": 6, "V": 2, "VI": 4, "VII": 14}
    assert len(tree["report"]["repairs"]) == 14


def test_activity_detail_lists_each_units_occurrences(api: Api) -> None:
    pid = plan_id(api)
    report = activity(api, pid, "VII", "3.2")  # "Định kỳ hằng quý, 6 tháng và năm 2024", Phòng Nội vụ
    assert report["activity_type"] == "periodic_report"
    detail = api.get(f"/api/v1/plans/{pid}/activities/{report['id']}", "cv.pnv").json
    assert [(o["unit"]["code"], o["label"], o["planned_due"], o["due_date"]) for o in detail["occurrences"]] == [
        ("PNV", "Quý I/2024", "2024-03-15", "2024-03-15"),
        ("PNV", "6 tháng đầu năm 2024", "2024-06-15", "2024-06-17"),  # Saturday → Monday
        ("PNV", "Quý III/2024", "2024-09-15", "2024-09-16"),  # Sunday → Monday
        ("PNV", "Năm 2024", "2024-12-15", "2024-12-16"),
    ]
    news = api.get(f"/api/v1/plans/{pid}/activities", "cv.pnv", query_string={"area": "NV"}).json["items"][2]
    detail = api.get(f"/api/v1/plans/{pid}/activities/{news['id']}", "cv.pnv").json
    rotation = {(o["unit"]["code"], o["period"]) for o in detail["occurrences"]}
    assert {("PNV", "2024-01"), ("P1", "2024-01"), ("PVHTT", "2024-02"), ("P2", "2024-02"), ("TTRA", "2024-10")} <= (
        rotation
    )
    assert ("VP", "2024-11") in rotation and len(rotation) == 20
    assert_error(api.get(f"/api/v1/plans/{pid}/activities/999999", "cv.pnv"), 404, "activity_not_found")
    assert_error(api.get("/api/v1/plans/999999", "cv.pnv"), 404, "plan_not_found")


def test_activities_filter_by_area_unit_type_and_deadline(api: Api) -> None:
    pid = plan_id(api)
    url = f"/api/v1/plans/{pid}/activities"
    area_v = api.get(url, "cv.pnv", query_string={"area": "V"}).json
    assert area_v["total"] == 2 and {u["code"] for a in area_v["items"] for u in a["lead_units"]} == {"PTCKH"}
    p1 = api.get(url, "cv.pnv", query_string={"unit": "P1"}).json["items"]
    assert all("P1" in [u["code"] for u in a["lead_units"]] for a in p1) and len(p1) >= 10
    early = api.get(url, "cv.pnv", query_string={"due_before": "2024-01-31"}).json["items"]
    assert {a["ref"] for a in early} >= {"NV.1", "VII.3.1", "IV.3.1", "NV.3"}
    assert all(a["due_date"] <= "2024-01-31" for a in early)
    inspections = api.get(url, "cv.pnv", query_string={"activity_type": "inspection"}).json["items"]
    assert {a["ref"] for a in inspections} == {"III.3.3", "IV.3.5", "VII.3.9"}
    assert_error(api.get(url, "cv.pnv", query_string={"status": "finished"}), 422)


# --------------------------------------------------------------------------- launch and progress


def test_launch_q1_creates_the_expected_instances_once(api: Api, clock: ManualClock) -> None:
    pid = plan_id(api)
    assert_error(launch(api, pid, "2024-03-31", user="cv.pnv"), 403)
    first = launch(api, pid, "2024-03-31")
    assert first.status_code == 200, first.json
    created = first.json["instances"]
    assert first.json["created"] == len(created) > 0
    # every unit issues its own CCHC plan, due Monday 15/01/2024
    unit_plans = [i for i in created if i["process_key"] == "plan_issuance" and i["due_date"] == "2024-01-15"]
    assert {i["unit_code"] for i in unit_plans} == DUTY_UNITS and len(unit_plans) == 20
    # every unit's Q1 report, due 15/03/2024, plus Phòng Nội vụ's own Q1 report of VII 3.2 and VP's of II 3.2
    reports = Counter(i["unit_code"] for i in created if i["process_key"] == "periodic_report")
    assert set(reports) == DUTY_UNITS and reports["PNV"] == 2 and reports["VP"] == 2 and sum(reports.values()) == 22
    assert {i["due_date"] for i in created if i["process_key"] == "periodic_report"} == {"2024-03-15"}
    # the news rotation of January and February
    news = {(i["unit_code"], i["due_date"]) for i in created if i["period_label"] in ("Tháng 01/2024", "Tháng 02/2024")}
    assert {("PNV", "2024-01-31"), ("P1", "2024-01-31"), ("PVHTT", "2024-02-29"), ("P2", "2024-02-29")} <= news
    assert all(i["due_date"] <= "2024-03-31" for i in created)

    # the instance carries the plan's context and the unit's deadline
    some = unit_plans[0]
    view = api.get(f"/api/v1/process-instances/{some['instance_id']}", "admin").json
    assert view["unit_code"] == some["unit_code"] and view["data"]["deadline"] == "2024-01-15"
    assert view["data"]["activity_code"] == "NV.1" and view["data"]["plan"]["year"] == 2024
    assert view["open_tasks"] and view["open_tasks"][0]["unit_code"] == some["unit_code"]

    again = launch(api, pid, "2024-03-31")
    assert (again.json["created"], again.json["already_running"]) == (0, len(created))
    rest = launch(api, pid, "2024-06-30")
    assert rest.json["created"] > 0 and all(
        "2024-04-01" <= i["due_date"] <= "2024-06-30" for i in rest.json["instances"]
    )


def _complete_generic(api: Api, instance_id: int, staff: str, head: str) -> None:
    view = api.get(f"/api/v1/process-instances/{instance_id}", "admin").json
    [perform] = view["open_tasks"]
    done = api.post(
        f"/api/v1/tasks/{perform['id']}/complete",
        staff,
        json={
            "data": {
                "output_title": "Tin bài CCHC tháng 01/2024",
                "output_reference": "01/TB-PNV",
                "output_date": "2024-01-10",
                "result_summary": "Đã đăng 2 tin",
                "attachments": [api.upload(staff, "tin-bai.pdf")],
                "ask_coordinating_units": False,
            }
        },
    )
    assert done.status_code == 200, done.json
    [confirm] = done.json["next_tasks"]
    final = api.post(
        f"/api/v1/tasks/{confirm['id']}/complete", head, json={"data": {"decision": "confirm", "extend": False}}
    )
    assert final.status_code == 200, final.json
    assert final.json["instance"]["status"] == "completed"


def test_progress_follows_the_steps_and_the_clock(api: Api, clock: ManualClock) -> None:
    pid = plan_id(api)
    launched = launch(api, pid, "2024-01-31").json["instances"]
    before = api.get(f"/api/v1/plans/{pid}/progress", "cv.pnv").json
    assert before["overall"]["in_progress"] > 0 and before["overall"]["done_early"] == 0

    # Phòng Nội vụ posts its January news (rotation, due 31/01) on 10/01: finished early
    rotation = activity(api, pid, "NV", "NV.3")["id"]
    [news] = [i for i in launched if i["unit_code"] == "PNV" and i["activity_id"] == rotation]
    clock.set(datetime(2024, 1, 10, 9, 0, tzinfo=LOCAL_TZ))
    _complete_generic(api, news["instance_id"], "cv.pnv", "tp.pnv")
    detail = api.get(f"/api/v1/plans/{pid}/activities/{news['activity_id']}", "cv.pnv").json
    states = {(o["unit"]["code"], o["period"]): o["status"] for o in detail["occurrences"]}
    assert states[("PNV", "2024-01")] == "done_early" and states[("P1", "2024-01")] == "in_progress"
    assert detail["status"] == "in_progress"
    after = api.get(f"/api/v1/plans/{pid}/progress", "cv.pnv").json
    pnv = next(u for u in after["by_unit"] if u["code"] == "PNV")
    assert pnv["counts"]["done_early"] == 1
    assert next(q for q in after["by_quarter"] if q["quarter"] == "2024-Q1")["counts"]["done_early"] == 1

    # 16/01: nobody's unit plan (due Monday 15/01) is finished → overdue everywhere
    clock.set(datetime(2024, 1, 16, 8, 0, tzinfo=LOCAL_TZ))
    late = api.get(f"/api/v1/plans/{pid}/progress", "cv.pnv").json
    assert all(u["overdue"] >= 1 for u in late["by_unit"] if u["code"] in DUTY_UNITS)
    unit_plans = activity(api, pid, "NV", "NV.1")
    assert (unit_plans["status"], unit_plans["status_label"]) == ("overdue", "Quá hạn chưa hoàn thành")
    overdue = api.get(f"/api/v1/plans/{pid}/activities", "cv.pnv", query_string={"status": "overdue"}).json
    assert "NV.1" in {a["ref"] for a in overdue["items"]}
    # an activity not launched whose deadline passed is overdue too, before any instance exists
    assert activity(api, pid, "NV", "NV.3")["counts"]["done_early"] == 1


# --------------------------------------------------------------------------- import


def test_reimporting_the_same_file_changes_nothing(api: Api) -> None:
    again = api.post(
        "/api/v1/plans/import",
        "cchc.pnv",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(SEED), "ke-hoach-cchc-2024.md")},
    )
    assert again.status_code == 200 and again.json["created"] is False
    assert again.json["plan"]["id"] == plan_id(api)
    assert len(sadec_plans(api, "cv.pnv")) == 1


def test_changed_file_replaces_an_unlaunched_plan_but_not_a_launched_one(api: Api) -> None:
    before = activity(api, plan_id(api), "VII", "3.12")
    assert before["due_date"] == "2024-12-02"  # Tháng 11/2024 ends Saturday 30/11: due the next working day
    changed = SEED.replace("Tháng 11/2024".encode(), "Tháng 10/2024".encode())
    replaced = api.post("/api/v1/plans/import", "admin", data=changed, content_type="text/markdown")
    assert replaced.status_code == 201 and replaced.json["created"] is True
    new_id = replaced.json["plan"]["id"]
    assert [p["id"] for p in sadec_plans(api, "cv.pnv")] == [new_id]
    assert activity(api, new_id, "VII", "3.12")["due_date"] == "2024-10-31"

    assert launch(api, new_id, "2024-01-15").json["created"] > 0
    error = assert_error(
        api.post("/api/v1/plans/import", "admin", data=SEED, content_type="text/markdown"), 409, "plan_already_launched"
    )
    assert "đã được triển khai" in error["message"]
    assert activity(api, new_id, "VII", "3.12")["due_date"] == "2024-10-31"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("Báo cáo tổng kết năm 2024\n\nKhông có bảng nào.".encode(), "text/markdown"),
        (b"\xff\xfe\x00binary", "application/octet-stream"),
        (b"PK\x03\x04 not really a workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (b"", "text/markdown"),
    ],
    ids=["no-table", "binary", "broken-xlsx", "empty"],
)
def test_a_file_that_is_not_a_plan_is_refused_and_nothing_is_stored(api: Api, body: bytes, content_type: str) -> None:
    error = assert_error(api.post("/api/v1/plans/import", "admin", data=body, content_type=content_type), 422)
    assert error["code"] in {"not_a_plan", "invalid_input"} and "kế hoạch" in error["message"].lower()
    assert len(sadec_plans(api, "admin")) == 1


def test_import_requires_a_file_and_a_role(api: Api) -> None:
    assert_error(
        api.post("/api/v1/plans/import", "admin", content_type="multipart/form-data", data={}), 422, "file_missing"
    )
    assert_error(api.post("/api/v1/plans/import", "cv.pnv", data=SEED, content_type="text/markdown"), 403)
    assert_error(api.post("/api/v1/plans/import", "admin", data=SEED, content_type="image/png"), 415)


def test_xlsx_import_through_the_api(api: Api) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["KẾ HOẠCH Cải cách hành chính năm 2025"])
    sheet.append(["(Ban hành kèm theo Kế hoạch số 15/KH-UBND ngày 12 tháng 01 năm 2025 của UBND thành phố Sa Đéc)"])
    sheet.append(
        ["STT", "Mục tiêu", "Nhiệm vụ", "Hoạt động", "Kết quả/sản phẩm", "Chủ trì", "Phối hợp", "Thời gian", "Kinh phí"]
    )
    sheet.append(["I", "CẢI CÁCH THỂ CHẾ"])
    sheet.append(
        [
            "",
            "1.1. Nâng cao chất lượng văn bản",
            "2.1. Rà soát văn bản",
            "3.1. Rà soát VBQPPL.",
            "Quyết định",
            "Phòng Tư pháp",
            "Văn phòng HĐND và UBND Thành phố",
            "Quý II/2025",
            "",
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    response = api.post(
        "/api/v1/plans/import",
        "cchc.pnv",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(buffer.getvalue()), "ke-hoach-2025.xlsx")},
    )
    assert response.status_code == 201, response.json
    plan = response.json["plan"]
    assert (plan["number"], plan["year"], plan["issued_on"]) == ("15/KH-UBND", 2025, "2025-01-12")
    report = response.json["report"]
    assert report["counts_per_area"] == {"I": 1} and report["duties"] == 0
    assert any("chỉ có bảng phụ lục" in w for w in report["warnings"])
    pid = response.json["plan"]["id"]
    [act] = api.get(f"/api/v1/plans/{pid}/activities", "cv.pnv").json["items"]
    assert (act["ref"], act["due_date"], [u["code"] for u in act["lead_units"]]) == ("I.3.1", "2025-06-30", ["PTP"])


# --------------------------------------------------------------------------- corrections by an administrator


def test_administrator_changes_a_type_and_sets_a_hand_deadline(api: Api) -> None:
    pid = plan_id(api)
    training = activity(api, pid, "II", "3.4")  # no lead unit, no time: set by hand
    assert training["schedule"]["kind"] == "manual" and training["occurrence_count"] == 0
    guide = activity(api, pid, "III", "3.2")  # "Hướng dẫn kịp thời…", no time written
    url = f"/api/v1/plans/{pid}/activities/{guide['id']}"
    assert_error(api.patch(url, "cv.pnv", json={"manual_due": "2024-05-04"}), 403)
    updated = api.patch(url, "cchc.pnv", json={"manual_due": "2024-05-05", "activity_type": "generic_activity"})
    assert updated.status_code == 200, updated.json
    assert [(o["planned_due"], o["due_date"]) for o in updated.json["occurrences"]] == [("2024-05-05", "2024-05-06")]
    assert updated.json["due_date"] == "2024-05-06"
    assert_error(api.patch(url, "cchc.pnv", json={"activity_type": "nope"}), 422)

    dated = activity(api, pid, "VII", "3.12")
    error = assert_error(
        api.patch(f"/api/v1/plans/{pid}/activities/{dated['id']}", "admin", json={"manual_due": "2024-12-01"}), 422
    )
    assert error["code"] == "deadline_not_manual"
    changed = api.patch(f"/api/v1/plans/{pid}/activities/{dated['id']}", "admin", json={"activity_type": "inspection"})
    assert (changed.json["activity_type"], changed.json["activity_type_source"]) == ("inspection", "admin")

    launched = launch(api, pid, "2024-01-15").json["instances"]
    unit_plan_activity = next(i["activity_id"] for i in launched if i["process_key"] == "plan_issuance")
    assert_error(
        api.patch(
            f"/api/v1/plans/{pid}/activities/{unit_plan_activity}", "admin", json={"activity_type": "inspection"}
        ),
        409,
        "activity_already_launched",
    )


# --------------------------------------------------------------------------- calendar


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        ("2024-04-26", 3, "2024-05-04"),  # 29/04 swapped off, 30/04 and 01/05 holidays, Saturday 04/05 worked
        ("2024-02-07", 1, "2024-02-15"),  # Tết Giáp Thìn 08–14/02/2024
        ("2025-01-24", 1, "2025-02-03"),  # Tết Ất Tỵ 25/01–02/02/2025
        ("2024-08-30", 1, "2024-09-04"),  # 02/09 and the swapped 03/09
        ("2024-01-02", 10, "2024-01-16"),
    ],
)
def test_due_date_endpoint(api: Api, start: str, days: int, due: str) -> None:
    response = api.get("/api/v1/calendar/due-date", "cv.p1", query_string={"start": start, "working_days": days})
    assert response.status_code == 200, response.json
    assert response.json["due_date"] == due


def test_due_date_explains_the_days_off_and_refuses_bad_input(api: Api) -> None:
    body = api.get("/api/v1/calendar/due-date", "cv.p1", query_string={"start": "2024-04-26", "working_days": 3}).json
    assert [d["date"] for d in body["days_off"]] == [
        "2024-04-27",
        "2024-04-28",
        "2024-04-29",
        "2024-04-30",
        "2024-05-01",
    ]
    assert any("Lao động" in d["reason"] for d in body["days_off"])
    assert_error(
        api.get("/api/v1/calendar/due-date", "cv.p1", query_string={"start": "2024-13-01", "working_days": 1}), 422
    )
    assert_error(api.get("/api/v1/calendar/due-date", "cv.p1", query_string={"start": "2024-01-02"}), 422)
    assert_error(
        api.get("/api/v1/calendar/due-date", "cv.p1", query_string={"start": "2024-01-02", "working_days": 5000}), 422
    )
    assert_error(api.get("/api/v1/calendar/due-date", query_string={"start": "2024-01-02", "working_days": 1}), 401)


def test_overrides_change_due_dates_and_can_be_removed(api: Api) -> None:
    query = {"start": "2024-01-02", "working_days": 1}
    assert api.get("/api/v1/calendar/due-date", "cv.p1", query_string=query).json["due_date"] == "2024-01-03"
    assert_error(api.post("/api/v1/calendar/overrides", "cv.p1", json={"day": "2024-01-03", "working": False}), 403)
    shared = {"day": "2024-01-03", "working": False, "organisation_code": None}  # for every organisation
    assert_error(api.post("/api/v1/calendar/overrides", "cchc.pnv", json=shared), 403, "calendar_shared_admin_only")
    created = api.post(
        "/api/v1/calendar/overrides", "admin", json={"day": "2024-01-03", "working": False, "reason": "Nghỉ bù"}
    )
    assert created.status_code == 201 and created.json["created_by"] == "admin"
    assert api.get("/api/v1/calendar/due-date", "cv.p1", query_string=query).json["due_date"] == "2024-01-04"
    # a Saturday declared a working day
    saturday = api.post("/api/v1/calendar/overrides", "admin", json={"day": "2024-01-06", "working": True})
    assert saturday.status_code == 201
    five = api.get("/api/v1/calendar/due-date", "cv.p1", query_string={"start": "2024-01-05", "working_days": 1})
    assert five.json["due_date"] == "2024-01-06"
    updated = api.post(
        "/api/v1/calendar/overrides", "admin", json={"day": "2024-01-03", "working": False, "reason": "X"}
    )
    assert updated.status_code == 200 and updated.json["reason"] == "X"
    listed = api.get("/api/v1/calendar/overrides", "cv.p1", query_string={"year": 2024}).json
    assert [(o["day"], o["working"]) for o in listed] == [("2024-01-03", False), ("2024-01-06", True)]
    assert api.call("DELETE", "/api/v1/calendar/overrides/2024-01-03", "admin").status_code == 204
    assert api.get("/api/v1/calendar/due-date", "cv.p1", query_string=query).json["due_date"] == "2024-01-03"
    assert_error(api.call("DELETE", "/api/v1/calendar/overrides/2024-01-03", "admin"), 404, "override_not_found")
    assert_error(api.call("DELETE", "/api/v1/calendar/overrides/yesterday", "admin"), 422, "date_invalid")
    assert_error(api.post("/api/v1/calendar/overrides", "admin", json={"day": "2024-01-03"}), 422)
    assert date(2024, 1, 3).isoformat() not in {o["day"] for o in api.get("/api/v1/calendar/overrides", "admin").json}


def test_each_plan_names_its_organisation(api: Api) -> None:
    """An administrator sees the plans of several organisations: each summary names its organisation."""
    plans = api.get("/api/v1/plans", "admin").json
    assert {(p["organisation"]["code"], p["organisation"]["name"]) for p in plans} == {
        ("SADEC", "Thành phố Sa Đéc"),
        ("BINHTHANH", "Xã Bình Thành"),
    }
    assert {p["organisation"]["code"] for p in api.get("/api/v1/plans", "cchc.pnv").json} == {"SADEC"}
