"""What a completion writes: compact task rows, few statements, the same answers as a full reload."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.orm.attributes import set_committed_value

from engine.errors import Conflict
from engine.models import HumanTask, InstanceTask, ProcessInstance
from engine.state_store import _REGISTRY, WorkflowState
from engine.views import TaskView
from tests.engine_support import EngineRig, actor

STAFF = actor("cv.pnv", "staff", unit="PNV")
HEAD = actor("tp.pnv", "head", unit="PNV")
LEGAL = actor("cv.ptp", "staff", unit="PTP")
LEADER = actor("ct.ubnd", "leader", unit="UBND")
CLERK = actor("vt.ubnd", "clerk", unit="UBND")
WHO = {"Task_draft": STAFF, "Task_review": HEAD, "Task_legal": LEGAL, "Task_sign": LEADER, "Task_number": CLERK}
DATA = {"Task_draft": {"title": "Dự thảo"}, "Task_review": {"approved": True}}


def _start(rig: EngineRig) -> tuple[int, int]:
    rig.deploy_fixture("approval5")
    with rig.uow() as uow:
        view = rig.engine.start(uow, "approval5", unit_code="PNV", data={"topic": "Kế hoạch CCHC"}, actor=STAFF)
        uow.commit()
    return view.id, view.open_tasks[0].id


def _complete(rig: EngineRig, task_id: int, element: str, data: dict | None = None):
    with rig.uow() as uow:
        result = rig.engine.complete(uow, task_id, WHO[element], DATA.get(element, {}) if data is None else data)
        uow.commit()
    return result


@contextmanager
def _statements(rig: EngineRig) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, params, context, executemany) -> None:
        seen.append(statement.split(None, 1)[0].upper())

    event.listen(rig.sql, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(rig.sql, "before_cursor_execute", count)


def _stored(rig: EngineRig, instance_id: int) -> tuple[str, dict[str, dict]]:
    with rig.sessions() as s:
        header = s.get(ProcessInstance, instance_id).state
        rows = s.execute(select(InstanceTask.guid, InstanceTask.payload).where(InstanceTask.instance_id == instance_id))
        return header, {g: json.loads(bytes(p)) for g, p in rows}


def test_rows_leave_out_what_the_row_key_and_the_tree_already_say(rig: EngineRig) -> None:
    instance_id, task_id = _start(rig)
    element = "Task_draft"
    while task_id is not None:
        result = _complete(rig, task_id, element)
        task_id = result.next_tasks[0].id if result.next_tasks else None
        element = result.next_tasks[0].element_id if result.next_tasks else ""
    header, rows = _stored(rig, instance_id)
    for payload in rows.values():
        assert not {"id", "parent", "typename"} & set(payload)
        assert payload.get("internal_data", {"x": 1}) != {} and payload.get("data", {"x": 1}) != {}
    total = len(header.encode()) + sum(len(json.dumps(p, separators=(",", ":")).encode()) for p in rows.values())
    assert total <= 5 * 1024  # the budget for this process


def test_rows_in_spiffworkflows_full_form_still_load(rig: EngineRig) -> None:
    instance_id, task_id = _start(rig)
    review = _complete(rig, task_id, "Task_draft").next_tasks[0]
    live = rig.engine.cache.take(instance_id, _version(rig, instance_id))
    assert live is not None
    # rewrite every row as the engine stored them before rows were compacted
    with rig.uow() as uow:
        for task in live.workflow.tasks.values():
            full = json.dumps(_REGISTRY.convert(task), separators=(",", ":")).encode()
            uow.session.execute(
                update(InstanceTask)
                .where(InstanceTask.instance_id == instance_id, InstanceTask.guid == str(task.id))
                .values(payload=full)
            )
        uow.commit()
    _, rows = _stored(rig, instance_id)
    assert all("typename" in p for p in rows.values())
    rig.engine.cache.clear()
    legal = _complete(rig, review.id, "Task_review").next_tasks[0]
    assert legal.element_id == "Task_legal"
    _, rows = _stored(rig, instance_id)
    assert any("typename" not in p for p in rows.values())  # rewritten rows are compact again


def _version(rig: EngineRig, instance_id: int) -> int:
    with rig.sessions() as s:
        return s.get(ProcessInstance, instance_id).version


def test_a_reload_from_the_rows_equals_the_cached_workflow_after_every_step(rig: EngineRig) -> None:
    instance_id, task_id = _start(rig)
    element = "Task_draft"
    for n in range(12):  # draft → review (returned) … then approve and finish
        data = {"approved": n < 8} if element == "Task_review" else None
        result = _complete(rig, task_id, element, data)
        version = _version(rig, instance_id)
        cached = rig.engine.cache.take(instance_id, version)
        assert cached is not None
        with rig.sessions() as s:
            inst = s.get(ProcessInstance, instance_id)
            definition = rig.engine._deployed(s, inst.definition_id)
            rows = s.execute(
                select(InstanceTask.guid, InstanceTask.payload).where(InstanceTask.instance_id == instance_id)
            ).all()
            reloaded = WorkflowState.restore(
                definition.bundle, inst.state, [(g, bytes(p)) for g, p in rows], rig.engine.script_engine
            )
        assert reloaded.full_dict() == cached.full_dict()
        rig.engine.cache.put(instance_id, version, cached)
        if not result.next_tasks:
            break
        task_id, element = result.next_tasks[0].id, result.next_tasks[0].element_id
    assert element == "Task_number" and not result.next_tasks


# Statements a warm completion of each approval5 step may issue (BEGIN and COMMIT not counted): the
# step with its instance and open steps, the step's UPDATE, the audit INSERT, the versioned instance
# UPDATE, new step / timer INSERTs, the changed task rows, the view. A regression here is a slowdown.
BUDGET = {"Task_draft": 7, "Task_review": 10, "Task_legal": 6, "Task_sign": 6, "Task_number": 6}


def test_a_warm_completion_stays_within_its_statement_budget(rig: EngineRig) -> None:
    _, task_id = _start(rig)
    element = "Task_draft"
    counts: dict[str, int] = {}
    while task_id is not None:
        with _statements(rig) as seen:
            result = _complete(rig, task_id, element)
        counts[element] = len([s for s in seen if s not in ("BEGIN", "COMMIT")])
        assert "SELECT" in seen and seen.count("SELECT") <= 2, seen  # the step with its instance; timers
        task_id = result.next_tasks[0].id if result.next_tasks else None
        element = result.next_tasks[0].element_id if result.next_tasks else ""
    assert all(counts[k] <= BUDGET[k] for k in BUDGET), counts


def test_new_step_rows_are_written_whole_and_stay_usable_in_the_transaction(rig: EngineRig) -> None:
    _, task_id = _start(rig)
    with rig.uow() as uow:
        result = rig.engine.complete(uow, task_id, STAFF, {"title": "Dự thảo"})
        [review] = result.next_tasks
        row = uow.session.get(HumanTask, review.id)  # the object the save inserted, not a reload
        assert row is not None and row.escalation_level == 0 and row.deadline_state is None
        assert row not in uow.session.dirty and row not in uow.session.new
        row.deadline_state = "on_track"  # what an observer does; flushed with the commit
        uow.commit()
    with rig.sessions() as s:
        stored = s.get(HumanTask, review.id)
        assert (stored.element_id, stored.role, stored.unit_code) == ("Task_review", "head", "PNV")
        assert stored.status == "ready"
        assert stored.escalation_level == 0 and stored.deadline_state == "on_track"
        assert stored.due_at == review.due_at is not None


def test_the_completion_view_equals_the_steps_as_the_orm_reads_them(rig: EngineRig) -> None:
    instance_id, task_id = _start(rig)
    element = "Task_draft"
    for n in range(5):  # finished steps with and without due dates, an open one with one
        data = {"approved": False} if element == "Task_review" else {"title": f"Dự thảo {n}"}
        result = _complete(rig, task_id, element, data)
        task_id, element = result.next_tasks[0].id, result.next_tasks[0].element_id
    assert result.instance.completed_tasks is None  # a completion leaves the history to the instance view
    with rig.sessions() as s:
        steps = list(s.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id).order_by(HumanTask.id)))
        expected = [TaskView.of(r) for r in steps if r.status == "completed"]
        assert rig.engine.get_instance(s, instance_id).completed_tasks == expected
        assert result.instance.open_tasks == [TaskView.of(r) for r in steps if r.status == "ready"]
    assert any(t.due_at is not None for t in expected) and all(t.completed_at.tzinfo is UTC for t in expected)


def test_a_second_completion_queues_behind_the_first_and_finds_the_step_done(rig: EngineRig) -> None:
    # SQLite writers take the write lock at BEGIN, so a racing writer waits instead of working on a stale snapshot
    # (the late-snapshot race itself is tested on PostgreSQL: tests/pg/test_late_writers.py).
    instance_id, task_id = _start(rig)
    outcome: list[str] = []

    def second() -> None:
        try:
            _complete(rig, task_id, "Task_draft", {"title": "Dự thảo chậm"})
            outcome.append("ok")
        except Conflict as exc:
            outcome.append(exc.code)

    with rig.uow() as first:
        first.session.get(HumanTask, task_id)  # the first writer holds the lock from here
        racer = threading.Thread(target=second)
        racer.start()
        rig.engine.complete(first, task_id, STAFF, {"title": "Dự thảo"})
        first.commit()
    racer.join(timeout=60)
    assert outcome == ["task_not_ready"]
    with rig.sessions() as s:
        steps = list(s.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)))
    assert sorted((t.element_id, t.status) for t in steps) == [("Task_draft", "completed"), ("Task_review", "ready")]


def test_a_stale_instance_version_is_a_conflict_and_writes_nothing(rig: EngineRig) -> None:
    instance_id, task_id = _start(rig)
    with rig.uow() as uow:  # another writer moved the instance on
        uow.session.execute(
            update(ProcessInstance).where(ProcessInstance.id == instance_id).values(version=ProcessInstance.version + 1)
        )
        uow.commit()
    with rig.uow() as uow:
        inst = uow.session.get(ProcessInstance, instance_id)
        set_committed_value(inst, "version", inst.version - 1)  # as if read before that write
        with pytest.raises(Conflict):
            rig.engine.complete(uow, task_id, STAFF, {"title": "Dự thảo"})
    with rig.sessions() as s:
        assert s.get(HumanTask, task_id).status == "ready"
