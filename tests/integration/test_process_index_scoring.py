"""processes/index_scoring on the real engine: self-assessment, appraisal, explanation window, index and ranking."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from engine.clock import LOCAL_TZ
from engine.errors import Forbidden, InvalidInput
from engine.models import HumanTask
from engine.views import TaskView
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
    process_folder,
    sample_start,
)
from tests.engine_support import advance as complete
from tests.engine_support import start as start_process
from workflows.script_helpers import domain_helpers

KEY = "index_scoring"
FOLDER = process_folder(KEY)

COORDINATOR = actor("cv.pnv", "coordinator", unit="PNV")
LEADER = actor("ct.ubnd", "leader", unit="UBND")
APPRAISER = actor("hd.pnv", "appraiser", unit="PNV")
ADMIN = actor("admin", "admin", unit="UBND")
UNITS = ("P1", "P2", "P3")
STAFF = {unit: actor(f"cv.{unit.lower()}", "staff", unit=unit) for unit in UNITS}
HEAD = {unit: actor(f"tp.{unit.lower()}", "head", unit=unit) for unit in UNITS}
XA = domain_helpers()["criteria_set"]("par-index-2024-xa")


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[EngineRig]:
    with city_round_rig(tmp_path) as r:
        yield r


def start(rig: EngineRig) -> Any:
    return start_process(rig, KEY, COORDINATOR, sample_start(KEY))


def entries(share: float) -> dict[str, dict[str, Any]]:
    """A self-assessment at ``share`` of every maximum, with one evidence file each."""
    return {
        code: {"points": round(c["max_points"] * share, 2), "evidence": [f"minh-chung/{code}.pdf"], "explanation": ""}
        for code, c in XA["sub_criteria"].items()
    }


def score(share: float) -> dict[str, Any]:
    return {"criteria_code": "par-index-2024-xa", "entries": entries(share), "evidence_files": [1, 2]}


def appraisal_tasks(rig: EngineRig, tasks: list[TaskView]) -> dict[str, TaskView]:
    """The council's steps by the unit they appraise (all of them sit with PNV)."""
    with rig.sessions() as session:
        return {rig.engine.task_data(session, t.id)["appraised_unit"]: t for t in tasks}


def open_round(rig: EngineRig) -> tuple[Any, dict[str, TaskView]]:
    deploy_process(rig, KEY)
    view = start(rig)
    [opening] = view.open_tasks
    scoring = complete(
        rig,
        opening,
        COORDINATOR,
        {
            "year": 2024,
            "criteria_code": "par-index-2024-xa",
            "units": list(UNITS),
            "self_assessment_deadline": "2024-03-29",
        },
    )
    return view, {t.unit_code: t for t in scoring}


