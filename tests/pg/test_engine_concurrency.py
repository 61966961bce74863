"""Concurrency against the real PostgreSQL server: threads and processes."""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from datetime import datetime
from uuid import UUID

import pytest
from sqlalchemy import func, select

from engine.clock import LOCAL_TZ
from engine.errors import Conflict
from engine.models import AuditEvent, HumanTask, ProcessDefinition, ProcessInstance, Timer
from engine.projection import ready_human_tasks
from engine.state_store import WorkflowState
from tests.engine_support import EngineRig, actor, make_rig
from tests.pg.conftest import pg_url

pytestmark = pytest.mark.pg

STAFF = actor("cv.pnv", "staff", unit="PNV")
HEAD = actor("tp.pnv", "head", unit="PNV")
LEGAL = actor("cv.ptp", "staff", unit="PTP")
LEADER = actor("ct.ubnd", "leader", unit="UBND")
CLERK = actor("vt.ubnd", "clerk", unit="UBND")
WHO = {"Task_draft": STAFF, "Task_review": HEAD, "Task_legal": LEGAL, "Task_sign": LEADER, "Task_number": CLERK}
DATA = {"Task_draft": {"title": "Dự thảo"}, "Task_review": {"approved": True}}


def start_instances(rig: EngineRig, n: int) -> list[int]:
    ids = []
    with rig.uow() as uow:
        for _ in range(n):
            ids.append(rig.engine.start(uow, "approval5", unit_code="PNV", actor=STAFF).id)
        uow.commit()
    return ids


def test_sixteen_threads_race_for_one_task(pg_rig: EngineRig) -> None:
    pg_rig.deploy_fixture("approval5")
    [instance_id] = start_instances(pg_rig, 1)
    with pg_rig.sessions() as s:
        task_id = s.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance_id))
    barrier = threading.Barrier(16)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        barrier.wait()
        try:
            with pg_rig.uow() as uow:
                pg_rig.engine.complete(uow, task_id, STAFF, {"title": f"Dự thảo {n}"})
                uow.commit()
            outcome = "ok"
        except Conflict:
            outcome = "conflict"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Counter(outcomes) == {"ok": 1, "conflict": 15}
    with pg_rig.sessions() as s:
        events = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.kind == "task_completed", AuditEvent.instance_id == instance_id)
        )
        assert events == 1
        assert (
            s.scalar(
                select(func.count())
                .select_from(HumanTask)
                .where(HumanTask.instance_id == instance_id, HumanTask.status == "ready")
            )
            == 1
        )


def test_a_completion_closes_its_step_and_records_its_event_in_one_statement(pg_rig: EngineRig) -> None:
    pg_rig.deploy_fixture("approval5")
    [instance_id] = start_instances(pg_rig, 1)
    with pg_rig.sessions() as s:
        step = s.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)).one()
    with pg_rig.uow() as uow:
        pg_rig.engine.complete(uow, step.id, STAFF, {"title": "Dự thảo"})
        uow.commit()
    with pg_rig.uow() as uow, pytest.raises(Conflict):  # closed: a second completion is refused
        pg_rig.engine.complete(uow, step.id, STAFF, {"title": "Lần hai"})
    with pg_rig.sessions() as s:
        [event] = s.scalars(
            select(AuditEvent).where(AuditEvent.kind == "task_completed", AuditEvent.instance_id == instance_id)
        )
        closed = s.get(HumanTask, step.id)
    assert (closed.status, closed.completed_by, closed.completed_at) == ("completed", "cv.pnv", pg_rig.clock.now())
    assert (event.actor, event.task_guid, event.element_id, event.at) == (
        "cv.pnv",
        step.task_guid,
        "Task_draft",
        pg_rig.clock.now(),
    )
    assert event.payload == {"task_id": step.id, "name": step.name, "data": {"title": "Dự thảo"}}


