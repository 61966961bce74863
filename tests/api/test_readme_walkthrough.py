"""The README's curl walkthrough, request for request, on the demo data."""

from __future__ import annotations

from tests.api.conftest import Api
from workflows.plan.store import SEED_PLAN


def test_readme_walkthrough(api: Api) -> None:
    keys = {d["key"] for d in api.get("/api/v1/process-definitions", "admin").json}
    assert {
        "plan_issuance",
        "periodic_report",
        "generic_activity",
        "inspection",
        "satisfaction_survey",
        "index_scoring",
    } <= keys
    contract = api.get("/api/v1/process-definitions/periodic_report", "cv.pnv").json
    assert {"activity_title", "period_label"} <= set(contract["start_schema"]["required"])
    refused = api.post(
        "/api/v1/process-instances", "cv.pnv", json={"process_key": "periodic_report", "unit_code": "PNV"}
    )
    assert refused.status_code == 422 and refused.json["error"]["code"] == "form_invalid"
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
    )
    assert started.status_code == 201, started.json
    [first] = started.json["open_tasks"]
    assert (first["role"], first["unit_code"]) == ("staff", "PNV")
    assert first["id"] in [t["id"] for t in api.get("/api/v1/tasks", "cv.pnv").json]
    detail = api.get(f"/api/v1/tasks/{first['id']}", "cv.pnv").json
    assert set(detail["schema"]["required"]) == {"report_content", "attachments"}
    report = api.upload("cv.pnv", "bao-cao-q1.docx")
    done = api.post(
        f"/api/v1/tasks/{first['id']}/complete",
        "cv.pnv",
        json={
            "data": {
                "report_content": "Báo cáo kết quả CCHC quý I/2024 của Phòng Nội vụ",
                "attachments": [report],
            }
        },
    )
    assert done.status_code == 200, done.json
    [review] = [t for t in done.json["next_tasks"] if t["role"] == "head"]
    assert review["unit_code"] == "PNV"
    events = api.get(f"/api/v1/process-instances/{started.json['id']}/events", "cv.pnv").json
    assert [e["kind"] for e in events][:2] == ["instance_started", "task_completed"]


def test_readme_plan_walkthrough(api: Api) -> None:
    [plan] = [p for p in api.get("/api/v1/plans", "cv.pnv").json if p["issuing_unit"] == "UBND"]
    assert plan["id"] == 1
    listed = api.get("/api/v1/plans/1/activities", "cv.pnv", query_string={"area": "VII", "status": "overdue"})
    assert listed.status_code == 200 and listed.json["total"] == 0  # nothing overdue on 02/01/2024
    launched = api.post("/api/v1/plans/1/launch", "cchc.pnv", json={"until": "2024-03-31"})
    assert launched.status_code == 200 and launched.json["created"] > 0
    progress = api.get("/api/v1/plans/1/progress", "cv.pnv").json
    assert progress["overall"]["in_progress"] > 0
    with SEED_PLAN.open("rb") as seed:
        again = api.post(
            "/api/v1/plans/import", "cchc.pnv", content_type="multipart/form-data", data={"file": (seed, "kh.md")}
        )
    assert again.status_code == 200 and again.json["created"] is False
    due = api.get("/api/v1/calendar/due-date", "cv.pnv", query_string={"start": "2024-04-26", "working_days": 3})
    assert due.json["due_date"] == "2024-05-04"
