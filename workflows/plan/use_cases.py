"""Plan actions as users perform them: import a file, correct an activity (each in the caller's transaction)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from engine.db import UnitOfWork
from engine.errors import Conflict, InvalidInput
from engine.models import ProcessInstance
from engine.views import Actor
from workflows import access
from workflows.models import PlanActivityRow, PlanOccurrence
from workflows.services import Services

from .activity_types import ACTIVITY_TYPES
from .org_import import import_for_own_organisation
from .queries import get_activity
from .store import ImportOutcome, set_manual_due


def import_plan_file(services: Services, uow: UnitOfWork, actor: Actor, data: bytes, filename: str) -> ImportOutcome:
    """Import (or re-import) a plan for the caller's own organisation; every unit name must be one of its units."""
    return import_for_own_organisation(services, uow, actor, data, filename)


def _has_live_instances(uow: UnitOfWork, activity: PlanActivityRow) -> bool:
    return (
        uow.session.scalar(
            select(PlanOccurrence.id)
            .join(ProcessInstance, ProcessInstance.id == PlanOccurrence.instance_id)
            .where(PlanOccurrence.activity_id == activity.id, ProcessInstance.status != "cancelled")
            .limit(1)
        )
        is not None
    )


def update_activity(
    services: Services,
    uow: UnitOfWork,
    actor: Actor,
    plan_id: int,
    activity_id: int,
    *,
    activity_type: str | None = None,
    manual_due: date | None = None,
    clear_manual_due: bool = False,
) -> PlanActivityRow:
    """An administrator's correction: the activity type, or the deadline of a hand-set schedule."""
    access.EDIT_PLANS.check(actor)
    activity = get_activity(uow.session, plan_id, activity_id, actor)
    if activity_type is not None and activity_type != activity.activity_type:
        if activity_type not in ACTIVITY_TYPES:
            raise InvalidInput(
                "Loại hoạt động không hợp lệ.",
                code="activity_type_invalid",
                details={"activity_type": [f"Chọn một trong: {', '.join(ACTIVITY_TYPES)}."]},
            )
        if _has_live_instances(uow, activity):
            raise Conflict(
                "Hoạt động đã có hồ sơ quy trình đang chạy; không thể đổi loại hoạt động.",
                code="activity_already_launched",
            )
        activity.activity_type = activity_type
        activity.activity_type_source = "admin"
    if manual_due is not None or clear_manual_due:
        if not any(o.period == "manual" for o in activity.occurrences):
            raise InvalidInput(
                "Hoạt động này đã có hạn theo lịch của kế hoạch; chỉ đặt hạn thủ công cho hoạt động "
                "«Theo Kế hoạch», «Sau khi kiểm tra» hoặc chưa ghi thời gian.",
                code="deadline_not_manual",
                details={"manual_due": ["Hạn của hoạt động do lịch kế hoạch xác định."]},
            )
        set_manual_due(activity, manual_due, services.calendar.get(activity.plan.organisation_code))
    uow.session.flush()
    return activity
