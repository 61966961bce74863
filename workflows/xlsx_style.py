"""The house look of every .xlsx the app makes: header row, borders, frozen header, filter, A4 landscape.

Shared by the plan's progress workbook (``plan/xlsx_export.py``), the index-scoring results
(``scoring_results.py``) and the overdue list (``overdue_list.py``); see docs/exports.md.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
AREA_FILL = PatternFill("solid", fgColor="D9E2F3")
BOLD = Font(bold=True)
THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
DATE_FORMAT = "DD/MM/YYYY"


def fill(colour: str) -> PatternFill:
    """A solid fill of an RGB colour such as ``"FECACA"``."""
    return PatternFill("solid", fgColor=colour)


def header(sheet: Worksheet, names: list[str], widths: list[int]) -> None:
    """Write the header row (row 1) in the house colours and set the column widths."""
    sheet.append(names)
    for index, (cell, width) in enumerate(zip(sheet[1], widths, strict=True), start=1):
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
        cell.border = BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        sheet.column_dimensions[get_column_letter(index)].width = width


def bordered_row(sheet: Worksheet, values: list[object], *, wrap: bool = True) -> int:
    """Append a data row with thin borders (wrapped text, top-aligned); returns its row number."""
    sheet.append(values)
    row = sheet.max_row
    for cell in sheet[row]:
        cell.border = BORDER
        if wrap:
            cell.alignment = WRAP
    return row


def finish(sheet: Worksheet, columns: int) -> None:
    """Frozen header row, auto filter over the table, A4 landscape fitted to one page wide, page numbers."""
    last = get_column_letter(columns)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last}{max(sheet.max_row, 1)}"
    sheet.print_title_rows = "1:1"
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.right.text = "Trang &P/&N"


def workbook_bytes(book: Workbook) -> bytes:
    """The saved .xlsx file."""
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
