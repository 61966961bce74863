"""Several server processes on one PostgreSQL database (gunicorn, ``cchc serve --workers N``): each process's caches
stay correct when the other process changes things — an instance completed step by step through two processes in
turn, a version deployed through one and used by both, a calendar override made through one and seen by the other;
and a graceful stop or restart finishes the request in flight."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api import create_app
from engine.definitions import read_bundle
from engine.views import SYSTEM_ACTOR
from tests.engine_support import FIXTURES
from tests.pg.conftest import pg_url, reset_schema
from tests.server_support import Client, Proc, start_web
from workflows.definitions import deploy_definition
from workflows.demo import load_demo

pytestmark = pytest.mark.pg

PORTS = (5121, 5122)
WHO = {"Task_draft": "cv.pnv", "Task_review": "tp.pnv", "Task_legal": "cv.ptp", "Task_sign": "chutich"}
WHO["Task_number"] = "vanthu"
DATA: dict[str, dict[str, Any]] = {"Task_draft": {"title": "Dự thảo"}, "Task_review": {"approved": True}}
V2_NAME = "Soạn thảo dự thảo (phiên bản 2)"


def demo_database() -> str:
    """A fresh schema with the demo data and the approval5 fixture (version 1), built in this test process."""
    url = pg_url()
    reset_schema(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test"})
    services = app.extensions["cchc"]
    load_demo(services)
    with services.uow() as uow:
        bpmn, files = read_bundle(FIXTURES / "approval5" / "approval5.bpmn")
        deploy_definition(services, uow, bpmn, files, SYSTEM_ACTOR)
        uow.commit()
    services.close()
    return url


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[Proc, Proc]]:
    url = demo_database()
    servers: list[Proc] = []
    try:
        for port in PORTS:  # every use compares the calendar with the database: the change is seen at once
            servers.append(
                start_web(url, port, tmp_path / f"web-{port}.log", workers=1, threads=2, CCHC_CACHE_RECHECK_SECONDS="0")
            )
        yield servers[0], servers[1]
    finally:
        for server in servers:
            server.stop()
    for server in servers:
        assert "Traceback" not in server.log_text(), server.log_text()[-3000:]


def complete(client: Client, task: dict[str, Any]) -> dict[str, Any]:
    return client.ok("POST", f"/api/v1/tasks/{task['id']}/complete", {"data": DATA.get(task["element_id"], {})})


def test_steps_completed_in_turn_through_two_processes_and_a_version_deployed_through_one(
    two_servers: tuple[Proc, Proc],
) -> None:
    a, b = two_servers
    clients = {(port, user): Client(port, user) for port in PORTS for user in {*WHO.values(), "admin"}}
    on = {a.port: lambda user: clients[(a.port, user)], b.port: lambda user: clients[(b.port, user)]}

    started = on[a.port]("cv.pnv").ok("POST", "/api/v1/process-instances", start_body())
    assert started["definition_version"] == 1
    [step] = started["open_tasks"]
    ports = [b.port, a.port, b.port, a.port, b.port]
    done = []
    for n, port in enumerate(ports):
        if n == 2:  # a new version, deployed through the first process, while the instance is half-way
            bpmn, files = read_bundle(FIXTURES / "approval5" / "approval5.bpmn")
            v2 = bpmn.replace('name="Soạn thảo dự thảo"'.encode(), f'name="{V2_NAME}"'.encode())
            parts = {"bpmn": ("approval5.bpmn", v2), "files": list(files.items())}
            deployed = on[a.port]("admin").ok("POST", "/api/v1/process-definitions", multipart=parts)
            assert deployed["version"] == 2
        result = complete(on[port](WHO[step["element_id"]]), step)
        done.append(step["element_id"])
        assert result["instance"]["id"] == started["id"] and result["instance"]["definition_version"] == 1
        if n < len(ports) - 1:
            [step] = result["next_tasks"]
            assert result["instance"]["open_tasks"] == [step]
    assert done == ["Task_draft", "Task_review", "Task_legal", "Task_sign", "Task_number"]
    assert result["instance"]["status"] == "completed" and result["instance"]["open_tasks"] == []

    views = [on[port]("admin").ok("GET", f"/api/v1/process-instances/{started['id']}") for port in PORTS]
    assert views[0] == views[1]
    assert [t["element_id"] for t in views[0]["completed_tasks"]] == done
    events = on[a.port]("admin").ok("GET", f"/api/v1/process-instances/{started['id']}/events")
    assert [e["kind"] for e in events].count("task_completed") == 5

    for port in (b.port, a.port):  # new instances take the new version in both processes
        fresh = on[port]("cv.pnv").ok("POST", "/api/v1/process-instances", start_body())
        assert fresh["definition_version"] == 2 and [t["name"] for t in fresh["open_tasks"]] == [V2_NAME]
        other = a.port if port == b.port else b.port
        [draft] = fresh["open_tasks"]
        [review] = complete(on[other]("cv.pnv"), draft)["next_tasks"]
        assert review["element_id"] == "Task_review"
    for client in clients.values():
        client.close()


def test_a_calendar_override_made_through_one_process_is_used_by_the_other(two_servers: tuple[Proc, Proc]) -> None:
    a, b = two_servers
    admin_a, staff_b = Client(a.port, "admin"), Client(b.port, "cv.pnv")
    query = "/api/v1/calendar/due-date?start=2024-03-01&working_days=1"
    assert staff_b.ok("GET", query)["due_date"] == "2024-03-04"  # Friday + 1 working day: Monday
    admin_a.ok("POST", "/api/v1/calendar/overrides", {"day": "2024-03-02", "working": True, "reason": "Làm bù"})
    assert staff_b.ok("GET", query)["due_date"] == "2024-03-02"  # the make-up Saturday, seen by the other process
    admin_a.ok("DELETE", "/api/v1/calendar/overrides/2024-03-02")
    assert staff_b.ok("GET", query)["due_date"] == "2024-03-04"


def start_body() -> dict[str, Any]:
    return {"process_key": "approval5", "unit_code": "PNV", "data": {}}
