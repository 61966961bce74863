"""Timers that cannot poison each other: a bad value or a failure while firing is one instance's incident."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.clock import LOCAL_TZ
from engine.errors import InvalidInput
from engine.models import AuditEvent, HumanTask, ProcessInstance, Timer
from engine.runtime import InstanceSaved
from tests.engine_support import EngineRig, actor, at

STAFF = actor("cv.pnv", "staff", unit="PNV")
ADMIN = actor("admin", "admin", unit="UBND")
FIRST = at("2024-01-03", 8)  # every chain's first timer
SECOND = at("2024-01-05", 8)  # a healthy chain's second timer


def start(rig: EngineRig, key: str, data: dict[str, Any]) -> int:
    with rig.uow() as uow:
        view = rig.engine.start(uow, key, unit_code="PNV", actor=STAFF, data=data)
        uow.commit()
    return view.id


def fire_batch(rig: EngineRig, moment: datetime, limit: int = 100) -> Any:
    rig.clock.set(moment)
    with rig.uow() as uow:
        outcome = rig.engine.fire_timer_batch(uow, rig.clock.now(), limit)
        uow.commit()
    return outcome


def instance_row(rig: EngineRig, instance_id: int) -> ProcessInstance:
    with rig.sessions() as s:
        row = s.get(ProcessInstance, instance_id)
        assert row is not None
        return row


def timer_rows(rig: EngineRig, instance_id: int) -> list[tuple[str, str, datetime]]:
    with rig.sessions() as s:
        rows = s.scalars(select(Timer).where(Timer.instance_id == instance_id).order_by(Timer.id))
        return [(t.element_id, t.status, t.due_at) for t in rows]


def events(rig: EngineRig, instance_id: int, kind: str) -> list[AuditEvent]:
    with rig.sessions() as s:
        query = select(AuditEvent).where(AuditEvent.instance_id == instance_id, AuditEvent.kind == kind)
        return list(s.scalars(query))


def chains(rig: EngineRig, healthy: int) -> tuple[list[int], int]:
    """``healthy`` chains, and one among them whose second timer will evaluate to a value that is not a date."""
    rig.deploy_fixture("timer_chain")
    ok = [start(rig, "timer_chain", {"first_at": FIRST.isoformat(), "second_at": SECOND.isoformat()})]
    poisoned = start(rig, "timer_chain", {"first_at": FIRST.isoformat(), "second_at": "15/03/2024"})
    for _ in range(healthy - 1):
        ok.append(start(rig, "timer_chain", {"first_at": FIRST.isoformat(), "second_at": SECOND.isoformat()}))
    return ok, poisoned


@pytest.mark.parametrize("cached", [True, False])
def test_a_bad_timer_value_is_its_instance_incident_and_the_rest_of_the_batch_fires(
    rig: EngineRig, cached: bool
) -> None:
    healthy, poisoned = chains(rig, 3)
    if not cached:
        rig.engine.cache.clear()
    outcome = fire_batch(rig, FIRST + timedelta(minutes=1))
    assert (outcome.claimed, outcome.fired, outcome.failed, outcome.skipped) == (4, 3, 1, 0)

    for instance_id in healthy:  # fired the first timer, wait on the second
        assert instance_row(rig, instance_id).status == "waiting"
        assert timer_rows(rig, instance_id) == [
            ("Timer_first", "fired", FIRST.astimezone(UTC)),
            ("Timer_second", "waiting", SECOND.astimezone(UTC)),
        ]
    bad = instance_row(rig, poisoned)
    assert bad.status == "error"
    assert bad.incident is not None
    assert (bad.incident["element_id"], bad.incident["element_name"]) == ("Timer_second", "Hẹn lần hai")
    assert '"Hẹn lần hai"' in bad.incident["message"] and "'15/03/2024'" in bad.incident["message"]
    assert "ISO 8601" in bad.incident["message"]
    assert [e.element_id for e in events(rig, poisoned, "instance_failed")] == ["Timer_second"]
    assert timer_rows(rig, poisoned) == [("Timer_first", "fired", FIRST.astimezone(UTC))]

    # The next passes do nothing more with it; the healthy ones fire their second timer when it is due.
    version = bad.version
    assert fire_batch(rig, FIRST + timedelta(hours=1)).claimed == 0
    outcome = fire_batch(rig, SECOND + timedelta(minutes=1))
    assert (outcome.claimed, outcome.fired, outcome.failed) == (3, 3, 0)
    assert {instance_row(rig, i).status for i in healthy} == {"completed"}
    assert instance_row(rig, poisoned).version == version
    assert len(events(rig, poisoned, "instance_failed")) == 1


def test_any_failure_while_firing_one_instance_is_its_incident_not_the_batch(rig: EngineRig) -> None:
    rig.deploy_fixture("timer_wait")
    fire_at = FIRST.isoformat()
    ids = [start(rig, "timer_wait", {"fire_at": fire_at}) for _ in range(4)]
    broken = ids[1]

    def observer(event: InstanceSaved) -> None:  # a bug in one save: not a SpiffWorkflow error at all
        if event.instance.id == broken:
            raise RuntimeError("hỏng khi lưu")

    rig.engine.observers.append(observer)
    outcome = fire_batch(rig, FIRST + timedelta(minutes=1))
    assert (outcome.claimed, outcome.fired, outcome.failed) == (4, 3, 1)
    assert {instance_row(rig, i).status for i in ids if i != broken} == {"completed"}
    failed = instance_row(rig, broken)
    assert failed.status == "error" and failed.incident is not None
    assert (failed.incident["element_id"], failed.incident["element_name"]) == ("Timer_wait", "Đến giờ")
    assert failed.incident["error_type"] == "RuntimeError" and "hỏng khi lưu" in failed.incident["message"]
    # Everything the failed firing wrote was rolled back: its timer still waits, its data never saw the script.
    assert timer_rows(rig, broken) == [("Timer_wait", "waiting", FIRST.astimezone(UTC))]
    assert "fired" not in (failed.data or {})
    assert [e.kind for e in events(rig, broken, "instance_failed")] == ["instance_failed"]
    assert fire_batch(rig, FIRST + timedelta(hours=2)).claimed == 0  # in error: the worker leaves it alone
    # The workflow the failed firing ran is not cached under any version: a retry starts from the stored rows.
    rig.engine.observers.remove(observer)
    with rig.uow() as uow:
        retried = rig.engine.retry(uow, broken, ADMIN)
        uow.commit()
    assert retried.status == "waiting" and retried.incident is None
    outcome = fire_batch(rig, FIRST + timedelta(hours=3))
    assert (outcome.claimed, outcome.fired) == (1, 1)
    assert instance_row(rig, broken).status == "completed"
    assert instance_row(rig, broken).data["fired"] is True


def test_a_due_row_the_workflow_does_not_fire_is_set_right_not_counted(rig: EngineRig) -> None:
    """A row due earlier than the workflow's own time (what the seven-hour disagreement wrote) fires nothing."""
    rig.deploy_fixture("timer_wait")
    fire_at = at("2024-01-03", 15)
    instance_id = start(rig, "timer_wait", {"fire_at": fire_at.isoformat()})
    with rig.uow() as uow:
        [row] = uow.session.scalars(select(Timer).where(Timer.instance_id == instance_id))
        row.due_at = at("2024-01-03", 8).astimezone(UTC)
        uow.commit()
    version = instance_row(rig, instance_id).version
    outcome = fire_batch(rig, at("2024-01-03", 9))
    assert (outcome.claimed, outcome.fired, outcome.unchanged) == (1, 0, 1)
    assert instance_row(rig, instance_id).version == version  # not rewritten
    assert timer_rows(rig, instance_id) == [("Timer_wait", "waiting", fire_at.astimezone(UTC))]
    assert fire_batch(rig, at("2024-01-03", 10)).claimed == 0  # no longer due: nothing to take again
    assert events(rig, instance_id, "timer_fired") == []
    assert fire_batch(rig, at("2024-01-03", 15, 1)).fired == 1


