"""Use cases around instances and steps: start, view, list, cancel, retry, the inbox, claim, assign, complete."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import LOCAL_TZ
from engine.db import UnitOfWork
from engine.errors import InvalidInput, NotFound
from engine.models import ProcessDefinition, ProcessInstance
from engine.projection import to_due_datetime
from engine.runtime import CompletionResult, LoadedStep
from engine.views import Actor, InstanceView, TaskView

from . import access, records
from .accounts import get_user
from .instruction_text import rendered, with_instructions
from .models import Unit
from .organisation import instance_search_words
from .services import Services


@dataclass(frozen=True)
class StartExtras:
    """What an instance keeps beside its data: a title, the deadline of the whole instance, search words."""

    title: str
    due_at: datetime | None
    search_words: list[str]


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def start_extras(
    session: Session,
    *,
    process_key: str,
    unit_code: str,
    data: Mapping[str, Any],
    now: datetime,
    version: int | None = None,
    title: str | None = None,
) -> StartExtras:
    """The title (given, or "code · activity · period" from the start data, else "process · unit · date"),
    the instance's deadline (the start data's ``deadline``) and the words lists find it by."""
    unit = session.get(Unit, unit_code)
    if not title:
        parts = [_text(data, "activity_code"), _text(data, "activity_title"), _text(data, "period_label")]
        if not any(parts[:2]):
            query = select(ProcessDefinition.name).where(ProcessDefinition.process_key == process_key)
            if version is not None:
                query = query.where(ProcessDefinition.version == version)
            name = session.scalar(query.order_by(ProcessDefinition.version.desc()).limit(1))
            day = now.astimezone(LOCAL_TZ).strftime("%d/%m/%Y")
            parts = [name or process_key, (unit.short_name or unit.name) if unit else unit_code, day]
        title = " · ".join(p for p in parts if p)
    try:
        due_at = to_due_datetime(data.get("deadline"))
    except (TypeError, ValueError):
        due_at = None  # not a date: the process's own start rules say so
    return StartExtras(title[:500], due_at, instance_search_words(unit, data))


@dataclass(frozen=True)
class TaskDetail:
    task: TaskView
    instance: InstanceView
    schema: dict[str, Any] | None
    ui_schema: dict[str, Any] | None
    data: dict[str, Any]
    # The instance's earlier completions, newest first, with what each submitted (labelled by its form).
    submissions: list[records.Submission] = field(default_factory=list)


def start_instance(
    services: Services,
    uow: UnitOfWork,
    actor: Actor,
    *,
    process_key: str,
    unit_code: str,
    data: Mapping[str, Any] | None = None,
    version: int | None = None,
    title: str | None = None,
) -> InstanceView:
    """Start a process for a unit: overseers for any unit of their organisation, others for their own unit only.
    The instance belongs to the unit's organisation (its tenant); another organisation's unit is unknown here."""
    unit = uow.session.get(Unit, unit_code)
    if unit is None or not access.in_tenants(actor, unit.organisation_code):
        raise InvalidInput(
            f'Đơn vị "{unit_code}" không tồn tại.',
            code="unit_not_found",
            details={"unit_code": ["Đơn vị không tồn tại."]},
        )
    access.check_may_start(actor, unit_code)
    extras = start_extras(
        uow.session,
        process_key=process_key,
        unit_code=unit_code,
        data=data or {},
        now=services.clock.now(),
        version=version,
        title=title,
    )
    return services.engine.start(
        uow,
        process_key,
        unit_code=unit_code,
        data=data,
        actor=actor,
        version=version,
        title=extras.title,
        due_at=extras.due_at,
        search_words=extras.search_words,
        tenant=unit.organisation_code,
    )


def cancel_instance(
    services: Services, uow: UnitOfWork, actor: Actor, instance_id: int, reason: str | None
) -> InstanceView:
    """Cancel an open instance (administrators)."""
    access.CANCEL_INSTANCES.check(actor)
    access.visible_instance(uow, actor, instance_id)
    return services.engine.cancel(uow, instance_id, actor, reason)


def retry_instance(
    services: Services, uow: UnitOfWork, actor: Actor, instance_id: int, data: Mapping[str, Any] | None
) -> InstanceView:
    """Re-run an instance's failed step with corrected data (administrators)."""
    access.RETRY_INSTANCES.check(actor)
    access.visible_instance(uow, actor, instance_id)
    return services.engine.retry(uow, instance_id, actor, data)


def task_detail(services: Services, uow: UnitOfWork, actor: Actor, task_id: int) -> TaskDetail:
    """A step with its form, its instance and the current data."""
    row = access.visible_task(services, uow, actor, task_id)
    instance_row = uow.session.get(ProcessInstance, row.instance_id)
    assert instance_row is not None
    files = services.engine.definition_files(uow.session, instance_row.definition_id)  # not the large row
    schema = json.loads(files[row.form_schema]) if row.form_schema and row.form_schema in files else None
    ui_schema = json.loads(files[row.ui_schema]) if row.ui_schema and row.ui_schema in files else None
    instance = with_instructions(services.engine.get_instance(uow.session, row.instance_id))
    data = services.engine.task_data(uow.session, task_id)
    task = rendered(TaskView.of(row), {**instance.data, **data})
    submissions = records.step_submissions(services, uow, row)
    return TaskDetail(task, instance, schema, ui_schema, data, submissions)


def claim_task(services: Services, uow: UnitOfWork, actor: Actor, task_id: int) -> TaskView:
    access.visible_task(services, uow, actor, task_id)
    return services.engine.claim(uow, task_id, actor)


def unclaim_task(services: Services, uow: UnitOfWork, actor: Actor, task_id: int) -> TaskView:
    row = access.visible_task(services, uow, actor, task_id)
    return services.engine.unclaim(uow, task_id, actor, may_override=access.may_release_others(row, actor))


def assign_task(services: Services, uow: UnitOfWork, actor: Actor, task_id: int, username: str) -> TaskView:
    """Heads assign steps of their own unit; administrators any step."""
    row = access.visible_task(services, uow, actor, task_id)
    access.check_may_assign(row, actor)
    try:
        assignee = get_user(uow.session, username)
    except NotFound as exc:
        raise InvalidInput(
            f'Không tìm thấy người dùng "{username}".',
            code="user_not_found",
            details={"username": ["Người dùng không tồn tại."]},
        ) from exc
    return services.engine.assign(uow, task_id, assignee.actor, actor)


def complete_task(
    services: Services,
    uow: UnitOfWork,
    actor: Actor,
    task_id: int,
    data: Mapping[str, Any],
    loaded: LoadedStep | None = None,
) -> CompletionResult:
    """Complete a step the actor sees (``loaded``: the step as ``Engine.load_step`` read it in this transaction)."""
    if loaded is None or loaded.row.id != task_id:
        access.visible_task(services, uow, actor, task_id)
    else:
        access.check_visible(services, loaded.row, actor)
    return services.engine.complete(uow, task_id, actor, data, loaded=loaded)
