"""A runaway script behind a timer on PostgreSQL: the worker's pass ends within the budget, commits the incident,
leaves no transaction open, and the next pass (another worker, nothing cached) does not run the script again.
Meanwhile other instances start (PostgreSQL has no single-writer lock)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

from engine.models import ProcessInstance, Timer
from engine.script_limits import ScriptLimits
from tests.engine_support import EngineRig, actor, make_rig
from tests.pg.conftest import pg_url, reset_schema

pytestmark = pytest.mark.pg

STAFF = actor("cv.pnv", "staff", unit="PNV")
LIMITS = ScriptLimits(cpu_seconds=1.0, memory_bytes=64 * 1024 * 1024, data_max_bytes=100_000)


class Runs:
    def __init__(self) -> None:
        self.count = 0
        self.began = threading.Event()

    def __call__(self) -> bool:
        self.count += 1
        self.began.set()
        return True


@pytest.fixture
def runs() -> Runs:
    return Runs()


@pytest.fixture
def rig(runs: Runs) -> Iterator[EngineRig]:
    url = pg_url()
    reset_schema(url)
    rig = make_rig(url, create=False, helpers={"started": runs}, limits=LIMITS)
    for name in ("runaway_timer", "timer_wait"):
        rig.deploy_fixture(name)
    yield rig
    rig.sql.dispose()


def start(rig: EngineRig, key: str, **data: Any) -> int:
    with rig.uow() as uow:
        view = rig.engine.start(uow, key, unit_code="PNV", data=data, actor=STAFF)
        uow.commit()
    return view.id


def fire(rig: EngineRig, hours: float) -> tuple[int, int]:
    """(instances moved on, instances put in error) by one batch of the timers due ``hours`` after the start."""
    with rig.uow() as uow:
        outcome = rig.engine.fire_timer_batch(uow, rig.clock.now() + timedelta(hours=hours))
        uow.commit()
    return outcome.fired, outcome.failed


def open_transactions(rig: EngineRig) -> int:
    with rig.sql.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
        )


def test_a_runaway_timer_ends_as_an_incident_and_no_worker_picks_it_again(rig: EngineRig, runs: Runs) -> None:
    soon = (rig.clock.now() + timedelta(hours=1)).isoformat()
    spinning = start(rig, "runaway_timer", fire_at=soon, kind="loop")
    neighbour = start(rig, "timer_wait", fire_at=soon)
    rig.engine.cache.clear()

    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["fired"] = fire(rig, 2)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box["error"] = exc

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    assert runs.began.wait(timeout=60)
    started_meanwhile = start(rig, "timer_wait", fire_at=soon)  # a write while the script still runs
    assert worker.is_alive()
    worker.join(timeout=120)
    assert not worker.is_alive() and "error" not in box and box["fired"] == (1, 1)
    assert open_transactions(rig) == 0

    with rig.sessions() as s:
        failed = s.get(ProcessInstance, spinning)
        assert failed is not None and failed.status == "error"
        assert failed.incident is not None and failed.incident["element_id"] == "Script_spin"
        assert failed.incident["error_type"] == "ScriptTimeExceeded"
        assert s.get(ProcessInstance, neighbour).status == "completed"  # type: ignore[union-attr]
        version = failed.version

    # Another worker after a restart: nothing cached; it fires the instance started meanwhile, not the runaway.
    other = make_rig(pg_url(), create=False, helpers={"started": runs}, limits=LIMITS)
    other.clock.set(rig.clock.now())
    try:
        assert fire(other, 2) == (1, 0)
        assert fire(other, 2) == (0, 0)
    finally:
        other.sql.dispose()
    assert runs.count == 1 and open_transactions(rig) == 0
    with rig.sessions() as s:
        assert s.get(ProcessInstance, spinning).version == version  # type: ignore[union-attr]
        assert s.get(ProcessInstance, started_meanwhile).status == "completed"  # type: ignore[union-attr]
        assert s.scalar(select(func.count()).select_from(Timer).where(Timer.status == "waiting")) == 0
