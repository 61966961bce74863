"""The plan as a reader parsed it: the appendix tree, the import report and the not-a-plan error."""

# Representation choices:
# - Codes are kept as written, without the trailing dot ("3.1"), even when repeated (both rows are kept,
#   in order, with a warning). ``PlanActivity.order`` is its 1-based position within its area.
# - Sub-items inside a task cell ("2.4 Triển khai… 2.4.1 Hoàn thành…") become ``PlanTask.subtasks``
#   (nested one level; they share the parent's units).
# - A row with a task and no activity keeps the task: its unit cells go to the task's ``lead_*`` and
#   ``coordinating_*`` fields, which are filled only for such rows. An objective row with neither task nor
#   activity keeps its unit cells on the objective the same way.
# - Empty cells stay empty (the Word original merges "Kinh phí" and others vertically; a missing lead unit
#   or time is warned, never guessed).

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from engine.errors import InvalidInput
from engine.search import fold

APPENDIX_MISSING_MESSAGE = (
    "Kế hoạch không có phụ lục danh mục hoạt động (bảng) với các cột STT, Mục tiêu, Nhiệm vụ, Hoạt động, "
    "Chủ trì…: thêm bảng phụ lục của kế hoạch vào tệp rồi nhập lại."
)
# The opening of a CCHC plan: "KẾ HOẠCH" on its own line (or "KẾ HOẠCH Cải cách hành chính…"), and the text
# speaks of administrative reform.
_PLAN_TITLE_RE = re.compile(r"^\W*ke hoach\b")
_REFORM_RE = re.compile(r"\b(?:cai cach hanh chinh|cchc)\b")
NO_TABLE_MESSAGE = (
    "Tệp không phải kế hoạch CCHC: không tìm thấy bảng phụ lục (các cột STT, Mục tiêu, Nhiệm vụ, Hoạt động, Chủ trì…)."
)


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


class PlanAppendixMissing(NotAPlan):
    """The file is a CCHC plan, but its appendix table (the activities) is not in it."""

    code = "plan_appendix_missing"
    default_message = APPENDIX_MISSING_MESSAGE


def looks_like_a_plan(lines: Iterable[str]) -> bool:
    """Whether the text opens as a CCHC plan: a "KẾ HOẠCH" title among its first lines and reform in its text."""
    folded = [" ".join(fold(line.replace("*", "").replace("#", "")).split()) for line in lines]
    titled = any(_PLAN_TITLE_RE.match(line) for line in folded[:60])
    return titled and any(_REFORM_RE.search(line) for line in folded)


def no_appendix(lines: Iterable[str]) -> NotAPlan:
    """The error for a text without the appendix table: a plan missing it, or not a plan at all."""
    return PlanAppendixMissing(APPENDIX_MISSING_MESSAGE) if looks_like_a_plan(lines) else NotAPlan(NO_TABLE_MESSAGE)
