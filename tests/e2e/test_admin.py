"""Quản trị: an administrator adds a day off to the calendar and sees a deadline move, adds a unit with its
validity dates and an account."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import Problems, Server, login, screenshot

pytestmark = pytest.mark.e2e


def test_admin_calendar_units_users(server: Server, page: tuple[Page, Problems]) -> None:
    pg, problems = page
    login(pg, server, "admin")
    pg.get_by_role("link", name="Quản trị", exact=True).click()
    expect(pg.get_by_test_id("users")).to_contain_text("cv.pnv")

    pg.get_by_role("tab", name="Lịch làm việc").click()
    # calendar: Monday 02/09/2030 (Quốc khánh) is a holiday already; a day off on Wednesday 04/09 moves deadlines
    pg.get_by_label("Từ ngày", exact=True).fill("2030-08-30")
    pg.get_by_label("Số ngày làm việc", exact=True).fill("3")
    pg.get_by_role("button", name="Tính", exact=True).click()
    before = pg.get_by_test_id("due-date")
    expect(before).to_contain_text("Hạn xử lý:")
    first_due = before.locator("strong").inner_text()

    pg.get_by_label("Năm", exact=True).fill("2030")
    pg.get_by_label("Ngày", exact=True).fill("2030-09-04")
    pg.get_by_label("Loại", exact=True).select_option("false")
    pg.get_by_label("Lý do", exact=True).fill("Nghỉ bù theo quyết định của UBND")
    pg.get_by_role("button", name="Lưu ngày").click()
    expect(pg.get_by_test_id("overrides")).to_contain_text("04/09/2030")
    expect(pg.get_by_test_id("overrides")).to_contain_text("Ngày nghỉ")
    pg.get_by_role("button", name="Tính", exact=True).click()
    expect(pg.get_by_test_id("due-date")).to_contain_text("04/09/2030: ")
    assert pg.get_by_test_id("due-date").locator("strong").inner_text() != first_due
    screenshot(pg, "14-quan-tri-lich-lam-viec")

    # a unit with its validity dates
    pg.get_by_role("tab", name="Đơn vị").click()
    pg.get_by_label("Mã đơn vị", exact=True).fill("PTEST")
    pg.get_by_label("Tên đơn vị", exact=True).fill("Phòng Thử nghiệm")
    pg.get_by_label("Hiệu lực từ ngày", exact=True).fill("2030-01-01")
    pg.get_by_role("button", name="Thêm đơn vị").click()
    row = pg.locator("tr[data-unit='PTEST']")
    expect(row).to_contain_text("01/01/2030")
    pg.get_by_label("Ngày kết thúc hiệu lực của Phòng Thử nghiệm", exact=True).fill("2030-12-31")
    row.get_by_role("button", name="Lưu").click()
    expect(row).to_contain_text("31/12/2030")
    screenshot(pg, "15-quan-tri-don-vi")

    # an account (the tabs also follow the arrow keys)
    pg.get_by_role("tab", name="Đơn vị").focus()
    pg.keyboard.press("ArrowLeft")
    expect(pg.get_by_role("tab", name="Người dùng")).to_be_focused()
    expect(pg.get_by_role("tab", name="Người dùng")).to_have_attribute("aria-selected", "true")
    pg.get_by_label("Tên đăng nhập", exact=True).fill("cv.test")
    pg.get_by_label("Họ tên", exact=True).fill("Nguyễn Thị Thử")
    pg.get_by_label("Mật khẩu (ít nhất 8 ký tự)", exact=True).fill("mat-khau-1")
    pg.locator("#u-unit_code").select_option("PNV")
    pg.get_by_role("button", name="Thêm tài khoản").click()
    expect(pg.get_by_test_id("users")).to_contain_text("Nguyễn Thị Thử")
    screenshot(pg, "16-quan-tri-nguoi-dung")
    assert not problems.items, problems.items
