"""Khởi tạo hồ sơ from the page: pick a process and the unit, an invalid value → Vietnamese messages next to the
fields (the form's own and the server's) → fix → the new instance's page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import Problems, Server, login, screenshot

IN_MODELER = "[data-testid=modeler] .djs-element"  # the page also shows other diagrams (Chuyển phiên bản)

pytestmark = pytest.mark.e2e


def test_staff_starts_a_periodic_report_from_the_start_form(server: Server, page: tuple[Page, Problems]) -> None:
    pg, problems = page
    # the browser runs on today's date: Sa Đéc's units closed on 2025-06-30, the commune's are open
    login(pg, server, "cv.bt")
    pg.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Khởi tạo hồ sơ").click()
    pg.wait_for_url(f"{server.url}/instances/new")
    expect(pg.get_by_test_id("start-page")).to_be_visible()
    expect(pg.get_by_label("Đơn vị chủ trì (sở hữu hồ sơ)")).to_have_value("BT_VP")  # staff: their own unit only
    expect(pg.locator("#start-unit option")).to_have_count(1)
    pg.get_by_label("Quy trình", exact=True).select_option(label="Báo cáo định kỳ")
    form = pg.get_by_test_id("start-form")
    expect(form.get_by_label("Tên báo cáo")).to_be_visible()

    # invalid: a title that is too short, no period → the form's Vietnamese messages, nothing is sent
    form.get_by_label("Tên báo cáo").fill("abc")
    form.get_by_label("Hạn gửi báo cáo").fill("2024-03-15")
    form.get_by_role("button", name="Khởi tạo hồ sơ").click()
    expect(form.get_by_text("Phải có ít nhất 5 ký tự.").first).to_be_visible()
    expect(form.get_by_text("Trường này là bắt buộc.").first).to_be_visible()
    screenshot(pg, "start-01-loi-nhap-lieu")
    assert pg.url == f"{server.url}/instances/new"

    # the form is right but the instance title hides a zero-width space: the server's message next to the title
    form.get_by_label("Tên báo cáo").fill("Báo cáo kết quả thực hiện công tác CCHC")
    form.get_by_label(re.compile(r"^Kỳ báo cáo")).fill("Quý I/2024")
    form.get_by_label("Loại kỳ báo cáo").select_option(label="Quý")
    pg.get_by_label("Tiêu đề hồ sơ (không bắt buộc)").fill("Báo cáo CCHC\u200b Quý I/2024")
    form.get_by_role("button", name="Khởi tạo hồ sơ").click()
    title_error = pg.locator("#err-title")
    expect(title_error).to_contain_text("ký tự ẩn")
    screenshot(pg, "start-02-loi-tu-may-chu")
    assert len(problems.items) == 1 and "422" in problems.items[0], problems.items
    problems.items.clear()  # the refused start answered 422 on purpose

    # fixed → the new instance's page
    pg.get_by_label("Tiêu đề hồ sơ (không bắt buộc)").fill("Báo cáo CCHC Quý I/2024 của Văn phòng - Thống kê xã")
    form.get_by_role("button", name="Khởi tạo hồ sơ").click()
    pg.wait_for_url(re.compile(r".*/instances/\d+$"))
    expect(pg.get_by_test_id("instance-title")).to_have_text("Báo cáo CCHC Quý I/2024 của Văn phòng - Thống kê xã")
    expect(pg.get_by_test_id("open-tasks")).to_contain_text("Soạn báo cáo")
    screenshot(pg, "start-03-ho-so-moi")
    instance_id = int(pg.url.rsplit("/", 1)[1])
    with server.services.read() as uow:
        instance = server.services.engine.get_instance(uow.session, instance_id)
    assert instance.status == "running" and instance.incident is None
    assert (instance.data["period_label"], instance.data["deadline"]) == ("Quý I/2024", "2024-03-15")
    assert problems.items == []


def test_the_instances_list_links_to_the_start_page_only_for_those_who_may_start(
    server: Server, page: tuple[Page, Problems]
) -> None:
    pg, problems = page
    login(pg, server, "vanthu")  # the registry clerk starts nothing
    pg.goto(f"{server.url}/instances")
    expect(pg.get_by_test_id("instances-table").or_(pg.get_by_text("Không có hồ sơ nào."))).to_be_visible()
    expect(pg.get_by_test_id("start-link")).to_have_count(0)
    expect(pg.get_by_role("link", name="Khởi tạo hồ sơ")).to_have_count(0)
    login(pg, server, "cchc.pnv")
    pg.goto(f"{server.url}/instances")
    pg.get_by_test_id("start-link").click()
    pg.wait_for_url(f"{server.url}/instances/new")
    expect(pg.locator("#start-unit option")).not_to_have_count(1)  # an overseer starts for any unit
    assert problems.items == []


def test_the_modeler_shows_a_placeholder_naming_nothing_as_a_warning(
    server: Server, page: tuple[Page, Problems]
) -> None:
    pg, problems = page
    login(pg, server, "admin")
    pg.goto(f"{server.url}/admin/processes?key=periodic_report")
    expect(pg.locator(IN_MODELER + "[data-element-id='Task_draft']")).to_have_count(1)
    pg.locator(IN_MODELER + ".djs-shape[data-element-id='Task_draft']").first.click(position={"x": 8, "y": 8})
    header = pg.locator(".bio-properties-panel-group-header", has_text="Bước xử lý (CCHC)")
    if "open" not in (header.get_attribute("class") or ""):
        header.click()
    instructions = pg.locator("#bio-properties-panel-spiff-instructions")
    expect(instructions).to_have_value(re.compile(r"kỳ \{\{ period_label \}\}"))
    instructions.fill("Soạn báo cáo kỳ {{ period_lable }}.")
    pg.wait_for_timeout(600)  # the panel debounces its inputs
    pg.get_by_role("button", name="Kiểm tra", exact=True).click()
    expect(pg.get_by_test_id("modeler-status")).to_contain_text("Sơ đồ hợp lệ")
    warnings = pg.get_by_test_id("warnings")
    expect(warnings).to_contain_text("Cảnh báo (1)")
    expect(warnings).to_contain_text("period_lable")
    expect(pg.get_by_test_id("problems")).to_have_count(0)
    screenshot(pg, "start-04-canh-bao-trien-khai")
    assert problems.items == []
