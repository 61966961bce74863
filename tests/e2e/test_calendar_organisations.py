"""Lịch làm việc per organisation: the administrator declares a day off for one organisation only, and that
organisation's coordinator sees it beside the shared days, manages their own and only their own."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import Problems, Server, login, new_page, screenshot

pytestmark = pytest.mark.e2e


def test_a_day_off_for_one_organisation(server: Server, browser: Browser, page: tuple[Page, Problems]) -> None:
    pg, problems = page
    login(pg, server, "admin")
    pg.goto(f"{server.url}/admin#calendar")
    pg.get_by_label("Năm", exact=True).fill("2031")
    # the shared calendar first: a day off for every organisation
    pg.get_by_label("Ngày", exact=True).fill("2031-03-05")
    pg.get_by_label("Lý do", exact=True).fill("Nghỉ chung")
    pg.get_by_role("button", name="Lưu ngày").click()
    table = pg.get_by_test_id("overrides")
    expect(table).to_contain_text("05/03/2031")
    expect(table).to_contain_text("Mọi tổ chức")
    # then Xã Bình Thành alone: a day off on Thursday 06/03
    pg.get_by_label("Tổ chức", exact=True).select_option(label="Xã Bình Thành")
    expect(pg.get_by_role("heading", name="Thêm ngày điều chỉnh cho Xã Bình Thành")).to_be_visible()
    pg.get_by_label("Ngày", exact=True).fill("2031-03-06")
    pg.get_by_label("Lý do", exact=True).fill("Nghỉ riêng của xã")
    pg.get_by_role("button", name="Lưu ngày").click()
    expect(pg.get_by_role("row", name="06/03/2031")).to_contain_text("Xã Bình Thành")
    # the due date on the commune's calendar skips both days; on the shared one only the first
    pg.get_by_label("Từ ngày", exact=True).fill("2031-03-04")
    pg.get_by_label("Số ngày làm việc", exact=True).fill("1")
    pg.get_by_role("button", name="Tính", exact=True).click()
    expect(pg.get_by_test_id("due-date").locator("strong")).to_have_text("07/03/2031")
    pg.get_by_label("Tổ chức", exact=True).select_option(label="Mọi tổ chức (lịch chung)")
    expect(table).to_contain_text("06/03/2031")  # the administrator's list: every organisation's days
    pg.get_by_role("button", name="Tính", exact=True).click()
    expect(pg.get_by_test_id("due-date").locator("strong")).to_have_text("06/03/2031")
    screenshot(pg, "calendar-admin-organisation")

    coordinator, their_problems = new_page(browser)
    login(coordinator, server, "cchc.bt")
    coordinator.get_by_role("link", name="Lịch làm việc").click()
    expect(coordinator.get_by_test_id("calendar-organisation")).to_contain_text("Xã Bình Thành")
    coordinator.get_by_label("Năm", exact=True).fill("2031")
    theirs = coordinator.get_by_test_id("overrides")
    expect(coordinator.get_by_role("row", name="05/03/2031")).to_contain_text("Lịch chung")  # not theirs to remove
    coordinator.get_by_label("Ngày", exact=True).fill("2031-03-10")
    coordinator.get_by_role("button", name="Lưu ngày").click()
    expect(coordinator.get_by_role("row", name="10/03/2031")).to_contain_text("Xã Bình Thành")
    coordinator.get_by_role("button", name="Xóa ngày 06/03/2031 (Xã Bình Thành)").click()
    expect(theirs).not_to_contain_text("06/03/2031")
    screenshot(coordinator, "calendar-coordinator")

    sadec, sadec_problems = new_page(browser)
    login(sadec, server, "cchc.pnv")
    sadec.get_by_role("link", name="Lịch làm việc").click()
    sadec.get_by_label("Năm", exact=True).fill("2031")
    expect(sadec.get_by_test_id("overrides")).to_contain_text("05/03/2031")
    expect(sadec.get_by_test_id("overrides")).not_to_contain_text("10/03/2031")  # the commune's own day
    for p in (coordinator, sadec):
        p.context.close()
    assert not problems.items and not their_problems.items and not sadec_problems.items
