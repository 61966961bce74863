"""The administrator deletes the approval step of "Ban hành kế hoạch" in the modeler and runs the process's
scenarios ("Chạy kịch bản"): the results beside the diagram name the failing step, its element is marked and
shown, the coverage lists the steps reached; deploying the draft asks for a confirmation."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from tests.scenario_support import plan_issuance_bundle, without_approval

from .conftest import Problems, Server, login, screenshot

IN_MODELER = "[data-testid=modeler] .djs-element"  # the page also shows other diagrams (Chuyển phiên bản)

pytestmark = pytest.mark.e2e
RUN_TIMEOUT = 180_000  # thirteen scenarios on two shared cores


def test_running_the_scenarios_of_a_broken_draft_shows_the_failure_on_its_element(
    server: Server, page: tuple[Page, Problems]
) -> None:
    pg, problems = page
    login(pg, server, "admin")
    pg.get_by_role("link", name="Quản trị quy trình").click()
    pg.get_by_role("button", name="Ban hành kế hoạch (v").click()
    expect(pg.locator(IN_MODELER + "[data-element-id='Task_approval']")).to_have_count(1)
    expect(pg.get_by_role("button", name="Chạy kịch bản")).to_be_enabled()

    # the administrator's edit: the approval step is gone, the memo goes straight to numbering
    broken = without_approval(plan_issuance_bundle()[0]).decode()
    pg.evaluate(f"async () => {{ await window.cchcImportDiagram({json.dumps(broken)}); }}")
    expect(pg.locator(IN_MODELER + "[data-element-id='Task_approval']")).to_have_count(0)

    pg.get_by_role("button", name="Chạy kịch bản").click()
    results = pg.get_by_test_id("scenario-results")
    summary = results.get_by_test_id("scenario-summary")
    expect(summary).to_contain_text("Có kịch bản không đạt", timeout=RUN_TIMEOUT)
    expect(summary).to_contain_text("không đạt")
    first = results.locator(".scenario-list > li").first
    expect(first).to_have_attribute("data-status", "failed")
    expect(first).to_contain_text("Kế hoạch đi trọn quy trình và được cấp số 1/KH-UBND")
    failed = first.locator(".scenario-step[data-status='failed']")
    expect(failed).to_contain_text('bước "Phê duyệt, ký ban hành" thuộc về lãnh đạo UBND')
    expect(failed).to_contain_text('Không thấy bước "Phê duyệt, ký ban hành"')
    expect(failed.get_by_role("button", name="Xem trên sơ đồ")).to_contain_text("Task_number")

    # the failing step's element is marked on the canvas, with its badge, and scrolled into view
    marked = pg.locator(".djs-element.cchc-scenario-failed[data-element-id='Task_number']")
    expect(marked).to_have_count(1)
    expect(pg.locator(".scenario-badge[data-element-id='Task_number']")).to_be_visible()
    expect(marked).to_be_in_viewport()

    # coverage: every lane and step listed, those reached marked on the canvas
    coverage = results.get_by_test_id("scenario-coverage")
    # the failing scenarios never reach the UBND leaders' lane nor the distribution
    expect(coverage).to_contain_text("Làn: 5/6 · Bước xử lý: 6/7")
    expect(coverage.locator("li[data-reached='false']", has_text='Làn "Lãnh đạo UBND"')).to_have_count(1)
    expect(coverage.locator("li[data-reached='false']", has_text="Phát hành đến Nơi nhận")).to_have_count(1)
    expect(pg.locator(".djs-element.cchc-uncovered[data-element-id='Task_distribute']")).to_have_count(1)
    expect(coverage.locator("li[data-reached='true']", has_text="Soạn thảo dự thảo kế hoạch")).to_have_count(1)
    expect(pg.locator(".djs-element.cchc-covered[data-element-id='Task_draft']")).to_have_count(1)
    screenshot(pg, "10-chay-kich-ban-loi")

    # "Xem trên sơ đồ" selects the element
    failed.get_by_role("button", name="Xem trên sơ đồ").click()
    expect(pg.locator(".djs-element.selected[data-element-id='Task_number']")).to_have_count(1)

    # deploying the draft now asks for a confirmation (not given here: the shared demo keeps its version)
    server.app.config["SCENARIOS_ON_DEPLOY"] = True
    try:
        pg.get_by_role("button", name="Triển khai").click()
        confirm = pg.get_by_test_id("deploy-confirm")
        expect(confirm).to_contain_text("kịch bản không đạt với sơ đồ này", timeout=RUN_TIMEOUT)
        expect(confirm.get_by_role("button", name="Vẫn triển khai dù kịch bản không đạt")).to_be_enabled()
        screenshot(pg, "11-trien-khai-can-xac-nhan")
    finally:
        server.app.config["SCENARIOS_ON_DEPLOY"] = None
    assert [p for p in problems.items if "409" not in p] == []
