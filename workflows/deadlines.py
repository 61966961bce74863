"""Deadline use cases: completing a late step with its giải trình, and gia hạn (extending a step's deadline).

The classification rules themselves live in ``deadline_rules``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from engine import audit, rows
from engine.db import UnitOfWork
from engine.errors import Conflict, InvalidInput
from engine.forms import validate_form_data
from engine.projection import to_due_datetime
from engine.runtime import CompletionResult, LoadedStep
from engine.views import Actor, TaskView

from . import access, document_store, processes
from .deadline_rules import classify_open, format_due
from .document_fields import DocumentField, document_fields
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
    loaded = services.engine.load_step(session, task_id)  # the step, its instance and open steps: one query
    row = loaded.row
    access.check_visible(services, row, actor)
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
    documents = _form_documents(services, uow, actor, loaded, data)
    result = processes.complete_task(services, uow, actor, task_id, data, loaded)
    if documents and row.status == "completed":
        document_store.attach_to_step(uow, actor, row, documents, now, checked=True)  # by _form_documents
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


def _form_documents(
    services: Services, uow: UnitOfWork, actor: Actor, loaded: LoadedStep, data: Mapping[str, Any]
) -> list[int]:
    """The documents the step's form attaches (its ``x-document`` fields), checked before anything runs: the data
    must fit the form, and each id be a document the actor may use, of a type its field accepts (a 422 by field
    otherwise)."""
    row = loaded.row
    if row.status != "ready" or not row.form_schema:
        return []  # the engine refuses a closed step, and a step without a form takes no data
    services.engine.ensure_may_act(row, actor)  # those who may not act learn nothing of the documents
    schema, fields = _step_form(services, uow, loaded.instance.definition_id, row.form_schema)
    if not fields or schema is None:
        return []
    validate_form_data(schema, data)  # types, counts and the rest of the form first (form_invalid)
    found = document_store.check_form_documents(uow, actor, fields, data)
    return list(dict.fromkeys(i for ids in found.values() for i in ids))


def _step_form(
    services: Services, uow: UnitOfWork, definition_id: int, form: str
) -> tuple[Mapping[str, Any] | None, dict[str, DocumentField]]:
    """A step form's schema and its attachment fields, found once per deployed definition and form."""
    key = (definition_id, f"step form {form}")
    found = services.definition_memo.get(key)
    if found is None:
        schema = services.engine.definition_forms(uow.session, definition_id, form).forms.get(form)
        found = services.definition_memo.setdefault(key, (schema, document_fields(schema)))
    return found  # type: ignore[no-any-return]


def extend_task(services: Services, uow: UnitOfWork, actor: Actor, task_id: int, due: str, reason: str) -> TaskView:
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
        deadline_state=classify_open(new_due, now, services.calendar.get(row.tenant), services.deadlines.due_soon_days),
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
