"""Readable records over the API: the earlier submissions in front of the approver (with their form's labels,
returns with their reasons), the instance's data as labelled fields, the timeline named in Vietnamese."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask

from engine.clock import ManualClock
from tests.api.conftest import Api, assert_error
from tests.engine_support import at
from tests.worker_support import tick_at

START = {
    "activity_code": "VII.3.2",
    "activity_title": "Báo cáo CCHC quý I",
    "deadline": "2024-03-29",
    "period_label": "Quý I/2024",
    "period_kind": "quarter",
}
REPORT = {"report_content": "Kết quả thực hiện CCHC quý I/2024 của Phòng Nội vụ.\nĐã ban hành 3 văn bản."}
FILES = ("bao-cao-quy-1.pdf", "phu-luc.xlsx")
RETURN_REASON = "Bổ sung số liệu về thủ tục hành chính."
REVISION = {"revision_note": "Đã bổ sung số liệu thủ tục hành chính."}
STAFF_NAME = "Võ Thị Hạnh (Chuyên viên Phòng Nội vụ)"
HEAD_NAME = "Phạm Minh Đức (Trưởng phòng Nội vụ)"


def report(api: Api) -> dict[str, Any]:
    """The report with its two files, uploaded by the staff member."""
    return {**REPORT, "attachments": [api.upload("cv.pnv", name) for name in FILES]}


def complete(api: Api, user: str, task_id: int, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    response = api.post(f"/api/v1/tasks/{task_id}/complete", user, json={"data": data, **extra})
    assert response.status_code == 200, response.json
    return response.json  # type: ignore[no-any-return]


def returned_and_resubmitted(api: Api, clock: ManualClock) -> tuple[int, int]:
    """Staff submits, the head returns it with a reason, staff resubmits: the instance and its open review."""
    clock.set(at(date(2024, 3, 4)))
    started = api.start("cv.pnv", "PNV", "periodic_report", **START)
    [draft] = started["open_tasks"]
    submitted = report(api)
    [review] = complete(api, "cv.pnv", draft["id"], submitted)["next_tasks"]
    clock.set(at(date(2024, 3, 5), 9, 30))
    back = {"decision": "return", "return_reason": RETURN_REASON, "extend": False}
    [redraft] = complete(api, "tp.pnv", review["id"], back)["next_tasks"]
    assert redraft["element_id"] == "Task_draft"
    clock.set(at(date(2024, 3, 6), 14, 5))
    [review2] = complete(api, "cv.pnv", redraft["id"], {**submitted, **REVISION})["next_tasks"]
    assert review2["element_id"] == "Task_review"
    return started["id"], review2["id"]


def by_key(fields: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f["key"]: f for f in fields}


def test_the_approver_sees_the_submissions_newest_first_with_labels_and_the_return(
    api: Api, clock: ManualClock
) -> None:
    _, review_id = returned_and_resubmitted(api, clock)
    task = api.get(f"/api/v1/tasks/{review_id}", "tp.pnv")
    assert task.status_code == 200, task.json
    resubmitted, returned, first = task.json["submissions"]

    assert [s["name"] for s in (resubmitted, returned, first)] == ["Soạn báo cáo", "Duyệt báo cáo", "Soạn báo cáo"]
    assert [s["returned"] for s in (resubmitted, returned, first)] == [False, True, False]
    assert (returned["return_reason"], returned["actor"], returned["actor_name"]) == (
        RETURN_REASON,
        "tp.pnv",
        HEAD_NAME,
    )
    assert (resubmitted["actor"], resubmitted["actor_name"]) == ("cv.pnv", STAFF_NAME)
    assert [datetime.fromisoformat(s["at"]) for s in (resubmitted, returned, first)] == [
        at(date(2024, 3, 6), 14, 5),
        at(date(2024, 3, 5), 9, 30),
        at(date(2024, 3, 4)),
    ]

    fields = by_key(resubmitted["fields"])
    assert [f["key"] for f in resubmitted["fields"]] == ["report_content", "attachments", "revision_note"]
    text = fields["report_content"]
    assert (text["label"], text["display"], text["kind"]) == (
        "Kết quả thực hiện trong kỳ",
        REPORT["report_content"],
        "text",
    )
    files = fields["attachments"]
    assert (files["label"], files["kind"], files["items"]) == (
        "Tệp báo cáo và minh chứng đính kèm",
        "documents",
        list(FILES),
    )
    assert [d["name"] for d in files["documents"]] == list(FILES)
    assert fields["revision_note"]["display"] == "Đã bổ sung số liệu thủ tục hành chính."

    decision = by_key(returned["fields"])
    assert (decision["decision"]["label"], decision["decision"]["display"], decision["decision"]["value"]) == (
        "Ý kiến của lãnh đạo đơn vị",
        "Trả lại (kèm lý do)",
        "return",
    )
    assert decision["return_reason"]["label"] == "Lý do trả lại"
    assert (decision["extend"]["display"], decision["extend"]["kind"]) == ("Không", "boolean")
    assert "revision_note" not in by_key(first["fields"])


def test_a_later_approval_shows_only_what_it_submitted(api: Api, clock: ManualClock) -> None:
    instance_id, review_id = returned_and_resubmitted(api, clock)
    # What the task page used to send: the old reason, prefilled from the step's data, along with the approval.
    stale = {"decision": "approve", "return_reason": RETURN_REASON, "extend": False}
    [acceptance] = complete(api, "tp.pnv", review_id, stale)["next_tasks"]

    events = api.get(f"/api/v1/process-instances/{instance_id}/events", "cv.pnv").json
    completions = [(e["label"], e["comment"]) for e in events if e["kind"] == "task_completed"]
    assert completions == [
        ("Hoàn thành bước «Soạn báo cáo»", None),
        ("Trả lại ở bước «Duyệt báo cáo»", RETURN_REASON),
        ("Hoàn thành bước «Soạn báo cáo»", "Đã bổ sung số liệu thủ tục hành chính."),
        ("Hoàn thành bước «Duyệt báo cáo»", None),
    ]
    assert [e["payload"]["data"] for e in events if e["kind"] == "task_completed"][-1] == stale  # kept as sent

    latest = api.get(f"/api/v1/tasks/{acceptance['id']}", "cchc.pnv").json["submissions"][0]
    assert (latest["name"], latest["returned"], latest["return_reason"]) == ("Duyệt báo cáo", False, None)
    assert by_key(latest["fields"])["decision"]["display"] == "Duyệt, gửi Phòng Nội vụ"
    assert "return_reason" not in by_key(latest["fields"])
    shown = api.get(f"/api/v1/tasks/{acceptance['id']}", "cchc.pnv").json["submissions"]
    assert sum(RETURN_REASON in str(s) for s in shown) == 1  # only the return itself carries the reason

    # the record: the approval, without the earlier return's reason that the instance's data still keeps
    record = api.get(f"/api/v1/process-instances/{instance_id}", "tp.pnv").json
    assert by_key(record["fields"])["decision"]["display"] == "Duyệt, gửi Phòng Nội vụ"
    assert "return_reason" not in by_key(record["fields"]) and record["data"]["return_reason"] == RETURN_REASON


def test_a_completed_step_shows_only_the_submissions_before_it(api: Api, clock: ManualClock) -> None:
    instance_id, review_id = returned_and_resubmitted(api, clock)
    instance = api.get(f"/api/v1/process-instances/{instance_id}", "tp.pnv").json
    first_review = next(t for t in instance["completed_tasks"] if t["element_id"] == "Task_review")
    earlier = api.get(f"/api/v1/tasks/{first_review['id']}", "tp.pnv").json["submissions"]
    assert [(s["name"], s["returned"]) for s in earlier] == [("Soạn báo cáo", False)]
    # another instance's submissions never show
    other = api.start("cv.pnv", "PNV", "periodic_report", **START)
    [other_draft] = other["open_tasks"]
    assert api.get(f"/api/v1/tasks/{other_draft['id']}", "cv.pnv").json["submissions"] == []
    # and the submissions are as visible as the step: not to another unit's staff
    assert_error(api.get(f"/api/v1/tasks/{review_id}", "cv.ptp"), 404, "task_not_found")


def test_the_record_shows_labelled_fields_and_technical_ones_to_administrators_only(
    api: Api, clock: ManualClock
) -> None:
    instance_id, _ = returned_and_resubmitted(api, clock)
    head = api.get(f"/api/v1/process-instances/{instance_id}", "tp.pnv").json
    shown = by_key(head["fields"])
    assert shown["report_content"]["label"] == "Kết quả thực hiện trong kỳ"
    assert len(shown["attachments"]["items"]) == len(FILES)
    assert shown["revision_note"]["label"] == "Nội dung đã chỉnh sửa (khi báo cáo bị trả lại)"
    assert not any(f["technical"] for f in head["fields"])
    computed = {"durations", "draft_due", "review_due", "returns", "extensions", "unit_code", "data_objects"}
    assert not computed & set(shown)
    assert computed <= set(head["data"])  # the raw data stays in the answer, as clients read it

    admin = api.get(f"/api/v1/process-instances/{instance_id}", "admin").json
    technical = {f["key"]: f for f in admin["fields"] if f["technical"]}
    assert computed <= set(technical)
    assert technical["draft_due"]["display"] == "11/03/2024"  # dd/mm/yyyy
    assert technical["durations"]["label"] == "durations"  # raw keys: no form names them
    labelled = [f["key"] for f in admin["fields"] if not f["technical"]]
    assert labelled == [f["key"] for f in head["fields"]]
    assert admin["fields"][: len(labelled)] == head["fields"]  # the labelled fields first


def test_the_timeline_names_each_action_in_vietnamese(app: Flask, api: Api, clock: ManualClock) -> None:
    services = app.extensions["cchc"]
    clock.set(at(date(2024, 3, 4)))
    started = api.start("cv.pnv", "PNV", "periodic_report", **START)
    [draft] = started["open_tasks"]
    assert api.post(f"/api/v1/tasks/{draft['id']}/claim", "cv.pnv").status_code == 200
    assert api.post(f"/api/v1/tasks/{draft['id']}/unclaim", "cv.pnv").status_code == 200
    assigned = api.post(f"/api/v1/tasks/{draft['id']}/assign", "tp.pnv", json={"username": "cv.pnv"})
    assert assigned.status_code == 200, assigned.json
    extended = api.post(
        f"/api/v1/tasks/{draft['id']}/extend", "tp.pnv", json={"due_at": "2024-03-12", "reason": "Chờ số liệu quý"}
    )
    assert extended.status_code == 200, extended.json
    tick_at(services, clock, at(date(2024, 3, 12), 17, 30))  # the step's timer fired at its (new) deadline
    clock.set(at(date(2024, 3, 13), 10))
    late = api.post(
        f"/api/v1/tasks/{draft['id']}/complete",
        "cv.pnv",
        json={"data": report(api), "late_reason": "Chờ số liệu phường"},
    )
    assert late.status_code == 200, late.json
    cancelled = api.post(f"/api/v1/process-instances/{started['id']}/cancel", "admin", json={"reason": "Trùng hồ sơ"})
    assert cancelled.status_code == 200, cancelled.json

    events = api.get(f"/api/v1/process-instances/{started['id']}/events", "tp.pnv").json
    entries = [(e["label"], e["comment"]) for e in events]
    assert entries == [
        ("Khởi tạo hồ sơ", None),
        ("Nhận xử lý bước «Soạn báo cáo»", None),
        ("Trả lại hàng chờ bước «Soạn báo cáo»", None),
        (f"Phân công bước «Soạn báo cáo» cho {STAFF_NAME}", None),
        ("Gia hạn bước «Soạn báo cáo» đến 12/03/2024 17:00", "Chờ số liệu quý"),
        ("Hẹn giờ kích hoạt: Đến hạn xử lý", None),
        ("Hoàn thành bước «Soạn báo cáo»", None),
        ("Đính kèm tài liệu vào bước «Soạn báo cáo»", None),  # one per file of the form
        ("Đính kèm tài liệu vào bước «Soạn báo cáo»", None),
        ("Giải trình trễ hạn bước «Soạn báo cáo»", "Chờ số liệu phường"),
        ("Hủy hồ sơ", "Trùng hồ sơ"),
    ]
    assert [e["actor_name"] for e in events][:2] == [STAFF_NAME, STAFF_NAME]
    first = events[0]
    assert {"id", "kind", "instance_id", "element_id", "actor", "at", "payload"} <= set(first)  # the old fields stay
