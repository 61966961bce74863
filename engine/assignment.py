"""Who works on a step: the lane check, claiming, returning and assigning open steps."""

from __future__ import annotations

from . import audit
from .db import UnitOfWork, conflicts_on_races
from .errors import Conflict, Forbidden, InvalidInput
from .models import HumanTask
from .rows import NOT_OPEN, update_open_step
from .runner import InstanceRunner, step_row
from .views import Actor, TaskView


def may_act(row: HumanTask, actor: Actor) -> bool:
    """Role and unit of the actor satisfy the step's lane (or the step is assigned to them); never a step of a
    tenant the actor does not see."""
    if actor.tenants is not None and row.tenant not in actor.tenants:
        return False
    if row.assignee is not None:
        return row.assignee == actor.username
    if row.role is None or row.role not in actor.roles:
        return False
    return row.unit_code is None or row.unit_code == actor.unit_code


def ensure_may_act(row: HumanTask, actor: Actor) -> None:
    """Raise unless ``actor`` may work on this step (lane role + unit, or its assignee)."""
    if row.assignee is not None and row.assignee != actor.username:
        raise Conflict(f"Bước xử lý đang do {row.assignee} thực hiện.", code="task_claimed_by_other")
    if not may_act(row, actor):
        raise Forbidden("Bạn không được phân công xử lý bước này.", code="not_your_task")


def _open_step(uow: UnitOfWork, task_id: int) -> HumanTask:
    """The step row, which must still be open (``Conflict`` otherwise)."""
    row = step_row(uow.session, task_id)
    if row.status != "ready":
        raise Conflict(NOT_OPEN, code="task_not_ready")
    return row


class StepAssignment:
    """Claims, returns and assigns open steps, each with its audit event, in the caller's transaction.

    Each writes the step row with a conditional UPDATE on the row as read (``rows.update_open_step``): a
    completion, claim, return or assignment that commits in between wins, and this one is a ``Conflict``.
    """

    def __init__(self, runner: InstanceRunner) -> None:
        self._runner = runner  # for its clock, which the engine's owner may replace

    @conflicts_on_races
    def claim(self, uow: UnitOfWork, task_id: int, actor: Actor) -> TaskView:
        """Take an unclaimed step into one's own inbox."""
        session = uow.session
        row = _open_step(uow, task_id)
        if row.assignee == actor.username:
            return TaskView.of(row)
        ensure_may_act(row, actor)
        update_open_step(session, row, assignee=actor.username)
        audit.record_task_event(session, "task_claimed", row, at=self._runner.clock.now(), actor=actor.username)
        return TaskView.of(row)

    @conflicts_on_races
    def unclaim(self, uow: UnitOfWork, task_id: int, actor: Actor, *, may_override: bool = False) -> TaskView:
        """Return a claimed step to the shared queue (its assignee, or a head/admin)."""
        row = _open_step(uow, task_id)
        if row.assignee is None:
            raise Conflict("Bước xử lý chưa có người nhận.", code="task_not_claimed")
        if row.assignee != actor.username and not may_override:
            raise Forbidden("Chỉ người đang xử lý mới trả lại được bước này.", code="not_your_task")
        previous = row.assignee
        update_open_step(uow.session, row, assignee=None)
        audit.record_task_event(
            uow.session,
            "task_unclaimed",
            row,
            at=self._runner.clock.now(),
            actor=actor.username,
            previous_assignee=previous,
        )
        return TaskView.of(row)

    @conflicts_on_races
    def assign(self, uow: UnitOfWork, task_id: int, assignee: Actor, actor: Actor) -> TaskView:
        """Give a step to a named user who may act on it (the caller checks that ``actor`` may assign)."""
        row = _open_step(uow, task_id)
        probe = HumanTask(role=row.role, unit_code=row.unit_code, tenant=row.tenant, assignee=None)
        if not may_act(probe, assignee):
            raise InvalidInput(
                f"Người dùng {assignee.username} không có vai trò hoặc đơn vị phù hợp với bước này.",
                code="assignee_not_eligible",
            )
        previous = row.assignee
        update_open_step(uow.session, row, assignee=assignee.username)
        audit.record_task_event(
            uow.session,
            "task_assigned",
            row,
            at=self._runner.clock.now(),
            actor=actor.username,
            assignee=assignee.username,
            previous_assignee=previous,
        )
        return TaskView.of(row)