def test_two_hundred_instances_advanced_by_eight_threads(pg_rig: EngineRig) -> None:
    pg_rig.deploy_fixture("approval5")
    ids = start_instances(pg_rig, 200)
    errors: list[BaseException] = []

    def worker(seed: int) -> None:
        # every thread walks all instances (offset by seed) so they really collide
        order = ids[seed * 25 :] + ids[: seed * 25]
        for _ in range(3):
            for instance_id in order:
                try:
                    with pg_rig.uow() as uow:
                        row = uow.session.scalar(
                            select(HumanTask)
                            .where(HumanTask.instance_id == instance_id, HumanTask.status == "ready")
                            .limit(1)
                        )
                        if row is None:
                            continue
                        pg_rig.engine.complete(uow, row.id, WHO[row.element_id], DATA.get(row.element_id, {}))
                        uow.commit()
                except Conflict:
                    continue
                except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                    errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    pg_rig.engine.cache.clear()
    with pg_rig.sessions() as s:
        definition = s.scalar(select(ProcessDefinition))
        bundle = pg_rig.engine.specs.get(definition)
        for instance_id in ids:
            inst = s.get(ProcessInstance, instance_id)
            rows = s.execute(select(HumanTask).where(HumanTask.instance_id == instance_id)).scalars().all()
            from engine.models import InstanceTask

            task_rows = s.execute(
                select(InstanceTask.guid, InstanceTask.payload).where(InstanceTask.instance_id == instance_id)
            ).all()
            state = WorkflowState.restore(
                bundle, inst.state, [(g, bytes(p)) for g, p in task_rows], pg_rig.engine.script_engine
            )
            ready = {str(t.id) for t in ready_human_tasks(state.workflow)}
            assert ready == {r.task_guid for r in rows if r.status == "ready"}, instance_id
            completed = [r for r in rows if r.status == "completed"]
            audit = s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.instance_id == instance_id, AuditEvent.kind == "task_completed")
            )
            assert audit == len(completed), instance_id
            assert len({r.task_guid for r in completed}) == len(completed)
            assert (inst.status == "completed") == state.workflow.is_completed()
            for r in completed:
                assert state.workflow.get_task_from_id(UUID(r.task_guid)).has_state(64)  # COMPLETED


def _fire_worker(url: str, when: str, result: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    rig = make_rig(url, create=False)
    fired = 0
    now = datetime.fromisoformat(when)
    while True:
        with rig.uow() as uow:
            n = rig.engine.fire_due_timers(uow, now, limit=25)
            uow.commit()
        if n == 0:
            with rig.sessions() as s:
                left = s.scalar(
                    select(func.count()).select_from(Timer).where(Timer.status == "waiting", Timer.due_at <= now)
                )
            if not left:
                break
        fired += n
    rig.sql.dispose()
    result.put(fired)


def test_two_processes_fire_five_hundred_timers_exactly_once(pg_rig: EngineRig) -> None:
    pg_rig.deploy_fixture("approval5")
    ids = start_instances(pg_rig, 500)
    with pg_rig.uow() as uow:
        for task_id in uow.session.scalars(select(HumanTask.id).where(HumanTask.status == "ready")):
            pg_rig.engine.complete(uow, task_id, STAFF, {"title": "Dự thảo"})
        uow.commit()
    with pg_rig.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Timer).where(Timer.status == "waiting")) == 500
    when = datetime(2024, 2, 1, 8, 0, tzinfo=LOCAL_TZ).isoformat()
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_fire_worker, args=(pg_url(), when, queue)) for _ in range(2)]
    for p in procs:
        p.start()
    totals = [queue.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert sum(totals) == 500
    with pg_rig.sessions() as s:
        fired = s.execute(select(AuditEvent.task_guid).where(AuditEvent.kind == "timer_fired")).scalars().all()
        assert len(fired) == 500 and len(set(fired)) == 500
        assert s.scalar(select(func.count()).select_from(Timer).where(Timer.status == "fired")) == 500
        assert {i for i in s.scalars(select(Timer.instance_id))} == set(ids)
