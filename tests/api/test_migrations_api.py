"""Chuyển phiên bản through the API: 200 running instances, a renamed step mapped and a removed one unmapped.

The dry run splits them exactly; the run moves the movable ones (steps, deadlines, claims, timers right, each
audited) and they finish on version 2; the others stay untouched on version 1 and still finish there.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from engine.clock import LOCAL_TZ, ManualClock
from engine.models import AuditEvent, HumanTask, ProcessInstance, Timer
from engine.views import Actor
from tests import migration_support as ms
from tests.api.conftest import Api, assert_error
from workflows import processes
from workflows.services import Services

STAFF = Actor("cv.pnv", frozenset({"staff"}), "PNV")
MAPPING = {"Task_review": "Task_review2"}
URL = f"/api/v1/process-definitions/{ms.KEY}/migrations"


def deploy(api: Api, version: int, variant: str = "") -> None:
    files = [(io.BytesIO(content), name) for name, content in ms.files().items()]
    data = {"bpmn": (io.BytesIO(ms.diagram(version, variant)), f"{ms.KEY}.bpmn"), "files": files}
    response = api.post("/api/v1/process-definitions", "admin", data=data, content_type="multipart/form-data")
    assert response.status_code == 201, response.json


def services_of(app: Flask) -> Services:
    return app.extensions["cchc"]  # type: ignore[no-any-return]


def start_at_steps(services: Services, per_step: int) -> dict[str, list[int]]:
    """``per_step`` instances left at each step of version 1 (0, 1, 2 and 3 steps completed)."""
    at: dict[str, list[int]] = {step: [] for step in ms.STEPS}
    for n in range(per_step * len(ms.STEPS)):
        done = n % len(ms.STEPS)
        with services.uow() as uow:
            view = processes.start_instance(
                services, uow, STAFF, process_key=ms.KEY, unit_code="PNV", data=ms.start_data(n), version=1
            )
            for _ in range(done):
                view = services.engine.complete(uow, view.open_tasks[0].id, STAFF, {}).instance
            uow.commit()
        at[ms.STEPS[done]].append(view.id)
    return at


def open_steps(services: Services, instance_id: int) -> list[SimpleNamespace]:
    """The instance's open step rows, as plain values."""
    query = select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "ready")
    with services.read() as uow:
        return [
            SimpleNamespace(**{c.key: getattr(r, c.key) for c in HumanTask.__table__.columns})
            for r in uow.session.scalars(query.order_by(HumanTask.id))
        ]


def finish(services: Services, instance_id: int) -> str:
    """Complete open steps until the instance ends; its status at the end."""
    for _ in range(10):
        steps = open_steps(services, instance_id)
        if not steps:
            break
        with services.uow() as uow:
            services.engine.complete(uow, steps[0].id, STAFF, {})
            uow.commit()
    with services.read() as uow:
        row = uow.session.get(ProcessInstance, instance_id)
        assert row is not None
        return row.status


def versions(services: Services, ids: list[int]) -> dict[int, int]:
    """Instance id -> the version of its definition."""
    with services.read() as uow:
        return {i: services.engine.get_instance(uow.session, i).definition_version for i in ids}


