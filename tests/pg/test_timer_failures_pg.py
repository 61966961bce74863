"""On PostgreSQL: a firing that fails, even with an SQL error that aborts the transaction, is its instance's
incident; the savepoint gives the rest of the batch a working transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from engine.models import ProcessInstance, Timer
from engine.runtime import InstanceSaved
from tests.engine_support import EngineRig, actor, at

pytestmark = pytest.mark.pg

STAFF = actor("cv.pnv", "staff", unit="PNV")


def test_a_failed_sql_statement_in_one_firing_does_not_abort_the_batch(pg_rig: EngineRig) -> None:
    pg_rig.deploy_fixture("timer_chain")
    first, second = at("2024-01-03", 8), at("2024-01-05", 8)
    ids = []
    with pg_rig.uow() as uow:
        for value in (second.isoformat(), "15/03/2024", second.isoformat(), second.isoformat(), second.isoformat()):
            data = {"first_at": first.isoformat(), "second_at": value}
            ids.append(pg_rig.engine.start(uow, "timer_chain", unit_code="PNV", actor=STAFF, data=data).id)
        uow.commit()
    bad_value, bad_sql = ids[1], ids[3]

    def observer(event: InstanceSaved) -> None:
        if event.instance.id == bad_sql:  # PostgreSQL aborts the transaction on this: only a savepoint recovers
            event.uow.session.execute(text("SELECT 1 / 0"))

    pg_rig.engine.observers.append(observer)
    pg_rig.clock.set(first + timedelta(minutes=1))
    with pg_rig.uow() as uow:
        outcome = pg_rig.engine.fire_timer_batch(uow, pg_rig.clock.now())
        uow.commit()
    assert (outcome.claimed, outcome.fired, outcome.failed, outcome.skipped) == (5, 3, 2, 0)
    with pg_rig.sessions() as s:
        rows = {i: s.get(ProcessInstance, i) for i in ids}
        waiting = set(s.scalars(select(Timer.instance_id).where(Timer.status == "waiting")))
    assert {i for i, r in rows.items() if r.status == "waiting"} == set(ids) - {bad_value, bad_sql}
    assert rows[bad_value].incident["element_id"] == "Timer_second"
    assert rows[bad_sql].incident["element_id"] == "Timer_first"
    assert rows[bad_sql].incident["error_type"] == "DataError"
    assert waiting == set(ids) - {bad_value}  # the failed SQL rolled back its firing: its first timer still waits
    with pg_rig.uow() as uow:
        assert pg_rig.engine.fire_timer_batch(uow, pg_rig.clock.now() + timedelta(hours=1)).claimed == 0
