"""Import a yearly CCHC plan: its appendix table → areas, objectives, tasks and activities.

Readers (this module for Markdown, ``xlsx_import`` for workbooks) only turn a file into preamble
lines and ``RawRow`` cells in the appendix's nine columns; ``assemble_plan`` is the one assembler.

Representation choices:
- Codes are kept as written, without the trailing dot ("3.1"), even when repeated (both rows are kept,
  in order, with a warning). ``PlanActivity.order`` is its 1-based position within its area.
- Sub-items inside a task cell ("2.4 Triển khai… 2.4.1 Hoàn thành…") become ``PlanTask.subtasks``
  (nested one level; they share the parent's units).
- A row with a task and no activity keeps the task: its unit cells go to the task's ``lead_*`` and
  ``coordinating_*`` fields, which are filled only for such rows. An objective row with neither task nor
  activity keeps its unit cells on the objective the same way.
- Empty cells stay empty (the Word original merges "Kinh phí" and others vertically; a missing lead unit
  or time is warned, never guessed).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from engine.errors import InvalidInput
from workflows.org_data import OrgData, normalize_name, resolve_units

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
OUTPUT_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Kế hoạch", ("kế hoạch",)), ("Báo cáo", ("báo cáo",)), ("Quyết định", ("quyết định",)),
    ("Công văn", ("công văn",)), ("Danh mục", ("danh mục",)), ("Đề án", ("đề án",)),
    ("Hội nghị", ("hội nghị", "hội thảo")), ("Phần mềm", ("phần mềm",)),
    ("Tin tức/bài viết", ("tin tức", "bài viết", "tin bài")), ("Chuyên mục", ("chuyên mục",)),
)  # fmt: skip
OTHER_OUTPUT = "Khác"
NO_TABLE_MESSAGE = (
    "Tệp không phải kế hoạch CCHC: không tìm thấy bảng phụ lục (các cột STT, Mục tiêu, Nhiệm vụ, Hoạt động, Chủ trì…)."
)

_CODE_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2})+|\d{1,2}(?=\.))\.?(?:\s+|$)(.*)$", re.S)
_ROMAN_RE = re.compile(r"^([IVX]+)\.?$")
_YEAR_RE = re.compile(r"năm\s+(\d{4})", re.I)


@dataclass(frozen=True)
class PlanActivity:
    """One activity row (numbered 3.x): what is done, by whom, when."""

    code: str
    text: str
    output_text: str
    output_kinds: tuple[str, ...]
    lead_text: str
    lead_units: tuple[str, ...]
    coordinating_text: str
    coordinating_units: tuple[str, ...]
    time_text: str
    budget_text: str
    order: int


@dataclass
class PlanTask:
    """A task (2.x) with its activities and sub-items (2.x.y)."""

    code: str
    text: str
    activities: list[PlanActivity] = field(default_factory=list)
    subtasks: list[PlanTask] = field(default_factory=list)
    lead_text: str = ""
    lead_units: tuple[str, ...] = ()
    coordinating_text: str = ""
    coordinating_units: tuple[str, ...] = ()


@dataclass
class PlanObjective:
    """An objective (1.x) with its tasks."""

    code: str
    text: str
    tasks: list[PlanTask] = field(default_factory=list)
    lead_text: str = ""
    lead_units: tuple[str, ...] = ()
    coordinating_text: str = ""
    coordinating_units: tuple[str, ...] = ()


@dataclass
class PlanArea:
    """One of the roman-numbered areas (lĩnh vực I–VII)."""

    numeral: str
    title: str
    objectives: list[PlanObjective] = field(default_factory=list)


@dataclass
class ParsedPlan:
    """The plan as read from the file: header fields and the appendix tree."""

    title: str
    year: int
    number: str | None
    issuer_text: str
    areas: list[PlanArea] = field(default_factory=list)
    issued_on: date | None = None

    def iter_activities(self) -> Iterator[tuple[PlanArea, PlanObjective, PlanTask, PlanActivity]]:
        """Every activity with its area, objective and task, in plan order."""
        for area in self.areas:
            for objective in area.objectives:
                for task in objective.tasks:
                    for activity in task.activities:
                        yield area, objective, task, activity


@dataclass
class ImportReport:
    """What the import counted, repaired, noticed and could not resolve (messages in Vietnamese)."""

    counts: dict[str, int] = field(default_factory=dict)
    repairs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unresolved_units: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    """The parsed plan and its import report."""

    plan: ParsedPlan
    report: ImportReport


class NotAPlan(InvalidInput):
    """The file holds no CCHC plan appendix."""

    code = "not_a_plan"
    default_message = NO_TABLE_MESSAGE


@dataclass
class RawRow:
    """One table row as a reader found it: nine cells in appendix column order."""

    cells: list[str]
    where: str  # e.g. "bảng 3, dòng 1" or "trang tính «Phụ lục», dòng 17"
    starts_table: bool = False  # first row after a (repeated) header: a page break may cut a row here


@dataclass(frozen=True)
class PlanHeader:
    """Fields read from the text before the appendix table."""

    title: str
    year: int | None
    number: str | None
    issuer_text: str
    warnings: tuple[str, ...] = ()
    issued_on: date | None = None


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


def output_kinds(output_text: str) -> tuple[str, ...]:
    """Kinds of output named in the "Kết quả/sản phẩm" cell, e.g. ("Kế hoạch", "Báo cáo")."""
    kinds: list[str] = []
    for part in re.split(r"[,;]", output_text):
        name = normalize_name(part).removeprefix("các ")
        kind = next((k for k, words in OUTPUT_KINDS if name.startswith(words)), None)
        if kind and kind not in kinds:
            kinds.append(kind)
    # An unknown part after a known one qualifies it ("Quyết định, quyết định phân cấp, ủy quyền").
    return tuple(kinds) if kinds or not output_text.strip() else (OTHER_OUTPUT,)


def _join(head: str, tail: str) -> str:
    """Join the two halves of a cell cut by a page break."""
    if not head or not tail:
        return head or tail
    if re.search(r"\w[-–]$", head):  # "CT-" + "XH": a hyphenated word, no space
        return head + tail
    return f"{head} {tail}"


# --- Header --------------------------------------------------------------------------------------


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
    year_match = _YEAR_RE.search(title) or _YEAR_RE.search(caption)
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


# --- Assembly ------------------------------------------------------------------------------------


@dataclass
class _Row:
    cells: list[str]
    where: str
    merged: list[tuple[str, list[str]]] = field(default_factory=list)


def _is_area(cells: Sequence[str]) -> bool:
    return bool(_ROMAN_RE.match(cells[STT]))


def _continues(cells: Sequence[str], previous: Sequence[str]) -> bool:
    """Whether a row at the top of a table is the rest of the previous row, cut by a page break."""
    if _is_area(previous) or cells[STT] or any(split_code(cells[c])[0] for c in (OBJ, ACT)):
        return False
    code = split_code(cells[TASK])[0]
    parent = split_code(previous[TASK])[0]
    return code is None or (parent is not None and code.startswith(parent + "."))


def merge_page_breaks(rows: Iterable[RawRow]) -> list[_Row]:
    """Clean the cells and glue each row cut by a page break back together, cell by cell."""
    merged: list[_Row] = []
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
            merged.append(_Row(cells, raw.where))
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


class _Assembler:
    """Walks the repaired rows, keeping the current area, objective and task."""

    def __init__(self, org: OrgData) -> None:
        self.org = org
        self.areas: list[PlanArea] = []
        self.report = ImportReport()
        self.objective: PlanObjective | None = None
        self.task: PlanTask | None = None
        self.activity: PlanActivity | None = None

    def add(self, row: _Row) -> None:
        cells, moved = realign(row.cells)
        if _is_area(cells):
            title = next((text for text in cells[1:] if text), "")
            self.areas.append(PlanArea(cells[STT].rstrip("."), title))
            self.objective = self.task = None
            return
        if not self.areas:
            self.report.warnings.append(f"{row.where}: dòng nằm trước lĩnh vực đầu tiên, đã bỏ qua.")
            return
        self.activity = None
        if cells[OBJ]:
            self._start_objective(cells[OBJ])
        if cells[TASK]:
            self._start_task(cells[TASK])
        where = self._where()
        if cells[ACT]:
            self._add_activity(cells)
            where = self._where()
        elif cells[TASK] and self.task:
            self._keep_units(self.task, cells, where)
        elif cells[OBJ] and self.objective:
            self._keep_units(self.objective, cells, where)
        else:
            self.report.warnings.append(f"{row.where}: dòng không có mục tiêu, nhiệm vụ hay hoạt động, đã bỏ qua.")
        for source, columns in row.merged:
            self.report.repairs.append(
                f"{where}: dòng bị ngắt trang, đã ghép phần tiếp theo ({source}) vào cột {', '.join(columns)}."
            )
        if moved:
            self.report.repairs.append(f"{where}: {moved}")

    def _where(self) -> str:
        parts = [f"Lĩnh vực {self.areas[-1].numeral}"]
        if self.task and self.task.code:
            parts.append(f"nhiệm vụ {self.task.code}")
        elif self.objective and self.objective.code:
            parts.append(f"mục tiêu {self.objective.code}")
        if self.activity:
            parts.append(f"hoạt động {self.activity.code}")
        return ", ".join(parts)

    def _start_objective(self, text: str) -> None:
        code, body = split_code(text)
        self.objective = PlanObjective(code or "", body)
        self.areas[-1].objectives.append(self.objective)
        self.task = None
        if code is None:
            self.report.warnings.append(f"{self._where()}: mục tiêu «{text[:60]}» không có số thứ tự.")
        elif "." not in code:
            self.report.warnings.append(f"{self._where()}: mục tiêu đánh số «{code}.», không theo dạng {code}.x.")

    def _start_task(self, text: str) -> None:
        if self.objective is None:
            self._start_objective("")
        code, body = split_code(text)
        subtasks: list[PlanTask] = []
        if code:
            marks = list(re.finditer(rf"(?:^|(?<=\s))({re.escape(code)}\.\d{{1,2}})\.?\s+", body))
            if marks:
                ends = [m.start() for m in marks[1:]] + [len(body)]
                subtasks = [
                    PlanTask(m.group(1), body[m.end() : end].strip()) for m, end in zip(marks, ends, strict=True)
                ]
                body = body[: marks[0].start()].strip()
        self.task = PlanTask(code or "", body, subtasks=subtasks)
        assert self.objective is not None
        self.objective.tasks.append(self.task)
        if code is None:
            self.report.warnings.append(f"{self._where()}: nhiệm vụ «{text[:60]}» không có số thứ tự.")
        seen: dict[str, str] = {}
        for sub in subtasks:
            if sub.text in seen:
                self.report.warnings.append(
                    f"{self._where()}: nội dung {seen[sub.text]} và {sub.code} giống hệt nhau («{sub.text}»)."
                )
            seen.setdefault(sub.text, sub.code)

    def _units(self, text: str, where: str) -> tuple[str, ...]:
        codes, unresolved = resolve_units(text, self.org)
        for fragment in unresolved:
            self.report.warnings.append(f"{where}: không nhận ra đơn vị «{fragment}».")
            if fragment not in self.report.unresolved_units:
                self.report.unresolved_units.append(fragment)
        return tuple(codes)

    def _add_activity(self, cells: list[str]) -> None:
        if self.task is None:
            self._start_task("")
        assert self.task is not None
        code, body = split_code(cells[ACT])
        order = sum(len(t.activities) for o in self.areas[-1].objectives for t in o.tasks) + 1
        where = f"{self._where()}, hoạt động {code or order}"
        self.activity = PlanActivity(
            code=code or "",
            text=body,
            output_text=cells[OUT],
            output_kinds=output_kinds(cells[OUT]),
            lead_text=cells[LEAD],
            lead_units=self._units(cells[LEAD], where),
            coordinating_text=cells[COORD],
            coordinating_units=self._units(cells[COORD], where),
            time_text=cells[TIME],
            budget_text=cells[BUDGET],
            order=order,
        )
        self.task.activities.append(self.activity)
        blanks = (("số thứ tự", code is None), ("đơn vị chủ trì", not cells[LEAD]), ("thời gian", not cells[TIME]))
        missing = [label for label, blank in blanks if blank]
        if missing:
            self.report.warnings.append(f"{where}: không ghi {', '.join(missing)}.")

    def _keep_units(self, item: PlanTask | PlanObjective, cells: list[str], where: str) -> None:
        item.lead_text = cells[LEAD]
        item.lead_units = self._units(cells[LEAD], where)
        item.coordinating_text = cells[COORD]
        item.coordinating_units = self._units(cells[COORD], where)
        dropped = [COLUMN_LABELS[c] for c in (OUT, TIME, BUDGET) if cells[c]]
        if dropped:
            self.report.warnings.append(f"{where}: dòng không có hoạt động; bỏ qua cột {', '.join(dropped)}.")

    def finish(self) -> None:
        """Counts, and warnings about repeated codes and empty branches."""
        for area in self.areas:
            prefix = f"Lĩnh vực {area.numeral}"
            tasks = [(o, t) for o in area.objectives for t in o.tasks]
            activities = [(t, a) for _, t in tasks for a in t.activities]
            self.report.counts[area.numeral] = len(activities)
            self._warn_repeats(prefix, "mục tiêu", [(o.code, "") for o in area.objectives])
            self._warn_repeats(prefix, "nhiệm vụ", [(t.code, f"mục tiêu {o.code}") for o, t in tasks])
            self._warn_repeats(prefix, "hoạt động", [(a.code, f"nhiệm vụ {t.code}") for t, a in activities])
            for objective in area.objectives:
                if not objective.tasks:
                    self.report.warnings.append(
                        f"{prefix}, mục tiêu {objective.code}: không có nhiệm vụ, hoạt động; "
                        "giữ mục tiêu cùng đơn vị chủ trì, phối hợp."
                    )
            for _, task in tasks:
                if not task.activities:
                    self.report.warnings.append(
                        f"{prefix}, nhiệm vụ {task.code}: không có hoạt động; giữ nhiệm vụ cùng đơn vị chủ trì."
                    )

    def _warn_repeats(self, prefix: str, noun: str, items: list[tuple[str, str]]) -> None:
        counts = Counter(code for code, _ in items if code)
        for code, count in counts.items():
            if count > 1:
                owners = [owner for c, owner in items if c == code and owner]
                detail = f" ({', '.join(owners)})" if owners else ""
                self.report.warnings.append(
                    f"{prefix}: {noun} {code} xuất hiện {count} lần{detail}; giữ cả {count} theo thứ tự."
                )


def assemble_plan(
    header: PlanHeader, rows: Iterable[RawRow], org: OrgData, warnings: Iterable[str] = ()
) -> ImportResult:
    """Build the plan tree from the raw appendix rows of any reader, repairing what the file broke."""
    rows = list(rows)
    assembler = _Assembler(org)
    assembler.report.warnings.extend([*header.warnings, *warnings])
    for row in merge_page_breaks(rows):
        assembler.add(row)
    if not assembler.areas:
        raise NotAPlan(
            "Tệp không phải kế hoạch CCHC: bảng phụ lục không có lĩnh vực nào (dòng có STT là số La Mã I, II, …)."
        )
    assembler.finish()
    year = header.year
    if year is None:
        years = Counter(int(y) for row in rows for cell in row.cells for y in _YEAR_RE.findall(cell))
        if not years:
            raise NotAPlan("Tệp không phải kế hoạch CCHC: không xác định được năm của kế hoạch.")
        year = years.most_common(1)[0][0]
        assembler.report.warnings.append(f"Không thấy năm trong tên kế hoạch; lấy năm {year} theo bảng phụ lục.")
    plan = ParsedPlan(header.title, year, header.number, header.issuer_text, assembler.areas, header.issued_on)
    return ImportResult(plan, assembler.report)


# --- Markdown reader -----------------------------------------------------------------------------


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
