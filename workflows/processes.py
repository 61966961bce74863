"""Use cases around instances and steps: start, view, list, cancel, retry, the inbox, claim, assign, complete."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select

from engine import instructions, queries
from engine.db import UnitOfWork
from engine.errors import InvalidInput, NotFound
from engine.models import ProcessDefinition, ProcessInstance
from engine.queries import InboxFilter
from engine.runtime import CompletionResult
from engine.views import Actor, EventView, InstanceView, TaskView

from . import access
from .accounts import get_user
from .models import Unit
from .services import Services


@dataclass(frozen=True)
class TaskDetail:
    task: TaskView
    instance: InstanceView
    schema: dict[str, Any] | None
    ui_schema: dict[str, Any] | None
    data: dict[str, Any]


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
    """Start a process for a unit: overseers for any unit, others for their own unit only."""
    if uow.session.get(Unit, unit_code) is None:
        raise InvalidInput(
            f'Đơn vị "{unit_code}" không tồn tại.',
            code="unit_not_found",
            details={"unit_code": ["Đơn vị không tồn tại."]},
        )
    access.check_may_start(actor, unit_code)
    return services.engine.start(
        uow, process_key, unit_code=unit_code, data=data, actor=actor, version=version, title=title
    )


def get_instance(services: Services, uow: UnitOfWork, actor: Actor, instance_id: int) -> InstanceView:
    view = services.engine.instance_view(uow.session, access.visible_instance(uow, actor, instance_id))
    return with_instructions(view)


# --------------------------------------------------------------------------- instructions, rendered when viewed


def _rendered(task: TaskView, data: Mapping[str, Any]) -> TaskView:
    """The step with its instructions template filled in from ``data``."""
    if not instructions.is_template(task.instructions):
        return task
    return replace(task, instructions=instructions.render(task.instructions, data))


def with_instructions(view: InstanceView) -> InstanceView:
    """The instance with its steps' instructions filled in from the instance's data."""
    done = view.completed_tasks
    return replace(
        view,
        open_tasks=[_rendered(t, view.data) for t in view.open_tasks],
        completed_tasks=None if done is None else [_rendered(t, view.data) for t in done],
    )


def _rows_with_instructions(uow: UnitOfWork, tasks: list[TaskView]) -> list[TaskView]:
    """Inbox rows with their instructions filled in from their instances' data (one query for the templated)."""
    ids = sorted({t.instance_id for t in tasks if instructions.is_template(t.instructions)})
    if not ids:
        return tasks
    rows = uow.session.execute(select(ProcessInstance.id, ProcessInstance.data).where(ProcessInstance.id.in_(ids)))
    data = {instance_id: values or {} for instance_id, values in rows}
    return [_rendered(t, data.get(t.instance_id, {})) for t in tasks]


def list_instances(
    uow: UnitOfWork,
    actor: Actor,
    *,
    status: str | None,
    process_key: str | None,
    unit_code: str | None,
    limit: int = 200,
    offset: int = 0,
) -> list[InstanceView]:
    """Instances the actor may see."""
    if not access.sees_every_unit(actor):
        if unit_code and unit_code != actor.unit_code:
            return []
        unit_code = actor.unit_code
    return queries.instances(
        uow.session, status=status, process_key=process_key, unit_code=unit_code, limit=limit, offset=offset
    )


def instance_events(uow: UnitOfWork, actor: Actor, instance_id: int) -> list[EventView]:
    """The audit trail of an instance the actor may see."""
    access.visible_instance(uow, actor, instance_id)
    return queries.events(uow.session, instance_id)


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


def inbox(
    services: Services,
    uow: UnitOfWork,
    actor: Actor,
    *,
    status: str = "ready",
    process_key: str | None = None,
    unit_code: str | None = None,
    overdue: bool = False,
    deadline_state: str | None = None,
) -> list[TaskView]:
    """The actor's inbox, sorted by due date."""
    flt = InboxFilter(
        status=status,
        process_key=process_key,
        unit_code=unit_code,
        overdue_at=services.clock.now() if overdue else None,
        deadline_state=deadline_state,
    )
    return _rows_with_instructions(uow, queries.inbox(uow.session, actor, flt))


def task_detail(services: Services, uow: UnitOfWork, actor: Actor, task_id: int) -> TaskDetail:
    """A step with its form, its instance and the current data."""
    row = access.visible_task(services, uow, actor, task_id)
    instance_row = uow.session.get(ProcessInstance, row.instance_id)
    assert instance_row is not None
    definition = uow.session.get(ProcessDefinition, instance_row.definition_id)
    assert definition is not None
    files = definition.files or {}
    schema = json.loads(files[row.form_schema]) if row.form_schema and row.form_schema in files else None
    ui_schema = json.loads(files[row.ui_schema]) if row.ui_schema and row.ui_schema in files else None
    instance = with_instructions(services.engine.get_instance(uow.session, row.instance_id))
    data = services.engine.task_data(uow.session, task_id)
    task = _rendered(TaskView.of(row), {**instance.data, **data})
    return TaskDetail(task, instance, schema, ui_schema, data)


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
    services: Services, uow: UnitOfWork, actor: Actor, task_id: int, data: Mapping[str, Any]
) -> CompletionResult:
    access.visible_task(services, uow, actor, task_id)
    return services.engine.complete(uow, task_id, actor, data)
