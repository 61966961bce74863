"""Who hears about a step, and when: new steps, returns, reminders and escalations.

``StepObserver`` runs inside the engine's save (the caller's transaction): it classifies steps that
open or finish and notifies the people of new and returned steps, and turns the escalation records
the processes' boundary timers append to the data object ``escalations`` into notifications. The
worker calls ``reclassify_open`` and ``escalate_overdue``; every state change is a conditional
``UPDATE`` (rows first locked with ``SKIP LOCKED`` on PostgreSQL), so each reminder goes out once
however many workers run.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine.db import UnitOfWork, is_sqlite
from engine.models import HumanTask, ProcessInstance
from engine.runtime import InstanceSaved
from engine.views import Actor, TaskView

from . import hot_sql, processes
from .accounts import Recipient, recipients_named, users_with_role
from .deadline_rules import (
    classify_finished,
    classify_open,
    due_soon_horizon,
    format_due,
    local_day,
    overdue_working_days,
)
from .models import Unit
from .notifications import notify
from .services import Services

UNCLAIMED = "chưa có người nhận"


# --------------------------------------------------------------------------- texts


def task_link(row: HumanTask) -> str:
    return f"/tasks/{row.id}"


def _instance_label(session: Session, row: HumanTask) -> str:
    instance = session.get(ProcessInstance, row.instance_id)
    if instance is None:
        return f"hồ sơ #{row.instance_id}"
    return _label_of(instance)


def _label_of(instance: ProcessInstance) -> str:
    data = instance.data or {}
    title = instance.title or data.get("activity_title") or data.get("title")
    return f'hồ sơ #{instance.id} "{title}"' if title else f"hồ sơ #{instance.id} ({instance.process_key})"


def _unit_name(session: Session, code: str | None) -> str:
    if code is None:
        return "không xác định"
    unit = session.get(Unit, code)
    return unit.name if unit is not None else code


def people_of(session: Session, row: HumanTask) -> list[Recipient]:
    """Who holds a step: its assignee, or every user of the lane's role in the step's unit."""
    if row.assignee:
        return recipients_named(session, [row.assignee])
    if not row.role:
        return []
    return users_with_role(session, row.role, row.unit_code, tenant=row.tenant)


def _send(
    services: Services,
    session: Session,
    row: HumanTask,
    who: Iterable[Recipient],
    kind: str,
    text: tuple[str, str],
    now: datetime,
) -> int:
    title, message = text
    return notify(
        services,
        session,
        who,
        kind=kind,
        title=title,
        message=message,
        now=now,
        link=task_link(row),
        task_id=row.id,
        instance_id=row.instance_id,
    )


# --------------------------------------------------------------------------- the engine observer


def _previous_and_people(session: Session, row: HumanTask) -> tuple[str | None, list[Recipient]]:
    """Who last completed a step's element before (None: nobody), and who holds the step (``people_of``)."""
    # On the driver cursor, no autoflush: the completion is already written (pending changes are classifications).
    if row.assignee or not row.role:
        return hot_sql.previous_holder(session, row.instance_id, row.element_id, row.id), people_of(session, row)
    previous, found = hot_sql.previous_and_users(
        session, row.instance_id, row.element_id, row.id, row.unit_code, row.tenant
    )
    role = row.role
    return previous, [Recipient(name, email) for name, email, roles in found if role in (roles or [])]


