"""The plan's header from the text before the appendix: title, year, number, issuer and issue date."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from workflows.org_data import normalize_name

from .appendix_rows import clean_cell

YEAR_RE = re.compile(r"năm\s+(\d{4})", re.I)


@dataclass(frozen=True)
class PlanHeader:
    """Fields read from the text before the appendix table."""

    title: str
    year: int | None
    number: str | None
    issuer_text: str
    warnings: tuple[str, ...] = ()
    issued_on: date | None = None


def read_plan_header(lines: Sequence[str]) -> PlanHeader:
    """Title, year, number and issuer from the lines before the appendix table."""
    texts = [clean_cell(line.replace("**", "").lstrip("#")) for line in lines]
    texts = [t for t in texts if t]
    warnings: list[str] = []
    names = [normalize_name(text) for text in texts]
    if "kế hoạch" in names[:-1]:  # "KẾ HOẠCH" on its own line, the subject on the next one
        title = texts[names.index("kế hoạch") + 1]
    else:  # both on one line, as in a spreadsheet's first row
        title = next(
            (re.sub(r"^\S+\s+\S+\s*", "", t) for t, n in zip(texts, names, strict=True) if n.startswith("kế hoạch ")),
            "",
        )
    if not title:
        warnings.append("Không tìm thấy tên kế hoạch (dòng «KẾ HOẠCH» và trích yếu).")
    caption = next((t for t in texts if "ban hành kèm theo" in normalize_name(t)), "")
    number: str | None = None
    issuer = ""
    if caption:
        found = re.search(r"kế hoạch số\s*([^\s/]*)\s*/\s*([^\s,)]+)", caption, re.I)
        if found and found.group(1):
            number = f"{found.group(1)}/{found.group(2)}"
        else:
            warnings.append(f"Kế hoạch chưa có số: phụ lục ghi «{caption.strip('()')}».")
        by = re.search(r"\bcủa\s+([^)]+?)\)?$", caption)
        issuer = by.group(1).strip() if by else ""
    else:
        warnings.append("Không tìm thấy dòng «Ban hành kèm theo Kế hoạch số…»: chưa rõ số kế hoạch.")
    year_match = YEAR_RE.search(title) or YEAR_RE.search(caption)
    year = int(year_match.group(1)) if year_match else None
    return PlanHeader(title, year, number, issuer, tuple(warnings), _issue_date(caption, warnings))


def _issue_date(caption: str, warnings: list[str]) -> date | None:
    """"… ngày 10 tháng 01 năm 2024 …" or "… ngày 10/01/2024 …" of the caption; None when left blank."""
    found = re.search(r"ngày\s+(\d{1,2})\s*(?:tháng\s*|/)\s*(\d{1,2})\s*(?:năm\s*|/)\s*(\d{4})", caption, re.I)
    if not found:
        return None
    day, month, year = (int(g) for g in found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        warnings.append(f"Ngày ban hành không hợp lệ: {day:02d}/{month:02d}/{year}.")
        return None
