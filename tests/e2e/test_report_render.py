"""The periodic report as printed: downloaded from the plan page, rendered by LibreOffice headless to PDF, its pages
to PNG (poppler's pdftoppm), laid side by side in Chromium into test-output/documents-report.png (issue #14).

Needs /usr/bin/soffice (libreoffice-writer-nogui) and pdftoppm (poppler-utils): .ci/run installs them, and a
missing one fails this test (``RenderUnavailable``), never skips it.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tools.render_document import page_text, render

from .conftest import SCREENSHOTS, Problems, Server, login, new_page

pytestmark = pytest.mark.e2e


def test_report_renders_to_an_image(server: Server, page: tuple[Page, Problems], tmp_path: Path) -> None:
    pg, problems = page
    login(pg, server, "chutich")
    pg.get_by_role("link", name="Kế hoạch").click()
    exports = pg.get_by_test_id("plan-exports")
    exports.get_by_label("Kỳ báo cáo").select_option(label="Quý I")
    with pg.expect_download() as download:
        exports.get_by_role("link", name="Báo cáo (Word)").click()
    report = tmp_path / "bao-cao.docx"
    download.value.save_as(report)
    assert not problems.items

    pages = render(report, tmp_path / "rendered", dpi=70)
    for png in pages:
        assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and png.stat().st_size > 5_000
    # the printed layout (NĐ 30/2020): page 1 as laid out, read back from the PDF by poppler's pdftotext
    first = page_text(tmp_path / "rendered" / "bao-cao.pdf", 1)
    lines = [" ".join(line.split()) for line in first.splitlines()]
    assert any(line.endswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") for line in lines)  # on one line
    assert any(line.endswith("Độc lập - Tự do - Hạnh phúc") for line in lines)
    assert any(line.startswith("ỦY BAN NHÂN DÂN") for line in lines)  # the issuing body, left of the Quốc hiệu
    assert any(line.startswith("Số: /BC-UBND") for line in lines)
    assert "Kết quả thực hiện công tác cải cách hành chính quý I năm 2024" in lines
    assert any(line.startswith("CẢI CÁCH THỂ CHẾ ") for line in lines)  # the area column is wide enough
    last = " ".join(page_text(tmp_path / "rendered" / "bao-cao.pdf", len(pages) - 1, len(pages)).split())
    assert "Nơi nhận:" in last and "CHỦ TỊCH" in last

    # the first two and the last two pages side by side on a grey desk, as one screenshot
    shown = pages if len(pages) <= 4 else [*pages[:2], *pages[-2:]]
    sheet, _ = new_page(pg.context.browser, {"width": 600 * len(shown) + 40, "height": 900})  # type: ignore[arg-type]
    images = "".join(
        f'<img alt="{p.stem}" src="data:image/png;base64,{base64.b64encode(p.read_bytes()).decode()}">' for p in shown
    )
    sheet.set_content(
        '<html lang="vi"><body style="margin:0;padding:20px;background:#d1d5db;display:flex;gap:20px;'
        f'align-items:flex-start">{images}</body></html>'
    )
    expect(sheet.get_by_role("img")).to_have_count(len(shown))
    SCREENSHOTS.mkdir(exist_ok=True)
    sheet.screenshot(path=str(SCREENSHOTS / "documents-report.png"), full_page=True)
    sheet.close()
