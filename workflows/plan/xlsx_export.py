"""The plan's progress as an Excel workbook: by activity (grouped by area), by lead unit, by quarter.

Built with openpyxl from ``queries.plan_export`` — the same roll-ups that ``GET /plans/{id}/progress`` returns,
so the counts in the workbook and on the page cannot differ; the "Sản phẩm" column adds the documents submitted
as products that the downloader may see. Every sheet has a frozen header row, an auto
filter, A4 landscape print setup fitted to the page width and the header row repeated on every printed page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from ..xlsx_style import AREA_FILL, BORDER, DATE_FORMAT, WRAP, XLSX_MIME, finish, header, workbook_bytes
from .progress import STATUS_LABELS, STATUSES

__all__ = ["XLSX_MIME", "build_progress_workbook"]
SHEET_ACTIVITIES = "Theo hoạt động"
SHEET_UNITS = "Theo đơn vị"
SHEET_QUARTERS = "Theo quý"

ACTIVITY_COLUMNS: tuple[tuple[str, int], ...] = (
    ("Mã", 10),
    ("Hoạt động", 60),
    ("Đơn vị chủ trì", 24),
    ("Đơn vị phối hợp", 28),
    ("Hạn hoàn thành", 14),
    ("Trạng thái", 22),
    ("Ngày hoàn thành", 14),
    ("Số ngày trễ", 10),
    ("Sản phẩm", 36),
)
COUNT_HEADERS = tuple(STATUS_LABELS[s] for s in STATUSES)

# Fill colours of the statuses, close to the badges of the plan page.
STATUS_FILLS: dict[str, str] = {
    "not_started": "E5E7EB",
    "in_progress": "DBEAFE",
    "done_early": "BBF7D0",
    "done_on_time": "DCFCE7",
    "done_late": "FEF3C7",
    "overdue": "FECACA",
}


def build_progress_workbook(export: dict[str, Any]) -> bytes:
    """The .xlsx bytes of a plan's progress (``export`` is ``queries.plan_export``'s result)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_ACTIVITIES
    _activity_sheet(sheet, export)
    _count_sheet(
        book.create_sheet(SHEET_UNITS),
        ("Mã đơn vị", "Đơn vị"),
        [(row["code"], row["name"], row) for row in export["progress"]["by_unit"]],
        "Số lượt việc (mỗi đơn vị, mỗi kỳ) theo trạng thái",
    )
    _count_sheet(
        book.create_sheet(SHEET_QUARTERS),
        ("Mã quý", "Quý"),
        [(row["quarter"], row["label"], row) for row in export["progress"]["by_quarter"]],
        "Số lượt việc theo quý của hạn hoàn thành",
    )
    book.properties.title = f"Tiến độ {export['plan']['title']}"
    return workbook_bytes(book)


def _names(units: list[dict[str, str]], text: str | None) -> str:
    return ", ".join(u["name"] for u in units) or (text or "")


def product_line(product: dict[str, Any]) -> str:
    """One product as the workbook lists it: its file name, with the issued document's số/ký hiệu and ngày ban
    hành when its field names them ("ke-hoach.pdf (số 12/KH-UBND, ngày 10/01/2024)")."""
    issued = []
    if product.get("number"):
        issued.append(f"số {product['number']}")
    if product.get("issued_date"):
        try:
            issued.append(f"ngày {date.fromisoformat(product['issued_date']).strftime('%d/%m/%Y')}")
        except ValueError:
            issued.append(f"ngày {product['issued_date']}")
    return product["name"] + (f" ({', '.join(issued)})" if issued else "")


def products_text(item: dict[str, Any]) -> str:
    """The "Sản phẩm" cell: the product the plan asks for, then the documents submitted as its products."""
    expected = item["output_text"] or item["output_kind"] or ""
    products = item.get("products") or []
    if not products:
        return expected
    lines = [f"- {product_line(p)}" for p in products]
    return "\n".join([*([expected] if expected else []), "Đã nộp:", *lines])


def _activity_sheet(sheet: Worksheet, export: dict[str, Any]) -> None:
    header(sheet, [name for name, _ in ACTIVITY_COLUMNS], [width for _, width in ACTIVITY_COLUMNS])
    area = None
    for item in export["activities"]:
        if item["area"] != area:
            area = item["area"]
            sheet.append([area, item["area_title"]])
            row = sheet.max_row
            sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=len(ACTIVITY_COLUMNS))
            for cell in sheet[row]:
                cell.fill = AREA_FILL
                cell.font = Font(bold=True)
                cell.border = BORDER
        sheet.append(
            [
                item["ref"],
                item["text"],
                _names(item["lead_units"], item["lead_text"]),
                _names(item["coordinating_units"], item["coordinating_text"]),
                item["due_date"],
                item["status_label"],
                item["done_on"],
                item["late_days"] or None,
                products_text(item),
            ]
        )
        row = sheet.max_row
        for cell in sheet[row]:
            cell.alignment = WRAP
            cell.border = BORDER
        sheet.cell(row, 5).number_format = DATE_FORMAT
        sheet.cell(row, 7).number_format = DATE_FORMAT
        sheet.cell(row, 6).fill = PatternFill("solid", fgColor=STATUS_FILLS[item["status"]])
    finish(sheet, len(ACTIVITY_COLUMNS))


def _count_sheet(
    sheet: Worksheet, keys: tuple[str, str], rows: list[tuple[str, str, dict[str, Any]]], note: str
) -> None:
    headers = [*keys, *COUNT_HEADERS, "Tổng số"]
    header(sheet, headers, [12, 36, *([16] * len(COUNT_HEADERS)), 10])
    for code, label, row in rows:
        sheet.append([code, label, *(row["counts"][s] for s in STATUSES), row["total"]])
        for cell in sheet[sheet.max_row]:
            cell.border = BORDER
    for index, status in enumerate(STATUSES, start=3):
        sheet.cell(1, index).fill = PatternFill("solid", fgColor=STATUS_FILLS[status])
        sheet.cell(1, index).font = Font(bold=True)
    finish(sheet, len(headers))
    sheet.oddFooter.left.text = note