@pytest.mark.parametrize("value", ["15/03/2024", "P2D", "42", "không phải ngày"])
def test_starting_with_a_bad_timer_value_is_refused_and_writes_nothing(rig: EngineRig, value: str) -> None:
    rig.deploy_fixture("timer_wait")
    with rig.uow() as uow, pytest.raises(InvalidInput) as info:
        rig.engine.start(uow, "timer_wait", unit_code="PNV", actor=STAFF, data={"fire_at": value})
    assert info.value.code == "timer_value_invalid"
    assert info.value.details == {"element_id": "Timer_wait", "element_name": "Đến giờ"}
    assert info.value.message.startswith('Lỗi tại bước "Đến giờ": Hẹn giờ "Đến giờ" nhận giá trị ')
    assert repr(value) in info.value.message and info.value.message.endswith(".")
    with rig.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ProcessInstance)) == 0


def test_completing_a_step_whose_data_makes_a_bad_timer_is_refused_and_the_step_stays_open(rig: EngineRig) -> None:
    rig.deploy_fixture("timer_step")
    instance_id = start(rig, "timer_step", {})
    with rig.sessions() as s:
        step_id = s.scalars(select(HumanTask.id).where(HumanTask.instance_id == instance_id)).one()
    version = instance_row(rig, instance_id).version
    with rig.uow() as uow, pytest.raises(InvalidInput) as info:
        rig.engine.complete(uow, step_id, STAFF, {"meeting_day": "15/03/2024"})
    assert info.value.code == "timer_value_invalid" and '"Đến ngày họp"' in info.value.message
    row = instance_row(rig, instance_id)
    assert (row.status, row.version, row.incident) == ("running", version, None)
    with rig.sessions() as s:
        assert s.get(HumanTask, step_id).status == "ready"
    with rig.uow() as uow:  # corrected: the step completes, the instance waits for the meeting day
        rig.engine.complete(uow, step_id, STAFF, {"meeting_day": "2024-03-15"})
        uow.commit()
    assert timer_rows(rig, instance_id) == [
        ("Timer_meeting", "waiting", datetime(2024, 3, 15, tzinfo=LOCAL_TZ).astimezone(UTC))
    ]


