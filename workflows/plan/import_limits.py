"""How much a plan upload may hold. Each reader checks these before it reads; past one, the file is refused.

A plan appendix is a few hundred rows of nine columns (the 2024 seed: 274 lines of Markdown, 50 KB, longest line
744 characters). The bounds are one to two orders of magnitude above that, and low enough that a refused file
is answered in well under a second whatever it holds (docs/benchmarks.md, "Import bombs").
"""

from __future__ import annotations

from typing import Any

from engine.errors import InvalidInput

from .parsed_plan import NotAPlan

MB = 1024 * 1024
MAX_UPLOAD_BYTES = 5 * MB  # also Flask's MAX_CONTENT_LENGTH: a larger request gets a 413 before any reading

# Both readers: the appendix grid.
MAX_ROWS = 5_000  # last row holding a value (sheet) / table rows (Markdown)
MAX_COLUMNS = 50  # last column holding a value / cells in a table row
MAX_CELLS = 100_000  # cells of the workbook (every <c>, empty or not) / of all Markdown tables
MAX_CELL_CHARS = 20_000  # one cell's text (Excel's own limit is 32,767)
MAX_TEXT_CHARS = 5_000_000  # all cell texts of the sheet read

# Markdown.
MAX_MARKDOWN_CHARS = 2_000_000  # 40 times the seed
MAX_LINES = 20_000
MAX_LINE_CHARS = MAX_CELL_CHARS

# Excel (.xlsx): the zip and its XML parts, checked before openpyxl opens the file.
MAX_ENTRIES = 300  # files inside the zip (a workbook of a few sheets has 10-20)
MAX_SHEETS = 50
MAX_UNPACKED_BYTES = 20 * MB  # all entries decompressed, counted while decompressing
MAX_RATIO = 100  # decompressed / compressed size of one entry over RATIO_FLOOR_BYTES
RATIO_FLOOR_BYTES = 1 * MB  # small entries may compress well: a bomb needs size
MAX_XML_ELEMENTS = 300_000  # all XML parts together (a cell is two: <c><v>)
MAX_PART_ELEMENTS = 50_000  # one part other than a sheet or the shared strings (styles, relationships…)
MAX_XML_DEPTH = 64  # SpreadsheetML nests about 10 deep
MAX_SHARED_STRINGS = MAX_CELLS
MAX_MERGES = 10_000
MAX_MERGED_CELLS = MAX_CELLS  # cells covered by merged ranges, inside the grid read


def vietnamese_number(value: int) -> str:
    """1.048.576: thousands separated by dots, as Vietnamese writes them."""
    return f"{value:,}".replace(",", ".")


class PlanTooLarge(InvalidInput):
    """The upload exceeds a bound of the plan import; ``details`` names the bound and its limit."""

    code = "file_too_large"
    default_message = "Tệp kế hoạch quá lớn."


def too_large(what: str, bound: str, limit: int, shown: str, **where: Any) -> PlanTooLarge:
    """A 422 naming the bound passed: ``what`` is the finding ("trang tính có dữ liệu ở dòng 6.000"), ``shown``
    the limit as a reader says it ("5.000 dòng")."""
    return PlanTooLarge(
        f"Tệp kế hoạch quá lớn: {what}, vượt giới hạn {shown} của một kế hoạch CCHC. "
        "Hãy xoá các dòng, cột hoặc trang tính không thuộc kế hoạch rồi nhập lại.",
        details={"bound": bound, "limit": limit, **where},
    )


def unsafe_file(what: str, bound: str, **where: Any) -> NotAPlan:
    """A 422 for a file no spreadsheet program writes (DTD, encrypted or odd zip entries, broken XML)."""
    return NotAPlan(f"Tệp không phải kế hoạch CCHC: {what}.", details={"bound": bound, **where})
