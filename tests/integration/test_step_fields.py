"""Step data is the form's: no step of the six processes lets its user write a variable the process owns.

Each user step is reached on the real engine (SQLite, manual clock) by completing the steps before it with what
a person would send, then completed with what it legitimately takes plus one injected key at a time (the
durations, deadlines, escalation and return lists, the lane rules' unit variables, the plan link, the step's
own due-date variable, an unknown key): every attempt is a 422 ``unexpected_fields`` that names exactly that
key and changes nothing; the step then completes normally.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from lxml import etree
from sqlalchemy import func, inspect, select

from engine.clock import LOCAL_TZ
from engine.errors import InvalidInput
from engine.models import AuditEvent, HumanTask, InstanceTask, ProcessInstance, Timer
from engine.views import Actor, InstanceView, TaskView
from tests.engine_support import (
    CITY_PARENTS,
    PARENTS,
    DictUnits,
    EngineRig,
    actor,
    advance,
    deploy_process,
    make_rig,
    open_tasks,
    process_folder,
    sample_start,
    validated_lanes,
)
from tests.engine_support import start as start_process
from workflows.script_helpers import domain_helpers

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
PROCESSES = (
    "plan_issuance",
    "periodic_report",
    "generic_activity",
    "inspection",
    "satisfaction_survey",
    "index_scoring",
)
STARTER = actor("cv.pnv", "staff", "coordinator", unit="PNV")

# --------------------------------------------------------------------------- what each step legitimately sends

DECIDE = {"decision": "approve", "extend": False}
APPROVED = {"approved": True}
UNITS = ["P1", "P2"]


def self_assessment() -> dict[str, Any]:
    criteria = domain_helpers()["criteria_set"]("par-index-2024-xa")
    entries = {
        code: {"points": c["max_points"], "evidence": [f"minh-chung/{code}.pdf"], "explanation": ""}
        for code, c in criteria["sub_criteria"].items()
    }
    return {"criteria_code": "par-index-2024-xa", "entries": entries, "evidence_files": [1]}


def survey_response() -> dict[str, Any]:
    answers = dict.fromkeys(("access", "procedure", "civil_servant", "result", "feedback"), 5)
    return {"answers": answers, "overall": 5}


LEGIT: dict[str, dict[str, dict[str, Any]]] = {
    "plan_issuance": {
        "Task_draft": {
            "title": "Kế hoạch CCHC năm 2024",
            "summary": "Dự thảo kế hoạch CCHC",
            "attachments": [1],
            "needs_legal_review": True,
        },
        "Task_comment": {"coord_opinion": "agree", "coord_content": "Thống nhất"},
        "Task_legal": {"legal_conclusion": "eligible", "legal_opinion": "Đủ điều kiện ban hành"},
        "Task_review": DECIDE,
        "Task_memo": {"memo_content": "Kính trình UBND", "memo_attachments": [2]},
        "Task_approval": {**DECIDE, "signing_authority": "TM"},
        "Task_number": {"document_number": "1/KH-UBND", "issued_date": "2024-03-04", "issued_plan": [3]},
        "Task_distribute": {"recipients": ["Sở Nội vụ"], "distributed_date": "2024-03-04"},
    },
    "periodic_report": {
        "Task_draft": {"report_content": "Kết quả thực hiện CCHC quý I/2024", "attachments": [1]},
        "Task_review": DECIDE,
        "Task_acceptance": {"decision": "accept", "extend": False, "acceptance_note": "Đủ nội dung"},
    },
    "generic_activity": {
        "Task_perform": {
            "output_title": "Báo cáo kết quả kiểm tra CCHC",
            "output_reference": "45/BC-PNV",
            "output_date": "2024-03-01",
            "result_summary": "Đã kiểm tra 6 cơ quan",
            "attachments": [1],
            "ask_coordinating_units": True,
        },
        "Task_comment": {"coord_opinion": "agree", "coord_content": "Thống nhất"},
        "Task_confirm": {"decision": "confirm", "extend": False},
    },
    "inspection": {
        "Task_plan_draft": {
            "title": "Kế hoạch kiểm tra CCHC năm 2024",
            "year": 2024,
            "units": UNITS,
            "content": "Kiểm tra việc thực hiện kế hoạch CCHC",
            "start_date": "2024-04-01",
            "end_date": "2024-04-05",
        },
        "Task_plan_approve": APPROVED,
        "Task_team_draft": {
            "team_lead": {"name": "Nguyễn Văn A", "position": "Phó Chủ tịch UBND"},
            "members": [{"name": "Trần Thị B", "position": "Chuyên viên", "unit_code": "PNV"}],
            "secretary": {"name": "Lê Văn C", "position": "Chuyên viên"},
        },
        "Task_team_sign": {"decision_number": "125/QĐ-UBND", "decision_date": "2024-03-05", "decision_file": [1]},
        "Task_notice": {"notice_number": "12/TB-PNV", "notice_date": "2024-03-22", "outline": "Đề cương báo cáo"},
        "Task_self_report": {"summary": "Đơn vị đã thực hiện đầy đủ kế hoạch", "evidence": [1]},
        "Task_onsite": {
            "inspected_on": "2024-04-02",
            "findings": "Còn chậm cập nhật thủ tục hành chính",
            "minutes_file": [1],
            "signed_by_team_lead": True,
            "signed_by_unit_head": True,
        },
        "Task_conclusion": {
            "conclusion_number": "20/TB-UBND",
            "conclusion_date": "2024-04-10",
            "summary": "Kết luận kiểm tra",
            "conclusion_file": [1],
            "corrections": [{"unit_code": "P1", "content": "Cập nhật thủ tục", "deadline": "2024-04-30"}],
        },
        "Task_remediation": {"report": "Đã khắc phục", "items": [{"content": "Cập nhật thủ tục", "status": "done"}]},
        "Task_verify": {"summary": "Đã khắc phục", "results": [{"unit_code": "P1", "verdict": "completed"}]},
    },
    "satisfaction_survey": {
        "Task_plan_draft": {
            "title": "Kế hoạch khảo sát sự hài lòng quý I/2024",
            "period_from": "2024-01-01",
            "period_to": "2024-03-31",
            "desks": [{"unit_code": u, "transactions": 100} for u in UNITS],
            "collection_deadline": "2024-03-29",
        },
        "Task_plan_approve": APPROVED,
        "Task_collect": {"responses": [survey_response()]},
        "Task_report": {
            "report_title": "Báo cáo kết quả khảo sát quý I/2024",
            "findings": "Chỉ số hài lòng đạt 100 %",
            "recommendations": "Duy trì",
            "report_file": [1],
        },
        "Task_report_approve": APPROVED,
        "Task_publish": {"published_on": "2024-04-02", "channels": ["Cổng thông tin điện tử"]},
    },
    "index_scoring": {
        "Task_open": {
            "year": 2024,
            "criteria_code": "par-index-2024-xa",
            "units": UNITS,
            "self_assessment_deadline": "2024-03-29",
        },
        "Task_self_score": self_assessment(),
        "Task_self_sign": APPROVED,
        "Task_appraise": {"changes": []},
        "Task_explain": {"agree": True},
        "Task_decide": {"adjustments": []},
        "Task_survey_points": {"survey_points": [{"unit_code": u, "points": 18} for u in UNITS]},
        "Task_result_approve": APPROVED,
        "Task_publish": {
            "decision_number": "88/QĐ-UBND",
            "published_on": "2024-04-22",
            "channels": ["Hội nghị"],
            "decision_file": [1],
        },
    },
}

# --------------------------------------------------------------------------- what no step may set

INJECTED: dict[str, Any] = {
    "durations": {"draft": 60, "review": 60, "acceptance": 60},
    "deadline": "2099-12-31",
    "escalations": [],
    "returns": [],
    "extensions": [{"step": "draft", "new": "2099-12-31"}],
    "plan": {"plan_id": 999, "activity_id": 999, "occurrence_id": 999},
    "plan_id": 999,
    "unit_code": "P2",
    "data_objects": {"escalations": []},
}


def user_steps(key: str) -> list[tuple[str, str | None]]:
    """Every user and manual task of processes/<key>, with the variable its dueDate reads (if a plain name)."""
    root = etree.parse(str(process_folder(key) / f"{key}.bpmn")).getroot()
    steps = []
    for task in root.iter(f"{BPMN}userTask", f"{BPMN}manualTask"):
        due = next((p.get("value") for p in task.iter(f"{SPIFF}property") if p.get("name") == "dueDate"), None)
        steps.append((task.get("id", ""), due if due and due.isidentifier() else None))
    return steps


def injected_for(key: str, due_variable: str | None) -> dict[str, Any]:
    """The common injected keys, the process's lane variables, the step's own due date, an unknown key."""
    lanes = validated_lanes(key)
    lane_variables = {lane["unit"][4:]: "P2" for lane in lanes.values() if lane["unit"].startswith("var:")}
    extra = {f"unknown_{uuid4().hex[:8]}": "x", **lane_variables}
    if due_variable:
        extra[due_variable] = "2099-12-31"
    return {**INJECTED, **extra}


CASES = [
    pytest.param(key, element, due, id=f"{key}-{element}") for key in PROCESSES for element, due in user_steps(key)
]

# --------------------------------------------------------------------------- the rig and the walk


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[EngineRig]:
    helpers = {**domain_helpers(), "next_document_number": lambda unit, year, kind="KH": f"1/{kind}-{unit}"}
    r = make_rig(
        f"sqlite:///{tmp_path / 'engine.db'}",
        datetime(2024, 3, 1, 8, 0, tzinfo=LOCAL_TZ),
        helpers=helpers,
        units=DictUnits({**PARENTS, **CITY_PARENTS}),
    )
    yield r
    r.sql.dispose()


def person(task: TaskView) -> Actor:
    """Someone who holds the step's lane: its role in its unit."""
    return actor(f"{task.role}.{task.unit_code}".lower(), task.role or "", unit=task.unit_code)


