"""A save on PostgreSQL writes the instance's versioned UPDATE and its first new step's INSERT in one statement
(engine.rows.write_instance, ``new_steps``), sent with the task rows in one pipeline (engine.driver.Driver.pipeline):
the same rows, fewer round trips, and a lost race still writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError

from engine.driver import driver
from engine.errors import Conflict
from engine.models import AuditEvent, HumanTask, InstanceTask, ProcessInstance
from engine.rows import new_step, write_instance, write_task_rows
from tests.engine_support import EngineRig, actor, stale_instance, start

pytestmark = pytest.mark.pg


@pytest.fixture
def rig(pg_rig: EngineRig) -> Iterator[EngineRig]:
    pg_rig.deploy_fixture("approval5")
    yield pg_rig


def _start(rig: EngineRig) -> tuple[int, int]:
    view = start(rig, "approval5", actor("cv.pnv"), {"topic": "Kế hoạch"})
    return view.id, view.open_tasks[0].id


def test_a_completion_writes_the_instance_and_its_next_step_in_one_statement(rig: EngineRig) -> None:
    instance_id, task_id = _start(rig)
    statements: list[str] = []
    piped: list[str] = []

    def seen(_conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)
        if cursor.connection.pgconn.pipeline_status != psycopg.pq.PipelineStatus.OFF:
            piped.append(statement.split(" ", 3)[0] + " " + statement.split(" ", 3)[2])

    event.listen(rig.sql, "before_cursor_execute", seen)
    try:
        with rig.uow() as uow:
            result = rig.engine.complete(uow, task_id, actor("cv.pnv", "staff"), {"title": "Dự thảo"})
            uow.commit()
    finally:
        event.remove(rig.sql, "before_cursor_execute", seen)
    [following] = result.next_tasks
    merged = [s for s in statements if s.startswith("WITH updated_instance")]
    assert len(merged) == 1, statements
    assert not [s for s in statements if s.startswith("UPDATE process_instance")], statements
    assert not [s for s in statements if s.startswith("INSERT INTO human_task")], statements
    # The instance with its step, then the task rows: one pipeline (one round trip).
    assert piped[0] == "WITH AS" and set(piped[1:]) <= {"UPDATE SET", "INSERT instance_task", "DELETE instance_task"}
    assert len(piped) > 1, piped
    with rig.sessions() as s:
        row = s.get(HumanTask, following.id)
        inst = s.get(ProcessInstance, instance_id)
        assert row is not None and inst is not None
        # Every column as insert_steps writes it: the step's own values, the defaults, the instance's tenant.
        assert (row.instance_id, row.status, row.element_id, row.name) == (
            instance_id,
            "ready",
            following.element_id,
            following.name,
        )
        assert len(row.task_guid) == 36 and row.process_key == "approval5"
        assert (row.escalation_level, row.assignee, row.completed_at, row.tenant) == (0, None, None, inst.tenant)
        assert row.created_at == rig.clock.now()
        assert inst.version == 3  # started (1), saved by the start (2), saved by this completion (3)


def test_a_stale_instance_inserts_no_step_and_is_a_conflict(rig: EngineRig) -> None:
    instance_id, _ = _start(rig)
    with rig.uow() as uow:
        inst = stale_instance(uow, instance_id)
        step = new_step(
            instance_id=instance_id,
            process_key="approval5",
            task_guid="00000000-0000-0000-0000-000000000001",
            element_id="review",
            name="Xem xét",
            status="ready",
            created_at=rig.clock.now(),
        )
        with pytest.raises(Conflict):
            write_instance(uow.session, inst, {"status": "waiting"}, new_steps=[step])
        assert step.__dict__.get("id") is None
    with rig.sessions() as s:
        assert s.scalar(select(ProcessInstance.status).where(ProcessInstance.id == instance_id)) == "running"
        assert s.scalar(select(HumanTask.id).where(HumanTask.task_guid == step.task_guid)) is None


def test_a_completion_whose_instance_moved_on_since_it_was_read_writes_nothing(rig: EngineRig) -> None:
    instance_id, task_id = _start(rig)
    with rig.sessions() as s:
        payloads = {g: bytes(p) for g, p in s.execute(select(InstanceTask.guid, InstanceTask.payload))}
        events = len(s.scalars(select(AuditEvent.id)).all())
    with rig.uow() as uow:
        loaded = rig.engine.load_step(uow.session, task_id)
        with rig.uow() as other:  # another writer commits a new version of the instance after the read
            other.session.execute(
                update(ProcessInstance)
                .where(ProcessInstance.id == instance_id)
                .values(version=ProcessInstance.version + 1)
            )
            other.commit()
        with pytest.raises(Conflict):
            rig.engine.complete(uow, task_id, actor("cv.pnv", "staff"), {"title": "Dự thảo"}, loaded=loaded)
    with rig.sessions() as s:
        assert s.get(HumanTask, task_id).status == "ready"  # type: ignore[union-attr]
        assert len(s.scalars(select(HumanTask.id).where(HumanTask.instance_id == instance_id)).all()) == 1
        assert {g: bytes(p) for g, p in s.execute(select(InstanceTask.guid, InstanceTask.payload))} == payloads
        assert len(s.scalars(select(AuditEvent.id)).all()) == events


def test_a_driver_error_in_a_pipeline_is_the_error_sqlalchemy_raises(rig: EngineRig) -> None:
    instance_id, task_id = _start(rig)
    with rig.uow() as uow, pytest.raises(IntegrityError):  # a task row that exists: a duplicate key
        guid = uow.session.scalars(select(InstanceTask.guid).limit(1)).one()
        with driver(uow.session).pipeline():
            write_task_rows(uow.session, instance_id, [], [(guid, b"{}")], [])
    with rig.uow() as uow:  # the pooled connection serves the next transaction as before
        rig.engine.complete(uow, task_id, actor("cv.pnv", "staff"), {"title": "Dự thảo"})
        uow.commit()
