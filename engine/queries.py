"""Read side: the inbox and lists, answered from the projection tables alone (no workflow loading)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session

from .errors import NotFound
from .models import AuditEvent, HumanTask, ProcessDefinition, ProcessInstance
from .views import Actor, EventView, InstanceView, SubmissionView, TaskView

_MAX_SQL_INTEGER = 2**63 - 1  # BIGINT / SQLite INTEGER


@dataclass(frozen=True)
class InboxFilter:
    status: str = "ready"
    process_key: str | None = None
    unit_code: str | None = None
    overdue_at: datetime | None = None  # only steps due before this moment
    deadline_state: str | None = None  # only steps with this stored deadline classification


def inbox(session: Session, actor: Actor, flt: InboxFilter, limit: int = 500) -> list[TaskView]:
    """Steps assigned to the actor plus unclaimed steps their roles and unit may take, by due date."""
    mine = HumanTask.assignee == actor.username
    candidate = and_(
        HumanTask.assignee.is_(None),
        HumanTask.role.in_(sorted(actor.roles)) if actor.roles else false(),
        or_(HumanTask.unit_code.is_(None), HumanTask.unit_code == actor.unit_code),
    )
    who = or_(mine, candidate) if flt.status == "ready" else or_(mine, HumanTask.completed_by == actor.username)
    query = select(HumanTask).where(who, HumanTask.status == flt.status)
    if flt.process_key:
        query = query.where(HumanTask.process_key == flt.process_key)
    if flt.unit_code:
        query = query.where(HumanTask.unit_code == flt.unit_code)
    if flt.overdue_at is not None:
        query = query.where(HumanTask.due_at.is_not(None), HumanTask.due_at < flt.overdue_at)
    if flt.deadline_state:
        query = query.where(HumanTask.deadline_state == flt.deadline_state)
    query = query.order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id).limit(limit)
    return [TaskView.of(row) for row in session.scalars(query)]


def task(session: Session, task_id: int) -> TaskView:
    """One step by id."""
    row = session.get(HumanTask, task_id)
    if row is None:
        raise NotFound("Không tìm thấy bước xử lý.", code="task_not_found")
    return TaskView.of(row)


def instances(
    session: Session,
    *,
    status: str | None = None,
    process_key: str | None = None,
    unit_code: str | None = None,
    ids: list[int] | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[InstanceView]:
    """Instances by filter, newest first, with their open steps."""
    if offset > _MAX_SQL_INTEGER:
        return []  # no row lies that far, and the databases refuse such an integer
    limit = min(limit, _MAX_SQL_INTEGER)
    query = select(ProcessInstance, ProcessDefinition.version).join(
        ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id
    )
    if status:
        query = query.where(ProcessInstance.status == status)
    if process_key:
        query = query.where(ProcessInstance.process_key == process_key)
    if unit_code:
        query = query.where(ProcessInstance.unit_code == unit_code)
    if ids is not None:
        query = query.where(ProcessInstance.id.in_(ids))
    rows = session.execute(query.order_by(ProcessInstance.id.desc()).limit(limit).offset(offset)).all()
    found = [r[0].id for r in rows]
    open_tasks: dict[int, list[TaskView]] = {}
    if found:
        for t in session.scalars(
            select(HumanTask).where(HumanTask.instance_id.in_(found), HumanTask.status == "ready")
        ):
            open_tasks.setdefault(t.instance_id, []).append(TaskView.of(t))
    return [InstanceView.of(inst, version, open_tasks.get(inst.id, [])) for inst, version in rows]


def events(session: Session, instance_id: int) -> list[EventView]:
    """The audit trail of one instance, oldest first."""
    if session.get(ProcessInstance, instance_id) is None:
        raise NotFound("Không tìm thấy hồ sơ quy trình.", code="instance_not_found")
    rows = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id))
    return [EventView.of(r) for r in rows]


def submissions(
    session: Session, instance_id: int, *, before_event: int | None = None, limit: int = 200
) -> list[SubmissionView]:
    """The completions of an instance's steps with the data each submitted (its ``task_completed`` audit
    events, joined with the step for its form), newest first; only those recorded before ``before_event``."""
    query = (
        select(AuditEvent, HumanTask.id, HumanTask.form_schema)
        .outerjoin(HumanTask, HumanTask.task_guid == AuditEvent.task_guid)
        .where(AuditEvent.instance_id == instance_id, AuditEvent.kind == "task_completed")
    )
    if before_event is not None:
        query = query.where(AuditEvent.id < before_event)
    found: list[SubmissionView] = []
    for event, task_id, form in session.execute(query.order_by(AuditEvent.id.desc()).limit(limit)):
        payload = event.payload or {}
        data = payload.get("data")
        found.append(
            SubmissionView(
                event.id,
                task_id if task_id is not None else payload.get("task_id"),
                event.element_id,
                str(payload.get("name") or event.element_id or ""),
                event.actor,
                event.at,
                dict(data) if isinstance(data, dict) else {},
                form,
            )
        )
    return found


def completion_event(session: Session, instance_id: int, task_guid: str) -> int | None:
    """The id of the audit event that recorded the completion of the step ``task_guid`` (None: not completed)."""
    return session.scalar(
        select(AuditEvent.id)
        .where(
            AuditEvent.instance_id == instance_id,
            AuditEvent.kind == "task_completed",
            AuditEvent.task_guid == task_guid,
        )
        .limit(1)
    )
