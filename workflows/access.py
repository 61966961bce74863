"""Who may see and do what: every visibility and permission rule of CCHC Flow, in one place.

Use cases call these rules themselves, so they refuse on their own whatever calls them (a route, the
CLI, a test); the API's ``require`` decorator runs the same ``Rule`` before parsing a request body, so a
caller without the role gets its 403 first. Steps also obey the engine's lane rule (``Engine.may_act``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from engine import queries
from engine.db import UnitOfWork
from engine.errors import Forbidden, NotFound
from engine.models import CalendarOverride, HumanTask, ProcessInstance
from engine.views import Actor, TaskView

from .models import DocumentRef, Organisation, Plan, StoredDocument, Unit, User
from .roles import ROLES
from .services import Services

OVERSEERS = frozenset({"admin", "coordinator", "leader"})  # see every instance of their organisation
PROVINCE = "province"  # Sở Nội vụ: reads every organisation under its own, never acts on steps
READERS = OVERSEERS | {PROVINCE}  # read every unit's instances and steps (of the organisations they see)
STARTERS = OVERSEERS | {"head", "staff"}
EXTENDERS = frozenset({"admin", "coordinator"})  # any step; heads: steps of their own unit
NO_PERMISSION = "Bạn không có quyền thực hiện thao tác này."


@dataclass(frozen=True)
class Rule:
    """An action only some roles may take; ``check`` raises ``Forbidden`` with a Vietnamese message."""

    roles: tuple[str, ...]
    message: str = NO_PERMISSION
    code: str = "role_required"

    def allows(self, actor: Actor) -> bool:
        return bool(actor.roles & set(self.roles))

    def check(self, actor: Actor) -> None:
        if not self.allows(actor):
            raise Forbidden(self.message, code=self.code, details={"required_roles": list(self.roles)})


DEPLOY_DEFINITIONS = Rule(("admin",))
MIGRATE_INSTANCES = Rule(("admin",), "Chỉ quản trị hệ thống được chuyển phiên bản hồ sơ.")
CANCEL_INSTANCES = Rule(("admin",))
RETRY_INSTANCES = Rule(("admin",))
MANAGE_USERS = Rule(("admin",))
MANAGE_UNITS = Rule(("admin",))
# Overrides of the working-day calendar: a system administrator for every organisation or any one, a coordinator
# for their own organisation only (``check_may_manage_calendar``).
MANAGE_CALENDAR = Rule(("admin", "coordinator"), "Chỉ quản trị viên hoặc đầu mối CCHC được điều chỉnh lịch làm việc.")
MANAGE_ORGANISATIONS = Rule(("admin",), "Chỉ quản trị hệ thống được quản lý tổ chức.")
# The province's Sở Nội vụ reads the organisations under its own (workflows.organisations narrows the list).
READ_ORGANISATIONS = Rule(("admin", "province"), "Bạn không có quyền xem danh sách tổ chức.")
EDIT_PLANS = Rule(("admin", "coordinator"), "Chỉ quản trị viên hoặc đầu mối CCHC được sửa kế hoạch.")
# Plans, their progress and the files made from them (Excel export, periodic report): every staff role.
READ_PLANS = Rule(tuple(ROLES), "Bạn không có quyền xem tiến độ kế hoạch.")
LAUNCH_PLANS = Rule(
    ("admin", "coordinator"),
    "Chỉ quản trị viên hoặc đầu mối CCHC được triển khai kế hoạch.",
    "role_cannot_launch",
)


# An organisation's own criteria sets (bộ tiêu chí): system administrators for any, its coordinator for its own.
MANAGE_CRITERIA = Rule(
    ("admin", "coordinator"),
    "Chỉ quản trị hệ thống hoặc đầu mối CCHC của tổ chức được quản lý bộ tiêu chí.",
)


def may_manage_criteria_for(actor: Actor, organisation_code: str) -> bool:
    """Whether ``actor`` manages the criteria sets of ``organisation_code``; another organisation's are a 404
    to a coordinator (``criteria_sets`` says so), never a 403."""
    return MANAGE_CRITERIA.allows(actor) and (actor.is_admin or in_tenants(actor, organisation_code))


def may_import_plans_for(actor: Actor, own_organisation: str | None, organisation_code: str) -> bool:
    """Plans are imported by administrators for any organisation, by a coordinator only for their own."""
    return EDIT_PLANS.allows(actor) and (actor.is_admin or own_organisation == organisation_code)


# --------------------------------------------------------------------------- organisations (tenants)


def actor_tenants(session: Session, user: User) -> frozenset[str] | None:
    """The organisations whose rows ``user`` may see: None (all) for an administrator; else the organisation
    of the user's unit and, for the province role, every organisation whose ``parent_code`` chain reaches it.
    A user without a unit sees no organisation's rows (an empty set, never None)."""
    roles = set(user.roles or [])
    if "admin" in roles:
        return None
    own = session.scalar(select(Unit.organisation_code).where(Unit.code == user.unit_code)) if user.unit_code else None
    return tenants_of(session, roles, own)


