"""The completion's statements on the driver cursor (engine.driver): the same values, events and errors as
SQLAlchemy's own execution path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

from engine import audit
from engine.db import UnitOfWork, UTCDateTime
from engine.driver import Sql, decode_moment, driver
from engine.errors import Conflict
from engine.models import AuditEvent, HumanTask, InstanceTask, ProcessInstance
from engine.rows import write_instance, write_task_rows
from tests.engine_support import EngineRig, actor, make_rig, stale_instance, start


@pytest.fixture
def rig(tmp_path: Path) -> EngineRig:
    rig = make_rig(f"sqlite:///{tmp_path / 'driver.db'}")
    rig.deploy_fixture("approval5")
    return rig


def _start(rig: EngineRig) -> tuple[int, int]:
    view = start(rig, "approval5", actor("cv.pnv"), {"topic": "Kế hoạch"})
    return view.id, view.open_tasks[0].id


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),  # no microseconds: still written with six digits
        datetime(2024, 1, 2, 3, 4, 5, 60, tzinfo=UTC),
        datetime(2024, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=7))),
    ],
)
def test_a_moment_is_bound_as_the_column_type_binds_it(rig: EngineRig, moment: datetime) -> None:
    dialect = rig.sql.dialect
    expected = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)(moment)  # type: ignore[misc]
    with rig.uow() as uow:
        drv = driver(uow.session)
        assert drv.moment(moment) == expected
        assert decode_moment(drv.moment(moment)) == moment
        with pytest.raises(ValueError, match="naive"):
            drv.moment(datetime(2024, 1, 2))


def test_placeholders_become_psycopg_ones_with_their_casts() -> None:
    sql = Sql("UPDATE t SET a = ?, b = ? WHERE c IS ? AND d = ?", (None, "json", "varchar"))
    assert sql.sqlite == "UPDATE t SET a = ?, b = ? WHERE c IS ? AND d = ?"
    assert sql.pg == "UPDATE t SET a = %s, b = %s::json WHERE c IS NOT DISTINCT FROM %s::varchar AND d = %s"


def test_what_the_driver_writes_reads_back_through_the_orm(rig: EngineRig) -> None:
    instance_id, task_id = _start(rig)
    with rig.uow() as uow:
        rig.engine.complete(uow, task_id, actor("cv.pnv", "staff"), {"title": "Dự thảo"})
        uow.commit()
    with rig.sessions() as s:
        inst = s.get(ProcessInstance, instance_id)
        assert inst is not None and inst.version == 3 and inst.incident is None
        assert inst.data["title"] == "Dự thảo" and inst.updated_at == rig.clock.now()
        done = s.get(HumanTask, task_id)
        assert done is not None and done.status == "completed" and done.completed_at == rig.clock.now()
        kinds = list(s.scalars(select(AuditEvent.kind).where(AuditEvent.instance_id == instance_id)))
        assert kinds == ["instance_started", "task_completed"]
        event_payload = s.scalar(select(AuditEvent.payload).where(AuditEvent.kind == "task_completed"))
        assert event_payload == {"task_id": task_id, "name": done.name, "data": {"title": "Dự thảo"}}


def test_statement_listeners_see_the_driver_statements(rig: EngineRig) -> None:
    _, task_id = _start(rig)
    seen: list[tuple[str, Any, bool]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        seen.append((statement, parameters, many))

    event.listen(rig.sql, "before_cursor_execute", record)
    try:
        with rig.uow() as uow:
            rig.engine.complete(uow, task_id, actor("cv.pnv", "staff"), {"title": "Dự thảo"})
            uow.commit()
    finally:
        event.remove(rig.sql, "before_cursor_execute", record)
    statements = [" ".join(s.split()) for s, _, _ in seen]
    # The step read, the step closed and its event, the timer, the instance, the next step, the task rows.
    assert [s.split()[0] for s in statements] == ["SELECT", "UPDATE", "INSERT", "INSERT", "UPDATE", "INSERT", "UPDATE"]
    assert statements[1].startswith("UPDATE human_task SET status = 'completed'")
    assert "INSERT INTO audit_event" in statements[2] and "INSERT INTO timer" in statements[3]


def test_a_driver_error_is_the_error_sqlalchemy_raises(rig: EngineRig) -> None:
    instance_id, task_id = _start(rig)
    with rig.uow() as uow, pytest.raises(IntegrityError):  # the task row exists: a duplicate key
        write_task_rows(uow.session, instance_id, [], [(_a_task_guid(uow), b"{}")], [])
    # The pooled connection and its cursor serve the next transaction as before.
    with rig.uow() as uow:
        rig.engine.complete(uow, task_id, actor("cv.pnv", "staff"), {"title": "Dự thảo"})
        uow.commit()


def test_an_instance_written_since_it_was_read_is_a_conflict(rig: EngineRig) -> None:
    instance_id, _ = _start(rig)
    with rig.uow() as uow:
        inst = stale_instance(uow, instance_id)
        inst.status = "waiting"
        with pytest.raises(Conflict):
            write_instance(uow.session, inst)
    with rig.sessions() as s:
        assert s.scalar(select(ProcessInstance.status).where(ProcessInstance.id == instance_id)) == "running"


def test_audit_events_keep_their_payload_and_moment(rig: EngineRig) -> None:
    instance_id, _ = _start(rig)
    at = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    with rig.uow() as uow:
        audit.record(uow.session, "instance_retried", at=at, actor="admin", instance_id=instance_id, payload={"a": [1]})
        uow.commit()
    with rig.sessions() as s:
        row = s.scalars(select(AuditEvent).where(AuditEvent.kind == "instance_retried")).one()
        assert (row.at, row.payload, row.actor, row.definition_id) == (at, {"a": [1]}, "admin", None)


def _a_task_guid(uow: UnitOfWork) -> str:
    guid = uow.session.scalar(select(InstanceTask.guid).limit(1))
    assert guid is not None
    return guid
