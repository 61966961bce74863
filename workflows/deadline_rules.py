"""Deadlines of steps in working days: the classification rules, their labels and settings.

Open steps are ``on_track`` (trong hạn), ``due_soon`` (sắp đến hạn: at most ``due_soon_days`` working
days left) or ``overdue`` (quá hạn); finished steps are ``early`` (trước hạn: before the due day),
``on_time`` (đúng hạn: on the due day, before the due time) or ``late`` (quá hạn). The state is stored
on ``human_task`` when a step opens or finishes and kept fresh by the worker.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time

from engine.calendar import WorkingCalendar
from engine.clock import LOCAL_TZ
from engine.models import HumanTask

OPEN_STATES = ("on_track", "due_soon", "overdue")
FINISHED_STATES = ("early", "on_time", "late")
STATE_LABELS = {
    "on_track": "Trong hạn",
    "due_soon": "Sắp đến hạn",
    "overdue": "Quá hạn",
    "early": "Hoàn thành trước hạn",
    "on_time": "Hoàn thành đúng hạn",
    "late": "Hoàn thành quá hạn",
}


@dataclass(frozen=True)
class DeadlineSettings:
    """Configuration: the "due soon" window and when overdue steps escalate (all in working days)."""

    due_soon_days: int = 2
    escalate_head_after: int = 0  # overdue steps go to the unit head (when the process recorded nothing)
    escalate_coordinator_after: int = 2  # …then to the CCHC coordinator
    coordinator_unit: str | None = "PNV"

    @classmethod
    def from_env(cls) -> DeadlineSettings:
        """CCHC_DUE_SOON_DAYS, CCHC_ESCALATE_HEAD_AFTER, CCHC_ESCALATE_COORDINATOR_AFTER, CCHC_COORDINATOR_UNIT."""
        unit = os.environ.get("CCHC_COORDINATOR_UNIT", "PNV")
        return cls(
            due_soon_days=int(os.environ.get("CCHC_DUE_SOON_DAYS", "2")),
            escalate_head_after=int(os.environ.get("CCHC_ESCALATE_HEAD_AFTER", "0")),
            escalate_coordinator_after=int(os.environ.get("CCHC_ESCALATE_COORDINATOR_AFTER", "2")),
            coordinator_unit=unit or None,
        )


# --------------------------------------------------------------------------- classification


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def start_of_local_day(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), LOCAL_TZ)


def classify_open(due_at: datetime | None, now: datetime, calendar: WorkingCalendar, window: int) -> str | None:
    """on_track / due_soon / overdue for an open step (None without a deadline)."""
    if due_at is None:
        return None
    if now > due_at:
        return "overdue"
    if calendar.working_days_between(local_day(now), local_day(due_at)) <= window:
        return "due_soon"
    return "on_track"


def classify_finished(due_at: datetime | None, completed_at: datetime) -> str | None:
    """early / on_time / late for a finished step (None without a deadline)."""
    if due_at is None:
        return None
    if completed_at > due_at:
        return "late"
    return "on_time" if local_day(completed_at) == local_day(due_at) else "early"


def due_soon_horizon(now: datetime, calendar: WorkingCalendar, window: int) -> datetime:
    """Open steps due before this moment are due soon (or overdue): the start of the (window+1)-th working day."""
    return start_of_local_day(calendar.add_working_days(local_day(now), window + 1))


def overdue_working_days(due_at: datetime, now: datetime, calendar: WorkingCalendar) -> int:
    """Working days elapsed since the due day (0 on the due day itself)."""
    return max(0, calendar.working_days_between(local_day(due_at), local_day(now)))


def classify_row(row: HumanTask, now: datetime, calendar: WorkingCalendar, window: int) -> str | None:
    if row.status == "completed" and row.completed_at is not None:
        return classify_finished(row.due_at, row.completed_at)
    return classify_open(row.due_at, now, calendar, window)


def format_due(moment: datetime | None) -> str:
    """'17:00 ngày 11/03/2024' in Vietnam time."""
    if moment is None:
        return "không có hạn"
    local = moment.astimezone(LOCAL_TZ)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"