def tenants_of(session: Session, roles: Iterable[str], own: str | None) -> frozenset[str] | None:
    """``actor_tenants`` when the organisation of the user's unit (``own``) is already read: only the province
    role reads the organisation tree."""
    roles = set(roles)
    if "admin" in roles:
        return None
    if own is None:
        return frozenset()
    if PROVINCE not in roles:
        return frozenset({own})
    tree = session.execute(select(Organisation.code, Organisation.parent_code))
    return frozenset(organisation_subtree(((str(code), parent) for code, parent in tree), own))


def in_tenants(actor: Actor, tenant: str | None) -> bool:
    """Whether a row of ``tenant`` lies inside what the actor sees (unrestricted actors: every row)."""
    return actor.tenants is None or (tenant is not None and tenant in actor.tenants)


def units_scope(actor: Actor) -> ColumnElement[bool] | None:
    """The condition on ``Unit`` rows the actor sees (None: every unit)."""
    return queries.in_tenants(Unit.organisation_code, actor.tenants)


def steps_scope(actor: Actor) -> ColumnElement[bool] | None:
    """The condition on ``HumanTask`` rows of the organisations the actor sees (None: every step)."""
    return queries.in_tenants(HumanTask.tenant, actor.tenants)


def overrides_scope(actor: Actor) -> ColumnElement[bool] | None:
    """The condition on ``CalendarOverride`` rows the actor sees: every organisation's (NULL) and its own."""
    own = queries.in_tenants(CalendarOverride.organisation_code, actor.tenants)
    return None if own is None else or_(CalendarOverride.organisation_code.is_(None), own)


def own_organisation(session: Session, actor: Actor) -> str | None:
    """The organisation of the actor's own unit (None without a unit)."""
    if not actor.unit_code:
        return None
    return session.scalar(select(Unit.organisation_code).where(Unit.code == actor.unit_code))


def _organisation_not_found(code: str) -> NotFound:
    return NotFound(
        f"Không tìm thấy tổ chức «{code}».", code="organisation_not_found", details={"organisation_code": code}
    )


def default_calendar_organisation(session: Session, actor: Actor) -> str | None:
    """Whose calendar a caller means when it names none: a system administrator's, every organisation's (None);
    anyone else's, their own organisation's."""
    return None if actor.is_admin else own_organisation(session, actor)


def check_sees_calendar(session: Session, actor: Actor, organisation_code: str) -> None:
    """An organisation's calendar is read by those who see the organisation (else a 404, as if absent)."""
    if not in_tenants(actor, organisation_code) or session.get(Organisation, organisation_code) is None:
        raise _organisation_not_found(organisation_code)


def check_may_manage_calendar(session: Session, actor: Actor, organisation_code: str | None) -> None:
    """Overrides for every organisation (None) or for any one: a system administrator; a coordinator: only those
    of their own organisation — another organisation is a 404 as if absent, the shared calendar a 403."""
    MANAGE_CALENDAR.check(actor)
    if organisation_code is None:
        if not actor.is_admin:
            raise Forbidden(
                "Chỉ quản trị hệ thống được điều chỉnh lịch chung của mọi tổ chức; "
                "đầu mối CCHC chỉ điều chỉnh lịch của tổ chức mình.",
                code="calendar_shared_admin_only",
            )
        return
    if not actor.is_admin and organisation_code != own_organisation(session, actor):
        raise _organisation_not_found(organisation_code)
    if session.get(Organisation, organisation_code) is None:
        raise _organisation_not_found(organisation_code)


def plans_scope(actor: Actor) -> ColumnElement[bool] | None:
    """The condition on ``Plan`` rows the actor sees (None: every plan)."""
    return queries.in_tenants(Plan.organisation_code, actor.tenants)


