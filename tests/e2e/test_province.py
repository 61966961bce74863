"""Tổng hợp toàn tỉnh in the browser: a province with two communes, their plans' progress as a chart and tables,
the Excel file, the link into a commune's plan; no entry for other roles (docs/province.md)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.api.test_report_exports import run_round
from tests.province_support import Province, build_province, deploy_one_step, make_province_round
from workflows.province import SHEET_OVERDUE, SHEET_PROGRESS, SHEET_RANKING

from .conftest import Problems, Server, api_token, demo_server, login, screenshot
from .test_report_exports import BrowserApi

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def province_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Province]]:
    """A server of its own: the demo plus province "TE" with two communes whose 2024 plans are launched."""
    with demo_server(tmp_path_factory.mktemp("province")) as server:
        deploy_one_step(server.services)
        yield server, build_province(server.services, "TE", 2)


def _complete_late(page: Page, server: Server, instance_id: int, user: str) -> None:
    headers = {"Authorization": f"Bearer {api_token(page, server, user)}"}
    instance = page.request.get(f"{server.url}/api/v1/process-instances/{instance_id}", headers=headers).json()
    [task] = instance["open_tasks"]
    body = {"data": {}, "late_reason": "Chờ ý kiến của Chủ tịch UBND xã"}
    done = page.request.post(f"{server.url}/api/v1/tasks/{task['id']}/complete", headers=headers, data=body)
    assert done.ok, done.text()


def test_the_province_dashboard_with_two_communes(
    province_server: tuple[Server, Province], page: tuple[Page, Problems], tmp_path: Path
) -> None:
    server, province = province_server
    pg, problems = page
    first, second = province.communes
    _complete_late(pg, server, first.instances["NV.1"], first.staff)  # the 2024 deadlines have all passed
    deadline = (date.today() + timedelta(days=60)).isoformat()  # the server runs on today's clock
    round_id = run_round(BrowserApi(pg, server), publish=True, deadline=deadline)  # P2 before P1
    make_province_round(server.services, round_id, province, {"P1": first.ubnd, "P2": second.ubnd})
    login(pg, server, province.user)
    pg.get_by_role("link", name="Tổng hợp toàn tỉnh").click()
    pg.wait_for_url(f"{server.url}/province")
    pg.get_by_label("Năm").select_option("2024")

    progress = pg.get_by_test_id("province-progress")
    expect(progress.locator(f"tr[data-code='{first.code}']")).to_contain_text(first.name)
    expect(progress.locator(f"tr[data-code='{second.code}']")).to_contain_text(second.name)
    expect(progress.locator("tr[data-code='totals'] td").last).to_have_text("6")
    expect(pg.get_by_test_id("chart-organisations")).to_be_visible()
    overdue = pg.get_by_test_id("province-overdue")
    # today is past every 2024 deadline: the first commune finished NV.1 late, its NV.2 (launched) and NV.3 (not
    # launched) are overdue; all three of the second's are, two of them with an open step
    expect(overdue.locator(f"tr[data-code='{first.code}'] td")).to_have_text(["2", "1", "1"])
    expect(overdue.locator(f"tr[data-code='{second.code}'] td")).to_have_text(["3", "2", "0"])
    ranking = pg.get_by_test_id("province-ranking")
    expect(ranking.locator("tbody tr")).to_have_count(2)
    expect(ranking.locator("tbody tr").first).to_contain_text(second.name)
    expect(ranking.locator("tbody tr").first.locator("td").first).to_have_text("1")
    expect(pg.get_by_test_id("unranked")).to_contain_text(province.name)
    screenshot(pg, "orgs-province")

    with pg.expect_download() as download:
        pg.get_by_test_id("province-xlsx").click()
    path = tmp_path / "province.xlsx"
    download.value.save_as(path)
    book = load_workbook(path)
    assert book.sheetnames == [SHEET_PROGRESS, SHEET_OVERDUE, SHEET_RANKING]
    names = [row[1].value for row in book[SHEET_OVERDUE].iter_rows(min_row=2)]
    assert first.name in names and second.name in names and names[-1] == "Tổng cộng"

    pg.get_by_test_id(f"plan-link-{second.code}").click()
    expect(pg.get_by_test_id("plan-title")).to_contain_text(second.name)
    assert problems.items == []


def test_other_roles_have_no_province_page(
    province_server: tuple[Server, Province], page: tuple[Page, Problems]
) -> None:
    server, _province = province_server
    pg, _problems = page
    login(pg, server, "cchc.pnv")
    expect(pg.get_by_role("link", name="Tổng hợp toàn tỉnh")).to_have_count(0)
    response = pg.goto(f"{server.url}/province")
    assert response is not None and response.status == 403
    expect(pg.locator("main")).to_contain_text("Sở Nội vụ cấp tỉnh")
