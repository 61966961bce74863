"""The plan dashboard shows the 2024 plan with its charts, filters activities, links an activity to its
instances after a launch, and shows the report of a plan import."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from workflows.plan.store import SEED_PLAN

from .conftest import Problems, Server, api_token, login, screenshot

pytestmark = pytest.mark.e2e

CANVAS_DRAWN = """(id) => {
    const canvas = document.getElementById(id);
    if (!canvas || !canvas.width || !canvas.height) return 0;
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted += 1;
    return painted;
}"""


def test_plan_dashboard(server: Server, page: tuple[Page, Problems]) -> None:
    pg, problems = page
    token = api_token(pg, server, "cchc.pnv")
    headers = {"Authorization": f"Bearer {token}"}
    plans = pg.request.get(f"{server.url}/api/v1/plans", headers=headers).json()
    plan = next(p for p in plans if p["year"] == 2024 and p["issuing_unit"] == "UBND")  # the city's, not the commune's
    overdue = pg.request.get(f"{server.url}/api/v1/plans/{plan['id']}/activities?status=overdue", headers=headers)
    overdue_total = overdue.json()["total"]

    login(pg, server, "cchc.pnv")
    pg.get_by_role("link", name="Kế hoạch").click()
    pg.wait_for_url(f"{server.url}/plans")
    pg.goto(f"{server.url}/plans?plan={plan['id']}")  # the demo also holds the commune's plan
    expect(pg.get_by_test_id("plan-title")).to_contain_text("năm 2024")
    expect(pg.get_by_test_id("activity-count")).to_have_text(str(plan["activity_count"]))
    expect(pg.get_by_test_id("overall")).to_contain_text("Quá hạn chưa hoàn thành")
    for chart in ("chart-areas", "chart-units", "chart-quarters"):
        expect(pg.get_by_test_id(chart)).to_be_visible()
        pg.wait_for_function(f"({CANVAS_DRAWN})('{chart}') > 500")
    expect(pg.get_by_test_id("plan-tree")).to_contain_text("CẢI CÁCH THỂ CHẾ")
    screenshot(pg, "11-ke-hoach-2024")

    pg.get_by_label("Tình trạng", exact=True).select_option("overdue")
    expect(pg.get_by_test_id("filter-count")).to_have_text(f"Có {overdue_total} hoạt động phù hợp.")
    rows = pg.locator("[data-testid=plan-tree] tr[data-activity-id]")
    expect(rows).to_have_count(overdue_total)
    expect(rows.first.locator("[data-status]")).to_have_text("Quá hạn chưa hoàn thành")
    pg.get_by_role("button", name="Bỏ lọc").click()

    # launching the activities due by early January gives an activity its instances, reachable from the tree
    pg.get_by_label("Khởi động các lượt thực hiện bắt đầu đến ngày").fill("2024-01-20")
    pg.get_by_role("button", name="Khởi động", exact=True).click()
    expect(pg.get_by_test_id("launch-result")).to_contain_text("hồ sơ mới")
    link = pg.locator("[data-testid=plan-tree] a", has_text="hồ sơ").first
    link.scroll_into_view_if_needed()
    link.evaluate("a => a.closest('details').open = true")
    count = int(link.inner_text().split()[0])
    link.click()
    expect(pg.get_by_test_id("instances-table").locator("tbody tr")).to_have_count(count)
    screenshot(pg, "12-ho-so-cua-hoat-dong")

    # importing the plan file again: the report is shown (same content: no second copy)
    pg.goto(f"{server.url}/plans")
    pg.get_by_label("Tệp kế hoạch (Markdown hoặc Excel)").set_input_files(str(SEED_PLAN))
    pg.get_by_role("button", name="Nhập kế hoạch").click()
    report = pg.get_by_test_id("import-report")
    expect(report).to_contain_text("Số hoạt động theo lĩnh vực")
    expect(report).to_contain_text("Lĩnh vực VII")
    expect(report).to_contain_text("Cảnh báo")
    screenshot(pg, "13-nhap-ke-hoach")
    assert not problems.items, problems.items
