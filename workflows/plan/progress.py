"""Progress of a plan, derived from its occurrences' instances (nothing is stored that could drift).

Occurrence status: not launched → chưa thực hiện (or quá hạn chưa hoàn thành once its deadline passed);
running → đang thực hiện (or quá hạn chưa hoàn thành); completed → hoàn thành trước hạn / đúng hạn / quá hạn
by the day it ended against its deadline. An activity takes the most urgent status of its occurrences:
anything overdue makes it overdue; all finished → the latest finish decides; some work → in progress.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
DONE_EARLY = "done_early"
DONE_ON_TIME = "done_on_time"
DONE_LATE = "done_late"
OVERDUE = "overdue"

STATUS_LABELS: dict[str, str] = {
    NOT_STARTED: "Chưa thực hiện",
    IN_PROGRESS: "Đang thực hiện",
    DONE_EARLY: "Hoàn thành trước hạn",
    DONE_ON_TIME: "Hoàn thành đúng hạn",
    DONE_LATE: "Hoàn thành quá hạn",
    OVERDUE: "Quá hạn chưa hoàn thành",
}
STATUSES = tuple(STATUS_LABELS)
DONE = frozenset({DONE_EARLY, DONE_ON_TIME, DONE_LATE})
_DONE_RANK = {DONE_EARLY: 0, DONE_ON_TIME: 1, DONE_LATE: 2}


class OccurrenceFacts(NamedTuple):
    """What progress needs to know of one occurrence (a named tuple: a plan's progress builds one per occurrence,
    10,000 and more, where a frozen dataclass's ``__init__`` cost several times as much)."""

    activity_id: int
    unit_code: str
    due_date: date | None
    instance_status: str | None  # None: not launched (or its instance was cancelled)
    ended_on: date | None


def occurrence_status(facts: OccurrenceFacts, today: date) -> str:
    due = facts.due_date
    if facts.instance_status == "completed" and facts.ended_on is not None:
        if due is None or facts.ended_on == due:
            return DONE_ON_TIME
        return DONE_EARLY if facts.ended_on < due else DONE_LATE
    if due is not None and today > due:
        return OVERDUE
    if facts.instance_status in (None, "cancelled"):
        return NOT_STARTED
    return IN_PROGRESS


def combine(statuses: Iterable[str]) -> str:
    """One status for an activity from those of its occurrences."""
    found = list(statuses)
    if not found:
        return NOT_STARTED
    if OVERDUE in found:
        return OVERDUE
    if all(s in DONE for s in found):
        return max(found, key=_DONE_RANK.__getitem__)
    if any(s != NOT_STARTED for s in found):
        return IN_PROGRESS
    return NOT_STARTED


def counts(statuses: Iterable[str]) -> dict[str, int]:
    found = Counter(statuses)
    return {status: found.get(status, 0) for status in STATUSES}


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
