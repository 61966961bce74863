"""The appendix table's rows: column detection, cell cleaning, codes, page-break merges and cell realignment."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from workflows.org_data import normalize_name

STT, OBJ, TASK, ACT, OUT, LEAD, COORD, TIME, BUDGET = range(9)
COLUMN_LABELS = (
    "STT", "Mục tiêu", "Nhiệm vụ", "Hoạt động", "Kết quả/sản phẩm", "Chủ trì", "Phối hợp", "Thời gian",
    "Kinh phí",
)  # fmt: skip
_HEADER_KEYWORDS = (
    "stt", "mục tiêu", "nhiệm vụ", "hoạt động", "kết quả", "chủ trì", "phối hợp", "thời gian", "kinh phí",
)  # fmt: skip
_REQUIRED_COLUMNS = (STT, OBJ, TASK, ACT, LEAD)
# The appendix numbers objectives 1.x, tasks 2.x and activities 3.x (headers "1- Mục tiêu", …).
_LEVEL_COLUMN = {"1": OBJ, "2": TASK, "3": ACT}

_CODE_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2})+|\d{1,2}(?=\.))\.?(?:\s+|$)(.*)$", re.S)
_ROMAN_RE = re.compile(r"^([IVX]+)\.?$")


@dataclass
class RawRow:
    """One table row as a reader found it: nine cells in appendix column order."""

    cells: list[str]
    where: str  # e.g. "bảng 3, dòng 1" or "trang tính «Phụ lục», dòng 17"
    starts_table: bool = False  # first row after a (repeated) header: a page break may cut a row here


@dataclass
class MergedRow:
    """A row with cleaned cells, and the continuations (source, columns) glued onto it after a page break."""

    cells: list[str]
    where: str
    merged: list[tuple[str, list[str]]] = field(default_factory=list)


# --- Cells and codes -----------------------------------------------------------------------------


def clean_cell(text: str) -> str:
    """One line, single spaces, no space before punctuation."""
    text = re.sub(r"<br\s*/?>", " ", text, flags=re.I).replace("\\|", "|")
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r" (?=[.,;:](?:\s|$))", "", text)


def split_code(text: str) -> tuple[str | None, str]:
    """("3.12", "Hỗ trợ…") from "3.12. Hỗ trợ…"; (None, text) when the text is not numbered."""
    match = _CODE_RE.match(text)
    return (match.group(1), match.group(2).strip()) if match else (None, text)


def column_map(header: Sequence[str]) -> list[int | None] | None:
    """Index of each appendix column in a header row, or None when the row is not the appendix header."""
    # Header cells are short labels ("5-Chủ trì"); a long data cell naming "nhiệm vụ" is not one.
    names = [name if len(name) <= 40 else "" for name in map(normalize_name, header)]
    found: list[int | None] = []
    for keyword in _HEADER_KEYWORDS:
        found.append(next((i for i, name in enumerate(names) if keyword in name), None))
    return found if all(found[c] is not None for c in _REQUIRED_COLUMNS) else None


def cells_by_map(cells: Sequence[str], mapping: Sequence[int | None]) -> list[str]:
    """The nine appendix cells of a row, by a ``column_map``."""
    return [cells[i] if i is not None and i < len(cells) else "" for i in mapping]


def is_area_row(cells: Sequence[str]) -> bool:
    """Whether the row opens a roman-numbered area (its STT cell is I, II, …)."""
    return bool(_ROMAN_RE.match(cells[STT]))


# --- Repairs -------------------------------------------------------------------------------------


def _join(head: str, tail: str) -> str:
    """Join the two halves of a cell cut by a page break."""
    if not head or not tail:
        return head or tail
    if re.search(r"\w[-–]$", head):  # "CT-" + "XH": a hyphenated word, no space
        return head + tail
    return f"{head} {tail}"


def _continues(cells: Sequence[str], previous: Sequence[str]) -> bool:
    """Whether a row at the top of a table is the rest of the previous row, cut by a page break."""
    if is_area_row(previous) or cells[STT] or any(split_code(cells[c])[0] for c in (OBJ, ACT)):
        return False
    code = split_code(cells[TASK])[0]
    parent = split_code(previous[TASK])[0]
    return code is None or (parent is not None and code.startswith(parent + "."))


def merge_page_breaks(rows: Iterable[RawRow]) -> list[MergedRow]:
    """Clean the cells and glue each row cut by a page break back together, cell by cell."""
    merged: list[MergedRow] = []
    for raw in rows:
        cells = [clean_cell(c) for c in raw.cells]
        if not any(cells):
            continue
        if raw.starts_table and merged and _continues(cells, merged[-1].cells):
            target = merged[-1]
            columns = [COLUMN_LABELS[c] for c, text in enumerate(cells) if text]
            target.cells = [_join(head, tail) for head, tail in zip(target.cells, cells, strict=True)]
            target.merged.append((raw.where, columns))
        else:
            merged.append(MergedRow(cells, raw.where))
    return merged


def realign(cells: list[str]) -> tuple[list[str], str | None]:
    """Move a numbered cell that sits left of its column (e.g. "3.4. …" under "Mục tiêu") and the cells after it."""
    for col in (STT, OBJ, TASK):
        code, _ = split_code(cells[col])
        target = _LEVEL_COLUMN.get(code.split(".")[0]) if code else None
        if target is None or target <= col or split_code(cells[target])[0] or any(cells[col + 1 : target]):
            continue
        tail = cells[col + 1 :]
        start = next((i for i, text in enumerate(tail) if text), len(tail))
        tail = tail[start:]
        slots = len(cells) - target - 1
        if any(tail[slots:]):
            continue
        tail = tail[:slots] + [""] * (slots - len(tail[:slots]))
        fixed = cells[:col] + [""] * (target - col) + [cells[col], *tail]
        shift = (target + 1) - (col + 1 + start)
        note = f"ô «{code}» nằm ở cột {COLUMN_LABELS[col]}, đã chuyển sang cột {COLUMN_LABELS[target]}"
        if shift and any(tail):
            note += f"; các ô từ cột {COLUMN_LABELS[target + 1]} trở đi dời sang phải {shift} cột"
        return fixed, note + "."
    return cells, None
