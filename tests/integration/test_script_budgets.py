"""Runaway diagram code through the real engine on SQLite: an incident within the budget, nothing oversized stored.

The fixtures ``runaway`` (a script per kind of runaway, a step whose postScript spins) and ``runaway_timer``
(the same behind a timer) pass deploy validation: the budgets are what stops them. ``started()`` counts the
runs of their scripts, to show that nothing runs one again unasked.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.errors import DataTooLarge
from engine.models import AuditEvent, HumanTask, InstanceTask, ProcessInstance, Timer
from engine.script_limits import ScriptLimits
from engine.views import InstanceView
from tests.engine_support import EngineRig, actor, make_rig
from tests.xdist_groups import TIME_BUDGETS

pytestmark = TIME_BUDGETS

STAFF = actor("cv.pnv", "staff", unit="PNV")
ADMIN = actor("admin", "admin")
LIMITS = ScriptLimits(cpu_seconds=0.2, memory_bytes=64 * 1024 * 1024, data_max_bytes=100_000, engine_steps=300)
TIME = "Tập lệnh chạy quá thời gian cho phép (0,2 giây CPU)"
MEMORY = "Tập lệnh dùng quá bộ nhớ cho phép (64 MB)"


class Runs:
    """The ``started()`` helper: counts script runs."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> bool:
        self.count += 1
        return True


@pytest.fixture
def runs() -> Runs:
    return Runs()


@pytest.fixture
def budget_rig(tmp_path: Path, runs: Runs) -> Iterator[EngineRig]:
    rig = make_rig(f"sqlite:///{tmp_path / 'engine.db'}", helpers={"started": runs}, limits=LIMITS)
    for name in ("runaway", "runaway_timer", "timer_wait", "bpmn_loop"):
        rig.deploy_fixture(name)
    yield rig
    rig.sql.dispose()


def start(rig: EngineRig, key: str = "runaway", **data: Any) -> InstanceView:
    with rig.uow() as uow:
        view = rig.engine.start(uow, key, unit_code="PNV", data=data, actor=STAFF)
        uow.commit()
    return view


def stored(rig: EngineRig, instance_id: int) -> tuple[ProcessInstance, int]:
    """The instance row and the bytes of its task rows."""
    with rig.sessions() as s:
        instance = s.get(ProcessInstance, instance_id)
        assert instance is not None
        size = s.scalar(
            select(func.coalesce(func.sum(func.length(InstanceTask.payload)), 0)).where(
                InstanceTask.instance_id == instance_id
            )
        )
        return instance, int(size or 0)


def failures(rig: EngineRig, instance_id: int) -> int:
    with rig.sessions() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.instance_id == instance_id, AuditEvent.kind == "instance_failed")
            )
            or 0
        )


@pytest.mark.parametrize(
    ("kind", "element", "error_type", "expected"),
    [
        ("loop", "Script_loop", "ScriptTimeExceeded", TIME),
        ("text", "Script_text", "ScriptMemoryExceeded", MEMORY),
        ("power", "Script_power", "ScriptMemoryExceeded", "số nguyên quá lớn"),
        ("list", "Script_list", "ScriptMemoryExceeded", MEMORY),
        ("nested", "Script_nested", "ScriptMemoryExceeded", MEMORY),
        ("data", "Script_data", "ScriptDataTooLarge", "Dữ liệu của hồ sơ quá lớn"),
    ],
)
def test_a_runaway_script_at_start_ends_in_an_incident_naming_the_step(
    budget_rig: EngineRig, runs: Runs, kind: str, element: str, error_type: str, expected: str
) -> None:
    view = start(budget_rig, kind=kind)
    assert view.status == "error" and view.open_tasks == []
    incident = view.incident
    assert incident is not None
    assert incident["element_id"] == element and incident["error_type"] == error_type
    name = incident["element_name"]
    assert incident["message"].startswith(f'Lỗi tại bước "{name}": ') and expected in incident["message"]
    assert runs.count == 1
    instance, task_bytes = stored(budget_rig, view.id)
    # What the script built is not kept: neither its variables nor anything oversized.
    assert instance.status == "error" and not {"x", "n", "partial", "report"} & set(instance.data)
    assert task_bytes < LIMITS.data_max_bytes
    assert failures(budget_rig, view.id) == 1


def test_an_incident_reports_the_line_and_a_retry_runs_the_script_again(budget_rig: EngineRig, runs: Runs) -> None:
    view = start(budget_rig, kind="loop")
    assert view.incident is not None and view.incident["line"] in (5, 6)  # inside the loop
    with budget_rig.uow() as uow:
        retried = budget_rig.engine.retry(uow, view.id, ADMIN, {"kind": "loop"})
        uow.commit()
    assert retried.status == "error" and runs.count == 2  # only because an administrator asked
    assert failures(budget_rig, view.id) == 2


def test_a_step_whose_post_script_runs_away_stays_open_and_the_instance_gets_an_incident(
    budget_rig: EngineRig, runs: Runs
) -> None:
    view = start(budget_rig, kind="fill")
    [step] = view.open_tasks
    with budget_rig.uow() as uow:
        result = budget_rig.engine.complete(uow, step.id, STAFF, {"spin": True, "note": "lần 1"})
        uow.commit()
    assert result.instance.status == "error"
    incident = result.instance.incident
    assert incident is not None and incident["element_id"] == "Task_fill"
    assert incident["error_type"] == "ScriptTimeExceeded" and TIME in incident["message"]
    # The submission is not kept: the step is still open, its data as before.
    assert [t.id for t in result.next_tasks] == [step.id]
    assert "note" not in budget_rig.engine.task_data(budget_rig.sessions(), step.id)
    with budget_rig.sessions() as s:
        row = s.get(HumanTask, step.id)
        assert row is not None and row.status == "ready" and row.completed_by is None
    # The administrator's retry clears the incident; the same step then takes ordinary data and goes on.
    with budget_rig.uow() as uow:
        retried = budget_rig.engine.retry(uow, view.id, ADMIN)
        uow.commit()
    assert retried.status == "running" and [t.id for t in retried.open_tasks] == [step.id]
    with budget_rig.uow() as uow:
        done = budget_rig.engine.complete(uow, step.id, STAFF, {"spin": False})
        uow.commit()
    assert [t.element_id for t in done.next_tasks] == ["Task_check"] and runs.count == 2


