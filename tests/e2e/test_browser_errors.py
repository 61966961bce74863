"""The browser never sees raw JSON (issue #13): the Vietnamese 404 page, a form that survives an expired session
(local draft, login, back to the page), a CSRF token refreshed without a reload, and the live unread badge."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import Problems, Server, api_token, attach, login, screenshot, start_report

pytestmark = pytest.mark.e2e

RESULT = "Kết quả thực hiện trong kỳ"
FILES = "Tệp báo cáo và minh chứng đính kèm"


def _start_report(page: Page, server: Server, username: str, unit: str, period: str) -> int:
    """A periodic report of ``unit`` started through the API; the id of its first step (Soạn báo cáo)."""
    return int(start_report(page, server, period, username=username, unit=unit)["open_tasks"][0]["id"])


def _open_claimed(page: Page, server: Server, task_id: int) -> None:
    page.goto(f"{server.url}/tasks/{task_id}")
    expect(page.get_by_test_id("task-name")).to_have_text("Soạn báo cáo")
    page.get_by_role("button", name="Nhận xử lý").click()
    expect(page.get_by_role("button", name="Trả lại hàng chờ")).to_be_visible()


def _drafts(page: Page) -> list[str]:
    return list(page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('cchc.draft:'))"))


def test_an_unknown_address_shows_a_vietnamese_page(server: Server, page: tuple[Page, Problems]) -> None:
    pg, problems = page
    response = pg.goto(f"{server.url}/khong-co")
    assert response is not None and response.status == 404
    assert response.headers["content-type"].startswith("text/html")
    expect(pg.get_by_role("heading", name="Không tìm thấy trang")).to_be_visible()
    expect(pg.get_by_text("Mã lỗi 404")).to_be_visible()
    screenshot(pg, "browser-01-trang-khong-ton-tai")
    pg.get_by_role("link", name="Đăng nhập").click()
    expect(pg.get_by_role("heading", name="Đăng nhập")).to_be_visible()

    login(pg, server, "cv.pnv")
    response = pg.goto(f"{server.url}/tasks/abc")
    assert response is not None and response.status == 404
    expect(pg.get_by_test_id("user-name")).to_contain_text("Võ Thị Hạnh")
    pg.get_by_role("link", name="Trang chủ").click()
    pg.wait_for_url(f"{server.url}/")
    assert not problems.items, problems.items


def test_an_expired_session_keeps_the_typed_text(server: Server, page: tuple[Page, Problems]) -> None:
    pg, problems = page
    task_id = _start_report(pg, server, "cv.pnv", "PNV", "Quý I/2025")
    pg.clock.install()  # the draft's debounce runs when the test moves the clock
    login(pg, server, "cv.pnv")
    _open_claimed(pg, server, task_id)
    # opened, not typed in (the form fills in its own defaults): no draft, not even after a reload
    pg.clock.run_for(5_000)
    pg.reload()
    expect(pg.get_by_test_id("task-form").get_by_label(RESULT)).to_have_value("")
    pg.clock.run_for(5_000)
    expect(pg.get_by_test_id("draft-notice")).to_have_count(0)
    assert _drafts(pg) == []

    text = "Đã rà soát 12 thủ tục hành chính và cập nhật quy trình nội bộ của phòng."
    form = pg.get_by_test_id("task-form")
    form.get_by_label(RESULT).fill(text)
    attach(form, FILES, "bao-cao-quy-i.docx")

    pg.context.clear_cookies()  # the session ends on the server's side (expired, or logged out elsewhere)
    form.get_by_role("button", name="Hoàn thành").click()
    pg.wait_for_url(re.compile(r"/login\?next="))
    assert pg.url.endswith(f"/login?next=%2Ftasks%2F{task_id}&expired=1")
    expect(pg.locator("#login-expired")).to_contain_text("Phiên đăng nhập đã hết hạn")
    assert _drafts(pg) == [f"cchc.draft:cv.pnv:task:{task_id}"]
    screenshot(pg, "browser-02-het-phien-dang-nhap")
    problems.items.clear()  # the refused write answered 401 on purpose

    pg.get_by_label("Tên đăng nhập").fill("cv.pnv")
    pg.get_by_label("Mật khẩu").fill("demo")
    pg.get_by_role("button", name="Đăng nhập").click()
    pg.wait_for_url(f"{server.url}/tasks/{task_id}")
    notice = pg.get_by_test_id("draft-notice")
    expect(notice).to_contain_text("Đã khôi phục bản nháp chưa gửi")
    form = pg.get_by_test_id("task-form")
    expect(form.get_by_label(RESULT)).to_have_value(text)
    expect(form.locator(".documents-field .doc-item", has_text="bao-cao-quy-i.docx")).to_be_visible()  # looked up again
    screenshot(pg, "browser-03-khoi-phuc-ban-nhap")

    # a reload (a closed tab) keeps new typing too; "Bỏ bản nháp" goes back to the form as the server gave it
    form.get_by_label(RESULT).fill(text + " Bản sửa.")
    pg.reload()
    expect(pg.get_by_test_id("task-form").get_by_label(RESULT)).to_have_value(text + " Bản sửa.")
    pg.get_by_role("button", name="Bỏ bản nháp").click()
    expect(pg.get_by_test_id("draft-notice")).to_have_count(0)
    expect(pg.get_by_test_id("task-form").get_by_label(RESULT)).to_have_value("")
    assert _drafts(pg) == []

    # typed again and sent: the draft is gone
    form = pg.get_by_test_id("task-form")
    form.get_by_label(RESULT).fill(text)
    attach(form, FILES, "bao-cao-quy-i.docx")
    pg.wait_for_function("Object.keys(localStorage).some((k) => k.startsWith('cchc.draft:'))")  # saved while typing
    form.get_by_role("button", name="Hoàn thành").click()
    expect(pg.get_by_test_id("task-done")).to_contain_text("Đã hoàn thành bước «Soạn báo cáo»")
    assert _drafts(pg) == []
    assert not problems.items, problems.items


def test_a_stale_csrf_token_is_refreshed_without_a_reload(server: Server, page: tuple[Page, Problems]) -> None:
    pg, problems = page
    task_id = _start_report(pg, server, "cv.vp", "VP", "Quý II/2025")
    login(pg, server, "cv.vp")
    _open_claimed(pg, server, task_id)
    form = pg.get_by_test_id("task-form")
    form.get_by_label(RESULT).fill("Hoàn thành kiểm soát thủ tục hành chính quý II của Văn phòng.")
    attach(form, FILES, "bao-cao-quy-ii.docx")
    pg.evaluate("window.__notReloaded = true")
    stale = pg.locator('meta[name="csrf-token"]').get_attribute("content")

    other = pg.context.new_page()  # another tab: log out and in again — the session's CSRF secret changes
    other.goto(f"{server.url}/")
    other.get_by_role("button", name="Đăng xuất").click()
    other.wait_for_url(f"{server.url}/login")
    login(other, server, "cv.vp")
    other.close()

    form.get_by_role("button", name="Hoàn thành").click()
    expect(pg.get_by_test_id("task-done")).to_contain_text("Đã hoàn thành bước «Soạn báo cáo»")
    assert pg.evaluate("window.__notReloaded") is True
    assert pg.locator('meta[name="csrf-token"]').get_attribute("content") != stale
    screenshot(pg, "browser-04-lam-moi-ma-csrf")
    problems.items = [p for p in problems.items if "403" not in p]  # the refused first try, then the retry
    assert not problems.items, problems.items


def test_mark_all_read_updates_the_badge_in_every_tab(server: Server, page: tuple[Page, Problems]) -> None:
    pg, problems = page
    # the head starts two reports: the unit's staff are told of each new step (the starter is not)
    _start_report(pg, server, "tp.pvhtt", "PVHTT", "Quý III/2025")
    _start_report(pg, server, "tp.pvhtt", "PVHTT", "Quý IV/2025")
    pg.clock.install()  # the page's timers (the minute poll) move only when the test moves them
    login(pg, server, "cv.pvhtt")
    badge = pg.locator("#notifications-count")
    expect(badge).to_have_text(re.compile(r"^[1-9]\d*$"))
    second = pg.context.new_page()
    second.goto(f"{server.url}/instances")
    expect(second.locator("#notifications-count")).to_have_text(badge.inner_text())

    pg.get_by_role("button", name="Đánh dấu tất cả đã đọc").click()
    expect(badge).to_have_text("0")
    expect(second.locator("#notifications-count")).to_have_text("0")  # the other tab, without a reload
    screenshot(pg, "browser-05-da-doc-tat-ca")
    second.close()

    # a new step for the unit: the badge shows it at the next poll, a minute later, without a reload
    _start_report(pg, server, "tp.pvhtt", "PVHTT", "Năm 2025")
    pg.clock.run_for(30_000)
    expect(badge).to_have_text("0")
    pg.clock.run_for(31_000)
    expect(badge).to_have_text("1")
    assert not problems.items, problems.items


def test_a_write_is_not_sent_as_another_account(server: Server, page: tuple[Page, Problems]) -> None:
    pg, problems = page
    task_id = _start_report(pg, server, "cv.ptp", "PTP", "Quý I/2026")
    login(pg, server, "cv.ptp")
    _open_claimed(pg, server, task_id)
    text = "Kết quả của chuyên viên Phòng Tư pháp, chưa gửi."
    form = pg.get_by_test_id("task-form")
    form.get_by_label(RESULT).fill(text)
    attach(form, FILES, "bao-cao.docx")

    other = pg.context.new_page()  # another tab: someone else logs in on this browser
    other.goto(f"{server.url}/")
    other.get_by_role("button", name="Đăng xuất").click()
    other.wait_for_url(f"{server.url}/login")
    login(other, server, "tp.ptp")
    other.close()

    form.get_by_role("button", name="Hoàn thành").click()
    expect(pg.get_by_role("alert").filter(has_text="đăng nhập bằng tài khoản khác")).to_be_visible()
    expect(form.get_by_label(RESULT)).to_have_value(text)
    token = api_token(pg, server, "cv.ptp")
    step = pg.request.get(f"{server.url}/api/v1/tasks/{task_id}", headers={"Authorization": f"Bearer {token}"})
    assert step.json()["status"] == "ready"  # nothing was completed in tp.ptp's name
    problems.items = [p for p in problems.items if "403" not in p]
    assert not problems.items, problems.items