class StepObserver:
    """Engine observer: classify, and notify new / returned steps and recorded escalations."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def columns(self, row: HumanTask, now: datetime, completed: bool) -> dict[str, Any]:
        """The classification of a step as it opens or is completed at ``now`` (``Engine.step_columns``: the
        engine writes it with the step's INSERT or completion UPDATE)."""
        if completed:
            state = classify_finished(row.due_at, now)
        else:
            calendar = self.services.calendar.get(row.tenant)
            state = classify_open(row.due_at, now, calendar, self.services.deadlines.due_soon_days)
        return {"deadline_state": state, "classified_at": now}

    def __call__(self, event: InstanceSaved) -> None:
        session = event.uow.session
        for row in event.completed:
            _classify(row, self.columns(row, row.completed_at or event.now, True), event.now)
        data_after = event.instance.data or {}
        returned, reason = _return_in(event.data_before, data_after)
        for row in event.created:
            _classify(row, self.columns(row, event.now, False), event.now)
            self._announce(session, row, event, returned, reason)
        before = _escalations(event.data_before)
        after = _escalations(data_after)
        for record in after[len(before) :]:
            if isinstance(record, dict):
                escalate_recorded(self.services, session, event.instance, record, event.now)

    def _announce(
        self,
        session: Session,
        row: HumanTask,
        event: InstanceSaved,
        returned: bool,
        reason: str | None,
    ) -> None:
        # The saved instance is the session's object of the step's instance (what session.get would return).
        label = _label_of(event.instance) if event.instance.id == row.instance_id else _instance_label(session, row)
        due = f" Hạn xử lý: {format_due(row.due_at)}." if row.due_at else ""
        previous = None
        if returned and event.completed and row.element_id not in {r.element_id for r in event.completed}:
            previous, held_by = _previous_and_people(session, row)
        else:
            held_by = people_of(session, row)
        people = [p for p in held_by if p.username != event.actor]
        if previous:
            because = f" Lý do: {reason}." if reason else ""
            returned_to = recipients_named(session, [previous])
            text = (
                f"Bị trả lại: {row.name}",
                f'Bước "{row.name}" của {label} đã bị trả lại để bạn xử lý lại.{because}{due}',
            )
            _send(self.services, session, row, returned_to, "returned", text, event.now)
            people = [p for p in people if p.username != previous]
        text = (f"Bạn có việc mới: {row.name}", f'Bước "{row.name}" của {label} đang chờ bạn xử lý.{due}')
        _send(self.services, session, row, people, "new_task", text, event.now)


def _classify(row: HumanTask, columns: dict[str, Any], now: datetime) -> None:
    """Set the step's classification unless the engine already wrote exactly it (no UPDATE then)."""
    if row.deadline_state != columns["deadline_state"] or row.classified_at != now:
        row.deadline_state = columns["deadline_state"]
        row.classified_at = now


def assign_task(services: Services, uow: UnitOfWork, actor: Actor, task_id: int, username: str) -> TaskView:
    """Give a step to a named user (processes.assign_task) and tell them it is in their inbox now."""
    view = processes.assign_task(services, uow, actor, task_id, username)
    session = uow.session
    row = session.get(HumanTask, task_id)
    if row is not None and username != actor.username:
        due = f" Hạn xử lý: {format_due(row.due_at)}." if row.due_at else ""
        text = (
            f"Bạn có việc mới: {row.name}",
            f'Bạn được giao xử lý bước "{row.name}" của {_instance_label(session, row)}.{due}',
        )
        _send(services, session, row, recipients_named(session, [username]), "new_task", text, services.clock.now())
    return view


def _escalations(data: dict[str, Any]) -> list[Any]:
    objects = data.get("data_objects") or {}
    value = objects.get("escalations") if isinstance(objects, dict) else None
    if value is None:
        value = data.get("escalations")
    return list(value) if isinstance(value, list) else []


def _return_in(before: dict[str, Any], after: dict[str, Any]) -> tuple[bool, str | None]:
    """Whether this save sent work back (trả lại), and why.

    A process that keeps a ``returns`` list says so by appending to it; for one that does not, a step opened
    again after it was completed, by the completion of a later step, counts as returned.
    """
    old, new = before.get("returns"), after.get("returns")
    if not isinstance(new, list):
        return True, None
    if len(new) <= (len(old) if isinstance(old, list) else 0):
        return False, None
    last = new[-1]
    reason = str(last["reason"]) if isinstance(last, dict) and last.get("reason") else None
    return True, reason


# --------------------------------------------------------------------------- escalations


def _raise_level(session: Session, row: HumanTask, old: int, new: int) -> bool:
    """Move a step's escalation level from ``old`` to ``new`` unless another worker already did."""
    result = session.execute(
        update(HumanTask)
        # due_at as read: a gia hạn committed meanwhile means the step may not be overdue any more
        .where(
            HumanTask.id == row.id,
            HumanTask.escalation_level == old,
            HumanTask.status == "ready",
            HumanTask.due_at == row.due_at,
        )
        .values(escalation_level=new)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    set_committed_value(row, "escalation_level", new)
    return True


def _record_unit(services: Services, rule: Any, instance: ProcessInstance, row: HumanTask) -> str | None:
    if rule in (None, ""):
        return row.unit_code or instance.unit_code
    rule = str(rule)
    if rule == "instance":
        return instance.unit_code
    if rule == "parent":
        return services.units.parent_of(instance.unit_code) if instance.unit_code else None
    if rule.startswith("code:"):
        return services.units.within(rule[5:], instance.tenant)
    if rule.startswith("var:"):
        return row.unit_code
    return rule


def coordinators(services: Services, session: Session, tenant: str | None = None) -> list[Recipient]:
    """The CCHC coordinators (đầu mối CCHC) of the configured unit, or every coordinator — of the organisation
    ``tenant`` only, when given (the step's: another organisation's coordinators are never told)."""
    unit = services.deadlines.coordinator_unit
    found = users_with_role(session, "coordinator", unit, tenant=tenant) if unit else []
    return found or users_with_role(session, "coordinator", None, tenant=tenant)


def _escalation_text(session: Session, row: HumanTask, now: datetime, services: Services) -> tuple[str, str]:
    days = overdue_working_days(row.due_at, now, services.calendar.get(row.tenant)) if row.due_at else 0
    late = f"đã quá hạn {days} ngày làm việc" if days else "đã quá hạn"
    holder = row.assignee or UNCLAIMED
    return (
        f"Cảnh báo quá hạn: {row.name}",
        f'Bước "{row.name}" của {_instance_label(session, row)} tại {_unit_name(session, row.unit_code)} {late} '
        f"(hạn {format_due(row.due_at)}; người xử lý: {holder}). Đề nghị đôn đốc xử lý.",
    )


def escalate_recorded(
    services: Services, session: Session, instance: ProcessInstance, record: dict[str, Any], now: datetime
) -> int:
    """A process recorded an escalation: tell the roles it names, once per overdue open step."""
    element = record.get("element") or record.get("step")
    roles = record.get("to") or record.get("role") or "head"
    roles = [roles] if isinstance(roles, str) else [str(r) for r in roles]
    rows = session.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.element_id == str(element), HumanTask.status == "ready"
        )
    )
    sent = 0
    for row in rows:
        if row.due_at is None or row.due_at >= now or not _raise_level(session, row, 0, 1):
            continue  # not (or no longer) overdue — e.g. extended — or already escalated
        unit = _record_unit(services, record.get("unit"), instance, row)
        who: list[Recipient] = []
        for role in roles:
            found = users_with_role(session, role, unit, tenant=row.tenant)
            if not found and role == "coordinator":
                found = coordinators(services, session, row.tenant)
            who.extend(found)
        holders = {p.username for p in people_of(session, row)}  # they get the overdue reminder instead
        who = [p for p in who if p.username not in holders]
        sent += _send(services, session, row, who, "escalated", _escalation_text(session, row, now, services), now)
    return sent


