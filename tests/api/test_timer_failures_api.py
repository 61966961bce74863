"""Bad timer values through the HTTP API and the worker: a 422 at start, one incident in a batch, no spinning."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from engine.clock import ManualClock
from engine.definitions import read_bundle
from engine.models import ProcessInstance, Timer
from engine.views import SYSTEM_ACTOR
from tests.api.conftest import Api, assert_error
from tests.engine_support import FIXTURES, at
from tests.worker_support import tick_at
from workflows import worker
from workflows.definitions import deploy_definition
from workflows.services import Services


def deploy(services: Services, key: str) -> None:
    with services.uow() as uow:
        bpmn, files = read_bundle(FIXTURES / key / f"{key}.bpmn")
        deploy_definition(services, uow, bpmn, files, SYSTEM_ACTOR)
        uow.commit()


def instance_count(services: Services) -> int:
    with services.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(ProcessInstance)) or 0)


@pytest.mark.parametrize("value", ["15/03/2024", "P5D", 20240315])
def test_starting_with_a_bad_timer_value_is_a_422_naming_the_timer(app: Flask, api: Api, value: Any) -> None:
    services: Services = app.extensions["cchc"]
    deploy(services, "timer_wait")
    before = instance_count(services)
    response = api.post(
        "/api/v1/process-instances",
        "cv.pnv",
        json={"process_key": "timer_wait", "unit_code": "PNV", "data": {"fire_at": value}},
    )
    error = assert_error(response, 422, "timer_value_invalid")
    assert '"Đến giờ"' in error["message"] and repr(value) in error["message"]
    assert error["details"] == {"element_id": "Timer_wait", "element_name": "Đến giờ"}
    assert instance_count(services) == before  # nothing was written
    good = api.start(key="timer_wait", fire_at=at("2024-03-15", 9).isoformat())
    assert good["status"] == "waiting"


def test_a_poisoned_chain_is_one_incident_and_the_worker_then_leaves_it(
    app: Flask, api: Api, clock: ManualClock
) -> None:
    services: Services = app.extensions["cchc"]
    deploy(services, "timer_chain")
    first, second = at("2024-01-03", 8), at("2024-01-05", 8)
    chains = [
        api.start(key="timer_chain", first_at=first.isoformat(), second_at=value)["id"]
        for value in (second.isoformat(), "15/03/2024", second.isoformat(), second.isoformat())
    ]
    poisoned = chains[1]

    report = tick_at(services, clock, first + timedelta(minutes=1))
    assert (report.timers_fired, report.timer_incidents, report.busy) == (3, 1, 0)
    view = api.get(f"/api/v1/process-instances/{poisoned}", "cv.pnv").json
    assert view["status"] == "error"
    assert view["incident"]["element_id"] == "Timer_second" and '"Hẹn lần hai"' in view["incident"]["message"]

    report = tick_at(services, clock, first + timedelta(hours=1))  # nothing more to do with it
    assert (report.timers_fired, report.timer_incidents, report.busy) == (0, 0, 0)
    report = tick_at(services, clock, second + timedelta(minutes=1))
    assert (report.timers_fired, report.timer_incidents) == (3, 0)
    statuses = [api.get(f"/api/v1/process-instances/{i}", "cv.pnv").json["status"] for i in chains]
    assert statuses == ["completed", "error", "completed", "completed"]


class CountingStop:
    """A stop event for ``worker.run`` that records each wait instead of sleeping, and stops after ``waits``."""

    def __init__(self, waits: int) -> None:
        self.waited: list[float] = []
        self._left = waits

    def is_set(self) -> bool:
        return self._left <= 0

    def wait(self, seconds: float) -> bool:
        self.waited.append(seconds)
        self._left -= 1
        return self.is_set()


def test_a_row_due_before_its_workflow_is_set_right_and_the_worker_does_not_spin(
    app: Flask, api: Api, clock: ManualClock
) -> None:
    """What the seven-hour disagreement wrote (a row due before the workflow fires) must not make the worker loop."""
    services: Services = app.extensions["cchc"]
    deploy(services, "timer_wait")
    fire_at = at("2024-01-03", 15)
    instance_id = api.start(key="timer_wait", fire_at=fire_at.isoformat())["id"]
    with services.uow() as uow:
        [row] = uow.session.scalars(select(Timer).where(Timer.instance_id == instance_id))
        row.due_at = at("2024-01-03", 8).astimezone(UTC)
        uow.commit()
    with services.sessions() as session:
        version = session.get(ProcessInstance, instance_id).version  # type: ignore[union-attr]

    clock.set(at("2024-01-03", 9))
    ticks: list[worker.TickReport] = []
    stop = CountingStop(waits=3)
    worker.run(services, stop, poll=2.0, on_tick=ticks.append)  # type: ignore[arg-type]
    # Three passes, each followed by a full wait: not one pass counted a firing or went straight on.
    assert stop.waited == [2.0, 2.0, 2.0] and ticks == []
    with services.sessions() as session:
        assert session.get(ProcessInstance, instance_id).version == version  # type: ignore[union-attr]
        [row] = session.scalars(select(Timer).where(Timer.instance_id == instance_id))
    assert (row.status, row.due_at) == ("waiting", fire_at.astimezone(UTC))

    clock.set(fire_at - timedelta(seconds=1))
    stop = CountingStop(waits=1)
    worker.run(services, stop, poll=2.0)  # type: ignore[arg-type]
    assert stop.waited == [pytest.approx(1.01)]  # sleeps until the timer is due, not less
    report = tick_at(services, clock, fire_at + timedelta(seconds=1))
    assert report.timers_fired == 1
