"""The approver sees what was submitted: staff submits a report with text and files, the head opens the
review and reads them (and an earlier return with its reason); the record shows labelled fields and a timeline
in Vietnamese."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.document_files import file_bytes

from .conftest import Server, api_token, attach, login, new_page, screenshot, start_report

pytestmark = pytest.mark.e2e

REPORT_TEXT = "Đã hoàn thành 12/12 nhiệm vụ CCHC quý II/2024; rà soát 35 thủ tục hành chính."
REVISED_TEXT = "Đã hoàn thành 12/12 nhiệm vụ CCHC quý II/2024; rà soát 35 thủ tục, đơn giản hóa 4 thủ tục."
FILES = ["bao-cao-quy-ii.docx", "phu-luc-thu-tuc.xlsx"]
FILES_LABEL = "Tệp báo cáo và minh chứng đính kèm"
REASON = "Bổ sung số thủ tục đã đơn giản hóa."


def _call(page: Page, server: Server, user: str, path: str, data: dict[str, Any] | None = None) -> Any:
    headers = {"Authorization": f"Bearer {api_token(page, server, user)}"}
    if data is None:
        response = page.request.get(f"{server.url}/api/v1/{path}", headers=headers)
    else:
        response = page.request.post(f"{server.url}/api/v1/{path}", headers=headers, data=data)
    assert response.ok, response.text()
    return response.json()


def _upload(page: Page, server: Server, user: str, name: str) -> int:
    """A real small file uploaded as ``user`` (POST /api/v1/documents): its document id."""
    headers = {"Authorization": f"Bearer {api_token(page, server, user)}"}
    payload = {"name": name, "mimeType": "application/octet-stream", "buffer": file_bytes(name)}
    response = page.request.post(f"{server.url}/api/v1/documents", headers=headers, multipart={"file": payload})
    assert response.status == 201, response.text()
    return int(response.json()["id"])


def _start(page: Page, server: Server) -> int:
    return int(start_report(page, server, "Quý II/2024 (hồ sơ đã nộp)")["id"])


def _open_step(page: Page, server: Server, instance_id: int, step: str) -> None:
    instance = page.request.get(f"{server.url}/api/v1/process-instances/{instance_id}").json()
    [task] = [t for t in instance["open_tasks"] if t["name"] == step]
    page.goto(f"{server.url}/tasks/{task['id']}")
    expect(page.get_by_test_id("task-name")).to_have_text(step)


def test_the_approver_sees_the_submitted_text_and_files(server: Server, browser: Browser) -> None:
    staff, staff_problems = new_page(browser)
    instance_id = _start(staff, server)
    login(staff, server, "cv.pnv")
    _open_step(staff, server, instance_id, "Soạn báo cáo")
    expect(staff.get_by_test_id("submissions")).to_have_count(0)  # nothing submitted yet
    staff.get_by_role("button", name="Nhận xử lý").click()
    form = staff.get_by_test_id("task-form")
    form.get_by_label("Kết quả thực hiện trong kỳ").fill(REPORT_TEXT)
    attach(form, FILES_LABEL, *FILES)
    form.get_by_role("button", name="Hoàn thành").click()
    expect(staff.get_by_test_id("task-done")).to_contain_text("Duyệt báo cáo")
    assert not staff_problems.items, staff_problems.items
    staff.context.close()

    head, head_problems = new_page(browser)
    login(head, server, "tp.pnv")
    _open_step(head, server, instance_id, "Duyệt báo cáo")
    [submission] = head.get_by_test_id("submission").all()
    expect(submission).to_contain_text("Soạn báo cáo")
    expect(submission).to_contain_text("Võ Thị Hạnh")
    expect(submission).to_contain_text("Kết quả thực hiện trong kỳ")
    expect(submission).to_contain_text(REPORT_TEXT)
    files = submission.locator("[data-kind=documents] .doc-name")
    expect(files).to_have_text(FILES)
    screenshot(head, "records-01-nguoi-duyet-thay-ho-so-da-nop")

    # the head returns it; staff resubmits (over the API); the head now sees both rounds, the return highlighted
    head.get_by_role("button", name="Trả lại", exact=True).click()
    head.get_by_label("Lý do trả lại (bắt buộc)").fill(REASON)
    head.get_by_role("button", name="Xác nhận trả lại").click()
    expect(head.get_by_test_id("task-done")).to_contain_text("Soạn báo cáo")
    redraft = _call(head, server, "cv.pnv", "tasks?status=ready")
    [task] = [t for t in redraft if t["instance_id"] == instance_id and t["name"] == "Soạn báo cáo"]
    attachments = [_upload(head, server, "cv.pnv", name) for name in FILES]
    revised = {"report_content": REVISED_TEXT, "attachments": attachments, "revision_note": "Đã bổ sung số thủ tục."}
    _call(head, server, "cv.pnv", f"tasks/{task['id']}/complete", {"data": revised})

    _open_step(head, server, instance_id, "Duyệt báo cáo")
    rounds = head.get_by_test_id("submission")
    expect(rounds).to_have_count(3)
    expect(rounds.nth(0)).to_contain_text(REVISED_TEXT)  # newest first
    expect(rounds.nth(1)).to_contain_text("Trả lại")
    expect(rounds.nth(1).get_by_test_id("return-reason")).to_contain_text(REASON)
    expect(rounds.nth(2)).to_contain_text(REPORT_TEXT)
    screenshot(head, "records-02-nguoi-duyet-thay-lan-tra-lai")
    head.get_by_role("button", name="Duyệt, gửi Phòng Nội vụ").click()
    expect(head.get_by_test_id("task-done")).to_contain_text("Tiếp nhận báo cáo")
    events = _call(head, server, "tp.pnv", f"process-instances/{instance_id}/events")
    approval = [e for e in events if e["kind"] == "task_completed"][-1]
    assert approval["payload"]["data"]["decision"] == "approve"
    assert "return_reason" not in approval["payload"]["data"]  # the page no longer sends the old reason back

    # the record: labelled fields, no technical data for the head, the timeline in Vietnamese
    head.goto(f"{server.url}/instances/{instance_id}")
    fields = head.get_by_test_id("instance-fields")
    expect(fields).to_contain_text("Kết quả thực hiện trong kỳ")
    expect(fields).to_contain_text(REVISED_TEXT)
    expect(fields.locator("[data-kind=documents] .doc-name")).to_have_text(FILES)
    expect(fields).not_to_contain_text(REASON)  # the earlier return's reason is not the record's
    expect(head.get_by_test_id("technical-fields")).to_have_count(0)
    timeline = head.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Khởi tạo hồ sơ")
    expect(timeline).to_contain_text("Nhận xử lý bước «Soạn báo cáo»")
    expect(timeline.locator("li.event-return")).to_have_count(1)
    expect(timeline.locator("li.event-return")).to_contain_text(REASON)
    last = timeline.locator("li").last
    expect(last).to_contain_text("Hoàn thành bước «Duyệt báo cáo»")
    expect(last.locator(".comment")).to_have_count(0)  # the approval repeats no old reason
    screenshot(head, "records-03-ho-so-truong-du-lieu-va-nhat-ky")
    assert not head_problems.items, head_problems.items
    head.context.close()

    admin, admin_problems = new_page(browser)
    login(admin, server, "admin")
    admin.goto(f"{server.url}/instances/{instance_id}")
    technical = admin.get_by_test_id("technical-fields")
    expect(technical).to_contain_text("Dữ liệu kỹ thuật")
    technical.locator("summary").click()
    expect(technical).to_contain_text("durations")
    screenshot(admin, "records-04-ho-so-du-lieu-ky-thuat-quan-tri")
    assert not admin_problems.items, admin_problems.items
    admin.context.close()
