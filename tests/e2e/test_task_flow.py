"""Log in → inbox → open a step → invalid value (Vietnamese message) → fix → complete → the next user has it;
then the head returns it with a reason and the staff member gets it back."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import PHONE, Problems, Server, attach, login, new_page, screenshot, start_report

pytestmark = pytest.mark.e2e


def _start_report(page: Page, server: Server, period: str) -> int:
    return int(start_report(page, server, period)["id"])


def _open_step(page: Page, instance_id: int, step: str) -> None:
    row = page.locator(f"tr:has(a[href='/instances/{instance_id}'])", has_text=step)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=step).click()
    expect(page.get_by_test_id("task-name")).to_have_text(step)


def test_staff_completes_step_and_head_sees_it(server: Server, page: tuple[Page, Problems], browser: Browser) -> None:
    pg, problems = page
    instance_id = _start_report(pg, server, "Quý IV/2024")

    login(pg, server, "cv.pnv")
    expect(pg.locator("[data-testid=user-name]")).to_contain_text("Võ Thị Hạnh")
    expect(pg.locator(".user-meta")).to_contain_text("Phòng Nội vụ")
    expect(pg.get_by_test_id("count-on_track")).to_contain_text("Trong hạn")
    screenshot(pg, "01-viec-can-lam")
    _open_step(pg, instance_id, "Soạn báo cáo")
    expect(pg.get_by_test_id("instructions")).to_contain_text("Soạn báo cáo kết quả")
    expect(pg.get_by_test_id("activity")).to_contain_text("VII.3.2")
    expect(pg.get_by_test_id("working-days")).to_contain_text("ngày làm việc")
    expect(pg.get_by_test_id("history")).to_contain_text("Khởi tạo hồ sơ")

    pg.get_by_role("button", name="Nhận xử lý").click()
    expect(pg.get_by_role("button", name="Trả lại hàng chờ")).to_be_visible()

    form = pg.get_by_test_id("task-form")
    form.get_by_label("Kết quả thực hiện trong kỳ").fill("Quá ngắn")
    attach(form, "Tệp báo cáo và minh chứng đính kèm", "bao-cao-quy-iv.docx", "phu-luc-so-lieu.xlsx")
    form.get_by_role("button", name="Hoàn thành").click()
    expect(form.get_by_text("Phải có ít nhất 20 ký tự.").first).to_be_visible()
    screenshot(pg, "02-xu-ly-cong-viec-loi-nhap-lieu")

    form.get_by_label("Kết quả thực hiện trong kỳ").fill(
        "Đã hoàn thành 100% nhiệm vụ CCHC quý IV/2024 của Phòng Nội vụ."
    )
    form.get_by_role("button", name="Hoàn thành").click()
    done = pg.get_by_test_id("task-done")
    expect(done).to_contain_text("Đã hoàn thành bước «Soạn báo cáo»")
    expect(done).to_contain_text("Duyệt báo cáo")
    screenshot(pg, "03-hoan-thanh-buoc")
    assert not problems.items, problems.items

    # the head of Phòng Nội vụ now has the review step; they return it with a reason
    head, head_problems = new_page(browser)
    login(head, server, "tp.pnv")
    _open_step(head, instance_id, "Duyệt báo cáo")
    expect(head.get_by_test_id("history")).to_contain_text("Hoàn thành bước")
    head.get_by_role("button", name="Trả lại", exact=True).click()
    head.get_by_role("button", name="Xác nhận trả lại").click()
    expect(head.get_by_role("alert").filter(has_text="Vui lòng nhập lý do trả lại.")).to_be_visible()
    head.get_by_label("Lý do trả lại (bắt buộc)").fill("Bổ sung số liệu về thủ tục hành chính.")
    head.get_by_role("button", name="Xác nhận trả lại").click()
    expect(head.get_by_test_id("task-done")).to_contain_text("Soạn báo cáo")
    assert not head_problems.items, head_problems.items
    head.context.close()

    # back to the staff member, on a phone: the step is in the inbox again, with the head's reason in the history
    phone, phone_problems = new_page(browser, PHONE)
    login(phone, server, "cv.pnv")
    expect(phone.locator(f"tr:has(a[href='/instances/{instance_id}'])", has_text="Soạn báo cáo")).to_have_count(1)
    screenshot(phone, "04-viec-can-lam-dien-thoai")
    _open_step(phone, instance_id, "Soạn báo cáo")
    expect(phone.get_by_test_id("history")).to_contain_text("Bổ sung số liệu về thủ tục hành chính.")
    screenshot(phone, "05-xu-ly-cong-viec-dien-thoai")
    assert not phone_problems.items, phone_problems.items
    phone.context.close()


def test_keyboard_login_and_navigation(server: Server, page: tuple[Page, Problems]) -> None:
    pg, problems = page
    pg.goto(f"{server.url}/")
    assert "/login" in pg.url
    expect(pg.get_by_label("Tên đăng nhập")).to_be_focused()
    pg.keyboard.type("cv.pnv")
    pg.keyboard.press("Tab")
    pg.keyboard.type("sai-mat-khau")
    pg.keyboard.press("Enter")
    expect(pg.locator("#login-error")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    screenshot(pg, "00-dang-nhap")
    problems.items.clear()  # the refused login answered 401 on purpose
    pg.get_by_label("Mật khẩu").fill("demo")
    pg.keyboard.press("Enter")
    pg.wait_for_url(f"{server.url}/")
    pg.keyboard.press("Tab")
    expect(pg.get_by_text("Bỏ qua, đến nội dung chính")).to_be_focused()
    pg.keyboard.press("Enter")
    expect(pg.locator("#main")).to_be_focused()
    # the navigation is reachable with Tab and opens pages with Enter
    pg.get_by_role("link", name="Hồ sơ quy trình").focus()
    pg.keyboard.press("Enter")
    pg.wait_for_url(f"{server.url}/instances")
    expect(pg.get_by_role("link", name="Hồ sơ quy trình")).to_have_attribute("aria-current", "page")
    assert not problems.items, problems.items
