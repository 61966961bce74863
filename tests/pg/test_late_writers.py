"""A late writer on PostgreSQL: its transaction saw the step open, another completed it meanwhile.

On SQLite writers queue for the write lock at BEGIN, so this race only exists on PostgreSQL (READ COMMITTED).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.errors import Conflict
from engine.models import AuditEvent, HumanTask, ProcessInstance
from tests.engine_support import EngineRig, actor

pytestmark = pytest.mark.pg

STAFF = actor("cv.pnv", "staff", unit="PNV")


def _start(rig: EngineRig) -> tuple[int, int]:
    rig.deploy_fixture("approval5")
    with rig.uow() as uow:
        view = rig.engine.start(uow, "approval5", unit_code="PNV", data={"topic": "Kế hoạch CCHC"}, actor=STAFF)
        uow.commit()
    return view.id, view.open_tasks[0].id


def _complete(rig: EngineRig, task_id: int, title: str) -> None:
    with rig.uow() as uow:
        rig.engine.complete(uow, task_id, STAFF, {"title": title})
        uow.commit()


def test_completing_a_step_twice_in_racing_transactions_is_a_conflict(pg_rig: EngineRig) -> None:
    instance_id, task_id = _start(pg_rig)
    with pg_rig.uow() as late:
        late.session.get(HumanTask, task_id)  # the late transaction has seen the step open
        _complete(pg_rig, task_id, "Dự thảo")
        with pytest.raises(Conflict) as info:
            pg_rig.engine.complete(late, task_id, STAFF, {"title": "Dự thảo chậm"})
        assert info.value.code == "task_not_ready"
    with pg_rig.sessions() as s:
        steps = list(s.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)))
    assert sorted((t.element_id, t.status) for t in steps) == [("Task_draft", "completed"), ("Task_review", "ready")]


def test_stale_version_is_a_conflict(pg_rig: EngineRig) -> None:
    instance_id, task_id = _start(pg_rig)
    with pg_rig.uow() as late:
        late.session.get(HumanTask, task_id)
        late.session.get(ProcessInstance, instance_id)  # loaded at the old version
        _complete(pg_rig, task_id, "Dự thảo nhanh")
        pg_rig.engine.cache.clear()
        with pytest.raises(Conflict):
            pg_rig.engine.complete(late, task_id, STAFF, {"title": "Dự thảo chậm"})
    with pg_rig.sessions() as s:
        kinds = list(s.scalars(select(AuditEvent.kind).where(AuditEvent.instance_id == instance_id)))
    assert kinds.count("task_completed") == 1
