"""Roll-up of deadline classification per unit, per activity type (process) or per month of the due date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from engine.db import UnitOfWork
from engine.errors import InvalidInput
from engine.models import HumanTask, ProcessDefinition
from engine.views import Actor

from . import access
from .deadline_rules import FINISHED_STATES, OPEN_STATES, local_day, start_of_local_day
from .models import Unit

GROUPS = ("unit", "process", "month")


@dataclass
class DeadlineRow:
    key: str | None
    label: str
    open: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OPEN_STATES, 0))
    finished: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FINISHED_STATES, 0))
    total: int = 0

    @property
    def late_share(self) -> float:
        """Share of steps overdue or finished late, in percent (one decimal)."""
        late = self.open["overdue"] + self.finished["late"]
        return round(100.0 * late / self.total, 1) if self.total else 0.0


@dataclass(frozen=True)
class DeadlineReport:
    group: str
    date_from: date | None
    date_to: date | None
    rows: list[DeadlineRow]
    totals: DeadlineRow


def deadline_report(
    uow: UnitOfWork, actor: Actor, *, group: str, date_from: date | None, date_to: date | None
) -> DeadlineReport:
    """Steps with a deadline due in [from, to], counted by stored state; non-overseers see their unit only."""
    if group not in GROUPS:
        raise InvalidInput("Cách nhóm không hợp lệ.", code="validation_error", details={"group": list(GROUPS)})
    if date_from and date_to and date_to < date_from:
        raise InvalidInput(
            "Khoảng thời gian không hợp lệ.", code="validation_error", details={"to": ["Phải từ ngày bắt đầu trở đi."]}
        )
    session = uow.session
    query = select(
        HumanTask.unit_code, HumanTask.process_key, HumanTask.due_at, HumanTask.deadline_state, HumanTask.status
    ).where(HumanTask.due_at.is_not(None), HumanTask.status.in_(("ready", "completed")))
    if date_from:
        query = query.where(HumanTask.due_at >= start_of_local_day(date_from))
    if date_to:
        query = query.where(HumanTask.due_at < start_of_local_day(date.fromordinal(date_to.toordinal() + 1)))
    scoped = access.steps_scope(actor)  # never another organisation's steps
    if scoped is not None:
        query = query.where(scoped)
    if not access.sees_every_unit(actor):
        query = query.where(HumanTask.unit_code == actor.unit_code)
    rows: dict[str | None, DeadlineRow] = {}
    totals = DeadlineRow(None, "Tổng cộng")
    labels = _labels(uow, group)
    for unit_code, process_key, due_at, state, status in session.execute(query):
        assert due_at is not None  # filtered above
        key = _key(group, unit_code, process_key, due_at)
        row = rows.get(key)
        if row is None:
            row = rows[key] = DeadlineRow(key, labels(key))
        for target in (row, totals):
            _count(target, status, state)
    ordered = sorted(rows.values(), key=lambda r: (r.key is None, r.key or ""))
    return DeadlineReport(group, date_from, date_to, ordered, totals)


def _count(row: DeadlineRow, status: str, state: str | None) -> None:
    row.total += 1
    if status == "completed" and state in row.finished:
        row.finished[state] += 1
    elif status == "ready" and state in row.open:
        row.open[state] += 1


def _key(group: str, unit_code: str | None, process_key: str, due_at: datetime) -> str | None:
    if group == "unit":
        return unit_code
    if group == "process":
        return process_key
    day = local_day(due_at)
    return f"{day.year:04d}-{day.month:02d}"


def _labels(uow: UnitOfWork, group: str) -> Any:
    session = uow.session
    if group == "unit":
        units: dict[str, str] = {code: name for code, name in session.execute(select(Unit.code, Unit.name))}
        return lambda key: units.get(key, key) if key else "Không xác định đơn vị"
    if group == "process":
        processes: dict[str, str] = {}
        for key, name in session.execute(
            select(ProcessDefinition.process_key, ProcessDefinition.name).order_by(ProcessDefinition.version)
        ):
            processes[key] = name or key
        return lambda key: processes.get(key, key)
    return lambda key: f"Tháng {key[5:]}/{key[:4]}"
