"""Việc của đơn vị: a unit head sees the steps their staff hold and gives one to another staff member, who then
finds it in their own inbox (and was notified)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import Problems, Server, api_token, login, new_page, screenshot

pytestmark = pytest.mark.e2e

TITLE = "Báo cáo chuyên đề giao việc đơn vị · Quý III/2024"


def _api(page: Page, server: Server, token: str, method: str, path: str, body: object = None) -> object:
    response = page.request.fetch(
        f"{server.url}/api/v1/{path}", method=method, headers={"Authorization": f"Bearer {token}"}, data=body
    )
    assert response.ok, response.text()
    return response.json()


def test_head_assigns_a_staff_members_step_to_another(
    server: Server, page: tuple[Page, Problems], browser: Browser
) -> None:
    pg, problems = page
    admin = api_token(pg, server, "admin")
    second = {"username": "cv2.pnv", "full_name": "Lê Văn Bình (Chuyên viên Phòng Nội vụ)"}
    second["password"] = "Sen hồng 2024"
    _api(pg, server, admin, "POST", "users", {**second, "unit_code": "PNV", "roles": ["staff"]})
    staff = api_token(pg, server, "cv.pnv")
    deadline = (date.today() + timedelta(days=30)).isoformat()
    started = _api(
        pg,
        server,
        staff,
        "POST",
        "process-instances",
        {
            "process_key": "periodic_report",
            "version": 1,
            "unit_code": "PNV",
            "title": TITLE,
            "data": {
                "activity_code": "VII.3.9",
                "activity_title": "Báo cáo chuyên đề",
                "deadline": deadline,
                "period_label": "Quý III/2024",
                "period_kind": "quarter",
            },
        },
    )
    step = started["open_tasks"][0]  # type: ignore[index]
    _api(pg, server, staff, "POST", f"tasks/{step['id']}/claim")

    login(pg, server, "tp.pnv")
    pg.get_by_role("link", name="Việc của đơn vị").click()
    pg.wait_for_url(f"{server.url}/unit-tasks")
    expect(pg.get_by_test_id("unit-scope")).to_contain_text("Phòng Nội vụ")
    pg.get_by_label("Tìm kiếm").fill("chuyen de giao viec")
    expect(pg).to_have_url(re.compile(r"\?q=chuyen\+de\+giao\+viec$"))
    row = pg.locator(f"tr[data-task-id='{step['id']}']")
    expect(row).to_contain_text(TITLE)
    expect(row.get_by_test_id("holder")).to_contain_text("Võ Thị Hạnh")
    expect(pg.locator("tbody tr")).to_have_count(1)
    screenshot(pg, "lists-01-viec-cua-don-vi-truoc-khi-giao")

    row.get_by_role("button", name="Giao lại").click()
    choice = row.get_by_label(f"Giao bước «{step['name']}» cho")
    expect(choice.locator("option", has_text="Lê Văn Bình")).to_have_count(1)
    expect(choice.locator("option", has_text="Võ Thị Hạnh")).to_have_count(0)  # holds it already
    choice.select_option("cv2.pnv")
    row.get_by_role("button", name="Giao", exact=True).click()
    expect(row.get_by_test_id("holder")).to_contain_text("Lê Văn Bình")
    screenshot(pg, "lists-02-viec-cua-don-vi-sau-khi-giao")
    assert not problems.items, problems.items

    # staff do not get the page; the new assignee finds the step in their inbox, and a notice about it
    other, other_problems = new_page(browser)
    login(other, server, "cv2.pnv", second["password"])
    expect(other.get_by_role("link", name="Việc của đơn vị")).to_have_count(0)
    expect(other.locator(f"tr[data-task-id='{step['id']}']")).to_contain_text(TITLE)
    expect(other.get_by_test_id("notifications")).to_contain_text("Bạn được giao xử lý bước")
    screenshot(other, "lists-03-nguoi-duoc-giao-nhan-viec")
    assert not other_problems.items, other_problems.items
    response = other.goto(f"{server.url}/unit-tasks")
    assert response is not None and response.status == 403
    expect(other.get_by_text("Trang này dành cho lãnh đạo đơn vị")).to_be_visible()
    other.context.close()
