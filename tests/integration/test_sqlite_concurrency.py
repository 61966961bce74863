"""SQLite under concurrent use: writers queue for the lock instead of failing; readers never block them."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from engine.clock import LOCAL_TZ
from engine.errors import Conflict
from engine.models import AuditEvent, HumanTask, ProcessInstance
from tests.engine_support import actor
from tests.services_support import approval5_services
from workflows import models as _domain  # noqa: F401 - every table, as in production
from workflows.services import Services

STAFF = actor("cv.pnv", "staff", unit="PNV")
START = datetime(2024, 1, 2, 8, 0, tzinfo=LOCAL_TZ)
WRITERS = 8
ROUNDS = 6


def _services(path: Path, **engine_options: float) -> Services:
    return approval5_services(path, START, **engine_options)


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    s = _services(tmp_path / "office.db")
    yield s
    s.close()


def _start_and_complete_first_step(services: Services, n: int) -> None:
    """What an office clerk does: start an instance, then complete its first step (two units of work)."""
    with services.uow() as uow:
        started = services.engine.start(uow, "approval5", unit_code="PNV", actor=STAFF)
        uow.commit()
    with services.uow() as uow:
        services.engine.complete(uow, started.open_tasks[0].id, STAFF, {"title": f"Dự thảo {n}"})
        uow.commit()


def test_concurrent_writers_queue_for_the_lock_while_a_reader_holds_a_snapshot(services: Services) -> None:
    """The failure seen under load: deferred BEGIN + WAL made every lost read-then-write race a 409 at once."""
    barrier = threading.Barrier(WRITERS + 1)
    writers_done = threading.Event()
    errors: list[BaseException] = []
    seen_by_reader: list[int] = []

    def write(worker: int) -> None:
        barrier.wait()
        for n in range(ROUNDS):
            try:
                _start_and_complete_first_step(services, worker * 100 + n)
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

    def read() -> None:
        # A plain session: the same deferred BEGIN as a read unit of work, and present in the code before the fix.
        with services.sessions() as session:
            seen_by_reader.append(session.scalar(select(func.count()).select_from(ProcessInstance)) or 0)
            barrier.wait()
            writers_done.wait(timeout=120)
            seen_by_reader.append(session.scalar(select(func.count()).select_from(ProcessInstance)) or 0)

    reader = threading.Thread(target=read)
    reader.start()
    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    writers_done.set()
    reader.join(timeout=120)

    assert [f"{type(e).__name__}: {getattr(e, 'code', e)}" for e in errors] == []
    assert seen_by_reader == [0, 0]  # the reader kept its snapshot and did not stop the writers
    with services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProcessInstance)) == WRITERS * ROUNDS
        done = select(func.count()).select_from(HumanTask).where(HumanTask.status == "completed")
        assert session.scalar(done) == WRITERS * ROUNDS


def test_a_read_unit_of_work_does_not_hold_back_a_writer(services: Services) -> None:
    with services.read() as reading:
        before = reading.session.scalar(select(func.count()).select_from(ProcessInstance))
        _start_and_complete_first_step(services, 1)  # same thread: it would wait for ever behind a held lock
        assert reading.session.scalar(select(func.count()).select_from(ProcessInstance)) == before == 0
    with services.read() as reading:
        assert reading.session.scalar(select(func.count()).select_from(ProcessInstance)) == 1


def test_a_read_unit_of_work_refuses_to_write(services: Services) -> None:
    with services.read() as reading, pytest.raises(Exception, match=r"(?i)read.?only"):
        reading.session.execute(update(HumanTask).values(escalation_level=1))
    with services.read() as reading, pytest.raises(Exception, match=r"(?i)read.?only"):
        reading.session.add(AuditEvent(kind="x", actor="admin", at=START))
        reading.flush()
    _start_and_complete_first_step(services, 2)  # the pooled connections write again in a write unit of work


def test_a_writer_gives_up_as_database_busy_only_after_waiting_the_busy_timeout(tmp_path: Path) -> None:
    services = _services(tmp_path / "busy.db", busy_timeout=0.3)
    try:
        with services.uow() as holder:
            holder.session.execute(update(HumanTask).values(escalation_level=0))  # holds the write lock
            waited = threading.Event()

            def second_writer() -> None:
                began = time.monotonic()
                with pytest.raises(Conflict) as info, services.uow() as uow:
                    uow.session.scalar(select(func.count()).select_from(ProcessInstance))
                assert info.value.code == "database_busy"
                assert time.monotonic() - began >= 0.25  # it waited for the lock, not refused at once
                waited.set()

            t = threading.Thread(target=second_writer)
            t.start()
            t.join(timeout=30)
            assert waited.is_set()
            holder.commit()
    finally:
        services.close()


def test_a_writer_that_failed_or_lost_its_connection_hands_the_lock_on(tmp_path: Path) -> None:
    services = _services(tmp_path / "handover.db", busy_timeout=0.3)
    try:
        with pytest.raises(ZeroDivisionError), services.uow() as uow:  # an error in the middle of a unit of work
            uow.session.execute(update(HumanTask).values(escalation_level=0))
            _ = 1 / 0
        with services.uow() as uow:
            uow.session.execute(update(HumanTask).values(escalation_level=0))
            uow.session.connection().invalidate()  # the connection dies while holding the lock
        with services.uow() as uow:
            uow.session.execute(update(HumanTask).values(escalation_level=0))
            uow.commit()
        _start_and_complete_first_step(services, 3)  # nobody waited for a lock left behind
    finally:
        services.close()


def test_transactions_begin_by_mode_without_connection_events(services: Services) -> None:
    # BEGIN is the dialect's (engine.db._sqlite_begin): an engine event would put every statement of every
    # connection through SQLAlchemy's event dispatch.
    assert not services.sql._has_events
    with services.uow() as writing:  # BEGIN IMMEDIATE: the write lock is held before the first write
        writing.session.scalar(select(func.count()).select_from(ProcessInstance))
        raw = services.sql.raw_connection()
        try:
            with pytest.raises(Exception, match=r"(?i)locked"):
                raw.driver_connection.execute("PRAGMA busy_timeout=0")
                raw.driver_connection.execute("BEGIN IMMEDIATE")
        finally:
            raw.driver_connection.execute("PRAGMA busy_timeout=15000")
            raw.close()
    with services.sql.connect() as plain:  # a plain connection: a deferred BEGIN, and it may write
        plain.execute(update(HumanTask).values(escalation_level=0))
        plain.commit()


def test_the_next_unit_of_work_gets_the_connection_used_last(services: Services) -> None:
    # An SQLite connection drops its whole page cache once another connection has written: handing the pooled
    # connections out in turn would make every action read its pages again (engine.db.make_engine).
    first, second = services.sql.connect(), services.sql.connect()
    used_last = second.connection.dbapi_connection
    assert used_last is not first.connection.dbapi_connection
    first.close()
    second.close()
    for _ in range(3):
        with services.uow() as uow:
            uow.session.scalar(select(func.count()).select_from(ProcessInstance))
            assert uow.session.connection().connection.dbapi_connection is used_last
            uow.commit()