def visible_plan(session: Session, actor: Actor, plan_id: int) -> Plan:
    """The plan, or ``NotFound`` when it does not exist or belongs to an organisation the actor does not see."""
    plan = session.get(Plan, plan_id)
    if plan is None or not in_tenants(actor, plan.organisation_code):
        raise NotFound("Không tìm thấy kế hoạch.", code="plan_not_found", details={"plan_id": plan_id})
    return plan


# --------------------------------------------------------------------------- instances


def may_start(actor: Actor) -> bool:
    """Whether the actor may start processes at all (for some unit)."""
    return bool(actor.roles & STARTERS) and (bool(actor.roles & OVERSEERS) or actor.unit_code is not None)


def may_start_for(actor: Actor, unit_code: str) -> bool:
    """Whether the actor may start a process for ``unit_code`` (the rule ``check_may_start`` enforces)."""
    return bool(actor.roles & STARTERS) and (bool(actor.roles & OVERSEERS) or actor.unit_code == unit_code)


def check_may_start(actor: Actor, unit_code: str) -> None:
    """Overseers start processes for any unit; heads and staff for their own unit only."""
    if not (actor.roles & OVERSEERS) and actor.unit_code != unit_code:
        raise Forbidden("Bạn chỉ được khởi tạo quy trình cho đơn vị của mình.", code="unit_not_yours")
    if not (actor.roles & STARTERS):
        raise Forbidden("Vai trò của bạn không được khởi tạo quy trình.", code="role_cannot_start")


def sees_every_unit(actor: Actor) -> bool:
    """Overseers (and the province role) see the instances of every unit of the organisations they see; others
    those of their own unit (and where they hold a step)."""
    return bool(actor.roles & READERS)


def can_view_instance(uow: UnitOfWork, actor: Actor, instance: ProcessInstance) -> bool:
    """Nothing of another organisation; overseers see all of theirs; others see their unit's instances and those
    where their unit holds a step."""
    if not in_tenants(actor, instance.tenant):
        return False
    if sees_every_unit(actor) or instance.unit_code == actor.unit_code:
        return True
    return _holds_a_step(uow, actor, [instance.id])


def _holds_a_step(uow: UnitOfWork, actor: Actor, instance_ids: list[int]) -> bool:
    """Whether the actor's unit or the actor holds (or held) a step of one of these instances."""
    hit = uow.session.scalar(
        select(HumanTask.id)
        .where(
            HumanTask.instance_id.in_(instance_ids),
            or_(
                HumanTask.unit_code == actor.unit_code,
                HumanTask.assignee == actor.username,
                HumanTask.completed_by == actor.username,
            ),
        )
        .limit(1)
    )
    return hit is not None


def visible_instance_ids(uow: UnitOfWork, actor: Actor, instance_ids: Iterable[int]) -> set[int]:
    """The instances among ``instance_ids`` the actor may see (``can_view_instance``), in one query."""
    wanted = set(instance_ids)
    if not wanted:
        return set()
    query = select(ProcessInstance.id).where(ProcessInstance.id.in_(wanted))
    scoped = queries.in_tenants(ProcessInstance.tenant, actor.tenants)
    if scoped is not None:
        query = query.where(scoped)
    if not sees_every_unit(actor):
        holds_a_step = (
            select(HumanTask.id)
            .where(
                HumanTask.instance_id == ProcessInstance.id,
                or_(
                    HumanTask.unit_code == actor.unit_code,
                    HumanTask.assignee == actor.username,
                    HumanTask.completed_by == actor.username,
                ),
            )
            .exists()
        )
        query = query.where(or_(ProcessInstance.unit_code == actor.unit_code, holds_a_step))
    return {int(i) for i in uow.session.scalars(query)}


def visible_instance(uow: UnitOfWork, actor: Actor, instance_id: int) -> ProcessInstance:
    """The instance, or ``NotFound`` when it does not exist or the actor may not see it."""
    instance = uow.session.get(ProcessInstance, instance_id)
    if instance is None or not can_view_instance(uow, actor, instance):
        raise NotFound("Không tìm thấy hồ sơ quy trình.", code="instance_not_found")
    return instance


SCORING_PROCESS = "index_scoring"
SCORING_INSIDERS = OVERSEERS | {"appraiser"}  # the council sees the round's results before they are published


def sees_unpublished_scoring_results(actor: Actor) -> bool:
    """Overseers and the appraisal council read a round's results before they are published."""
    return bool(actor.roles & SCORING_INSIDERS)


