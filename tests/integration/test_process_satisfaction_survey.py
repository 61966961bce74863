"""processes/satisfaction_survey on the real engine: sample sizes, collection closed at the deadline, SIPAS."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from engine.clock import LOCAL_TZ
from engine.errors import Forbidden, InvalidInput
from tests.engine_support import (
    EngineRig,
    actor,
    city_round_rig,
    deploy_process,
    due,
    fire,
    holders,
    instance_data,
    open_tasks,
    sample_start,
)
from tests.engine_support import advance as complete
from tests.engine_support import start as start_process

KEY = "satisfaction_survey"

COORDINATOR = actor("cv.pnv", "coordinator", unit="PNV")
LEADER = actor("ct.ubnd", "leader", unit="UBND")
HEAD_P1 = actor("tp.p1", "head", unit="P1")
STAFF = {unit: actor(f"mc.{unit.lower()}", "staff", unit=unit) for unit in ("P1", "P2", "P3")}


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[EngineRig]:
    with city_round_rig(tmp_path) as r:
        yield r


def start(rig: EngineRig) -> Any:
    return start_process(rig, KEY, COORDINATOR, sample_start(KEY))


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
    deploy_process(rig, KEY)
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
            "report_file": [1],
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
