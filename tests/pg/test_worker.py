"""Real worker processes on PostgreSQL: 3 share 2,000 due timers and 2,000 e-mails; a killed one loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from engine.models import AuditEvent, ProcessInstance, Timer
from tests.engine_support import EngineRig, actor
from tests.pg.conftest import pg_url
from tests.worker_support import SinkHandler, smtp_sink
from workflows.models import EmailOutbox, Notification

pytestmark = pytest.mark.pg

ROOT = Path(__file__).resolve().parents[2]
STAFF = actor("cv.pnv", "staff", unit="PNV")
FIRE_AT = "2024-01-03T08:00:00+07:00"


def due_timers(rig: EngineRig, n: int) -> None:
    """``n`` instances waiting on a timer due in 2024 (long past: due as soon as a worker looks)."""
    rig.deploy_fixture("timer_wait")
    for first in range(0, n, 500):
        with rig.uow() as uow:
            for _ in range(first, min(n, first + 500)):
                rig.engine.start(uow, "timer_wait", unit_code="PNV", actor=STAFF, data={"fire_at": FIRE_AT})
            uow.commit()
    rig.engine.cache.clear()


def pending_mail(rig: EngineRig, n: int) -> None:
    now = rig.clock.now()
    with rig.uow() as uow:
        uow.session.execute(
            insert(Notification),
            [
                {
                    "username": f"u{i}",
                    "kind": "due_soon",
                    "title": f"Sắp đến hạn: bước {i}",
                    "message": "Bước sắp đến hạn.",
                    "created_at": now,
                }
                for i in range(n)
            ],
        )
        ids = uow.session.scalars(select(Notification.id).order_by(Notification.id)).all()
        uow.session.execute(
            insert(EmailOutbox),
            [
                {
                    "notification_id": nid,
                    "recipient": f"u{i}@sadec.test",
                    "subject": f"Sắp đến hạn: bước {i}",
                    "body": "Bước sắp đến hạn.",
                    "message_id": f"<{uuid.uuid4().hex}@cchc-flow>",
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for i, nid in enumerate(ids)
            ],
        )
        uow.commit()


def spawn_workers(n: int, port: int) -> list[subprocess.Popen[str]]:
    env = {
        **os.environ,
        "CCHC_DATABASE_URL": pg_url(),
        "CCHC_SMTP_HOST": "127.0.0.1",
        "CCHC_SMTP_PORT": str(port),
        "CCHC_WORKER_POLL": "0.2",
    }
    return [
        subprocess.Popen(
            [sys.executable, "-m", "api.cli", "worker", "--quiet"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]


def progress(rig: EngineRig) -> tuple[int, int]:
    with rig.sessions() as s:
        fired = s.scalar(select(func.count()).select_from(Timer).where(Timer.status == "fired"))
        sent = s.scalar(select(func.count()).select_from(EmailOutbox).where(EmailOutbox.status == "sent"))
    return int(fired or 0), int(sent or 0)


def wait_until(condition: Callable[[], bool], seconds: float) -> None:
    """Poll external worker processes (real time: they run on the system clock)."""
    deadline = time.monotonic() + seconds
    pause = threading.Event()
    while not condition():
        assert time.monotonic() < deadline, "workers did not finish in time"
        pause.wait(0.2)


def stop_all(procs: list[subprocess.Popen[str]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        _, err = p.communicate(timeout=60)
        if p.returncode != -signal.SIGKILL:
            assert p.returncode == 0, err


@pytest.fixture
def sink() -> Iterator[tuple[SinkHandler, int]]:
    with smtp_sink() as pair:
        yield pair


def assert_timers_fired_once(rig: EngineRig, n: int) -> None:
    with rig.sessions() as s:
        fired = s.scalars(select(AuditEvent.task_guid).where(AuditEvent.kind == "timer_fired")).all()
        assert len(fired) == n and len(set(fired)) == n
        assert s.scalar(select(func.count()).select_from(Timer).where(Timer.status == "waiting")) == 0
        done = s.scalar(select(func.count()).select_from(ProcessInstance).where(ProcessInstance.status == "completed"))
        assert done == n


def test_three_workers_fire_2000_timers_and_send_2000_mails_exactly_once(
    pg_rig: EngineRig, sink: tuple[SinkHandler, int]
) -> None:
    handler, port = sink
    due_timers(pg_rig, 2000)
    pending_mail(pg_rig, 2000)
    procs = spawn_workers(3, port)
    try:
        wait_until(lambda: progress(pg_rig) == (2000, 2000), 90)
    finally:
        stop_all(procs)
    assert_timers_fired_once(pg_rig, 2000)
    ids = handler.message_ids()
    assert len(ids) == 2000 and set(ids.values()) == {1}  # each message exactly once at the sink
    with pg_rig.sessions() as s:
        expected = set(s.scalars(select(EmailOutbox.message_id)))
    assert set(ids) == expected


def test_a_worker_killed_mid_run_loses_nothing(pg_rig: EngineRig, sink: tuple[SinkHandler, int]) -> None:
    handler, port = sink
    due_timers(pg_rig, 1000)
    pending_mail(pg_rig, 1000)
    procs = spawn_workers(3, port)
    try:
        wait_until(lambda: sum(progress(pg_rig)) >= 300, 60)
        assert sum(progress(pg_rig)) < 2000, "too late to kill mid-run"
        procs[0].send_signal(signal.SIGKILL)  # no chance to finish its batch: its transaction dies with it
        procs[0].wait(timeout=30)
        wait_until(lambda: progress(pg_rig) == (1000, 1000), 90)
    finally:
        stop_all(procs)
    assert procs[0].returncode == -signal.SIGKILL
    assert_timers_fired_once(pg_rig, 1000)
    ids = handler.message_ids()
    with pg_rig.sessions() as s:
        expected = set(s.scalars(select(EmailOutbox.message_id)))
    assert set(ids) == expected  # nothing lost
    # SMTP has no transactions: a message accepted just before the kill, whose "sent" mark died with the
    # worker, goes out once more (same Message-ID, so a mail server can drop it). At most one per killed worker.
    assert sum(ids.values()) - len(ids) <= 1
