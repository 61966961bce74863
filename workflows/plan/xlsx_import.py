"""Import a yearly CCHC plan from an Excel workbook whose sheet holds the appendix table."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from workflows.org_data import OrgData

from .appendix_rows import ACT, OBJ, STT, TASK, RawRow, cells_by_map, column_map
from .parsed_plan import NO_TABLE_MESSAGE, ImportResult, NotAPlan
from .plan_assembly import assemble_plan
from .plan_header import read_plan_header

_STRUCTURE_COLUMNS = (STT, OBJ, TASK, ACT)


def _text(value: Any) -> str:
    """A cell value as the text a reader of the sheet sees."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sheet_grid(sheet: Worksheet) -> tuple[list[list[str]], set[tuple[int, int]]]:
    """Cell texts, with each vertically merged value copied down its first column; the copied positions."""
    grid = [[_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    copied: set[tuple[int, int]] = set()
    for merged in sheet.merged_cells.ranges:
        row0, col0 = merged.min_row - 1, merged.min_col - 1
        for row in range(row0 + 1, min(merged.max_row, len(grid))):
            if col0 < len(grid[row]):
                grid[row][col0] = grid[row0][col0]
                copied.add((row, col0))
    return grid, copied


def _sheet_rows(
    title: str, grid: Sequence[Sequence[str]], copied: set[tuple[int, int]]
) -> tuple[list[str], list[RawRow]] | None:
    """Preamble lines and appendix rows of one sheet; None when the sheet has no appendix header."""
    preamble: list[str] = []
    raw_rows: list[RawRow] = []
    mapping: list[int | None] | None = None
    after_header = False
    for index, cells in enumerate(grid):
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
        row = cells_by_map(cells, mapping)
        # A merged unit, time or budget cell applies to every row it spans; a merged objective or task
        # cell opens the objective or task once, on its first row.
        for column in _STRUCTURE_COLUMNS:
            if (index, mapping[column]) in copied:
                row[column] = ""
        where = f"trang tính «{title}», dòng {index + 1}"
        raw_rows.append(RawRow(row, where, starts_table=after_header))
        after_header = False
    return (preamble, raw_rows) if mapping is not None else None


def parse_plan_xlsx(data: bytes, org: OrgData) -> ImportResult:
    """Parse a CCHC plan from .xlsx bytes: the first sheet with the appendix header row is read."""
    try:
        workbook = load_workbook(BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise NotAPlan("Tệp không phải kế hoạch CCHC: không đọc được bảng tính Excel (.xlsx).") from exc
    for sheet in workbook.worksheets:
        found = _sheet_rows(sheet.title, *_sheet_grid(sheet))
        if found is not None:
            preamble, raw_rows = found
            return assemble_plan(read_plan_header(preamble), raw_rows, org)
    raise NotAPlan(NO_TABLE_MESSAGE)
