"""A bulk migration racing people completing steps of the same instances, on PostgreSQL.

One thread runs "Chạy chuyển đổi" (workflows.run_migration: each instance locked ``FOR UPDATE`` in its own
transaction) while two threads complete the open steps of those instances (a lost race is a 409: they read the
step again and retry). Afterwards every instance is consistent: no completion is lost, every completion happened
on the version the instance was on at that moment, and the step and timer tables match the workflow.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterator
from uuid import UUID

import pytest
from flask import Flask
from sqlalchemy import select

from api import create_app
from engine.errors import Conflict
from engine.models import AuditEvent, HumanTask, InstanceTask, ProcessInstance, Timer
from engine.projection import ready_human_tasks, waiting_timers
from engine.state_store import WorkflowState
from engine.views import Actor
from tests import migration_support as ms
from tests.api.test_migrations_api import MAPPING, finish, open_steps, services_of, start_at_steps
from tests.pg.conftest import pg_url, reset_schema
from workflows.definitions import deploy_definition
from workflows.demo import load_demo
from workflows.migrations import MigrationRequest, run_migration

pytestmark = pytest.mark.pg

ADMIN = Actor("admin", frozenset({"admin"}), None)
STAFF = Actor("cv.pnv", frozenset({"staff"}), "PNV")
V1_ONLY = {"Task_review", "Task_sign"}
KINDS = ("task_completed", "instance_migrated")


@pytest.fixture
def pg_app() -> Iterator[Flask]:
    url = pg_url()
    reset_schema(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "TESTING": True})
    services = services_of(app)
    load_demo(services)
    try:
        yield app
    finally:
        services.close()


def deploy(app: Flask, version: int) -> None:
    services = services_of(app)
    with services.uow() as uow:
        deploy_definition(services, uow, ms.diagram(version), ms.files(), ADMIN)
        uow.commit()


def test_migration_racing_completions_leaves_every_instance_consistent(pg_app: Flask) -> None:
    services = services_of(pg_app)
    deploy(pg_app, 1)
    at = start_at_steps(services, 12)
    ids = sorted(i for group in at.values() for i in group)
    deploy(pg_app, 2)
    go = threading.Barrier(3, timeout=60)
    completed: Counter[int] = Counter()
    lock = threading.Lock()
    errors: list[BaseException] = []
    report: list[object] = []

    def migrate() -> None:
        try:
            go.wait()
            request = MigrationRequest(1, 2, dict(MAPPING), dry_run=False, batch_size=7)
            report.append(run_migration(services, ADMIN, ms.KEY, request))
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    def complete(seed: int) -> None:
        try:
            order = list(ids)
            random.Random(seed).shuffle(order)
            go.wait()
            for instance_id in order:
                for _ in range(20):  # a lost race (409): read the step again and retry
                    steps = open_steps(services, instance_id)
                    if not steps:
                        break
                    try:
                        with services.uow() as uow:
                            services.engine.complete(uow, steps[0].id, STAFF, {})
                            uow.commit()
                    except Conflict:
                        continue
                    with lock:
                        completed[instance_id] += 1
                    break
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    threads = [threading.Thread(target=migrate)] + [threading.Thread(target=complete, args=(s,)) for s in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not errors, errors
    assert report, "the migration did not finish"
    assert sum(completed.values()) > 0

    before = {i: n for n, step in enumerate(ms.STEPS) for i in at[step]}  # completions made at setup
    migrated = 0
    for instance_id in ids:
        events = _events(services, instance_id)
        kinds = [kind for kind, _ in events]
        assert kinds.count("task_completed") == before[instance_id] + completed[instance_id], (instance_id, events)
        if "instance_migrated" in kinds:
            migrated += 1
            cut = kinds.index("instance_migrated")
            assert kinds.count("instance_migrated") == 1
            assert not {e for k, e in events[cut:] if k == "task_completed"} & V1_ONLY, events
            assert "Task_review2" not in {e for k, e in events[:cut]}
        else:
            assert "Task_review2" not in {e for _, e in events}
        _assert_projection_matches_state(services, instance_id)
    assert migrated > 0
    for instance_id in ids:
        assert finish(services, instance_id) == "completed"



def test_a_completion_that_read_its_instance_before_a_migration_committed_is_a_conflict(pg_app: Flask) -> None:
    """The completion reads the step and its instance, then (no cached workflow: the migration dropped it) the task
    rows in a statement of their own. A migration committed in between must be a 409 to retry, never the new
    version's task rows restored against the old version's diagram (a crash inside SpiffWorkflow)."""
    services = services_of(pg_app)
    deploy(pg_app, 1)
    instance_id = start_at_steps(services, 1)["Task_review"][0]
    deploy(pg_app, 2)
    step_id = open_steps(services, instance_id)[0].id
    with services.uow() as uow:
        loaded = services.engine.load_step(uow.session, step_id)  # the instance as it is, on version 1
        report = run_migration(services, ADMIN, ms.KEY, MigrationRequest(1, 2, dict(MAPPING), dry_run=False))
        # committed by units of work of its own while this one is open
        assert {r.instance_id: r.outcome for r in report.results}[instance_id] == "migrated"
        with pytest.raises(Conflict):
            services.engine.complete(uow, step_id, STAFF, {}, loaded=loaded)
    assert [e for _, e in _events(services, instance_id)] == ["Task_receive", None]
    assert finish(services, instance_id) == "completed"

def _events(services: object, instance_id: int) -> list[tuple[str, str | None]]:
    with services.read() as uow:  # type: ignore[attr-defined]
        return [
            (kind, element)
            for kind, element in uow.session.execute(
                select(AuditEvent.kind, AuditEvent.element_id)
                .where(
                    AuditEvent.instance_id == instance_id, AuditEvent.kind.in_(("task_completed", "instance_migrated"))
                )
                .order_by(AuditEvent.id)
            )
        ]


def _assert_projection_matches_state(services: object, instance_id: int) -> None:
    """The workflow restored from its rows with its definition: its READY steps are the open step rows (same
    elements), its waiting timers the waiting timer rows."""
    with services.read() as uow:  # type: ignore[attr-defined]
        session = uow.session
        instance = session.get(ProcessInstance, instance_id)
        definition = services.engine._runner.deployed(session, instance.definition_id)  # type: ignore[attr-defined]
        task_rows = [
            (g, bytes(p))
            for g, p in session.execute(
                select(InstanceTask.guid, InstanceTask.payload).where(InstanceTask.instance_id == instance_id)
            )
        ]
        state = WorkflowState.restore(
            definition.bundle,
            instance.state,
            task_rows,
            services.engine.script_engine,
            instance.serializer_version,  # type: ignore[attr-defined]
        )
        specs = set(map(id, definition.bundle.spec.task_specs.values()))
        assert all(id(t.task_spec) in specs for t in state.workflow.tasks.values())
        ready = {str(t.id): t.task_spec.bpmn_id for t in ready_human_tasks(state.workflow)}
        rows = dict(
            session.execute(
                select(HumanTask.task_guid, HumanTask.element_id).where(
                    HumanTask.instance_id == instance_id, HumanTask.status == "ready"
                )
            ).all()
        )
        assert rows == ready, (instance_id, rows, ready)
        timers = set(
            session.scalars(select(Timer.task_guid).where(Timer.instance_id == instance_id, Timer.status == "waiting"))
        )
        assert timers == set(waiting_timers(state.workflow)), instance_id
        for guid in timers:
            state.workflow.get_task_from_id(UUID(guid))
