"""Writers of one step row racing a completion: gia hạn, return (unclaim) and assignment, on any database.

``StepRig`` builds the services on a URL, deploys approval5 and opens a draft step; ``OPERATIONS`` name what
races the completion; ``check_outcome`` asserts that exactly one won and that the row and the audit agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from engine.clock import LOCAL_TZ, ManualClock
from engine.db import Base, UnitOfWork
from engine.definitions import deploy, read_bundle
from engine.errors import Conflict
from engine.models import AuditEvent, HumanTask, ProcessInstance
from tests.engine_support import FIXTURES, ROLES, actor
from workflows import access, deadlines, processes
from workflows import models as _domain  # noqa: F401 - every table
from workflows.bootstrap import create_services
from workflows.models import DeadlineExtension
from workflows.services import Services

STAFF = actor("cv.pnv", "staff", unit="PNV")
STAFF2 = actor("cv2.pnv", "staff", unit="PNV")
HEAD = actor("tp.pnv", "head", unit="PNV")
START = datetime(2024, 1, 2, 8, 0, tzinfo=LOCAL_TZ)
NEW_DUE = "2024-01-31"

# The audit event each operation writes, besides the completion's ``task_completed``.
EVENT = {"extend": "task_deadline_extended", "unclaim": "task_unclaimed", "assign": "task_assigned"}


def complete(services: Services, uow: UnitOfWork, task_id: int) -> None:
    deadlines.complete_step(services, uow, STAFF, task_id, {"title": "Dự thảo"}, None)


def extend(services: Services, uow: UnitOfWork, task_id: int) -> None:
    deadlines.extend_task(services, uow, HEAD, task_id, NEW_DUE, "Chờ ý kiến của Sở Nội vụ")


def unclaim(services: Services, uow: UnitOfWork, task_id: int) -> None:
    processes.unclaim_task(services, uow, STAFF, task_id)


def assign(services: Services, uow: UnitOfWork, task_id: int) -> None:
    row = access.visible_task(services, uow, HEAD, task_id)
    access.check_may_assign(row, HEAD)
    services.engine.assign(uow, task_id, STAFF2, HEAD)


Operation = Callable[[Services, UnitOfWork, int], None]
OPERATIONS: dict[str, Operation] = {"extend": extend, "unclaim": unclaim, "assign": assign}


@dataclass
class Before:
    """The step and its instance as the racers read them."""

    task_id: int
    instance_id: int
    version: int
    assignee: str | None
    due_at: datetime | None


class StepRig:
    """Services on ``url`` with approval5 deployed (tables created by the caller's schema or here)."""

    def __init__(self, url: str, *, create: bool) -> None:
        self.clock = ManualClock(START)
        self.services = create_services(url, clock=self.clock)
        if create:
            Base.metadata.create_all(self.services.sql)
        bpmn, files = read_bundle(FIXTURES / "approval5" / "approval5.bpmn")
        with self.services.uow() as uow:
            deploy(uow.session, bpmn, files, known_roles=ROLES, actor="admin", now=self.clock.now())
            uow.commit()

    def close(self) -> None:
        self.services.close()

    def open_step(self, operation: str) -> Before:
        """A new instance's draft step, claimed by the drafter when the operation returns a claimed step."""
        services = self.services
        with services.uow() as uow:
            view = services.engine.start(uow, "approval5", unit_code="PNV", actor=STAFF)
            task_id = view.open_tasks[0].id
            if operation == "unclaim":
                services.engine.claim(uow, task_id, STAFF)
            uow.commit()
        with services.sessions() as session:
            row = session.get(HumanTask, task_id)
            instance = session.get(ProcessInstance, view.id)
            assert row is not None and instance is not None
            return Before(task_id, view.id, instance.version, row.assignee, row.due_at)

    def attempt(self, operation: Operation, task_id: int, ready: Callable[[], None] | None = None) -> str:
        """Read the step, call ``ready`` (both racers have read), run ``operation``, commit: "ok" or "conflict"."""
        try:
            with self.services.uow() as uow:
                read = uow.session.get(HumanTask, task_id)  # the row as this racer read it (held: the
                assert read is not None  # session keeps it only while something refers to it)
                # End the read's transaction, keep the row as read: the write runs in a later one, which sees
                # what committed meanwhile (PostgreSQL's READ COMMITTED; on SQLite no stale snapshot refuses it).
                uow.session.commit()
                if ready is not None:
                    ready()
                operation(self.services, uow, task_id)
                uow.commit()
                del read
        except Conflict as exc:
            assert exc.message and exc.code in {"task_not_ready", "task_changed", "task_claimed_by_other"}, exc.code
            return "conflict"
        return "ok"

    def check_outcome(self, operation: str, before: Before, outcomes: dict[str, str]) -> str:
        """Exactly one of the completion and ``operation`` won; the row and the audit say the same. The winner."""
        assert sorted(outcomes.values()) == ["conflict", "ok"], outcomes
        winner = next(name for name, outcome in outcomes.items() if outcome == "ok")
        with self.services.sessions() as session:
            row = session.get(HumanTask, before.task_id)
            instance = session.get(ProcessInstance, before.instance_id)
            assert row is not None and instance is not None
            kinds = list(
                session.scalars(
                    select(AuditEvent.kind).where(
                        AuditEvent.instance_id == before.instance_id, AuditEvent.task_guid == row.task_guid
                    )
                )
            )
            extensions = session.scalar(
                select(func.count()).select_from(DeadlineExtension).where(DeadlineExtension.task_id == row.id)
            )
            steps = session.scalar(
                select(func.count()).select_from(HumanTask).where(HumanTask.instance_id == before.instance_id)
            )
        done = kinds.count("task_completed")
        changed = kinds.count(EVENT[operation])
        if winner == "complete":
            assert (row.status, row.completed_by) == ("completed", STAFF.username)
            assert (row.assignee, row.due_at) == (before.assignee, before.due_at)  # as the completion saw them
            assert (done, changed, extensions) == (1, 0, 0), kinds
            assert instance.version == before.version + 1 and steps == 2  # the review step opened
        else:
            assert row.status == "ready" and row.completed_by is None
            assert (done, changed) == (0, 1), kinds
            assert instance.version == before.version and steps == 1  # the completion wrote nothing
            expected: dict[str, Any] = {
                "extend": ("assignee", before.assignee),
                "unclaim": ("assignee", None),
                "assign": ("assignee", STAFF2.username),
            }
            column, value = expected[operation]
            assert getattr(row, column) == value
            if operation == "extend":
                assert row.due_at is not None and before.due_at is not None and row.due_at > before.due_at
                assert extensions == 1
            else:
                assert row.due_at == before.due_at and extensions == 0
        return winner

    def assert_closed_for_good(self, operation: str, before: Before) -> None:
        """A completed step is never re-opened, re-assigned or extended afterwards."""
        with self.services.sessions() as session:
            snapshot = _row_values(session.get(HumanTask, before.task_id))
        assert self.attempt(OPERATIONS[operation], before.task_id) == "conflict"
        with self.services.sessions() as session:
            assert _row_values(session.get(HumanTask, before.task_id)) == snapshot


def _row_values(row: HumanTask | None) -> dict[str, Any]:
    assert row is not None
    return {c.key: getattr(row, c.key) for c in HumanTask.__table__.columns}
