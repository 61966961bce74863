"""One timer with a zone-less value, fired by the worker; run as ``python -m tests.timezone_scenario DB_PATH``.

The timezone tests run it in a fresh process whose ``TZ`` (and ``CCHC_TIMEZONE``) they choose: SpiffWorkflow
fixes its idea of local time when it is imported, so only a new process shows what a server in that zone does.
Prints one JSON object: the process's UTC offset, the engine's zone, the timer row's due time, what each pass
did and how long the worker waited after each.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from engine.clock import LOCAL_TZ, ManualClock
from engine.db import Base
from engine.definitions import deploy, read_bundle
from engine.models import ProcessInstance, Timer
from engine.views import Actor
from tests.engine_support import FIXTURES
from workflows import models as _domain  # noqa: F401 - every table
from workflows import worker
from workflows.bootstrap import create_services

FIRE_AT = "2024-03-15T09:00:00"  # local time, no zone: as a form's date-time field gives it


class CountingStop:
    """Records ``worker.run``'s waits instead of sleeping; stops after ``waits`` of them."""

    def __init__(self, waits: int) -> None:
        self.waited: list[float] = []
        self._left = waits

    def is_set(self) -> bool:
        return self._left <= 0

    def wait(self, seconds: float) -> bool:
        self.waited.append(round(seconds, 3))
        self._left -= 1
        return self.is_set()


def scenario(db_path: str) -> dict[str, Any]:
    start = datetime(2024, 3, 15, 8, 0, tzinfo=LOCAL_TZ)
    clock = ManualClock(start)
    services = create_services(f"sqlite:///{db_path}", clock=clock)
    Base.metadata.create_all(services.sql)
    bpmn, files = read_bundle(FIXTURES / "timer_wait" / "timer_wait.bpmn")
    with services.uow() as uow:
        deploy(uow.session, bpmn, files, known_roles={"staff"}, actor="admin", now=clock.now())
        uow.commit()
    starter = Actor("cv.pnv", frozenset({"staff"}), "PNV")
    with services.uow() as uow:
        instance_id = services.engine.start(
            uow, "timer_wait", unit_code="PNV", actor=starter, data={"fire_at": FIRE_AT}
        ).id
        uow.commit()

    def row() -> tuple[str, str, int]:
        with services.sessions() as session:
            timer = session.scalars(select(Timer).where(Timer.instance_id == instance_id)).one()
            instance = session.get(ProcessInstance, instance_id)
            assert instance is not None
            return timer.due_at.astimezone(UTC).isoformat(), timer.status, instance.version

    due_at, _, version_at_start = row()
    passes = {}
    for label, local in (("08:59", (8, 59)), ("09:00", (9, 0)), ("09:01", (9, 1))):
        clock.set(datetime(2024, 3, 15, *local, tzinfo=LOCAL_TZ))
        services.engine.cache.clear()
        report = worker.tick(services, clock.now())
        passes[label] = {"fired": report.timers_fired, "status": row()[1], "version": row()[2]}
        if label == "08:59":
            # The worker left alone before the timer is due: it waits (until the timer is due), it does not loop.
            stop = CountingStop(waits=2)
            clock.set(datetime(2024, 3, 15, 8, 59, 59, tzinfo=LOCAL_TZ))
            ticks: list[worker.TickReport] = []
            worker.run(services, stop, poll=2.0, on_tick=ticks.append)  # type: ignore[arg-type]
            passes[label]["waits"] = stop.waited
            passes[label]["ticks"] = len(ticks)
    services.close()
    return {
        "utc_offset": time.localtime().tm_gmtoff,
        "zone": str(LOCAL_TZ),
        "due_at": due_at,
        "version_at_start": version_at_start,
        "passes": passes,
    }


if __name__ == "__main__":
    print(json.dumps(scenario(sys.argv[1])))
