"""processes/satisfaction_survey on the real engine: sample sizes, collection closed at the deadline, SIPAS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from engine.calendar import WorkingCalendar
from engine.clock import LOCAL_TZ, ManualClock
from engine.db import Base, make_engine, make_session_factory
from engine.definitions import deploy, read_bundle
from engine.errors import Forbidden, InvalidInput
from engine.helpers import standard_helpers
from engine.runtime import Engine
from engine.sandbox import check_source
from engine.validation import validate_bundle
from engine.views import TaskView
from tests.engine_support import ROLES, EngineRig, actor
from workflows.script_helpers import domain_helpers

FOLDER = Path(__file__).resolve().parents[2] / "processes" / "satisfaction_survey"
PARENTS = {"PNV": "UBND", "PTP": "UBND", "P1": "UBND", "P2": "UBND", "P3": "UBND"}

COORDINATOR = actor("cv.pnv", "coordinator", unit="PNV")
LEADER = actor("ct.ubnd", "leader", unit="UBND")
HEAD_P1 = actor("tp.p1", "head", unit="P1")
STAFF = {unit: actor(f"mc.{unit.lower()}", "staff", unit=unit) for unit in ("P1", "P2", "P3")}


class Units:
    """The unit directory of these tests: every unit sits under UBND."""

    def parent_of(self, unit_code: str) -> str | None:
        return PARENTS.get(unit_code)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[EngineRig]:
    sql = make_engine(f"sqlite:///{tmp_path / 'engine.db'}")
    Base.metadata.create_all(sql)
    clock = ManualClock(datetime(2024, 3, 1, 8, 0, tzinfo=LOCAL_TZ))  # a Friday
    calendar = WorkingCalendar()
    helpers = standard_helpers(lambda: calendar) | domain_helpers()
    engine = Engine(clock=clock, helpers=helpers, units=Units())
    yield EngineRig(sql, make_session_factory(sql), engine, clock)
    sql.dispose()


def deployed(rig: EngineRig) -> None:
    bpmn, files = read_bundle(FOLDER / "satisfaction_survey.bpmn")
    _, problems = validate_bundle(bpmn, files, ROLES, check_source)
    assert problems == []
    with rig.uow() as uow:
        result = deploy(uow.session, bpmn, files, known_roles=ROLES, actor="admin", now=rig.clock.now())
        uow.commit()
    assert result.definition.process_key == "satisfaction_survey"


def due(day: str) -> datetime:
    """17:00 Vietnam time on ``day``, as the engine stores it (UTC)."""
    return (
        datetime.combine(datetime.fromisoformat(day).date(), datetime.min.time(), LOCAL_TZ)
        .replace(hour=17)
        .astimezone(UTC)
    )


def start(rig: EngineRig) -> Any:
    data = json.loads((FOLDER / "sample-start.json").read_text(encoding="utf-8"))
    with rig.uow() as uow:
        view = rig.engine.start(uow, "satisfaction_survey", unit_code="PNV", data=data, actor=COORDINATOR)
        uow.commit()
    return view


def complete(rig: EngineRig, task: TaskView, who: Any, data: dict[str, Any] | None = None) -> list[TaskView]:
    rig.engine.cache.clear()  # every step restores the instance from the database
    with rig.uow() as uow:
        result = rig.engine.complete(uow, task.id, who, data or {})
        uow.commit()
    assert result.instance.incident is None, result.instance.incident
    return result.next_tasks


def open_tasks(rig: EngineRig, instance_id: int) -> list[TaskView]:
    with rig.sessions() as session:
        return rig.engine.get_instance(session, instance_id).open_tasks


def instance_data(rig: EngineRig, instance_id: int) -> dict[str, Any]:
    with rig.sessions() as session:
        return rig.engine.get_instance(session, instance_id).data


def holders(tasks: list[TaskView]) -> list[tuple[str, str | None, str | None]]:
    return sorted((t.element_id, t.role, t.unit_code) for t in tasks)


def fire(rig: EngineRig, moment: datetime) -> int:
    rig.clock.set(moment)
    rig.engine.cache.clear()
    with rig.uow() as uow:
        fired = rig.engine.fire_due_timers(uow, moment)
        uow.commit()
    return fired


PLAN = {
    "title": "Kế hoạch khảo sát sự hài lòng quý I/2024",
    "period_from": "2024-01-01",
    "period_to": "2024-03-31",
    "desks": [
        {"unit_code": "P1", "transactions": 1000},
        {"unit_code": "P2", "transactions": 500},
        {"unit_code": "P3", "transactions": 50},
    ],
    "collection_deadline": "2024-03-29",
}
ALL = ("access", "procedure", "civil_servant", "result", "feedback")


def response(overall: int, *levels: int | None) -> dict[str, Any]:
    return {"answers": dict(zip(ALL, levels, strict=True)), "overall": overall}


P1_RESPONSES = [response(5, 5, 5, 5, 5, 5), response(4, 4, 3, 5, 2, None), response(3, 2, 2, 2, 2, 2)]
P2_RESPONSES = [response(4, 4, 4, 4, 4, 4), response(2, 1, 5, 4, 4, 5)]


def test_survey_round_closes_collection_for_a_late_desk(rig: EngineRig) -> None:
    deployed(rig)
    view = start(rig)
    [draft] = view.open_tasks
    assert (draft.element_id, draft.role, draft.unit_code, draft.due_at) == (
        "Task_plan_draft",
        "coordinator",
        "PNV",
        due("2024-03-08"),
    )
    [approve] = complete(rig, draft, COORDINATOR, PLAN)
    assert (approve.element_id, approve.role, approve.unit_code, approve.due_at) == (
        "Task_plan_approve",
        "leader",
        "UBND",
        due("2024-03-13"),
    )
    data = instance_data(rig, view.id)
    # Yamane, e = 5 %: 1000 → 286, 500 → 223, 50 → 45 (rounded up)
    assert data["sample_sizes"] == {"P1": 286, "P2": 223, "P3": 45}
    assert data["sample_total"] == 554

    with pytest.raises(Forbidden):
        complete(rig, approve, COORDINATOR, {"approved": True})
    desks = complete(rig, approve, LEADER, {"approved": True})
    assert holders(desks) == [("Task_collect", "staff", unit) for unit in ("P1", "P2", "P3")]
    assert {t.due_at for t in desks} == {due("2024-03-29")}
    by_unit = {t.unit_code: t for t in desks}

    for wrong in (HEAD_P1, STAFF["P2"]):
        with pytest.raises(Forbidden):
            complete(rig, by_unit["P1"], wrong, {"responses": P1_RESPONSES})
    with pytest.raises(InvalidInput) as refused:
        complete(rig, by_unit["P1"], STAFF["P1"], {"responses": [response(6, 5, 5, 5, 5, 5)]})
    assert refused.value.code == "form_invalid"
    assert "responses.0.overall" in refused.value.details

    complete(rig, by_unit["P1"], STAFF["P1"], {"responses": P1_RESPONSES})
    complete(rig, by_unit["P2"], STAFF["P2"], {"responses": P2_RESPONSES})

    # two working days before the deadline P3 is reminded; at the deadline its window closes
    assert fire(rig, datetime(2024, 3, 27, 17, 1, tzinfo=LOCAL_TZ)) == 1
    [reminder] = instance_data(rig, view.id)["data_objects"]["escalations"]
    assert (reminder["kind"], reminder["unit"], reminder["due"]) == ("due_soon", "P3", "2024-03-29")
    assert holders(open_tasks(rig, view.id)) == [("Task_collect", "staff", "P3")]
    assert fire(rig, datetime(2024, 3, 29, 17, 1, tzinfo=LOCAL_TZ)) == 1
    [report] = open_tasks(rig, view.id)
    assert (report.element_id, report.role, report.unit_code) == ("Task_report", "coordinator", "PNV")
    assert report.due_at == due("2024-04-05")  # 29/03 + 5 working days

    data = instance_data(rig, view.id)
    assert data["skipped_units"] == ["P3"]
    assert [(b["unit_code"], b["count"], b["submitted"]) for b in data["survey_batches"]] == [
        ("P1", 3, True),
        ("P2", 2, True),
        ("P3", 0, False),
    ]
    sipas = data["sipas_result"]
    assert sipas["n"] == 5
    assert {code: e["percent"] for code, e in sipas["elements"].items()} == {
        "access": 60.0,
        "procedure": 60.0,
        "civil_servant": 80.0,
        "result": 60.0,
        "feedback": 75.0,
    }
    assert sipas["overall"] == {"n": 5, "satisfied": 3, "percent": 60.0}
    assert sipas["index"] == 67.0  # mean of the element shares (0.6 + 0.6 + 0.8 + 0.6 + 0.75) / 5
    assert {unit: u["index"] for unit, u in sipas["units"].items()} == {"P1": 50.0, "P2": 90.0}

    [approve_report] = complete(
        rig,
        report,
        COORDINATOR,
        {
            "report_title": "Báo cáo kết quả khảo sát quý I/2024",
            "findings": "Chỉ số hài lòng đạt 67 %",
            "recommendations": "Cải thiện thủ tục",
        },
    )
    assert (approve_report.role, approve_report.unit_code, approve_report.due_at) == (
        "leader",
        "UBND",
        due("2024-04-10"),
    )
    [publish] = complete(rig, approve_report, LEADER, {"approved": True})
    assert (publish.element_id, publish.role, publish.due_at) == ("Task_publish", "coordinator", due("2024-04-03"))
    assert (
        complete(
            rig,
            publish,
            COORDINATOR,
            {
                "published_on": "2024-04-02",
                "channels": ["Cổng thông tin điện tử"],
                "url": "https://sadec.dongthap.gov.vn/sipas",
            },
        )
        == []
    )
    with rig.sessions() as session:
        final = rig.engine.get_instance(session, view.id)
    assert final.status == "completed"
    assert final.data["sipas_result"]["index"] == 67.0
