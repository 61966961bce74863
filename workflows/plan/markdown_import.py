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


def _split_cells(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return re.split(r"(?<!\\)\|", body)


def markdown_rows(lines: Sequence[str]) -> tuple[list[RawRow], int, list[str]]:
    """Rows of every appendix table, the index of the first table's line, and cell-count warnings."""
    rows: list[RawRow] = []
    warnings: list[str] = []
    first_line = -1
    tables = 0
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
        tables += 1
        first_line = start if first_line < 0 else first_line
        body = [line for line in lines[start + 1 : i] if not re.fullmatch(r"\s*\|?[\s:|-]+\|?\s*", line)]
        for number, line in enumerate(body, start=1):
            cells = _split_cells(line)
            where = f"bảng {tables}, dòng {number}"
            if len(cells) != len(header):
                warnings.append(f"{where}: có {len(cells)} ô trong khi tiêu đề có {len(header)} cột.")
            rows.append(RawRow(cells_by_map(cells, mapping), where, starts_table=number == 1))
    return rows, first_line, warnings


def parse_plan_markdown(text: str, org: OrgData) -> ImportResult:
    """Parse a CCHC plan written in Markdown (appendix as pipe tables, possibly cut by page breaks)."""
    lines = text.splitlines()
    rows, first_line, warnings = markdown_rows(lines)
    if first_line < 0:
        raise NotAPlan(NO_TABLE_MESSAGE)
    return assemble_plan(read_plan_header(lines[:first_line]), rows, org, warnings)
