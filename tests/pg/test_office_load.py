"""An office at work on PostgreSQL: threads start activities and complete their steps at once, as the API does."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import func, select, update

from engine.clock import LOCAL_TZ, ManualClock
from engine.errors import Conflict
from engine.models import HumanTask, ProcessInstance
from engine.views import Actor
from tests.document_files import store_file
from tests.pg.conftest import pg_url, reset_schema
from workflows import deadlines, document_store, lists, processes, worker
from workflows.bootstrap import create_services
from workflows.demo import load_demo
from workflows.services import Services

pytestmark = pytest.mark.pg

STAFF = [Actor(f"cv.{u.lower()}", frozenset({"staff"}), u) for u in ("PNV", "PTP", "VP", "PVHTT", "P1", "P2")]
THREADS = 8
ROUNDS = 5
START_DATA = {
    "activity_code": "VII.3.9",
    "activity_title": "Kiểm tra tình hình thực hiện công tác CCHC",
    "deadline": "2024-06-28",
    "coordinating_units": [],
    "output_kind": "Báo cáo",
}
PERFORM = {
    "output_title": "Báo cáo kết quả kiểm tra",
    "result_summary": "Đã kiểm tra 5 đơn vị; đạt yêu cầu.",
    "ask_coordinating_units": False,
}


@pytest.fixture
def services() -> Iterator[Services]:
    url = pg_url()
    reset_schema(url)
    s = create_services(url, clock=ManualClock(datetime(2024, 1, 2, 8, 0, tzinfo=LOCAL_TZ)))
    load_demo(s)
    yield s
    s.close()


def _round(services: Services, who: Actor, n: int) -> None:
    """Start a generic activity for the unit, upload its file, complete its first step: three units of work, as
    three requests."""
    with services.uow() as uow:
        view = processes.start_instance(
            services, uow, who, process_key="generic_activity", unit_code=who.unit_code or "", data=START_DATA
        )
        uow.commit()
    with services.uow() as uow:  # the product's file, uploaded as the page does before completing
        report = store_file(uow, who, "bao-cao.docx", services.clock.now())
        uow.commit()
    with services.uow() as uow:
        data = {**PERFORM, "output_reference": str(n), "attachments": [report]}
        deadlines.complete_step(services, uow, who, view.open_tasks[0].id, data, None)
        uow.commit()
    with services.read() as uow:  # the inbox, as GET /tasks reads it
        lists.inbox(services, uow, who, lists.StepFilter(), lists.Page())


def test_concurrent_starts_and_completions_surface_no_database_error(services: Services) -> None:
    barrier = threading.Barrier(THREADS + 1)
    stop = threading.Event()
    errors: list[str] = []

    def clerk(i: int) -> None:
        barrier.wait()
        for n in range(ROUNDS):
            try:
                _round(services, STAFF[i % len(STAFF)], i * 100 + n)
            except BaseException as exc:  # noqa: BLE001 - every failure is collected and asserted below
                errors.append(f"{type(exc).__name__}: {getattr(exc, 'code', '')} {exc}")

    def deadline_worker() -> None:  # the worker's passes write too (classification, reminders)
        barrier.wait()
        while not stop.is_set():
            try:
                worker.tick(services, services.clock.now())
            except BaseException as exc:  # noqa: BLE001
                errors.append(f"worker {type(exc).__name__}: {exc}")
                return

    threads = [threading.Thread(target=clerk, args=(i,)) for i in range(THREADS)]
    background = threading.Thread(target=deadline_worker)
    background.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    stop.set()
    background.join(timeout=120)

    assert errors == []
    with services.read() as uow:
        started = select(func.count()).where(ProcessInstance.process_key == "generic_activity")
        assert uow.session.scalar(started) == THREADS * ROUNDS
        performed = select(func.count()).where(HumanTask.element_id == "Task_perform", HumanTask.status == "completed")
        assert uow.session.scalar(performed) == THREADS * ROUNDS


def test_the_same_step_completed_by_two_threads_is_one_success_and_one_conflict(services: Services) -> None:
    who = STAFF[0]
    with services.uow() as uow:
        view = processes.start_instance(
            services, uow, who, process_key="generic_activity", unit_code="PNV", data=START_DATA
        )
        report = store_file(uow, who, "bao-cao.docx", services.clock.now())
        uow.commit()
    task_id = view.open_tasks[0].id
    data = {**PERFORM, "attachments": [report]}
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def complete() -> None:
        barrier.wait()
        try:
            with services.uow() as uow:
                deadlines.complete_step(services, uow, who, task_id, data, None)
                uow.commit()
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=complete) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes)[0] == "ok" and len(outcomes) == 2
    assert sorted(outcomes)[1] in ("conflict", "task_not_ready")  # a lost race on one step stays a 409
    with services.read() as uow:  # the winner's file is recorded once
        assert document_store.references(uow, report) == [(view.id, task_id)]


def test_a_read_unit_of_work_refuses_to_write_on_postgresql(services: Services) -> None:
    with services.read() as uow, pytest.raises(Exception, match="read-only transaction"):
        uow.session.execute(update(HumanTask).values(escalation_level=0))
    with services.uow() as uow:  # the pooled connection writes again in a write unit of work
        uow.session.execute(update(HumanTask).values(escalation_level=0))
        uow.commit()