def reach(rig: EngineRig, key: str, element: str) -> tuple[InstanceView, TaskView]:
    """Start processes/<key> and complete the steps before ``element`` as their users would."""
    view = start_process(rig, key, STARTER, sample_start(key), "PNV")
    for _ in range(60):
        tasks = open_tasks(rig, view.id)
        found = [t for t in tasks if t.element_id == element]
        if found:
            return view, found[0]
        assert tasks, f"{key}: the walk ended before {element} opened"
        advance(rig, tasks[0], person(tasks[0]), LEGIT[key][tasks[0].element_id])
    raise AssertionError(f"{key}: {element} not reached")


def snapshot(rig: EngineRig, instance_id: int) -> dict[str, Any]:
    """Every stored fact of an instance: its row, its step rows, its task rows, its timers, its audit count."""

    def columns(row: Any) -> dict[str, Any]:
        return {c.key: getattr(row, c.key) for c in inspect(type(row)).mapper.column_attrs}

    with rig.sessions() as s:
        return {
            "instance": columns(s.get(ProcessInstance, instance_id)),
            "steps": [
                columns(r)
                for r in s.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id).order_by(HumanTask.id))
            ],
            "tasks": sorted(
                (r.guid, bytes(r.payload))
                for r in s.scalars(select(InstanceTask).where(InstanceTask.instance_id == instance_id))
            ),
            "timers": [
                columns(r) for r in s.scalars(select(Timer).where(Timer.instance_id == instance_id).order_by(Timer.id))
            ],
            "audit": s.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.instance_id == instance_id)
            ),
        }


# --------------------------------------------------------------------------- the test


@pytest.mark.parametrize(("key", "element", "due_variable"), CASES)
def test_no_step_takes_a_key_its_form_does_not_declare(
    rig: EngineRig, key: str, element: str, due_variable: str | None
) -> None:
    deploy_process(rig, key)
    view, task = reach(rig, key, element)
    who, legit = person(task), LEGIT[key][element]
    before = snapshot(rig, view.id)
    injected = injected_for(key, due_variable)
    assert not set(injected) & set(legit)
    for name, value in [*injected.items(), ("all", None)]:
        extra = injected if name == "all" else {name: value}
        rig.engine.cache.clear()
        with rig.uow() as uow, pytest.raises(InvalidInput) as refused:
            rig.engine.complete(uow, task.id, who, {**legit, **extra})
        assert refused.value.code == "unexpected_fields", (name, refused.value.message)
        assert set(refused.value.details) == set(extra), name
        assert task.name and task.name in refused.value.message
        assert snapshot(rig, view.id) == before, name
    advance(rig, task, who, legit)  # what the form declares still goes through
