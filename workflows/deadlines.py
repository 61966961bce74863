"""Deadlines of steps: classification on working days, late explanations, extensions (gia hạn).

Open steps are ``on_track`` (trong hạn), ``due_soon`` (sắp đến hạn: at most ``due_soon_days`` working
days left) or ``overdue`` (quá hạn); finished steps are ``early`` (trước hạn: before the due day),
``on_time`` (đúng hạn: on the due day, before the due time) or ``late`` (quá hạn). The state is stored
on ``human_task`` when a step opens or finishes and kept fresh by the worker.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine import audit
from engine.calendar import WorkingCalendar
from engine.clock import LOCAL_TZ
from engine.db import Base, UnitOfWork
from engine.errors import Conflict, Forbidden, InvalidInput
from engine.models import HumanTask
from engine.projection import to_due_datetime
from engine.runtime import CompletionResult
from engine.views import Actor, TaskView

if TYPE_CHECKING:
    from .services import Services

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
EXTENDERS = frozenset({"admin", "coordinator"})  # any step; heads: steps of their own unit


class DeadlineExtension(Base):
    """One gia hạn of a step: who, when, why, the old and the new due time."""

    __tablename__ = "deadline_extension"
    __table_args__ = (Index("ix_deadline_extension_task", "task_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"))
    instance_id: Mapped[int] = mapped_column(Integer)
    old_due_at: Mapped[datetime | None] = mapped_column()
    new_due_at: Mapped[datetime] = mapped_column()
    reason: Mapped[str] = mapped_column(Text)
    extended_by: Mapped[str] = mapped_column(String(100))
    extended_at: Mapped[datetime] = mapped_column()


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


# --------------------------------------------------------------------------- use cases


def complete_step(
    services: Services,
    uow: UnitOfWork,
    actor: Actor,
    task_id: int,
    data: dict[str, Any],
    late_reason: str | None,
) -> CompletionResult:
    """Complete a step; an overdue step needs a giải trình (``late_reason``), stored on the step and audited."""
    from . import processes

    session = uow.session
    row = processes._visible_task(services, uow, actor, task_id)
    now = services.clock.now()
    reason = (late_reason or "").strip()
    late = row.status == "ready" and row.due_at is not None and now > row.due_at
    if late and not reason:
        services.engine.ensure_may_act(row, actor)  # a 403/409 first for those who may not act anyway
        raise InvalidInput(
            f'Bước "{row.name}" đã quá hạn xử lý (hạn {format_due(row.due_at)}). '
            "Vui lòng nhập lý do giải trình để hoàn thành.",
            code="late_reason_required",
            details={"late_reason": ["Cần nhập lý do giải trình khi hoàn thành bước quá hạn."]},
        )
    result = processes.complete_task(services, uow, actor, task_id, data)
    if late:
        row.late_reason = reason[:4000]
        audit.record(
            session,
            "task_late_explained",
            at=now,
            actor=actor.username,
            instance_id=row.instance_id,
            task_guid=row.task_guid,
            element_id=row.element_id,
            payload={
                "task_id": row.id,
                "name": row.name,
                "due_at": row.due_at.isoformat() if row.due_at else None,
                "completed_at": now.isoformat(),
                "reason": row.late_reason,
            },
        )
        uow.flush()
    return result


def may_extend(row: HumanTask, actor: Actor) -> bool:
    """Administrators and coordinators extend any step; a unit head the steps of their unit."""
    if actor.roles & EXTENDERS:
        return True
    return "head" in actor.roles and row.unit_code is not None and row.unit_code == actor.unit_code


def extend_task(
    services: Services, uow: UnitOfWork, actor: Actor, task_id: int, due: str, reason: str
) -> TaskView:
    """Gia hạn: move an open step's deadline later, record who, why and the old date, re-classify it."""
    from . import processes

    session = uow.session
    row = processes._visible_task(services, uow, actor, task_id)
    if not may_extend(row, actor):
        raise Forbidden(
            "Chỉ lãnh đạo đơn vị, đầu mối CCHC hoặc quản trị viên được gia hạn bước này.", code="cannot_extend"
        )
    if row.status != "ready":
        raise Conflict("Bước xử lý này đã được hoàn thành hoặc đã bị hủy.", code="task_not_ready")
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            "Cần nêu lý do gia hạn.", code="validation_error", details={"reason": ["Không được để trống."]}
        )
    try:
        new_due = to_due_datetime(due)
    except ValueError as exc:
        raise InvalidInput(
            "Hạn mới không hợp lệ.", code="validation_error", details={"due_at": ["Ngày giờ không hợp lệ."]}
        ) from exc
    assert new_due is not None
    now = services.clock.now()
    old_due = row.due_at
    if (old_due is not None and new_due <= old_due) or new_due <= now:
        raise InvalidInput(
            "Hạn mới phải sau hạn hiện tại và sau thời điểm hiện tại.",
            code="extension_not_later",
            details={"due_at": ["Hạn mới phải muộn hơn hạn cũ."]},
        )
    session.add(
        DeadlineExtension(
            task_id=row.id,
            instance_id=row.instance_id,
            old_due_at=old_due,
            new_due_at=new_due,
            reason=reason[:4000],
            extended_by=actor.username,
            extended_at=now,
        )
    )
    if old_due is not None:  # the process's own reminders and escalations move with the deadline
        services.engine.shift_step_timers(uow, row.id, new_due - old_due, actor)
    row.due_at = new_due
    row.escalation_level = 0  # a missed new deadline escalates again
    row.deadline_state = classify_open(new_due, now, services.calendar.get(), services.deadlines.due_soon_days)
    row.classified_at = now
    audit.record(
        session,
        "task_deadline_extended",
        at=now,
        actor=actor.username,
        instance_id=row.instance_id,
        task_guid=row.task_guid,
        element_id=row.element_id,
        payload={
            "task_id": row.id,
            "name": row.name,
            "old_due_at": old_due.isoformat() if old_due else None,
            "new_due_at": new_due.isoformat(),
            "reason": reason,
        },
    )
    uow.flush()
    return TaskView.of(row)


def extensions_of(uow: UnitOfWork, task_id: int) -> list[DeadlineExtension]:
    from sqlalchemy import select

    return list(
        uow.session.scalars(
            select(DeadlineExtension).where(DeadlineExtension.task_id == task_id).order_by(DeadlineExtension.id)
        )
    )


def format_due(moment: datetime | None) -> str:
    """'17:00 ngày 11/03/2024' in Vietnam time."""
    if moment is None:
        return "không có hạn"
    local = moment.astimezone(LOCAL_TZ)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"
