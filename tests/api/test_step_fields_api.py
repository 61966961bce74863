"""Over the API: a step's data is its form's, so a draft cannot move the head's review deadline."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.clock import ManualClock
from tests.api.conftest import Api, assert_error
from tests.engine_support import at, due

START = {
    "activity_code": "VII.3.2",
    "activity_title": "Báo cáo CCHC quý I",
    "deadline": "2024-03-15",
    "period_label": "Quý I/2024",
    "period_kind": "quarter",
}
REPORT = {"report_content": "Kết quả thực hiện CCHC quý I/2024 của Phòng"}


def instance_of(api: Api, instance_id: int) -> dict[str, Any]:
    return api.get(f"/api/v1/process-instances/{instance_id}", "admin").json  # type: ignore[no-any-return]


def test_a_draft_with_extra_keys_is_refused_and_the_review_deadline_stays(api: Api, clock: ManualClock) -> None:
    clock.set(at(date(2024, 3, 4)))  # Monday
    started = api.post(
        "/api/v1/process-instances",
        "cv.pnv",
        json={"process_key": "periodic_report", "unit_code": "PNV", "data": START},
    ).json
    [draft] = started["open_tasks"]
    before = instance_of(api, started["id"])
    assert before["data"]["durations"] == {"draft": 5, "review": 2, "acceptance": 3}

    report = {**REPORT, "attachments": [api.upload("cv.pnv", "bao-cao-quy-1.pdf")]}
    injected = {"durations": {"draft": 5, "review": 30, "acceptance": 3}, "deadline": "2099-12-31"}
    response = api.post(
        f"/api/v1/tasks/{draft['id']}/complete", "cv.pnv", json={"data": {**report, **injected}, "late_reason": None}
    )
    error = assert_error(response, 422, "unexpected_fields")
    assert set(error["details"]) == {"durations", "deadline"}
    assert "Soạn báo cáo" in error["message"] and "durations" in error["message"]
    after = instance_of(api, started["id"])
    assert (after["data"], after["version"], after["open_tasks"]) == (
        before["data"],
        before["version"],
        before["open_tasks"],
    )

    done = api.post(f"/api/v1/tasks/{draft['id']}/complete", "cv.pnv", json={"data": report, "late_reason": None})
    assert done.status_code == 200, done.json
    [review] = done.json["next_tasks"]
    assert review["element_id"] == "Task_review"
    assert review["due_at"] == due(date(2024, 3, 6)).isoformat()  # Mon 04/03 + 2 working days, as the process says