def test_a_retried_timer_incident_evaluates_the_timer_again_instead_of_firing_it(rig: EngineRig) -> None:
    _, poisoned = chains(rig, 1)
    fire_batch(rig, FIRST + timedelta(minutes=1))
    with rig.uow() as uow:
        retried = rig.engine.retry(uow, poisoned, ADMIN)
        uow.commit()
    # The value (inherited from the step before the timer) is still bad: the incident again, not a silent firing.
    assert retried.status == "error" and retried.incident is not None
    assert retried.incident["element_id"] == "Timer_second"
    assert "done" not in instance_row(rig, poisoned).data
    assert [e.kind for e in events(rig, poisoned, "instance_failed")] == ["instance_failed", "instance_failed"]


def test_a_timer_due_when_a_run_ends_keeps_its_row_until_the_worker_runs_it(rig: EngineRig) -> None:
    """The refresh that ends every run may find a timer due; it is READY but not run: its row stays due."""
    rig.deploy_fixture("timer_wait")
    instance_id = start(rig, "timer_wait", {"fire_at": at("2024-01-03", 8).isoformat()})
    rig.clock.set(at("2024-01-03", 9))
    rig.engine.cache.clear()
    with rig.uow() as uow:  # pretend an incident elsewhere: a retry runs the instance after the timer is due
        instance = uow.session.get(ProcessInstance, instance_id)
        assert instance is not None
        instance.status = "error"
        uow.commit()
    with rig.uow() as uow:
        rig.engine.retry(uow, instance_id, ADMIN)
        uow.commit()
    assert timer_rows(rig, instance_id) == [("Timer_wait", "waiting", at("2024-01-03", 8).astimezone(UTC))]
    outcome = fire_batch(rig, at("2024-01-03", 9, 5))
    assert (outcome.claimed, outcome.fired) == (1, 1)
    assert instance_row(rig, instance_id).status == "completed"
    assert timer_rows(rig, instance_id) == [("Timer_wait", "fired", at("2024-01-03", 8).astimezone(UTC))]