def instance_data(services: Services, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Instance id -> the data lists and the instance page show."""
    with services.read() as uow:
        return {i: dict(services.engine.get_instance(uow.session, i).data) for i in ids}


def local(day: str, hour: int) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=LOCAL_TZ).astimezone(UTC)


def test_bulk_migration_of_200_instances(api: Api, app: Flask, clock: ManualClock) -> None:
    services = services_of(app)
    deploy(api, 1)
    at = start_at_steps(services, 50)
    claimed = at["Task_review"][:10]
    for instance_id in claimed:
        with services.uow() as uow:
            services.engine.claim(uow, open_steps(services, instance_id)[0].id, STAFF)
            uow.commit()
    review_rows = {i: open_steps(services, i)[0].id for i in at["Task_review"]}
    data_before = instance_data(services, [i for group in at.values() for i in group])
    deploy(api, 2)
    movable = sorted(at["Task_receive"] + at["Task_review"] + at["Task_issue"])

    response = api.post(URL, "admin", json={"from_version": 1, "to_version": 2, "mapping": MAPPING})
    assert response.status_code == 200, response.json
    report = response.json
    assert report["counts"] == {"movable": 150, "not_movable": 50}
    assert sorted(r["instance_id"] for r in report["results"] if r["outcome"] == "movable") == movable
    refused = [r for r in report["results"] if r["outcome"] == "not_movable"]
    assert sorted(r["instance_id"] for r in refused) == sorted(at["Task_sign"])
    assert {r["code"] for r in refused} == {"step_removed"}
    assert '"Trình ký" (Task_sign) không còn trong phiên bản 2' in refused[0]["reason"]
    assert {"element_id": "Task_sign", "name": "Trình ký", "type": "UserTask"} in report["removed"]
    assert set(versions(services, movable).values()) == {1}  # the dry run wrote nothing

    body = {"from_version": 1, "to_version": 2, "mapping": MAPPING, "dry_run": False, "batch_size": 40}
    response = api.post(URL, "admin", json=body)
    assert response.status_code == 200, response.json
    assert response.json["counts"] == {"migrated": 150, "refused": 50}
    run_id = response.json["run_id"]
    runs = api.get(URL, "admin").json
    assert [(r["id"], r["migrated"], r["refused"], r["failed"], r["status"]) for r in runs] == [
        (run_id, 150, 50, 0, "finished")
    ]
    assert len(api.get(f"{URL}/{run_id}", "admin").json["results"]) == 200

    assert set(versions(services, movable).values()) == {2}
    assert set(versions(services, at["Task_sign"]).values()) == {1}
    again = {"from_version": 1, "to_version": 2, "filter": {"instance_ids": [movable[0], at["Task_sign"][0]]}}
    codes = {r["instance_id"]: r["code"] for r in api.post(URL, "admin", json=again).json["results"]}
    assert codes == {movable[0]: "already_on_version", at["Task_sign"][0]: "step_removed"}
    assert instance_data(services, [i for group in at.values() for i in group]) == data_before
    with services.read() as uow:
        events = uow.session.scalar(select(func.count()).where(AuditEvent.kind == "instance_migrated"))
        assert events == 150
        waiting = uow.session.execute(select(Timer.instance_id, Timer.due_at).where(Timer.status == "waiting"))
        timers = {i: due for i, due in waiting}
    # The review step: same row (and claim), new element, name and deadline; its 3-day timer now 5 days.
    for instance_id in at["Task_review"]:
        (row,) = open_steps(services, instance_id)
        assert (row.id, row.element_id, row.name) == (review_rows[instance_id], "Task_review2", "Thẩm định hồ sơ")
        assert row.due_at == local("2024-01-17", 17)
        assert row.assignee == ("cv.pnv" if instance_id in claimed else None)
        assert row.deadline_state is not None
        assert timers[instance_id] == local("2024-01-07", 8)
    for instance_id in at["Task_receive"]:
        (row,) = open_steps(services, instance_id)
        assert (row.element_id, row.due_at) == ("Task_receive", local("2024-01-10", 17))
    for instance_id in at["Task_issue"] + at["Task_sign"]:
        assert instance_id not in timers
    for instance_id in at["Task_sign"]:
        (row,) = open_steps(services, instance_id)
        assert (row.element_id, row.due_at) == ("Task_sign", local("2024-01-20", 17))

    # The moved timers fire at their new time: not on day 5 (version 1's), on day 7.
    clock.set(local("2024-01-06", 8))
    with services.uow() as uow:
        assert services.engine.fire_due_timers(uow, clock.now(), limit=500) == 0
        uow.commit()
    clock.set(local("2024-01-07", 9))
    fired = at["Task_review"][:5]
    for instance_id in at["Task_review"][5:]:
        finish_one = open_steps(services, instance_id)[0].id
        with services.uow() as uow:
            services.engine.complete(uow, finish_one, STAFF, {})
            uow.commit()
    with services.uow() as uow:
        assert services.engine.fire_due_timers(uow, clock.now(), limit=500) == len(fired)
        uow.commit()
    for instance_id in fired:
        assert [r.element_id for r in open_steps(services, instance_id)] == ["Task_issue"]

    for instance_id in movable + at["Task_sign"]:
        assert finish(services, instance_id) == "completed", instance_id
    assert set(versions(services, at["Task_sign"]).values()) == {1}


def test_missing_variable_and_bad_mapping(api: Api, app: Flask) -> None:
    services = services_of(app)
    deploy(api, 1)
    at = start_at_steps(services, 1)
    deploy(api, 2, "needs_var")
    response = api.post(URL, "admin", json={"from_version": 1, "to_version": 2, "mapping": MAPPING})
    by_id = {r["instance_id"]: r for r in response.json["results"]}
    receive = by_id[at["Task_receive"][0]]
    assert (receive["outcome"], receive["code"]) == ("not_movable", "variable_missing")
    assert "so_ngay_ban_hanh" in receive["reason"]
    assert by_id[at["Task_sign"][0]]["code"] == "step_removed"

    bad = api.post(URL, "admin", json={"from_version": 1, "to_version": 2, "mapping": {"Task_x": "Task_review2"}})
    body = assert_error(bad, 422, "migration_mapping_invalid")
    assert "Task_x" in body["details"]
    assert_error(api.post(URL, "admin", json={"from_version": 1, "to_version": 9}), 404, "definition_not_found")
    same = {"from_version": 1, "to_version": 1, "dry_run": False}
    assert_error(api.post(URL, "admin", json=same), 422, "migration_same_version")
    assert_error(api.post(URL, "cv.pnv", json={"from_version": 1, "to_version": 2}), 403)


def test_a_failure_leaves_the_instance_on_its_version(api: Api, app: Flask, monkeypatch: Any) -> None:
    """An instance whose migration fails half-way is rolled back and reported; the others move."""
    services = services_of(app)
    deploy(api, 1)
    at = start_at_steps(services, 1)
    deploy(api, 2)
    broken = at["Task_review"][0]
    migrator = services.engine._migrator
    original = migrator.apply

    def failing(uow: Any, plan: Any, instance_id: int, *args: Any, **kwargs: Any) -> Any:
        outcome = original(uow, plan, instance_id, *args, **kwargs)
        if instance_id == broken:
            raise RuntimeError("disk full")
        return outcome

    monkeypatch.setattr(migrator, "apply", failing)
    body = {"from_version": 1, "to_version": 2, "mapping": MAPPING, "dry_run": False}
    response = api.post(URL, "admin", json=body)
    assert response.json["counts"] == {"migrated": 2, "refused": 1, "failed": 1}
    failed = next(r for r in response.json["results"] if r["outcome"] == "failed")
    assert (failed["instance_id"], failed["code"]) == (broken, "migration_failed")
    assert versions(services, [broken]) == {broken: 1}
    assert [r.element_id for r in open_steps(services, broken)] == ["Task_review"]
    assert finish(services, broken) == "completed"
    with services.read() as uow:
        assert (
            uow.session.scalar(
                select(func.count()).where(AuditEvent.kind == "instance_migrated", AuditEvent.instance_id == broken)
            )
            == 0
        )