def escalate_overdue(services: Services, now: datetime, limit: int = 200) -> int:
    """Escalate overdue open steps: the unit head first, the CCHC coordinator later; returns notices written."""
    settings = services.deadlines
    written = 0
    for old, new, after in ((0, 1, settings.escalate_head_after), (1, 2, settings.escalate_coordinator_after)):
        with services.uow() as uow:
            session = uow.session
            _lock_first(session)
            query = (
                select(HumanTask)
                .where(
                    HumanTask.status == "ready",
                    HumanTask.due_at.is_not(None),
                    HumanTask.due_at < now,
                    HumanTask.escalation_level == old,
                )
                .order_by(HumanTask.due_at, HumanTask.id)
                .limit(limit)
            )
            if not is_sqlite(session):
                query = query.with_for_update(skip_locked=True, of=HumanTask)
            for row in list(session.scalars(query)):
                calendar = services.calendar.get(row.tenant)
                if row.due_at is None or overdue_working_days(row.due_at, now, calendar) < after:
                    continue
                if not _raise_level(session, row, old, new):
                    continue
                text = _escalation_text(session, row, now, services)
                who = (
                    users_with_role(session, "head", row.unit_code, tenant=row.tenant)
                    if new == 1
                    else coordinators(services, session, row.tenant)
                )
                holders = {p.username for p in people_of(session, row)}  # they had the overdue reminder
                who = [p for p in who if p.username not in holders]
                written += _send(services, session, row, who, "escalated", text, now)
            uow.commit()
    return written


