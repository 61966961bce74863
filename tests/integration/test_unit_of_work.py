"""The unit of work's one transaction: its connection, the session bound to it, and the engine's driver statements."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import audit, rows
from engine.clock import LOCAL_TZ
from engine.db import UnitOfWork
from engine.models import AuditEvent, HumanTask
from tests.engine_support import actor
from tests.services_support import approval5_services
from workflows import models as _domain  # noqa: F401 - every table, as in production
from workflows.services import Services

STAFF = actor("cv.pnv", "staff", unit="PNV")
START = datetime(2024, 1, 2, 8, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    s = approval5_services(tmp_path / "uow.db", START)
    yield s
    s.close()


def _first_step(services: Services) -> int:
    with services.uow() as uow:
        started = services.engine.start(uow, "approval5", unit_code="PNV", actor=STAFF)
        uow.commit()
    return started.open_tasks[0].id


def _events(services: Services, kind: str) -> int:
    with services.read() as uow:
        return uow.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == kind)) or 0


def test_a_completion_commits_on_the_connection_without_starting_the_sessions_transaction(services: Services) -> None:
    """The completion's statements run on the unit of work's connection: the ORM session only holds objects."""
    task_id = _first_step(services)
    with services.uow() as uow:
        services.engine.complete(uow, task_id, STAFF, {"title": "Dự thảo"})
        assert uow.connection.in_transaction()
        assert uow.session.get_bind() is uow.connection
        assert not uow.session.in_transaction()  # no SessionTransaction, no snapshot, no ORM commit
        uow.commit()
        assert not uow.session.get_bind().in_transaction()  # type: ignore[union-attr]
    with services.read() as uow:
        assert uow.session.get(HumanTask, task_id).status == "completed"  # type: ignore[union-attr]


def test_orm_writes_and_driver_writes_are_one_transaction(services: Services) -> None:
    def write_both(uow: UnitOfWork) -> None:
        audit.record(uow.session, "instance_started", at=START, actor="a")  # on the driver
        uow.session.add(AuditEvent(kind="instance_started", actor="b", at=START, payload={}))  # through the ORM
        uow.flush()

    with services.uow() as uow:
        write_both(uow)
        uow.rollback()
        assert _events(services, "instance_started") == 0
        write_both(uow)  # after a rollback the same unit of work begins a new transaction
        uow.commit()
    assert _events(services, "instance_started") == 2
    with services.uow() as uow:
        write_both(uow)  # left without commit: both roll back
    assert _events(services, "instance_started") == 2


def test_a_savepoint_rolled_back_undoes_the_driver_statements_in_it(services: Services) -> None:
    with services.uow() as uow:
        audit.record(uow.session, "instance_started", at=START, actor="kept")
        savepoint = uow.session.begin_nested()
        audit.record(uow.session, "instance_started", at=START, actor="undone")
        savepoint.rollback()
        uow.commit()
    with services.read() as uow:
        assert list(uow.session.scalars(select(AuditEvent.actor).where(AuditEvent.kind == "instance_started"))) == [
            "kept"
        ]


def test_a_rollback_expires_the_objects_read_on_the_driver(services: Services) -> None:
    """Objects joined the session without its transaction; a rollback still leaves none holding undone values."""
    task_id = _first_step(services)
    with services.uow() as uow:
        found = rows.step_with_instance(uow.session, task_id)
        assert found is not None and not uow.session.in_transaction()
        step = found[0]
        rows.mark_completed(uow.session, step, "cv.pnv", START, event_payload={"name": step.name, "data": {}})
        assert step.status == "completed"
        uow.rollback()
        assert step.status == "ready"  # read again: the completion was rolled back
