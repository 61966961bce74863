"""The plan page's export buttons download a workbook and a report that the reader libraries open."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from .conftest import Problems, Server, login, screenshot

pytestmark = pytest.mark.e2e


def test_export_buttons_download_the_files(server: Server, page: tuple[Page, Problems], tmp_path: Path) -> None:
    pg, problems = page
    login(pg, server, "chutich")
    pg.get_by_role("link", name="Kế hoạch").click()
    expect(pg.get_by_test_id("plan-title")).to_contain_text("năm 2024")
    exports = pg.get_by_test_id("plan-exports")
    expect(exports).to_be_visible()
    screenshot(pg, "14-ke-hoach-xuat-tep")

    with pg.expect_download() as xlsx:
        exports.get_by_role("link", name="Xuất Excel").click()
    assert xlsx.value.suggested_filename == "Tiến độ kế hoạch CCHC 2024.xlsx"
    workbook = tmp_path / "tien-do.xlsx"
    xlsx.value.save_as(workbook)
    book = load_workbook(workbook)
    assert book.sheetnames == ["Theo hoạt động", "Theo đơn vị", "Theo quý"]
    assert book["Theo hoạt động"]["A1"].value == "Mã"

    exports.get_by_label("Kỳ báo cáo").select_option(label="6 tháng đầu năm")
    with pg.expect_download() as docx:
        exports.get_by_role("link", name="Báo cáo (Word)").click()
    assert docx.value.suggested_filename == "Báo cáo CCHC 6 tháng đầu năm 2024.docx"
    report = tmp_path / "bao-cao.docx"
    docx.value.save_as(report)
    texts = [p.text for p in Document(str(report)).paragraphs]
    assert "Kết quả thực hiện công tác cải cách hành chính 6 tháng đầu năm 2024" in texts
    assert not problems.items
