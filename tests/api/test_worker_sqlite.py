"""Two workers on one SQLite database: every timer fires once, every e-mail goes out once; the CLI stops cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from engine.clock import ManualClock
from engine.models import AuditEvent, HumanTask, Timer
from tests.api.conftest import Api
from tests.engine_support import at
from tests.worker_support import enable_mail, give_emails, smtp_sink
from workflows import worker
from workflows.bootstrap import create_services
from workflows.models import EmailOutbox, Notification
from workflows.services import Services

ROOT = Path(__file__).resolve().parents[2]


def test_two_worker_threads_share_timers_and_mail_without_duplicates(app: Flask, api: Api, clock: ManualClock) -> None:
    services: Services = app.extensions["cchc"]
    give_emails(services)
    with smtp_sink() as (sink, port):
        enable_mail(services, port)
        clock.set(at("2024-01-02", 8))
        for _ in range(40):
            draft = api.start()["open_tasks"][0]
            assert api.post(f"/api/v1/tasks/{draft['id']}/complete", "cv.pnv", json={"data": {"title": "Dự thảo"}})
        with services.sessions() as session:
            assert session.scalar(select(func.count()).select_from(Timer).where(Timer.status == "waiting")) == 40

        # No worker ran for weeks: the first pass fires what fell due meanwhile.
        later = ManualClock(at("2024-02-01", 9))
        workers = [create_services(services.database_url, clock=later) for _ in range(2)]
        for w in workers:
            enable_mail(w, port)
        errors: list[BaseException] = []
        totals: list[worker.TickReport] = []

        def run(w: Services) -> None:
            total = worker.TickReport()
            try:
                for _ in range(50):
                    report = worker.tick(w, later.now())
                    total.add(report)
                    if not report:
                        break
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            totals.append(total)

        threads = [threading.Thread(target=run, args=(w,)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        for w in workers:
            w.close()
        assert errors == []
        assert sum(t.timers_fired for t in totals) == 40
        with services.sessions() as session:
            fired = session.scalars(select(AuditEvent.task_guid).where(AuditEvent.kind == "timer_fired")).all()
            assert len(fired) == 40 and len(set(fired)) == 40
            assert session.scalar(select(func.count()).select_from(Timer).where(Timer.status == "waiting")) == 0
            overdue = session.scalar(
                select(func.count()).select_from(HumanTask).where(HumanTask.deadline_state == "overdue")
            )
            assert overdue == 40
            outbox = session.scalar(select(func.count()).select_from(EmailOutbox))
            sent = session.scalar(select(func.count()).select_from(EmailOutbox).where(EmailOutbox.status == "sent"))
            notices = session.scalar(select(func.count()).select_from(Notification))
        # new step and overdue reminder to the head who holds the review, then the coordinator — for each of 40
        assert notices == 40 * 3 and outbox == notices and sent == outbox
        assert sum(t.notifications_sent for t in totals) == outbox
        ids = sink.message_ids()
        assert len(ids) == outbox and set(ids.values()) == {1}


def test_the_worker_command_stops_cleanly_on_sigterm(app: Flask, tmp_path: Path) -> None:
    url = app.extensions["cchc"].database_url
    env = {**os.environ, "CCHC_DATABASE_URL": url, "CCHC_WORKER_POLL": "0.2"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert "Bộ xử lý hạn đang chạy (mỗi 0.2 giây)" in first
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Đã dừng." in out


def test_run_loop_finishes_the_pass_then_stops(app: Flask, api: Api, clock: ManualClock) -> None:
    services: Services = app.extensions["cchc"]
    draft = api.start()["open_tasks"][0]
    api.post(f"/api/v1/tasks/{draft['id']}/complete", "cv.pnv", json={"data": {"title": "Dự thảo"}})
    clock.set(at("2024-01-10", 9))  # the review's timer (09/01 17:00) is due
    stop = threading.Event()
    reports: list[worker.TickReport] = []

    def on_tick(report: worker.TickReport) -> None:
        reports.append(report)
        stop.set()  # as SIGTERM would: the pass already done is committed

    thread = threading.Thread(target=worker.run, args=(services, stop), kwargs={"poll": 0.05, "on_tick": on_tick})
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert [r.timers_fired for r in reports] == [1]
    with services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Timer).where(Timer.status == "fired")) == 1
