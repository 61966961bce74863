"""Launching the plan from two threads at once on PostgreSQL: every occurrence gets exactly one instance."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import func, select

from engine.clock import LOCAL_TZ, ManualClock
from engine.errors import Conflict
from engine.models import ProcessInstance
from engine.views import Actor
from tests.pg.conftest import pg_url, reset_schema
from workflows.bootstrap import create_services
from workflows.demo import load_demo
from workflows.models import Plan, PlanOccurrence
from workflows.plan.launch import launch_plan

pytestmark = pytest.mark.pg

COORDINATOR = Actor("cchc.pnv", frozenset({"coordinator"}), "PNV")


def test_concurrent_launches_never_start_an_occurrence_twice() -> None:
    url = pg_url()
    reset_schema(url)
    services = create_services(url, clock=ManualClock(datetime(2024, 1, 2, 8, 0, tzinfo=LOCAL_TZ)))
    try:
        load_demo(services)
        with services.uow() as uow:
            plan_id = uow.session.scalars(select(Plan.id).where(Plan.organisation_code == "SADEC")).one()
        barrier = threading.Barrier(2)
        outcomes: list[object] = []

        def launch() -> None:
            barrier.wait()
            try:
                with services.uow() as uow:
                    result = launch_plan(services, uow, COORDINATOR, plan_id, until=datetime(2024, 1, 31).date())
                    uow.commit()
                outcomes.append(result.created)
            except Conflict as exc:
                outcomes.append(exc.code)

        threads = [threading.Thread(target=launch) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

        with services.uow() as uow:
            linked = uow.session.scalar(select(func.count()).where(PlanOccurrence.instance_id.is_not(None)))
            instances = uow.session.scalar(select(func.count()).select_from(ProcessInstance))
            distinct = uow.session.scalar(select(func.count(func.distinct(PlanOccurrence.instance_id))))
        assert linked and linked == instances == distinct  # no orphan instance, no occurrence launched twice
        created = [o for o in outcomes if isinstance(o, int)]
        assert sum(created) == linked and len(outcomes) == 2
        assert sorted(map(str, outcomes)) in (sorted(["0", str(linked)]), sorted(["launch_conflict", str(linked)]))
    finally:
        services.close()
