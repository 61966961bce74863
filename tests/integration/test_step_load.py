"""The step read of a completion (``rows.step_with_instance``): Core rows turned into session objects by hand."""

from __future__ import annotations

from sqlalchemy import inspect, select
from sqlalchemy.orm import InstanceState

from engine import rows
from engine.models import HumanTask, ProcessInstance
from tests.engine_support import EngineRig, actor

STAFF = actor("cv.pnv", "staff", unit="PNV")


def _started(rig: EngineRig) -> tuple[int, int]:
    rig.deploy_fixture("approval5")
    with rig.uow() as uow:
        view = rig.engine.start(uow, "approval5", unit_code="PNV", data={"topic": "Kế hoạch"}, actor=STAFF)
        uow.commit()
    return view.id, view.open_tasks[0].id


def test_the_loaded_step_and_instance_are_persistent_complete_and_write_back(rig: EngineRig) -> None:
    instance_id, task_id = _started(rig)
    with rig.uow() as uow:
        session = uow.session
        found = rows.step_with_instance(session, task_id)
        assert found is not None
        row, instance, open_rows = found
        orm_row = session.execute(select(HumanTask).where(HumanTask.id == task_id)).scalar_one()
        orm_instance = session.get(ProcessInstance, instance_id)
        assert orm_row is row and orm_instance is instance and open_rows == [row]  # the session's own objects
        for obj in (row, instance):
            state: InstanceState[object] = inspect(obj)
            assert state.persistent and not state.modified and not state.expired_attributes
        assert (row.element_id, row.status, row.created_at.tzinfo is not None) == ("Task_draft", "ready", True)
        assert instance.data["topic"] == "Kế hoạch" and instance.version >= 1
        row.late_reason = "ghi lại"  # an ordinary ORM change flushes as an UPDATE of the loaded row
        uow.commit()
    with rig.sessions() as s:
        assert s.get(HumanTask, task_id).late_reason == "ghi lại"  # type: ignore[union-attr]


def test_objects_already_in_the_session_are_returned_unchanged_and_a_missing_step_is_none(rig: EngineRig) -> None:
    _, task_id = _started(rig)
    with rig.uow() as uow:
        session = uow.session
        earlier = session.get(HumanTask, task_id)
        assert earlier is not None
        earlier.late_reason = "chưa ghi"  # pending in this session: a fresh read must not overwrite it
        found = rows.step_with_instance(session, task_id)
        assert found is not None and found[0] is earlier and earlier.late_reason == "chưa ghi"
        assert rows.step_with_instance(session, task_id + 1000) is None
