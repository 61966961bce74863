"""The engine end to end on SQLite: deploy, start, complete, claim, timers, incidents, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from engine.clock import LOCAL_TZ
from engine.definitions import read_bundle
from engine.errors import Conflict, DefinitionInvalid, Forbidden, InvalidInput, NotFound
from engine.models import AuditEvent, HumanTask, InstanceTask, ProcessDefinition, ProcessInstance, Timer
from tests.engine_support import FIXTURES, EngineRig, actor

STAFF = actor("cv.pnv", "staff", unit="PNV")
HEAD = actor("tp.pnv", "head", unit="PNV")
LEGAL = actor("cv.ptp", "staff", unit="PTP")
LEADER = actor("ct.ubnd", "leader", unit="UBND")
CLERK = actor("vt.ubnd", "clerk", unit="UBND")


def start(rig: EngineRig, unit: str = "PNV"):
    with rig.uow() as uow:
        view = rig.engine.start(uow, "approval5", unit_code=unit, data={"topic": "Kế hoạch CCHC"}, actor=STAFF)
        uow.commit()
    return view


def complete(rig: EngineRig, task_id: int, who, data=None):
    with rig.uow() as uow:
        result = rig.engine.complete(uow, task_id, who, data or {})
        uow.commit()
    return result


def audit_kinds(rig: EngineRig, instance_id: int) -> list[str]:
    with rig.sessions() as s:
        return list(
            s.scalars(select(AuditEvent.kind).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id))
        )


def test_deploy_is_versioned_and_idempotent(rig: EngineRig) -> None:
    first = rig.deploy_fixture("approval5")
    again = rig.deploy_fixture("approval5")
    assert first.created and not again.created
    assert (first.definition.version, again.definition.id) == (1, first.definition.id)
    bpmn = (FIXTURES / "approval5" / "approval5.bpmn").read_bytes()
    bpmn = bpmn.replace("Cấp số văn bản".encode(), "Cấp số và ngày".encode())
    _, forms = read_bundle(FIXTURES / "approval5" / "approval5.bpmn")
    second = rig.deploy_bytes(bpmn, forms)
    assert second.created and second.definition.version == 2
    assert first.definition.lanes["Phòng Tư pháp"] == {"role": "staff", "unit": "code:PTP"}
    with rig.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ProcessDefinition)) == 2


def test_invalid_diagram_stores_nothing_and_lists_problems(rig: EngineRig) -> None:
    bpmn = (FIXTURES / "approval5" / "approval5.bpmn").read_bytes()
    with pytest.raises(DefinitionInvalid) as info:
        rig.deploy_bytes(bpmn, {})  # the form file is missing
    problems = info.value.details
    assert any(p["code"] == "form_missing" and p["element_id"] == "Task_draft" and p["line"] for p in problems)
    assert all(p["message"] for p in problems)
    with rig.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ProcessDefinition)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_happy_path_with_return_loop(rig: EngineRig) -> None:
    rig.deploy_fixture("approval5")
    view = start(rig)
    assert view.status == "running"
    [draft] = view.open_tasks
    assert (draft.element_id, draft.role, draft.unit_code, draft.form_schema) == (
        "Task_draft",
        "staff",
        "PNV",
        "draft.schema.json",
    )
    # 02/01/2024 + 3 working days = 05/01/2024, due at 17:00 Vietnam time
    assert draft.due_at == datetime(2024, 1, 5, 17, 0, tzinfo=LOCAL_TZ).astimezone(UTC)
    assert draft.instructions == "Soạn dự thảo và đính kèm tệp."

    result = complete(rig, draft.id, STAFF, {"title": "Dự thảo lần 1"})
    [review] = result.next_tasks
    assert (review.element_id, review.role, review.unit_code) == ("Task_review", "head", "PNV")

    result = complete(rig, review.id, HEAD, {"approved": False, "reason": "Bổ sung phụ lục"})
    [draft2] = result.next_tasks
    assert draft2.element_id == "Task_draft" and draft2.id != draft.id

    review2 = complete(rig, draft2.id, STAFF, {"title": "Dự thảo lần 2"}).next_tasks[0]
    legal = complete(rig, review2.id, HEAD, {"approved": True}).next_tasks[0]
    assert (legal.role, legal.unit_code) == ("staff", "PTP")
    sign = complete(rig, legal.id, LEGAL).next_tasks[0]
    assert (sign.role, sign.unit_code) == ("leader", "UBND")
    number = complete(rig, sign.id, LEADER).next_tasks[0]
    final = complete(rig, number.id, CLERK, {"number": "12/KH-UBND"})
    assert final.instance.status == "completed" and final.next_tasks == []
    assert final.instance.data["rounds"] == 2
    kinds = audit_kinds(rig, view.id)
    assert kinds[0] == "instance_started" and kinds[-1] == "instance_completed"
    assert kinds.count("task_completed") == 7
    with rig.sessions() as s:
        timers = list(s.scalars(select(Timer).where(Timer.instance_id == view.id)))
        assert {t.status for t in timers} == {"cancelled"}


def test_form_validation_refuses_bad_data_and_changes_nothing(rig: EngineRig) -> None:
    rig.deploy_fixture("approval5")
    view = start(rig)
    task_id = view.open_tasks[0].id
    with pytest.raises(InvalidInput) as info:
        complete(rig, task_id, STAFF, {"title": "x", "pages": 0})
    assert info.value.code == "form_invalid"
    assert set(info.value.details) == {"title", "pages"}
    assert "ít nhất 3 ký tự" in info.value.details["title"][0]
    with rig.sessions() as s:
        assert s.get(HumanTask, task_id).status == "ready"
        assert s.get(ProcessInstance, view.id).version == view.version


def test_who_may_act(rig: EngineRig) -> None:
    rig.deploy_fixture("approval5")
    view = start(rig)
    task_id = view.open_tasks[0].id
    for wrong in (HEAD, actor("cv.ptp", "staff", unit="PTP"), actor("admin", "admin", unit="UBND")):
        with pytest.raises(Forbidden):
            complete(rig, task_id, wrong, {"title": "Dự thảo"})
    other = actor("cv2.pnv", "staff", unit="PNV")
    with rig.uow() as uow:
        rig.engine.claim(uow, task_id, other)
        uow.commit()
    with pytest.raises(Conflict) as info:
        complete(rig, task_id, STAFF, {"title": "Dự thảo"})
    assert info.value.code == "task_claimed_by_other"
    with rig.uow() as uow:
        with pytest.raises(Conflict):
            rig.engine.claim(uow, task_id, STAFF)
        rig.engine.unclaim(uow, task_id, other)
        rig.engine.assign(uow, task_id, STAFF, HEAD)
        with pytest.raises(InvalidInput):
            rig.engine.assign(uow, task_id, LEADER, HEAD)
        uow.commit()
    complete(rig, task_id, STAFF, {"title": "Dự thảo"})
    with pytest.raises(Conflict):
        complete(rig, task_id, STAFF, {"title": "Dự thảo"})
    with pytest.raises(NotFound):
        complete(rig, 999_999, STAFF, {})
    assert audit_kinds(rig, view.id).count("task_completed") == 1
    assert {"task_claimed", "task_unclaimed", "task_assigned"} <= set(audit_kinds(rig, view.id))


def test_timers_fire_once_when_the_clock_passes_them(rig: EngineRig) -> None:
    rig.deploy_fixture("approval5")
    view = start(rig)
    review = complete(rig, view.open_tasks[0].id, STAFF, {"title": "Dự thảo"}).next_tasks[0]
    with rig.sessions() as s:
        [timer] = s.scalars(select(Timer).where(Timer.instance_id == view.id, Timer.status == "waiting"))
    # review due = 05/01 + 2 working days = 09/01/2024 17:00 (+07)
    assert timer.due_at == datetime(2024, 1, 9, 17, 0, tzinfo=LOCAL_TZ).astimezone(UTC)
    with rig.uow() as uow:
        assert rig.engine.fire_due_timers(uow, rig.clock.now()) == 0
        uow.commit()
    rig.clock.set(datetime(2024, 1, 9, 17, 1, tzinfo=LOCAL_TZ))
    with rig.uow() as uow:
        assert rig.engine.fire_due_timers(uow, rig.clock.now()) == 1
        uow.commit()
    with rig.uow() as uow:
        assert rig.engine.fire_due_timers(uow, rig.clock.now() + timedelta(days=30)) == 0
        uow.commit()
    assert audit_kinds(rig, view.id).count("timer_fired") == 1
    with rig.sessions() as s:
        assert s.get(Timer, timer.id).status == "fired"
        assert s.get(HumanTask, review.id).status == "ready"  # non-interrupting reminder


@pytest.mark.parametrize("cached", [False, True])
def test_a_batch_of_due_timers_reads_each_table_once_not_once_per_instance(rig: EngineRig, cached: bool) -> None:
    rig.deploy_fixture("timer_wait")
    fire_at = datetime(2024, 1, 3, 8, 0, tzinfo=LOCAL_TZ).isoformat()
    ids = []
    with rig.uow() as uow:
        for _ in range(6):
            ids.append(rig.engine.start(uow, "timer_wait", unit_code="PNV", actor=STAFF, data={"fire_at": fire_at}).id)
        uow.commit()
    if not cached:
        rig.engine.cache.clear()  # every instance restored from its task rows
    selects: list[str] = []

    def count(conn: object, cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(rig.sql, "before_cursor_execute", count)
    try:
        with rig.uow() as uow:
            assert rig.engine.fire_due_timers(uow, datetime(2024, 1, 4, 8, 0, tzinfo=LOCAL_TZ)) == 6
            uow.commit()
    finally:
        event.remove(rig.sql, "before_cursor_execute", count)
    # due timers, instances, task rows (only when restoring), open steps, waiting timers: for all six at once
    assert len(selects) == (4 if cached else 5), selects
    with rig.sessions() as s:
        assert {s.get(ProcessInstance, i).status for i in ids} == {"completed"}
        assert list(s.scalars(select(Timer.status).where(Timer.instance_id.in_(ids)))) == ["fired"] * 6
    for instance_id in ids:
        assert audit_kinds(rig, instance_id).count("timer_fired") == 1


def test_cancel_withdraws_steps_and_timers(rig: EngineRig) -> None:
    rig.deploy_fixture("approval5")
    view = start(rig)
    complete(rig, view.open_tasks[0].id, STAFF, {"title": "Dự thảo"})
    with rig.uow() as uow:
        cancelled = rig.engine.cancel(uow, view.id, actor("admin", "admin"), "Không còn cần thiết")
        uow.commit()
    assert cancelled.status == "cancelled" and cancelled.open_tasks == []
    with rig.sessions() as s:
        assert {t.status for t in s.scalars(select(Timer).where(Timer.instance_id == view.id))} == {"cancelled"}
    with rig.uow() as uow, pytest.raises(Conflict):
        rig.engine.cancel(uow, view.id, actor("admin", "admin"))


def test_state_is_stored_without_spec_and_only_changed_tasks_are_rewritten(rig: EngineRig) -> None:
    rig.deploy_fixture("approval5")
    view = start(rig)
    with rig.sessions() as s:
        inst = s.get(ProcessInstance, view.id)
        assert '"spec"' not in inst.state and inst.serializer_version == "1.5"
        rows_before = {r.guid: r.payload for r in s.scalars(select(InstanceTask))}
    complete(rig, view.open_tasks[0].id, STAFF, {"title": "Dự thảo"})
    with rig.sessions() as s:
        rows_after = {r.guid: r.payload for r in s.scalars(select(InstanceTask))}
    unchanged = [g for g in rows_before if rows_after.get(g) == rows_before[g]]
    assert unchanged, "finished tasks must not be rewritten"


def test_failing_script_is_an_incident_and_an_administrator_retries(rig: EngineRig) -> None:
    rig.deploy_fixture("failing")
    with rig.uow() as uow:
        view = rig.engine.start(uow, "failing", unit_code="PNV", data={"divisor": 0}, actor=STAFF)
        uow.commit()
    assert view.status == "error" and view.open_tasks == []
    incident = view.incident
    assert incident["element_id"] == "Script_divide" and incident["line"] == 2
    assert "Chia chỉ tiêu" in incident["message"]
    assert "instance_failed" in audit_kinds(rig, view.id)
    with rig.uow() as uow:
        retried = rig.engine.retry(uow, view.id, actor("admin", "admin"), {"divisor": 4})
        uow.commit()
    assert retried.status == "running" and retried.incident is None
    assert [t.element_id for t in retried.open_tasks] == ["Task_check"]
    assert retried.data["share"] == 25
    assert audit_kinds(rig, view.id)[-1] == "instance_retried"
