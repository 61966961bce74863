"""Deadline use cases: completing a late step with its giải trình, and gia hạn (extending a step's deadline).

The classification rules themselves live in ``deadline_rules``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine import audit, rows
from engine.db import UnitOfWork
from engine.errors import Conflict, InvalidInput
from engine.projection import to_due_datetime
from engine.runtime import CompletionResult
from engine.views import Actor, TaskView

from . import access, processes
from .deadline_rules import classify_open, format_due
from .models import DeadlineExtension
from .services import Services


def complete_step(
    services: Services,
    uow: UnitOfWork,
    actor: Actor,
    task_id: int,
    data: dict[str, Any],
    late_reason: str | None,
) -> CompletionResult:
    """Complete a step; an overdue step needs a giải trình (``late_reason``), stored on the step and audited."""
    session = uow.session
    row = access.visible_task(services, uow, actor, task_id)
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
        audit.record_task_event(
            session,
            "task_late_explained",
            row,
            at=now,
            actor=actor.username,
            name=row.name,
            due_at=row.due_at.isoformat() if row.due_at else None,
            completed_at=now.isoformat(),
            reason=row.late_reason,
        )
        uow.flush()
    return result


def extend_task(
    services: Services, uow: UnitOfWork, actor: Actor, task_id: int, due: str, reason: str
) -> TaskView:
    """Gia hạn: move an open step's deadline later, record who, why and the old date, re-classify it."""
    session = uow.session
    row = access.visible_task(services, uow, actor, task_id)
    access.check_may_extend(row, actor)
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
    # First the step row, only while it is as read (open, same deadline and assignee): a completion or another
    # gia hạn committed in between wins, and this one is a 409 before anything else is written.
    rows.update_open_step(
        session,
        row,
        due_at=new_due,
        escalation_level=0,  # a missed new deadline escalates again
        deadline_state=classify_open(new_due, now, services.calendar.get(), services.deadlines.due_soon_days),
        classified_at=now,
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
    audit.record_task_event(
        session,
        "task_deadline_extended",
        row,
        at=now,
        actor=actor.username,
        name=row.name,
        old_due_at=old_due.isoformat() if old_due else None,
        new_due_at=new_due.isoformat(),
        reason=reason,
    )
    uow.flush()
    return TaskView.of(row)


def extensions_of(uow: UnitOfWork, task_id: int) -> list[DeadlineExtension]:
    """Every gia hạn of a step, oldest first."""
    return list(
        uow.session.scalars(
            select(DeadlineExtension).where(DeadlineExtension.task_id == task_id).order_by(DeadlineExtension.id)
        )
    )
