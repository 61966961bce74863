"""The overdue list's button on Việc của đơn vị and the scoring results' link on Hồ sơ quy trình download
workbooks that openpyxl opens (docs/exports.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import APIResponse, Page, expect

from tests.api.test_report_exports import run_round
from tests.document_files import file_bytes

from .conftest import Problems, Server, api_token, login, new_page, screenshot

pytestmark = pytest.mark.e2e


@dataclass
class _Answer:
    status_code: int
    json: Any


class BrowserApi:
    """What ``run_round`` needs of the test client, over the browser's request context and bearer tokens."""

    def __init__(self, page: Page, server: Server) -> None:
        self.page, self.server, self.tokens = page, server, {}  # type: ignore[var-annotated]

    def _headers(self, user: str) -> dict[str, str]:
        if user not in self.tokens:
            self.tokens[user] = api_token(self.page, self.server, user)
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    @staticmethod
    def _answer(response: APIResponse) -> _Answer:
        return _Answer(response.status, response.json())

    def get(self, path: str, user: str) -> _Answer:
        return self._answer(self.page.request.get(self.server.url + path, headers=self._headers(user)))

    def post(self, path: str, user: str, json: Any) -> _Answer:
        return self._answer(self.page.request.post(self.server.url + path, headers=self._headers(user), data=json))

    def upload(self, user: str, name: str) -> int:
        """``user`` uploads a real small file of ``name``'s type; the document's id."""
        response = self.page.request.post(
            self.server.url + "/api/v1/documents",
            headers=self._headers(user),
            multipart={"file": {"name": name, "mimeType": "application/octet-stream", "buffer": file_bytes(name)}},
        )
        assert response.status == 201, response.text()
        return int(response.json()["id"])

    def start(self, user: str, unit: str, key: str, **data: Any) -> Any:
        body = {"process_key": key, "unit_code": unit, "data": data}
        answer = self.post("/api/v1/process-instances", user, body)
        assert answer.status_code == 201, answer.json
        return answer.json


def test_overdue_list_button_downloads_the_workbook(
    server: Server, page: tuple[Page, Problems], tmp_path: Path
) -> None:
    pg, problems = page
    login(pg, server, "tp.pnv")
    pg.get_by_role("link", name="Việc của đơn vị").click()
    export = pg.get_by_test_id("overdue-export")
    expect(export).to_be_visible()
    export.get_by_label("Hạn xử lý từ ngày").fill("2024-01-01")
    expect(export.get_by_role("link", name="Danh sách quá hạn (Excel)")).to_have_attribute(
        "href", "/api/v1/reports/overdue/export?format=xlsx&from=2024-01-01"
    )
    with pg.expect_download() as download:
        export.get_by_role("link", name="Danh sách quá hạn (Excel)").click()
    assert download.value.suggested_filename == "Danh sách quá hạn.xlsx"
    path = tmp_path / "qua-han.xlsx"
    download.value.save_as(path)
    sheet = load_workbook(path)["Danh sách quá hạn"]
    assert [c.value for c in sheet[1]][:4] == ["STT", "Đơn vị", "Hoạt động", "Bước xử lý"]
    assert sheet.freeze_panes == "A2"
    assert not problems.items


def test_scoring_round_links_its_results(server: Server, page: tuple[Page, Problems], tmp_path: Path) -> None:
    pg, problems = page
    deadline = (date.today() + timedelta(days=60)).isoformat()  # the server runs on today's clock
    instance_id = run_round(BrowserApi(pg, server), publish=False, deadline=deadline)  # approved, not published
    login(pg, server, "chutich")
    pg.goto(f"{server.url}/instances?process_key=index_scoring")
    link = pg.get_by_test_id("scoring-results-xlsx")
    expect(link).to_have_count(1)
    expect(link).to_have_attribute(
        "href", f"/api/v1/process-instances/{instance_id}/scoring-results/export?format=xlsx"
    )
    screenshot(pg, "14-chi-so-cchc-ket-qua")
    with pg.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "Kết quả Chỉ số CCHC 2024.xlsx"
    path = tmp_path / "chi-so.xlsx"
    download.value.save_as(path)
    book = load_workbook(path)
    assert book.sheetnames == ["Xếp hạng", "Điểm theo tiêu chí"]
    assert [r[:2] for r in book["Xếp hạng"].iter_rows(min_row=2, values_only=True)] == [(1, "P2"), (2, "P1")]
    assert not problems.items

    # a scored unit's staff gets no link before the results are published
    unit_page, unit_problems = new_page(pg.context.browser)  # type: ignore[arg-type]
    login(unit_page, server, "cv.p1")
    unit_page.goto(f"{server.url}/instances?process_key=index_scoring")
    expect(unit_page.locator("[data-testid=instances-table], p.card").first).to_be_visible()  # the list loaded
    expect(unit_page.get_by_test_id("scoring-results-xlsx")).to_have_count(0)
    assert not unit_problems.items
    unit_page.context.close()