def visible_scoring_results(uow: UnitOfWork, actor: Actor, instance_id: int) -> ProcessInstance:
    """An index-scoring round whose results (``GET …/scoring-results``, its .xlsx) the actor may read.

    Overseers and the appraisal council: as soon as the index is computed. Anyone else who sees the instance
    (the scored units): only once the round is completed, i.e. the results are published. Another process or an
    instance the actor may not see is a 404, as if it did not exist.
    """
    instance = visible_instance(uow, actor, instance_id)
    if instance.process_key != SCORING_PROCESS:
        raise NotFound("Hồ sơ này không phải một đợt chấm điểm Chỉ số CCHC.", code="scoring_round_not_found")
    if not sees_unpublished_scoring_results(actor) and instance.status != "completed":
        raise Forbidden("Kết quả Chỉ số CCHC chỉ được xem sau khi công bố.", code="scoring_results_not_published")
    return instance


def sees_technical_data(actor: Actor) -> bool:
    """Administrators see an instance's technical fields (computed by the process, or named by no form)."""
    return actor.is_admin


# --------------------------------------------------------------------------- steps


def visible_task(services: Services, uow: UnitOfWork, actor: Actor, task_id: int) -> HumanTask:
    """The step, or ``NotFound`` unless it is of an organisation the actor sees and the actor may act on it, holds
    or held it, oversees, or is of its unit (another organisation's step is exactly a missing one)."""
    row = uow.session.get(HumanTask, task_id)
    if row is None:
        raise NotFound("Không tìm thấy bước xử lý.", code="task_not_found")
    check_visible(services, row, actor)
    return row


def check_visible(services: Services, row: HumanTask, actor: Actor) -> None:
    """``visible_task``'s check of a step already read (``NotFound`` when the actor may not see it)."""
    if not in_tenants(actor, row.tenant):
        raise NotFound("Không tìm thấy bước xử lý.", code="task_not_found")
    allowed = (
        services.engine.may_act(row, actor)
        or row.assignee == actor.username
        or row.completed_by == actor.username
        or sees_every_unit(actor)
        or (row.unit_code is not None and row.unit_code == actor.unit_code)
    )
    if not allowed:
        raise NotFound("Không tìm thấy bước xử lý.", code="task_not_found")


def heads_unit_of(row: HumanTask | TaskView, actor: Actor) -> bool:
    """The actor is the head of the unit that holds the step."""
    return "head" in actor.roles and row.unit_code is not None and row.unit_code == actor.unit_code


def may_release_others(row: HumanTask, actor: Actor) -> bool:
    """Administrators and the unit's head may release a step someone else claimed."""
    return "admin" in actor.roles or heads_unit_of(row, actor)


def may_assign(row: HumanTask | TaskView, actor: Actor) -> bool:
    """Heads assign steps of their own unit; administrators any step."""
    return "admin" in actor.roles or heads_unit_of(row, actor)


def check_may_assign(row: HumanTask | TaskView, actor: Actor) -> None:
    """Heads assign steps of their own unit; administrators any step."""
    if not may_assign(row, actor):
        raise Forbidden("Chỉ lãnh đạo đơn vị hoặc quản trị viên được phân công bước này.", code="cannot_assign")


def unit_tasks_scope(actor: Actor, unit_code: str | None) -> str | None:
    """Whose steps the actor may list in "Việc của đơn vị", whoever holds them: a head their own unit's;
    overseers any unit's (``unit_code``; None: every unit). Returns the unit to list (None: every unit)."""
    if sees_every_unit(actor):
        return unit_code
    if "head" in actor.roles and actor.unit_code:
        if unit_code and unit_code != actor.unit_code:
            raise Forbidden("Bạn chỉ được xem việc của đơn vị mình.", code="unit_not_yours")
        return actor.unit_code
    raise Forbidden(
        "Chỉ lãnh đạo đơn vị, đầu mối CCHC, lãnh đạo UBND hoặc quản trị viên được xem việc của đơn vị.",
        code="cannot_view_unit_tasks",
    )


def may_view_unit_tasks(actor: Actor) -> bool:
    """Whether "Việc của đơn vị" is for the actor at all (the page's link)."""
    return sees_every_unit(actor) or ("head" in actor.roles and actor.unit_code is not None)


def may_extend(row: HumanTask, actor: Actor) -> bool:
    """Administrators and coordinators extend any step; a unit head the steps of their unit."""
    return bool(actor.roles & EXTENDERS) or heads_unit_of(row, actor)


