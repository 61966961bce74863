"""Import a yearly CCHC plan from an Excel workbook whose sheet holds the appendix table."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from workflows.org_data import OrgData
from workflows.plan.markdown_import import (
    NO_TABLE_MESSAGE,
    ImportResult,
    NotAPlan,
    RawRow,
    assemble_plan,
    cells_by_map,
    column_map,
    read_plan_header,
)


def _text(value: Any) -> str:
    """A cell value as the text a reader of the sheet sees."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sheet_rows(title: str, rows: Sequence[Sequence[str]]) -> tuple[list[str], list[RawRow]] | None:
    """Preamble lines and appendix rows of one sheet; None when the sheet has no appendix header."""
    preamble: list[str] = []
    raw_rows: list[RawRow] = []
    mapping: list[int | None] | None = None
    after_header = False
    for number, cells in enumerate(rows, start=1):
        header = column_map(cells)
        if header is not None:
            # A repeated header (one per printed page) marks where a page break may have cut a row.
            mapping, after_header = header, True
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if mapping is None:
            preamble.append(" ".join(cell for cell in cells if cell.strip()))
            continue
        where = f"trang tính «{title}», dòng {number}"
        raw_rows.append(RawRow(cells_by_map(cells, mapping), where, starts_table=after_header))
        after_header = False
    return (preamble, raw_rows) if mapping is not None else None


def parse_plan_xlsx(data: bytes, org: OrgData) -> ImportResult:
    """Parse a CCHC plan from .xlsx bytes: the first sheet with the appendix header row is read."""
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise NotAPlan("Tệp không phải kế hoạch CCHC: không đọc được bảng tính Excel (.xlsx).") from exc
    try:
        for sheet in workbook.worksheets:
            rows = [[_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
            found = _sheet_rows(sheet.title, rows)
            if found is not None:
                preamble, raw_rows = found
                return assemble_plan(read_plan_header(preamble), raw_rows, org)
    finally:
        workbook.close()
    raise NotAPlan(NO_TABLE_MESSAGE)
