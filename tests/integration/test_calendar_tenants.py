"""Each tenant's working calendar in the engine: ``CalendarSource.get(tenant)`` and the diagram helpers of a run.

Overrides: Wednesday 03/01/2024 off for every tenant, but a working day of tenant B's own; Thursday 04/01 off for
tenant A only. One working day after Tuesday 02/01: Friday 05/01 for A, Wednesday 03/01 for B, Thursday 04/01 for
a tenant with no overrides of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from engine.helpers import CalendarSource, standard_helpers
from engine.models import CalendarOverride, Timer
from engine.runtime import Engine
from engine.views import Actor
from tests.engine_support import DictUnits, EngineRig, at, make_rig

NOW = datetime(2024, 1, 2, 8, 0, tzinfo=UTC)
OVERRIDES = ((date(2024, 1, 3), False, None), (date(2024, 1, 3), True, "B"), (date(2024, 1, 4), False, "A"))
ADMIN = Actor("admin", frozenset({"admin"}), None)

# A timer due at the end of the first working day after 02/01, then a script that computes the same day again.
BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="t">
  <bpmn:process id="tenant_timer" name="Hẹn giờ theo lịch (kiểm thử)" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" name="Bắt đầu" />
    <bpmn:sequenceFlow id="F1" sourceRef="StartEvent_1" targetRef="Wait" />
    <bpmn:intermediateCatchEvent id="Wait" name="Chờ một ngày làm việc">
      <bpmn:timerEventDefinition id="WaitDef">
        <bpmn:timeDate>deadline_at(add_working_days('2024-01-02', 1))</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="F2" sourceRef="Wait" targetRef="Note" />
    <bpmn:scriptTask id="Note" name="Ghi nhận">
      <bpmn:script>after = add_working_days('2024-01-02', 1)
span = working_days_between('2024-01-02', '2024-01-05')</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="F3" sourceRef="Note" targetRef="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_1" name="Kết thúc" />
  </bpmn:process>
</bpmn:definitions>
""".encode()


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[tuple[EngineRig, CalendarSource]]:
    base = make_rig(f"sqlite:///{tmp_path / 'tenants.db'}", at("2024-01-02"))
    source = CalendarSource(base.sessions)
    with base.uow() as uow:
        for day, working, tenant in OVERRIDES:
            uow.session.add(CalendarOverride(day=day, working=working, organisation_code=tenant, created_at=NOW))
        uow.commit()
    engine = Engine(clock=base.clock, helpers=standard_helpers(source.get), units=DictUnits())
    yield EngineRig(base.sql, base.sessions, engine, base.clock), source
    base.sql.dispose()


def test_each_tenant_gets_the_shared_overrides_and_its_own(rig: tuple[EngineRig, CalendarSource]) -> None:
    _, source = rig
    start = date(2024, 1, 2)
    assert source.get("A").add_working_days(start, 1) == date(2024, 1, 5)
    assert source.get("B").add_working_days(start, 1) == date(2024, 1, 3)  # its own working day wins
    assert source.get().add_working_days(start, 1) == date(2024, 1, 4)
    assert source.get("C") is source.get()  # no overrides of its own: the shared calendar, built once
    assert source.get("A") is source.get("A")
    assert source.tenants() == {"A", "B"}


def test_a_change_is_seen_after_invalidate(rig: tuple[EngineRig, CalendarSource]) -> None:
    engine_rig, source = rig
    assert source.get("C").is_working_day(date(2024, 1, 8))
    with engine_rig.uow() as uow:
        uow.session.add(CalendarOverride(day=date(2024, 1, 8), working=False, organisation_code="C", created_at=NOW))
        uow.commit()
    assert source.get("C").is_working_day(date(2024, 1, 8))  # cached until told
    source.invalidate()
    assert not source.get("C").is_working_day(date(2024, 1, 8))
    assert source.get("A").is_working_day(date(2024, 1, 8)) and source.tenants() == {"A", "B", "C"}


def test_timers_and_scripts_of_an_instance_count_on_its_tenants_calendar(
    rig: tuple[EngineRig, CalendarSource],
) -> None:
    engine_rig, _ = rig
    engine_rig.deploy_bytes(BPMN)
    started = {}
    with engine_rig.uow() as uow:
        for tenant in ("A", "B", None):
            view = engine_rig.engine.start(uow, "tenant_timer", unit_code="PNV", actor=ADMIN, tenant=tenant)
            started[tenant] = view.id
        uow.commit()
    with engine_rig.sessions() as session:
        due = {row.instance_id: row.due_at for row in session.query(Timer)}
    assert due[started["A"]] == at("2024-01-05", 17).astimezone(UTC)
    assert due[started["B"]] == at("2024-01-03", 17).astimezone(UTC)
    assert due[started[None]] == at("2024-01-04", 17).astimezone(UTC)

    engine_rig.clock.set(at("2024-01-05", 18))
    engine_rig.engine.cache.clear()
    with engine_rig.uow() as uow:
        assert engine_rig.engine.fire_due_timers(uow, engine_rig.clock.now()) == 3
        uow.commit()
    with engine_rig.sessions() as session:
        data = {t: engine_rig.engine.get_instance(session, i).data for t, i in started.items()}
    assert {t: (d["after"], d["span"]) for t, d in data.items()} == {
        "A": ("2024-01-05", 1),  # 03 off for every tenant, 04 A's own day off: 05 only
        "B": ("2024-01-03", 3),  # 03 B's own working day, A's 04 not B's: 03, 04, 05
        None: ("2024-01-04", 2),
    }