def check_may_extend(row: HumanTask, actor: Actor) -> None:
    if not may_extend(row, actor):
        raise Forbidden(
            "Chỉ lãnh đạo đơn vị, đầu mối CCHC hoặc quản trị viên được gia hạn bước này.", code="cannot_extend"
        )


# --------------------------------------------------------------------------- documents

DOCUMENT_NOT_FOUND = "Không tìm thấy tài liệu."


def can_view_document(uow: UnitOfWork, actor: Actor, document: StoredDocument) -> bool:
    """Before a completed step references it, the uploader alone; after, whoever sees a referencing instance.

    ``can_view_instance`` for all the referencing instances at once: their tenant and unit read with the references
    (not each instance's whole row, its serialized state included, one by one), then, if none is of the actor's
    unit, one query for a step of theirs the actor's unit or the actor holds (or held)."""
    referencing = uow.session.execute(
        select(ProcessInstance.id, ProcessInstance.tenant, ProcessInstance.unit_code)
        .join(DocumentRef, DocumentRef.instance_id == ProcessInstance.id)
        .where(DocumentRef.document_id == document.id)
        .distinct()
    ).all()
    if not referencing:
        return document.uploaded_by == actor.username
    seen = [(instance_id, unit_code) for instance_id, tenant, unit_code in referencing if in_tenants(actor, tenant)]
    if not seen:
        return False
    if sees_every_unit(actor) or any(unit_code == actor.unit_code for _, unit_code in seen):
        return True
    return _holds_a_step(uow, actor, sorted(instance_id for instance_id, _ in seen))


def visible_document_ids(uow: UnitOfWork, actor: Actor, documents: Iterable[StoredDocument]) -> set[int]:
    """The ids of ``documents`` the actor may see (``can_view_document`` for many at once, in two queries)."""
    by_id = {d.id: d for d in documents}
    if not by_id:
        return set()
    refs = uow.session.execute(
        select(DocumentRef.document_id, DocumentRef.instance_id).where(DocumentRef.document_id.in_(by_id)).distinct()
    ).all()
    instances_of: dict[int, set[int]] = {}
    for document_id, instance_id in refs:
        instances_of.setdefault(int(document_id), set()).add(int(instance_id))
    seen = visible_instance_ids(uow, actor, {i for ids in instances_of.values() for i in ids})
    return {
        document_id
        for document_id, document in by_id.items()
        if (instances_of[document_id] & seen if document_id in instances_of else document.uploaded_by == actor.username)
    }


def visible_document(uow: UnitOfWork, actor: Actor, document_id: int) -> StoredDocument:
    """The document, or ``NotFound`` when it does not exist or the actor may not see it (never a 403: no hint)."""
    document = uow.session.get(StoredDocument, document_id)
    if document is None or not can_view_document(uow, actor, document):
        raise NotFound(DOCUMENT_NOT_FOUND, code="document_not_found")
    return document


def check_may_delete_document(actor: Actor, document: StoredDocument) -> None:
    """Only the uploader deletes an upload (whether a step references it is the store's rule: a 409)."""
    if document.uploaded_by != actor.username:
        raise Forbidden("Chỉ người tải lên được xóa tài liệu này.", code="document_not_yours")


# --------------------------------------------------------------------------- the province view

# Sở Nội vụ of a province (and the system administrator): roll-ups of the organisations under it (docs/province.md).
PROVINCE_VIEW = Rule(
    ("admin", "province"),
    "Chỉ Sở Nội vụ cấp tỉnh hoặc quản trị viên được xem tổng hợp toàn tỉnh.",
    "role_cannot_view_province",
)


def organisation_subtree(tree: Iterable[tuple[str, str | None]], root: str) -> set[str]:
    """``root`` and every organisation whose ``parent_code`` chain reaches it (``tree``: (code, parent_code))."""
    children: dict[str, list[str]] = {}
    for code, parent in tree:
        if parent is not None:
            children.setdefault(parent, []).append(code)
    found, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:  # a cycle in the data must not loop forever
                found.add(child)
                todo.append(child)
    return found


def province_organisations(session: Session, actor: Actor) -> list[str]:
    """The organisations whose roll-ups the actor reads: every one for an administrator; for the province role
    those it sees (its own and the subtree under it, ``actor_tenants``). Anyone else: 403."""
    PROVINCE_VIEW.check(actor)
    if actor.tenants is None:
        return sorted(session.scalars(select(Organisation.code)))
    return sorted(actor.tenants)