def test_too_much_data_at_start_or_completion_is_refused_and_nothing_is_stored(budget_rig: EngineRig) -> None:
    with pytest.raises(DataTooLarge) as info, budget_rig.uow() as uow:
        budget_rig.engine.start(uow, "runaway", unit_code="PNV", data={"note": "x" * 200_000}, actor=STAFF)
    assert info.value.code == "instance_data_too_large"
    assert info.value.message.startswith("Dữ liệu của hồ sơ quá lớn (195,3 KB; tối đa 97,7 KB)")
    with budget_rig.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ProcessInstance)) == 0

    view = start(budget_rig, kind="fill")
    [step] = view.open_tasks
    version = stored(budget_rig, view.id)[0].version
    with pytest.raises(DataTooLarge), budget_rig.uow() as uow:
        budget_rig.engine.complete(uow, step.id, STAFF, {"spin": False, "note": "ễ" * 60_000})
    instance, _ = stored(budget_rig, view.id)
    assert instance.version == version and instance.status == "running"
    with budget_rig.sessions() as s:
        row = s.get(HumanTask, step.id)
        assert row is not None and row.status == "ready"
    with budget_rig.uow() as uow:  # the same step still takes ordinary data
        done = budget_rig.engine.complete(uow, step.id, STAFF, {"spin": False, "note": "ễ" * 1000})
        uow.commit()
    assert [t.element_id for t in done.next_tasks] == ["Task_check"]


def test_data_grown_by_an_expression_is_refused_when_saved(budget_rig: EngineRig) -> None:
    with pytest.raises(DataTooLarge), budget_rig.uow() as uow:
        budget_rig.engine.start(uow, "runaway", unit_code="PNV", data={"kind": "grow", "items": []}, actor=STAFF)
    with budget_rig.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ProcessInstance)) == 0


def test_a_diagram_that_loops_without_a_person_or_timer_ends_in_an_incident(budget_rig: EngineRig) -> None:
    view = start(budget_rig, "bpmn_loop", start_value=0)  # the counter n is the diagram's own (computed)
    assert view.status == "error" and view.incident is not None
    assert view.incident["error_type"] == "EngineStepsExceeded"
    assert "Quy trình chạy quá 300 bước tự động liên tiếp" in view.incident["message"]
    assert 100 <= view.data["n"] <= 300  # each pass of the loop is a script and a gateway


def fire(rig: EngineRig, hours: float) -> tuple[int, int]:
    """Fire what is due ``hours`` after the start (the workflow cache cleared, as after a restart):
    (instances moved on, instances put in error)."""
    rig.engine.cache.clear()
    with rig.uow() as uow:
        outcome = rig.engine.fire_timer_batch(uow, rig.clock.now() + timedelta(hours=hours))
        uow.commit()
    return outcome.fired, outcome.failed


def test_a_runaway_behind_a_timer_is_an_incident_and_is_not_picked_again(budget_rig: EngineRig, runs: Runs) -> None:
    soon = (budget_rig.clock.now() + timedelta(hours=1)).isoformat()
    later = (budget_rig.clock.now() + timedelta(hours=5)).isoformat()
    runaway = start(budget_rig, "runaway_timer", fire_at=soon, kind="loop")
    grows = start(budget_rig, "runaway_timer", fire_at=soon, kind="grow", items=[])
    neighbour = start(budget_rig, "timer_wait", fire_at=soon)
    late = start(budget_rig, "timer_wait", fire_at=later)

    assert fire(budget_rig, 2) == (1, 2)  # the neighbour moved on; the runaway and the grown one are incidents
    spun, _ = stored(budget_rig, runaway.id)
    assert spun.status == "error" and spun.incident is not None
    assert spun.incident["element_id"] == "Script_spin" and TIME in spun.incident["message"]
    grown, task_bytes = stored(budget_rig, grows.id)
    assert grown.status == "error" and grown.incident is not None
    assert grown.incident["error_type"] == "DataTooLarge" and "Dữ liệu của hồ sơ quá lớn" in grown.incident["message"]
    assert task_bytes < LIMITS.data_max_bytes  # what the run produced was not stored
    assert stored(budget_rig, neighbour.id)[0].status == "completed"
    assert runs.count == 1

    # Another pass (after a restart: nothing cached) runs neither again; the later timer still fires.
    versions = {i: stored(budget_rig, i)[0].version for i in (runaway.id, grows.id)}
    assert fire(budget_rig, 2) == (0, 0)
    assert fire(budget_rig, 6) == (1, 0)
    assert stored(budget_rig, late.id)[0].status == "completed"
    assert runs.count == 1
    assert {i: stored(budget_rig, i)[0].version for i in versions} == versions
    assert failures(budget_rig, runaway.id) == 1 and failures(budget_rig, grows.id) == 1
    with budget_rig.sessions() as s:
        waiting = s.scalars(select(Timer.instance_id).where(Timer.status == "waiting")).all()
        assert waiting == [grows.id]  # kept for the administrator's retry (its firing was rolled back)