# --------------------------------------------------------------------------- classification by the worker


def reclassify_open(services: Services, now: datetime, limit: int = 500) -> tuple[int, int]:
    """Re-classify open steps whose state changed with time; returns (steps changed, reminders written)."""
    settings = services.deadlines
    changed = reminders = 0
    with services.uow() as uow:
        session = uow.session
        _lock_first(session)
        query = (
            select(HumanTask)
            .where(
                HumanTask.status == "ready",
                HumanTask.due_at.is_not(None),
                or_(
                    HumanTask.deadline_state.is_(None),
                    and_(HumanTask.deadline_state == "on_track", _due_soon_from(services, now)),
                    and_(HumanTask.deadline_state == "due_soon", HumanTask.due_at < now),
                    and_(HumanTask.deadline_state == "overdue", HumanTask.due_at >= now),
                ),
            )
            .order_by(HumanTask.due_at, HumanTask.id)
            .limit(limit)
        )
        if not is_sqlite(session):
            query = query.with_for_update(skip_locked=True, of=HumanTask)
        for row in list(session.scalars(query)):
            old = row.deadline_state
            new = classify_open(row.due_at, now, services.calendar.get(row.tenant), settings.due_soon_days)
            if new == old:
                continue
            condition = HumanTask.deadline_state.is_(None) if old is None else HumanTask.deadline_state == old
            result = session.execute(
                update(HumanTask)
                .where(HumanTask.id == row.id, HumanTask.status == "ready", HumanTask.due_at == row.due_at, condition)
                .values(deadline_state=new, classified_at=now)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                continue
            set_committed_value(row, "deadline_state", new)
            changed += 1
            if new in ("due_soon", "overdue"):
                reminders += _remind(services, session, row, new, now)
        uow.commit()
    return changed, reminders


def _due_soon_from(services: Services, now: datetime) -> ColumnElement[bool]:
    """Steps due before the day they become "due soon", each by its organisation's calendar: the organisations whose
    own overrides move that day are grouped by it, the others share the day of the calendar of every organisation."""
    window = services.deadlines.due_soon_days
    shared = due_soon_horizon(now, services.calendar.get(), window)
    moved: dict[datetime, list[str]] = {}
    for tenant in sorted(services.calendar.tenants()):
        horizon = due_soon_horizon(now, services.calendar.get(tenant), window)
        if horizon != shared:
            moved.setdefault(horizon, []).append(tenant)
    if not moved:
        return HumanTask.due_at < shared
    apart = [t for tenants in moved.values() for t in tenants]
    return or_(
        and_(or_(HumanTask.tenant.is_(None), HumanTask.tenant.not_in(apart)), HumanTask.due_at < shared),
        *(and_(HumanTask.tenant.in_(tenants), HumanTask.due_at < horizon) for horizon, tenants in moved.items()),
    )


def _remind(services: Services, session: Session, row: HumanTask, state: str, now: datetime) -> int:
    label = _instance_label(session, row)
    if state == "due_soon":
        calendar = services.calendar.get(row.tenant)
        left = calendar.working_days_between(local_day(now), local_day(row.due_at)) if row.due_at else 0
        text = f'Bước "{row.name}" của {label} sắp đến hạn xử lý: {format_due(row.due_at)}'
        text += f" (còn {left} ngày làm việc)." if left > 0 else " (hạn là hôm nay)."
        title = f"Sắp đến hạn: {row.name}"
    else:
        title = f"Quá hạn: {row.name}"
        text = (
            f'Bước "{row.name}" của {label} đã quá hạn xử lý ({format_due(row.due_at)}). '
            "Khi hoàn thành, vui lòng nêu lý do giải trình."
        )
    return _send(services, session, row, people_of(session, row), state, (title, text), now)


def _lock_first(session: Session) -> None:
    """SQLite: take the write lock before reading, so two workers queue instead of failing on a stale read."""
    if is_sqlite(session):
        session.execute(update(HumanTask).where(HumanTask.id == -1).values(escalation_level=0))
