"""Build the plan tree from any reader's appendix rows: levels, sub-items, units, output kinds and warnings."""

# Readers (``markdown_import`` for Markdown, ``xlsx_import`` for workbooks) only turn a file into preamble
# lines and ``RawRow`` cells in the appendix's nine columns; ``assemble_plan`` is the one assembler.

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from workflows.org_data import OrgData, normalize_name, resolve_units

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
    MergedRow,
    RawRow,
    is_area_row,
    merge_page_breaks,
    realign,
    split_code,
)
from .parsed_plan import (
    ImportReport,
    ImportResult,
    NotAPlan,
    ParsedPlan,
    PlanActivity,
    PlanArea,
    PlanObjective,
    PlanTask,
)
from .plan_header import YEAR_RE, PlanHeader

OUTPUT_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Kế hoạch", ("kế hoạch",)), ("Báo cáo", ("báo cáo",)), ("Quyết định", ("quyết định",)),
    ("Công văn", ("công văn",)), ("Danh mục", ("danh mục",)), ("Đề án", ("đề án",)),
    ("Hội nghị", ("hội nghị", "hội thảo")), ("Phần mềm", ("phần mềm",)),
    ("Tin tức/bài viết", ("tin tức", "bài viết", "tin bài")), ("Chuyên mục", ("chuyên mục",)),
)  # fmt: skip
OTHER_OUTPUT = "Khác"


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


class _Assembler:
    """Walks the repaired rows, keeping the current area, objective and task."""

    def __init__(self, org: OrgData) -> None:
        self.org = org
        self.areas: list[PlanArea] = []
        self.report = ImportReport()
        self.objective: PlanObjective | None = None
        self.task: PlanTask | None = None
        self.activity: PlanActivity | None = None

    def add(self, row: MergedRow) -> None:
        cells, moved = realign(row.cells)
        if is_area_row(cells):
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
        years = Counter(int(y) for row in rows for cell in row.cells for y in YEAR_RE.findall(cell))
        if not years:
            raise NotAPlan("Tệp không phải kế hoạch CCHC: không xác định được năm của kế hoạch.")
        year = years.most_common(1)[0][0]
        assembler.report.warnings.append(f"Không thấy năm trong tên kế hoạch; lấy năm {year} theo bảng phụ lục.")
    plan = ParsedPlan(header.title, year, header.number, header.issuer_text, assembler.areas, header.issued_on)
    return ImportResult(plan, assembler.report)
