"""A save on PostgreSQL writes the instance's versioned UPDATE and its first new step's INSERT in one statement
(engine.rows.write_instance, ``new_steps``): the same rows as two statements, one round trip less, and a lost race
still writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm.attributes import set_committed_value

from engine.errors import Conflict
from engine.models import HumanTask, ProcessInstance
from engine.rows import new_step, write_instance
from tests.engine_support import EngineRig, actor

pytestmark = pytest.mark.pg


@pytest.fixture
def rig(pg_rig: EngineRig) -> Iterator[EngineRig]:
    pg_rig.deploy_fixture("approval5")
    yield pg_rig


def _start(rig: EngineRig) -> tuple[int, int]:
    with rig.uow() as uow:
        view = rig.engine.start(uow, "approval5", unit_code="PNV", data={"topic": "Kế hoạch"}, actor=actor("cv.pnv"))
        uow.commit()
    return view.id, view.open_tasks[0].id


def test_a_completion_writes_the_instance_and_its_next_step_in_one_statement(rig: EngineRig) -> None:
    instance_id, task_id = _start(rig)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

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
        inst = uow.session.get(ProcessInstance, instance_id)
        assert inst is not None
        set_committed_value(inst, "version", inst.version - 1)  # as read before another writer committed
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
