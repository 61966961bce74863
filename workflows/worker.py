"""The deadline worker: fire due timers, re-classify steps, remind, escalate, deliver e-mail.

``tick(services, now)`` does one pass and reports what it did; tests call it directly with a manual
clock. ``run`` repeats it until asked to stop; a stop request lets the current batch finish and commit.
Several workers may run at once: every step of a pass claims its rows (``SKIP LOCKED`` on PostgreSQL,
a write lock or a conditional ``UPDATE`` on SQLite), so each timer fires once and each reminder is
written once. E-mail delivery is at-least-once by design: a worker that dies after the SMTP server
accepted a message but before its "sent" mark committed sends it again (with the same Message-ID).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import update

from engine.db import is_sqlite
from engine.errors import Conflict
from engine.models import Timer

from . import alerts, document_store, notifications
from .services import Services

log = logging.getLogger(__name__)
DEFAULT_POLL = 2.0  # seconds
TIMER_BATCH = 50
CLASSIFY_BATCH = 500
CLASSIFY_ROUNDS = 20


@dataclass
class TickReport:
    """What one pass did."""

    timers_fired: int = 0  # instances a due timer moved on (a row with nothing due after all is not counted)
    timer_incidents: int = 0  # instances put in error while their timers fired
    classified: int = 0
    reminders: int = 0
    escalations: int = 0
    notifications_sent: int = 0
    notifications_failed: int = 0
    documents_removed: int = 0  # uploads no step referenced within the grace period
    busy: int = 0  # batches given up because another writer held the database (retried next pass)

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def add(self, other: TickReport) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def summary(self) -> str:
        return (
            f"hẹn giờ: {self.timers_fired}, hẹn giờ lỗi: {self.timer_incidents}, "
            f"phân loại: {self.classified}, nhắc việc: {self.reminders}, "
            f"cảnh báo: {self.escalations}, thư đã gửi: {self.notifications_sent}, "
            f"thư lỗi: {self.notifications_failed}, "
            f"tài liệu đã xóa: {self.documents_removed}"
        )


def poll_interval() -> float:
    """``CCHC_WORKER_POLL`` seconds between passes (default 2)."""
    return float(os.environ.get("CCHC_WORKER_POLL", DEFAULT_POLL))


@dataclass
class TimerPass:
    """What firing the due timers of one pass did."""

    fired: int = 0  # instances moved on
    failed: int = 0  # instances put in error
    busy: int = 0  # batches given up because another writer held the database


def fire_timers(
    services: Services, now: datetime, *, batch: int = TIMER_BATCH, should_stop: Callable[[], bool] | None = None
) -> TimerPass:
    """Fire every timer due at ``now``, one committed batch at a time.

    A batch that was not full took every due row; a batch that finished no instance (all held by other
    writers) would only take the same rows again: both end the loop, the rest waits for the next pass.
    """
    done = TimerPass()
    while not (should_stop and should_stop()):
        try:
            with services.uow() as uow:
                if is_sqlite(uow.session):
                    # Take the write lock first: a second worker waits here instead of failing on a stale read.
                    uow.session.execute(update(Timer).where(Timer.id == -1).values(status="waiting"))
                outcome = services.engine.fire_timer_batch(uow, now, limit=batch)
                uow.commit()
        except Conflict:
            done.busy += 1
            break
        done.fired += outcome.fired
        done.failed += outcome.failed
        if outcome.claimed < batch or outcome.progressed == 0:
            break
    return done


def tick(services: Services, now: datetime, *, should_stop: Callable[[], bool] | None = None) -> TickReport:
    """One pass of the worker at ``now``."""
    report = TickReport()
    timers = fire_timers(services, now, should_stop=should_stop)
    report.timers_fired, report.timer_incidents, report.busy = timers.fired, timers.failed, timers.busy
    try:
        for _ in range(CLASSIFY_ROUNDS):
            changed, reminders = alerts.reclassify_open(services, now, limit=CLASSIFY_BATCH)
            report.classified += changed
            report.reminders += reminders
            if changed < CLASSIFY_BATCH or (should_stop and should_stop()):
                break
        report.escalations = alerts.escalate_overdue(services, now)
    except Conflict:
        report.busy += 1
    report.notifications_sent, report.notifications_failed = notifications.deliver_outbox(
        services, now, should_stop=should_stop
    )
    report.documents_removed, busy = remove_documents(services, now)
    report.busy += busy
    return report


def remove_documents(services: Services, now: datetime) -> tuple[int, int]:
    """Delete uploads no step referenced within ``CCHC_DOCUMENT_GRACE_HOURS``, a batch a pass: (removed, busy)."""
    try:
        with services.uow() as uow:
            removed = document_store.remove_unreferenced(uow, now, document_store.grace_period())
            uow.commit()
    except Conflict:
        return 0, 1
    return removed, 0


def run(
    services: Services,
    stop: threading.Event,
    *,
    poll: float | None = None,
    on_tick: Callable[[TickReport], None] | None = None,
) -> TickReport:
    """Repeat ``tick`` every ``poll`` seconds (sooner when a timer falls due) until ``stop`` is set."""
    interval = poll if poll is not None else poll_interval()
    total = TickReport()
    while not stop.is_set():
        started = services.clock.now()
        report = tick(services, started, should_stop=stop.is_set)
        total.add(report)
        if on_tick is not None and report:
            on_tick(report)
        if stop.is_set():
            break
        if not (report.timers_fired or report.notifications_sent or report.busy):
            stop.wait(_wait_time(services, interval, started))  # nothing left over: wait; otherwise go straight on
    return total


def _wait_time(services: Services, interval: float, started: datetime) -> float:
    """Sleep until the next poll, or until the earliest waiting timer is due if that is sooner.

    Only timers due from ``started`` on count: one due before it was the pass's to fire, and one the pass
    left (held by another writer) is tried again at the next poll, not in a tight loop.
    """
    with services.sessions() as session:
        due = services.engine.next_timer_due(session, after=started)
    if due is None:
        return interval
    seconds = (due - services.clock.now()).total_seconds()
    return max(0.05, min(interval, seconds + 0.01))


def run_forever(
    services: Services,
    stop: threading.Event,
    *,
    poll: float | None = None,
    on_tick: Callable[[TickReport], None] | None = None,
) -> TickReport:
    """``run``, restarted after an unexpected error (database restarting, SMTP misconfigured…) until stopped."""
    total = TickReport()
    while not stop.is_set():
        try:
            total.add(run(services, stop, poll=poll, on_tick=on_tick))
        except Exception:  # worker entry point: log, wait, go on (the failed pass rolled back)
            log.exception("worker pass failed; retrying")
            stop.wait(poll if poll is not None else poll_interval())
    return total


def start_in_thread(services: Services, *, poll: float | None = None) -> tuple[threading.Thread, threading.Event]:
    """Run the worker in a background thread of the web server; set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever,
        args=(services, stop),
        kwargs={"poll": poll, "on_tick": lambda r: log.info("worker: %s", r.summary())},
        name="cchc-worker",
        daemon=True,
    )
    thread.start()
    return thread, stop
