"""Use cases around definitions, instances and steps, with CCHC's rules of who may see and do what."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select

from engine import definitions, queries
from engine.db import UnitOfWork
from engine.definitions import DeployResult
from engine.errors import Forbidden, InvalidInput, NotFound
from engine.models import HumanTask, ProcessDefinition, ProcessInstance
from engine.queries import InboxFilter
from engine.runtime import CompletionResult
from engine.views import Actor, EventView, InstanceView, TaskView

from .accounts import get_user
from .models import Unit
from .roles import ROLES
from .services import Services

PROCESSES_DIR = Path(__file__).resolve().parents[1] / "processes"
OVERSEERS = frozenset({"admin", "coordinator", "leader"})  # see every instance of the city


@dataclass(frozen=True)
class TaskDetail:
    task: TaskView
    instance: InstanceView
    schema: dict[str, Any] | None
    ui_schema: dict[str, Any] | None
    data: dict[str, Any]


def deploy_definition(
    services: Services, uow: UnitOfWork, bpmn: bytes, files: Mapping[str, bytes], actor: Actor
) -> DeployResult:
    """Validate and deploy a diagram with its DMN and form files."""
    return definitions.deploy(
        uow.session, bpmn, files, known_roles=ROLES, actor=actor.username, now=services.clock.now()
    )


def deploy_all(services: Services, uow: UnitOfWork, actor: Actor, root: Path = PROCESSES_DIR) -> list[DeployResult]:
    """Deploy every ``processes/<key>/<key>.bpmn`` (idempotent)."""
    results = []
    for bpmn_path in sorted(root.glob("*/*.bpmn")):
        if bpmn_path.stem != bpmn_path.parent.name:
            continue
        bpmn, files = definitions.read_bundle(bpmn_path)
        results.append(deploy_definition(services, uow, bpmn, files, actor))
    return results


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
    if not (actor.roles & OVERSEERS) and actor.unit_code != unit_code:
        raise Forbidden("Bạn chỉ được khởi tạo quy trình cho đơn vị của mình.", code="unit_not_yours")
    if not (actor.roles & (OVERSEERS | {"head", "staff"})):
        raise Forbidden("Vai trò của bạn không được khởi tạo quy trình.", code="role_cannot_start")
    return services.engine.start(
        uow, process_key, unit_code=unit_code, data=data, actor=actor, version=version, title=title
    )


def can_view_instance(uow: UnitOfWork, actor: Actor, instance: ProcessInstance) -> bool:
    """Overseers see all; others see their unit's instances and those where their unit holds a step."""
    if actor.roles & OVERSEERS or instance.unit_code == actor.unit_code:
        return True
    hit = uow.session.scalar(
        select(HumanTask.id)
        .where(
            HumanTask.instance_id == instance.id,
            or_(
                HumanTask.unit_code == actor.unit_code,
                HumanTask.assignee == actor.username,
                HumanTask.completed_by == actor.username,
            ),
        )
        .limit(1)
    )
    return hit is not None


def _visible_instance(uow: UnitOfWork, actor: Actor, instance_id: int) -> ProcessInstance:
    instance = uow.session.get(ProcessInstance, instance_id)
    if instance is None or not can_view_instance(uow, actor, instance):
        raise NotFound("Không tìm thấy hồ sơ quy trình.", code="instance_not_found")
    return instance


def get_instance(services: Services, uow: UnitOfWork, actor: Actor, instance_id: int) -> InstanceView:
    return services.engine.instance_view(uow.session, _visible_instance(uow, actor, instance_id))


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
    if not actor.roles & OVERSEERS:
        if unit_code and unit_code != actor.unit_code:
            return []
        unit_code = actor.unit_code
    return queries.instances(
        uow.session, status=status, process_key=process_key, unit_code=unit_code, limit=limit, offset=offset
    )


def instance_events(uow: UnitOfWork, actor: Actor, instance_id: int) -> list[EventView]:
    _visible_instance(uow, actor, instance_id)
    return queries.events(uow.session, instance_id)


def cancel_instance(
    services: Services, uow: UnitOfWork, actor: Actor, instance_id: int, reason: str | None
) -> InstanceView:
    _visible_instance(uow, actor, instance_id)
    return services.engine.cancel(uow, instance_id, actor, reason)


def retry_instance(
    services: Services, uow: UnitOfWork, actor: Actor, instance_id: int, data: Mapping[str, Any] | None
) -> InstanceView:
    _visible_instance(uow, actor, instance_id)
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
    return queries.inbox(uow.session, actor, flt)


def _visible_task(services: Services, uow: UnitOfWork, actor: Actor, task_id: int) -> HumanTask:
    row = uow.session.get(HumanTask, task_id)
    if row is None:
        raise NotFound("Không tìm thấy bước xử lý.", code="task_not_found")
    allowed = (
        services.engine.may_act(row, actor)
        or row.assignee == actor.username
        or row.completed_by == actor.username
        or bool(actor.roles & OVERSEERS)
        or (row.unit_code is not None and row.unit_code == actor.unit_code)
    )
    if not allowed:
        raise NotFound("Không tìm thấy bước xử lý.", code="task_not_found")
    return row


def task_detail(services: Services, uow: UnitOfWork, actor: Actor, task_id: int) -> TaskDetail:
    """A step with its form, its instance and the current data."""
    row = _visible_task(services, uow, actor, task_id)
    instance_row = uow.session.get(ProcessInstance, row.instance_id)
    assert instance_row is not None
    definition = uow.session.get(ProcessDefinition, instance_row.definition_id)
    assert definition is not None
    files = definition.files or {}
    schema = json.loads(files[row.form_schema]) if row.form_schema and row.form_schema in files else None
    ui_schema = json.loads(files[row.ui_schema]) if row.ui_schema and row.ui_schema in files else None
    instance = services.engine.get_instance(uow.session, row.instance_id)
    data = services.engine.task_data(uow.session, task_id)
    return TaskDetail(TaskView.of(row), instance, schema, ui_schema, data)


def claim_task(services: Services, uow: UnitOfWork, actor: Actor, task_id: int) -> TaskView:
    _visible_task(services, uow, actor, task_id)
    return services.engine.claim(uow, task_id, actor)


def unclaim_task(services: Services, uow: UnitOfWork, actor: Actor, task_id: int) -> TaskView:
    row = _visible_task(services, uow, actor, task_id)
    override = "admin" in actor.roles or ("head" in actor.roles and row.unit_code == actor.unit_code)
    return services.engine.unclaim(uow, task_id, actor, may_override=override)


def assign_task(services: Services, uow: UnitOfWork, actor: Actor, task_id: int, username: str) -> TaskView:
    """Heads assign steps of their own unit; administrators any step."""
    row = _visible_task(services, uow, actor, task_id)
    if "admin" not in actor.roles and not ("head" in actor.roles and row.unit_code == actor.unit_code):
        raise Forbidden("Chỉ lãnh đạo đơn vị hoặc quản trị viên được phân công bước này.", code="cannot_assign")
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
    _visible_task(services, uow, actor, task_id)
    return services.engine.complete(uow, task_id, actor, data)
