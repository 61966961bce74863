"""Import a yearly CCHC plan from an Excel workbook whose sheet holds the appendix table.

The file is inspected first (``xlsx_inspect``: the zip and every XML part, against ``import_limits``); openpyxl
then reads it in read-only mode, streaming, and only the rows and columns where the inspection found values —
a sheet's own ``<dimension>`` is never believed.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Sequence
from datetime import date, datetime
from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from workflows.org_data import OrgData

from .appendix_rows import ACT, OBJ, STT, TASK, RawRow, cells_by_map, column_map
from .import_limits import (
    MAX_CELL_CHARS,
    MAX_MERGED_CELLS,
    MAX_ROWS,
    MAX_TEXT_CHARS,
    too_large,
    unsafe_file,
    vietnamese_number,
)
from .parsed_plan import ImportResult, NotAPlan, no_appendix
from .plan_assembly import assemble_plan
from .plan_header import read_plan_header
from .xlsx_inspect import UNREADABLE, SheetExtent, XlsxInspection, inspect_xlsx

_STRUCTURE_COLUMNS = (STT, OBJ, TASK, ACT)
# What openpyxl raises on a workbook it cannot read (broken parts, missing parts, bad values in the XML);
# RuntimeError covers zipfile's NotImplementedError (patched data) and a RecursionError in a nested part.
_UNREADABLE_ERRORS = (
    zipfile.BadZipFile,
    RuntimeError,
    zlib.error,
    InvalidFileException,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    OverflowError,
    SyntaxError,
    EOFError,
    OSError,
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


def _grid_height(extent: SheetExtent) -> int:
    """The rows to read: those with values, and below them the rows a merged value spans."""
    spans = (merge[2] for merge in extent.merges if merge[0] <= extent.rows and merge[1] <= extent.columns)
    return max(extent.rows, min(max(spans, default=0), MAX_ROWS))


def _sheet_grid(sheet: Any, extent: SheetExtent) -> tuple[list[list[str]], set[tuple[int, int]]]:
    """Cell texts, with each vertically merged value copied down its first column; the copied positions."""
    if extent.rows == 0:
        return [], set()
    height, width = _grid_height(extent), extent.columns
    grid: list[list[str]] = []
    chars = 0
    rows = sheet.iter_rows(min_row=1, max_row=extent.rows, min_col=1, max_col=width, values_only=True)
    for number, values in enumerate(rows, start=1):
        cells = [_text(value) for value in values]
        longest = max(map(len, cells), default=0)
        chars += sum(map(len, cells))
        if longest > MAX_CELL_CHARS:
            raise too_large(
                f"trang tính «{sheet.title}» có ô dài {vietnamese_number(longest)} ký tự ở dòng {number}",
                "cell_chars",
                MAX_CELL_CHARS,
                f"{vietnamese_number(MAX_CELL_CHARS)} ký tự một ô",
            )
        if chars > MAX_TEXT_CHARS:
            raise too_large(
                f"trang tính «{sheet.title}» có hơn {vietnamese_number(MAX_TEXT_CHARS)} ký tự",
                "text_chars",
                MAX_TEXT_CHARS,
                f"{vietnamese_number(MAX_TEXT_CHARS)} ký tự",
            )
        grid.append(cells)
    grid.extend([""] * width for _ in range(height - len(grid)))
    copied: set[tuple[int, int]] = set()
    spanned = 0
    for min_row, min_col, max_row, _ in extent.merges:
        row0, col0 = min_row - 1, min_col - 1
        for row in range(row0 + 1, min(max_row, len(grid))):
            if col0 < len(grid[row]):
                grid[row][col0] = grid[row0][col0]
                copied.add((row, col0))
                spanned += 1  # overlapping ranges count each time: this bounds the loop, not the set
                if spanned > MAX_MERGED_CELLS:
                    limit = vietnamese_number(MAX_MERGED_CELLS)
                    raise too_large(
                        f"trang tính «{sheet.title}» có hơn {limit} ô nằm trong vùng gộp",
                        "merged_cells",
                        MAX_MERGED_CELLS,
                        f"{limit} ô gộp",
                    )
    return grid, copied


def _sheet_rows(
    title: str, grid: Sequence[Sequence[str]], copied: set[tuple[int, int]]
) -> tuple[list[str], list[RawRow] | None]:
    """Preamble lines and appendix rows of one sheet; without an appendix header, every line and None."""
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
    return preamble, (raw_rows if mapping is not None else None)


def _read_sheet(sheet: Any, inspection: XlsxInspection) -> tuple[list[str], list[RawRow] | None]:
    """The sheet's preamble and appendix rows (None without an appendix header), from the inspected extent."""
    # openpyxl keeps a read-only sheet's part name in ``_worksheet_path``; the inspection is keyed by it.
    part = getattr(sheet, "_worksheet_path", "")
    extent = inspection.extent(part)
    if extent is None:
        raise unsafe_file(f"trang tính «{sheet.title}» nằm ở phần «{part}» không phải XML", "sheet_part", part=part)
    try:
        grid, copied = _sheet_grid(sheet, extent)
    except _UNREADABLE_ERRORS as exc:
        raise NotAPlan(UNREADABLE, details={"bound": "sheet_data", "part": part}) from exc
    return _sheet_rows(sheet.title, grid, copied)


def parse_plan_xlsx(data: bytes, org: OrgData) -> ImportResult:
    """Parse a CCHC plan from .xlsx bytes: the first sheet with the appendix header row is read."""
    inspection = inspect_xlsx(data)
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except _UNREADABLE_ERRORS as exc:
        raise NotAPlan(UNREADABLE) from exc
    lines: list[str] = []  # the text of the sheets without an appendix header, to tell a plan from another file
    try:
        for sheet in workbook.worksheets:
            preamble, raw_rows = _read_sheet(sheet, inspection)
            if raw_rows is not None:
                return assemble_plan(read_plan_header(preamble), raw_rows, org)
            lines.extend(preamble)
    finally:
        workbook.close()
    # A workbook that opens as a CCHC plan ("KẾ HOẠCH", cải cách hành chính) without its activity table is a plan
    # whose appendix is missing; any other workbook is not a plan.
    raise no_appendix(lines)
