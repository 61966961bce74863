"""Runaway diagram code through the HTTP API and the worker: the server keeps answering, incidents stay put.

The app reads its budgets from the environment (``CCHC_SCRIPT_CPU_SECONDS``, ``CCHC_SCRIPT_MEMORY_MB``,
``CCHC_INSTANCE_DATA_MAX_BYTES``). A runaway runs in a thread while the main thread shows that the health
check, a read and a write are answered; SQLite has one writer, so that write answers once the runaway's
transaction (with its incident) has committed. ``tests/pg/test_script_budgets_pg.py`` does the same on
PostgreSQL, where the write goes through while the runaway still runs.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from api import create_app
from engine.clock import ManualClock
from engine.definitions import read_bundle
from engine.models import AuditEvent, ProcessInstance, Timer
from engine.views import SYSTEM_ACTOR
from tests.api.conftest import Api, assert_error
from tests.engine_support import FIXTURES
from tests.worker_support import tick_at
from tests.xdist_groups import TIME_BUDGETS
from workflows import worker
from workflows.bootstrap import create_services
from workflows.definitions import deploy_definition
from workflows.services import Services

pytestmark = TIME_BUDGETS

CPU_SECONDS = 0.5
TIME = "Tập lệnh chạy quá thời gian cho phép (0,5 giây CPU)"


class Runs:
    """The ``started()`` helper the fixtures' scripts call: counts runs, tells a waiting test one began, and holds
    the script there while ``go`` is clear (so a test acts while a script is surely running, not by timing)."""

    def __init__(self) -> None:
        self.count = 0
        self.began = threading.Event()
        self.go = threading.Event()
        self.go.set()

    def __call__(self) -> bool:
        self.count += 1
        self.began.set()
        self.go.wait(timeout=60)
        return True


def give_helper(services: Services, runs: Runs) -> None:
    services.engine.script_engine.environment.globals["started"] = runs  # type: ignore[attr-defined]


@pytest.fixture
def runs() -> Runs:
    return Runs()


@pytest.fixture
def budget_app(
    template_db: Path, tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch, runs: Runs
) -> Iterator[Flask]:
    monkeypatch.setenv("CCHC_SCRIPT_CPU_SECONDS", str(CPU_SECONDS))
    monkeypatch.setenv("CCHC_SCRIPT_MEMORY_MB", "64")
    monkeypatch.setenv("CCHC_INSTANCE_DATA_MAX_BYTES", "100000")
    path = tmp_path / "test.db"
    shutil.copy(template_db, path)
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "test", "CLOCK": clock, "TESTING": True})
    services: Services = app.extensions["cchc"]
    give_helper(services, runs)
    with services.uow() as uow:
        for name in ("runaway", "runaway_timer", "timer_wait"):
            bpmn, files = read_bundle(FIXTURES / name / f"{name}.bpmn")
            deploy_definition(services, uow, bpmn, files, SYSTEM_ACTOR)
        uow.commit()
    yield app
    services.close()


@pytest.fixture
def api(budget_app: Flask) -> Api:
    return Api(budget_app)


def start(api: Api, key: str, **data: Any) -> Any:
    return api.post("/api/v1/process-instances", "cv.pnv", json={"process_key": key, "unit_code": "PNV", "data": data})


def in_thread(work: Any) -> tuple[threading.Thread, dict[str, Any]]:
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, box


def test_a_runaway_start_answers_with_an_incident_and_the_server_answers_meanwhile(
    budget_app: Flask, api: Api, runs: Runs
) -> None:
    before = api.start(title="Dự thảo")  # approval5, to read while the runaway runs
    other = Api(budget_app)
    other._tokens = dict(api._tokens)

    runs.go.clear()  # the script waits in started() until the reads below are answered
    runaway, box = in_thread(lambda: start(other, "runaway", kind="loop"))
    assert runs.began.wait(timeout=60)
    health = api.get("/api/v1/health")
    read = api.get(f"/api/v1/process-instances/{before['id']}", "cv.pnv")
    assert health.status_code == 200 and read.status_code == 200
    assert runaway.is_alive()  # these were answered while the script was running
    runs.go.set()  # now it loops until its CPU budget stops it
    # A write meanwhile answers too: on SQLite (one writer) once the runaway's transaction has committed, either
    # written or refused as busy (its snapshot is older than that commit: "try again"), never left hanging.
    written = start(api, "approval5", title="Tờ trình")
    assert written.status_code == 201 or written.json["error"]["code"] == "database_busy", written.json
    runaway.join(timeout=120)
    assert not runaway.is_alive() and "error" not in box
    assert start(api, "approval5", title="Tờ trình").status_code == 201  # and every later write goes through

    response = box["result"]
    assert response.status_code == 201
    body = response.json
    assert body["status"] == "error" and body["open_tasks"] == []
    assert body["incident"]["element_id"] == "Script_loop"
    assert body["incident"]["message"].startswith('Lỗi tại bước "Vòng lặp không dừng": ' + TIME)
    assert runs.count == 1


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("text", 'Lỗi tại bước "Chuỗi khổng lồ": Tập lệnh dùng quá bộ nhớ cho phép (64 MB)'),
        ("power", 'Lỗi tại bước "Số khổng lồ": Tập lệnh tạo ra số nguyên quá lớn'),
        ("list", 'Lỗi tại bước "Danh sách khổng lồ": Tập lệnh dùng quá bộ nhớ cho phép (64 MB)'),
        ("nested", 'Lỗi tại bước "Bảng lồng nhau": Tập lệnh dùng quá bộ nhớ cho phép (64 MB)'),
        ("data", 'Lỗi tại bước "Báo cáo quá lớn": Dữ liệu của hồ sơ quá lớn'),
    ],
)
def test_a_memory_bomb_answers_with_an_incident(api: Api, kind: str, expected: str) -> None:
    response = start(api, "runaway", kind=kind)
    assert response.status_code == 201
    assert response.json["status"] == "error" and response.json["incident"]["message"].startswith(expected)
    assert api.get("/api/v1/health").status_code == 200
    assert start(api, "approval5", title="Tờ trình").status_code == 201


def test_too_much_data_is_refused_with_422_and_nothing_is_stored(budget_app: Flask, api: Api) -> None:
    services: Services = budget_app.extensions["cchc"]
    with services.sessions() as s:
        count = s.scalar(select(func.count()).select_from(ProcessInstance))
    error = assert_error(start(api, "runaway", note="ư" * 60_000), 422, "instance_data_too_large")
    assert error["message"].startswith("Dữ liệu của hồ sơ quá lớn (") and error["details"]["max_bytes"] == 100_000
    with services.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ProcessInstance)) == count

    step = start(api, "runaway", kind="fill").json["open_tasks"][0]
    big = {"data": {"spin": False, "note": "x" * 150_000}}
    assert_error(api.post(f"/api/v1/tasks/{step['id']}/complete", "cv.pnv", json=big), 422, "instance_data_too_large")
    done = api.post(f"/api/v1/tasks/{step['id']}/complete", "cv.pnv", json={"data": {"spin": False}})
    assert done.status_code == 200 and [t["element_id"] for t in done.json["next_tasks"]] == ["Task_check"]


def test_an_administrator_retry_runs_the_script_again_and_answers(api: Api, runs: Runs) -> None:
    failed = start(api, "runaway", kind="list").json
    response = api.post(f"/api/v1/process-instances/{failed['id']}/retry", "admin", json={})
    assert response.status_code == 200 and response.json["status"] == "error"
    assert runs.count == 2


def test_a_runaway_behind_a_timer_does_not_stop_the_worker_nor_run_again_after_a_restart(
    budget_app: Flask, api: Api, clock: ManualClock, runs: Runs
) -> None:
    services: Services = budget_app.extensions["cchc"]
    soon = (clock.now() + timedelta(hours=1)).isoformat()
    later = (clock.now() + timedelta(days=1)).isoformat()
    spinning = start(api, "runaway_timer", fire_at=soon, kind="loop").json
    neighbour = start(api, "timer_wait", fire_at=soon).json
    tomorrow = start(api, "timer_wait", fire_at=later).json

    clock.advance(timedelta(hours=2))
    services.engine.cache.clear()
    passing, box = in_thread(lambda: worker.tick(services, clock.now()))
    assert runs.began.wait(timeout=60)
    assert api.get("/api/v1/health").status_code == 200
    assert api.get(f"/api/v1/process-instances/{tomorrow['id']}", "cv.pnv").status_code == 200
    assert passing.is_alive()
    passing.join(timeout=120)
    assert not passing.is_alive() and "error" not in box
    assert (box["result"].timers_fired, box["result"].timer_incidents) == (1, 1)

    def status(instance: Any) -> Any:
        return api.get(f"/api/v1/process-instances/{instance['id']}", "cv.pnv").json

    failed = status(spinning)
    assert failed["status"] == "error" and failed["incident"]["element_id"] == "Script_spin"
    assert TIME in failed["incident"]["message"]
    assert status(neighbour)["status"] == "completed"

    # A restarted worker (new services, nothing cached) leaves the incident alone and fires what falls due.
    restarted = create_services(services.database_url, clock=clock)
    give_helper(restarted, runs)
    try:
        again = tick_at(restarted, clock, clock.now())
        assert (again.timers_fired, again.timer_incidents) == (0, 0)
        assert tick_at(restarted, clock, clock.now() + timedelta(days=1)).timers_fired == 1
    finally:
        restarted.close()
    assert runs.count == 1
    assert status(spinning)["incident"] == failed["incident"]
    assert status(tomorrow)["status"] == "completed"
    with services.sessions() as s:
        waiting = s.scalar(select(func.count()).select_from(Timer).where(Timer.status == "waiting"))
        failures = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.instance_id == spinning["id"], AuditEvent.kind == "instance_failed")
        )
    assert waiting == 0 and failures == 1
