"""Read a CCHC plan written in Markdown (the appendix as pipe tables, possibly cut by page breaks)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from workflows.org_data import OrgData

# The import's shared names, re-exported for the callers and tests that import them from here.
from .appendix_rows import (
    ACT,
    BUDGET,
    COLUMN_LABELS,
    COORD,
    LEAD,
    OBJ,
    OUT,
    STT,
    TASK,
    TIME,
    RawRow,
    cells_by_map,
    clean_cell,
    column_map,
    merge_page_breaks,
    realign,
    split_code,
)
from .import_limits import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_LINE_CHARS,
    MAX_LINES,
    MAX_MARKDOWN_CHARS,
    MAX_ROWS,
    too_large,
    vietnamese_number,
)
from .parsed_plan import (
    NO_TABLE_MESSAGE,
    ImportReport,
    ImportResult,
    NotAPlan,
    ParsedPlan,
    PlanActivity,
    PlanArea,
    PlanObjective,
    PlanTask,
    no_appendix,
)
from .plan_assembly import OTHER_OUTPUT, OUTPUT_KINDS, assemble_plan, output_kinds
from .plan_header import PlanHeader, read_plan_header

__all__ = [
    "ACT",
    "BUDGET",
    "COLUMN_LABELS",
    "COORD",
    "LEAD",
    "NO_TABLE_MESSAGE",
    "OBJ",
    "OTHER_OUTPUT",
    "OUT",
    "OUTPUT_KINDS",
    "STT",
    "TASK",
    "TIME",
    "ImportReport",
    "ImportResult",
    "NotAPlan",
    "ParsedPlan",
    "PlanActivity",
    "PlanArea",
    "PlanHeader",
    "PlanObjective",
    "PlanTask",
    "RawRow",
    "assemble_plan",
    "cells_by_map",
    "clean_cell",
    "column_map",
    "markdown_rows",
    "merge_page_breaks",
    "output_kinds",
    "parse_plan_markdown",
    "read_plan_header",
    "realign",
    "split_code",
]

# A |---|:---:| row. One character class: "\s*\|?[\s:|-]+\|?\s*" matched the same lines, but its
# overlapping quantifiers backtracked cubically on a long run of spaces (1,000 spaces took seconds).
_SEPARATOR_ROW = re.compile(r"[\s:|-]+")


def _split_cells(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return re.split(r"(?<!\\)\|", body)


def _bounded_lines(text: str) -> list[str]:
    """The text's lines, once the text, its line count and each line's length are within the import's bounds."""
    if len(text) > MAX_MARKDOWN_CHARS:
        limit = vietnamese_number(MAX_MARKDOWN_CHARS)
        raise too_large(
            f"văn bản Markdown dài {vietnamese_number(len(text))} ký tự",
            "markdown_chars",
            MAX_MARKDOWN_CHARS,
            f"{limit} ký tự",
        )
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        limit = vietnamese_number(MAX_LINES)
        raise too_large(
            f"văn bản Markdown có {vietnamese_number(len(lines))} dòng", "lines", MAX_LINES, f"{limit} dòng"
        )
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE_CHARS:
            raise too_large(
                f"dòng {number} của văn bản Markdown dài {vietnamese_number(len(line))} ký tự",
                "line_chars",
                MAX_LINE_CHARS,
                f"{vietnamese_number(MAX_LINE_CHARS)} ký tự một dòng",
                line=number,
            )
    return lines


def _check_table_size(rows: int, cells: int, width: int, where: str) -> None:
    """Bounds of the appendix tables: rows in all, cells in one row, cells in all."""
    if width > MAX_COLUMNS:
        raise too_large(f"{where} có {vietnamese_number(width)} ô", "columns", MAX_COLUMNS, f"{MAX_COLUMNS} ô một dòng")
    if rows > MAX_ROWS:
        limit = vietnamese_number(MAX_ROWS)
        raise too_large(f"các bảng phụ lục có hơn {limit} dòng", "rows", MAX_ROWS, f"{limit} dòng")
    if cells > MAX_CELLS:
        limit = vietnamese_number(MAX_CELLS)
        raise too_large(f"các bảng phụ lục có hơn {limit} ô", "cells", MAX_CELLS, f"{limit} ô")


def markdown_rows(lines: Sequence[str]) -> tuple[list[RawRow], int, list[str]]:
    """Rows of every appendix table, the index of the first table's line, and cell-count warnings."""
    rows: list[RawRow] = []
    warnings: list[str] = []
    first_line = -1
    tables = 0
    cell_count = 0
    i = 0
    while i < len(lines):
        if not lines[i].lstrip().startswith("|"):
            i += 1
            continue
        start = i
        while i < len(lines) and lines[i].lstrip().startswith("|"):
            i += 1
        header = _split_cells(lines[start])
        mapping = column_map(header)
        if mapping is None:
            continue
        _check_table_size(len(rows), cell_count, len(header), f"dòng tiêu đề {start + 1} của văn bản Markdown")
        tables += 1
        first_line = start if first_line < 0 else first_line
        body = [line for line in lines[start + 1 : i] if not _SEPARATOR_ROW.fullmatch(line)]
        for number, line in enumerate(body, start=1):
            cells = _split_cells(line)
            where = f"bảng {tables}, dòng {number}"
            cell_count += len(cells)
            _check_table_size(len(rows) + 1, cell_count, len(cells), where)
            if len(cells) != len(header):
                warnings.append(f"{where}: có {len(cells)} ô trong khi tiêu đề có {len(header)} cột.")
            rows.append(RawRow(cells_by_map(cells, mapping), where, starts_table=number == 1))
    return rows, first_line, warnings


def parse_plan_markdown(text: str, org: OrgData) -> ImportResult:
    """Parse a CCHC plan written in Markdown (appendix as pipe tables, possibly cut by page breaks)."""
    lines = _bounded_lines(text)
    rows, first_line, warnings = markdown_rows(lines)
    if first_line < 0:
        raise no_appendix(lines)
    return assemble_plan(read_plan_header(lines[:first_line]), rows, org, warnings)