def failing(rig: EngineRig, task: TaskView, who: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Complete a step whose postScript refuses the data: 422-style refusal, the step stays open, nothing written."""
    with rig.uow() as uow, pytest.raises(InvalidInput) as info:
        rig.engine.complete(uow, task.id, who, data)
    assert info.value.code == "step_refused"
    with rig.sessions() as session:
        assert session.get(HumanTask, task.id).status == "ready"
    return {"element_id": info.value.details["element_id"], "message": info.value.message}


def test_index_round_from_self_assessment_to_ranking(rig: EngineRig) -> None:
    deploy_process(rig, KEY)
    view = start(rig)
    [opening] = view.open_tasks
    assert (opening.element_id, opening.role, opening.unit_code, opening.due_at) == (
        "Task_open",
        "coordinator",
        "PNV",
        due("2024-03-06"),
    )
    scoring = complete(
        rig,
        opening,
        COORDINATOR,
        {
            "year": 2024,
            "criteria_code": "par-index-2024-xa",
            "units": list(UNITS),
            "self_assessment_deadline": "2024-03-29",
        },
    )
    assert holders(scoring) == [("Task_self_score", "staff", unit) for unit in UNITS]
    assert {t.due_at for t in scoring} == {due("2024-03-27")}  # two working days before the deadline
    assert instance_data(rig, view.id)["survey_max_points"] == 20.0
    by_unit = {t.unit_code: t for t in scoring}

    with pytest.raises(Forbidden):
        complete(rig, by_unit["P1"], HEAD["P1"], score(1.0))
    # above the maximum: refused by the form before anything runs
    too_high = score(0.8)
    too_high["entries"]["1.1.1"]["points"] = 5
    with pytest.raises(InvalidInput) as refused:
        complete(rig, by_unit["P2"], STAFF["P2"], too_high)
    assert refused.value.details["entries.1.1.1.points"] == ["Giá trị phải nhỏ hơn hoặc bằng 1.0."]
    signing = {}
    for unit, share, task in (("P1", 1.0, by_unit["P1"]), ("P2", 0.8, by_unit["P2"]), ("P3", 0.9, by_unit["P3"])):
        after = complete(rig, task, STAFF[unit], score(share))
        [signing[unit]] = [t for t in after if t.element_id == "Task_self_sign" and t.unit_code == unit]
        assert (signing[unit].role, signing[unit].due_at) == ("head", due("2024-03-29"))
    # P3's head returns the sheet: the staff step comes back with its original deadline
    [again] = [
        t
        for t in complete(rig, signing["P3"], HEAD["P3"], {"approved": False, "reason": "Bổ sung minh chứng"})
        if t.unit_code == "P3"
    ]
    assert (again.element_id, again.role, again.due_at) == ("Task_self_score", "staff", due("2024-03-27"))
    [signing["P3"]] = [t for t in complete(rig, again, STAFF["P3"], score(0.9)) if t.unit_code == "P3"]
    complete(rig, signing["P1"], HEAD["P1"], {"approved": True})
    complete(rig, signing["P2"], HEAD["P2"], {"approved": True})
    appraising = complete(rig, signing["P3"], HEAD["P3"], {"approved": True})
    assert holders(appraising) == [("Task_appraise", "appraiser", "PNV")] * 3
    assert {t.due_at for t in appraising} == {due("2024-04-12")}  # 29/03 + 10 working days
    assert sorted(a["unit_code"] for a in instance_data(rig, view.id)["self_assessments"]) == list(UNITS)

    # the council re-scores with a reason per change
    rig.clock.set(datetime(2024, 4, 10, 9, 0, tzinfo=LOCAL_TZ))
    with pytest.raises(Forbidden):
        complete(rig, appraising[0], COORDINATOR, {"changes": []})
    tasks = appraisal_tasks(rig, appraising)
    complete(
        rig,
        tasks["P1"],
        APPRAISER,
        {"changes": [{"criterion": "1.1.1", "points": 0.5, "reason": "Ban hành kế hoạch chậm 5 ngày"}]},
    )
    complete(rig, tasks["P2"], APPRAISER, {"changes": []})
    explaining = complete(rig, tasks["P3"], APPRAISER, {"changes": []})
    assert holders(explaining) == [("Task_explain", "head", unit) for unit in UNITS]
    assert {t.due_at for t in explaining} == {due("2024-04-17")}  # 10/04 + 5 working days
    provisional = {a["unit_code"]: a["provisional_index"] for a in instance_data(rig, view.id)["appraisals"]}
    assert provisional == {"P1": 99.38, "P2": 80.0, "P3": 90.0}  # without survey points: x / 80

    explain = {t.unit_code: t for t in explaining}
    complete(
        rig,
        explain["P1"],
        HEAD["P1"],
        {
            "agree": False,
            "items": [
                {
                    "criterion": "1.1.1",
                    "explanation": "Kế hoạch ban hành đúng hạn theo văn bản số 12",
                    "requested_points": 1,
                }
            ],
        },
    )
    complete(rig, explain["P2"], HEAD["P2"], {"agree": True})
    # P3 never answers: reminded two working days before, then its window closes
    assert fire(rig, datetime(2024, 4, 17, 17, 1, tzinfo=LOCAL_TZ)) == 1
    [reminder] = instance_data(rig, view.id)["data_objects"]["escalations"]
    assert (reminder["step"], reminder["kind"], reminder["unit"], reminder["due"]) == (
        "Task_explain",
        "due_soon",
        "P3",
        "2024-04-17",
    )
    [decide] = open_tasks(rig, view.id)
    # 17/04 + 5 working days skips Giỗ Tổ Hùng Vương (18/04/2024)
    assert (decide.element_id, decide.role, decide.unit_code, decide.due_at) == (
        "Task_decide",
        "appraiser",
        "PNV",
        due("2024-04-25"),
    )
    assert [(e["unit_code"], e["submitted"]) for e in instance_data(rig, view.id)["explanations"]] == [
        ("P1", True),
        ("P2", True),
        ("P3", False),
    ]

    [survey] = complete(
        rig,
        decide,
        APPRAISER,
        {"adjustments": [{"unit_code": "P1", "criterion": "1.1.1", "points": 0.75, "reason": "Chấp nhận một phần"}]},
    )
    assert (survey.element_id, survey.role, survey.due_at) == ("Task_survey_points", "coordinator", due("2024-04-23"))
    [approve] = complete(
        rig,
        survey,
        COORDINATOR,
        {
            "survey_points": [
                {"unit_code": "P1", "points": 18},
                {"unit_code": "P2", "points": 15},
                {"unit_code": "P3", "points": 16},
            ]
        },
    )
    assert (approve.element_id, approve.role, approve.unit_code) == ("Task_result_approve", "leader", "UBND")
    data = instance_data(rig, view.id)
    results = data["index_results"]
    assert {u: (r["achieved"], r["max"], r["index_percent"], r["group"]) for u, r in results.items()} == {
        "P1": (97.75, 100.0, 97.75, "A"),
        "P2": (79.0, 100.0, 79.0, "C"),
        "P3": (88.0, 100.0, 88.0, "B"),
    }
    assert data["ranking"] == [
        {"unit_code": "P1", "index_percent": 97.75, "rank": 1, "group": "A", "group_label": "Xuất sắc"},
        {"unit_code": "P3", "index_percent": 88.0, "rank": 2, "group": "B", "group_label": "Tốt"},
        {"unit_code": "P2", "index_percent": 79.0, "rank": 3, "group": "C", "group_label": "Khá"},
    ]

    [publish] = complete(rig, approve, LEADER, {"approved": True})
    assert (publish.element_id, publish.due_at) == ("Task_publish", due("2024-04-23"))
    complete(
        rig,
        publish,
        COORDINATOR,
        {"decision_number": "88/QĐ-UBND", "published_on": "2024-04-22", "channels": ["Hội nghị"], "decision_file": [9]},
    )
    with rig.sessions() as session:
        assert rig.engine.get_instance(session, view.id).status == "completed"


def test_self_assessment_form_maxima_follow_the_criteria_files() -> None:
    schema = json.loads((FOLDER / "self_assessment.schema.json").read_text(encoding="utf-8"))
    helpers = domain_helpers()
    branches = {b["if"]["properties"]["criteria_code"]["const"]: b["then"] for b in schema["allOf"]}
    # one branch per shared set; an organisation's own set (another code) is checked by the post-script alone
    assert set(branches) == {p.stem for p in (FOLDER.parent / "criteria").glob("*.yaml")}
    for code, then in branches.items():
        expected = {c: s["max_points"] for c, s in helpers["criteria_set"](code)["sub_criteria"].items()}
        fields = then["properties"]["entries"]["properties"]
        assert {c: f["properties"]["points"]["maximum"] for c, f in fields.items()} == expected


def test_missing_evidence_is_refused_by_the_post_script(rig: EngineRig) -> None:
    view, by_unit = open_round(rig)
    no_evidence = score(0.8)
    no_evidence["entries"]["1.2.1"]["evidence"] = []
    incident = failing(rig, by_unit["P2"], STAFF["P2"], no_evidence)
    assert incident["element_id"] == "Task_self_score"
    assert "Tiêu chí thành phần 1.2.1 cần tài liệu kiểm chứng" in incident["message"]
    with rig.sessions() as session:
        assert rig.engine.get_instance(session, view.id).status == "running"


def test_appraised_points_above_the_maximum_are_refused(rig: EngineRig) -> None:
    _, by_unit = open_round(rig)
    for unit, share in (("P1", 1.0), ("P2", 0.8), ("P3", 0.9)):
        [sign] = [t for t in complete(rig, by_unit[unit], STAFF[unit], score(share)) if t.unit_code == unit]
        appraising = complete(rig, sign, HEAD[unit], {"approved": True})
    tasks = appraisal_tasks(rig, appraising)
    incident = failing(
        rig, tasks["P2"], APPRAISER, {"changes": [{"criterion": "1.1.1", "points": 3, "reason": "Nhập nhầm điểm"}]}
    )
    assert incident["element_id"] == "Task_appraise"
    assert "Tiêu chí thành phần 1.1.1: điểm 3 vượt điểm tối đa 1." in incident["message"]
