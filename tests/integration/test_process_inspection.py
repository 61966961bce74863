"""processes/inspection on the real engine: who acts, working-day deadlines, per-unit steps, escalation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from engine.clock import LOCAL_TZ
from engine.errors import Forbidden
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

KEY = "inspection"

COORDINATOR = actor("cv.pnv", "coordinator", unit="PNV")
LEADER = actor("ct.ubnd", "leader", unit="UBND")
HEAD_P1 = actor("tp.p1", "head", unit="P1")
HEAD_P2 = actor("tp.p2", "head", unit="P2")


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[EngineRig]:
    with city_round_rig(tmp_path) as r:
        yield r


def start(rig: EngineRig) -> Any:
    return start_process(rig, KEY, COORDINATOR, sample_start(KEY))


PLAN = {
    "title": "Kế hoạch kiểm tra công tác CCHC năm 2024",
    "year": 2024,
    "units": ["P1", "P2"],
    "content": "Kiểm tra việc thực hiện kế hoạch CCHC năm 2024",
    "start_date": "2024-04-01",
    "end_date": "2024-04-05",
}
TEAM = {
    "team_lead": {"name": "Nguyễn Văn A", "position": "Phó Chủ tịch UBND"},
    "members": [{"name": "Trần Thị B", "position": "Chuyên viên", "unit_code": "PNV"}],
    "secretary": {"name": "Lê Văn C", "position": "Chuyên viên"},
}
REPORT = {"summary": "Đơn vị đã thực hiện đầy đủ kế hoạch CCHC", "evidence": [3]}
MINUTES = {
    "inspected_on": "2024-04-02",
    "findings": "Còn chậm cập nhật thủ tục hành chính",
    "minutes_file": [4],
    "signed_by_team_lead": True,
    "signed_by_unit_head": True,
}


def test_inspection_round_with_a_late_unit(rig: EngineRig) -> None:
    deploy_process(rig, KEY)
    view = start(rig)
    [draft] = view.open_tasks
    assert (draft.element_id, draft.role, draft.unit_code) == ("Task_plan_draft", "coordinator", "PNV")
    assert draft.form_schema == "plan.schema.json"
    assert draft.due_at == due("2024-03-08")  # 01/03/2024 (Fri) + 5 working days

    with pytest.raises(Forbidden):
        complete(rig, draft, LEADER, PLAN)
    [approve] = complete(rig, draft, COORDINATOR, PLAN)
    assert (approve.element_id, approve.role, approve.unit_code) == ("Task_plan_approve", "leader", "UBND")
    assert approve.due_at == due("2024-03-13")  # 08/03 + 3 working days

    # Returned with an extension: the redraft is due on the new date, the approval 3 working days later.
    [redraft] = complete(
        rig, approve, LEADER, {"approved": False, "reason": "Bổ sung nội dung", "extend_to": "2024-03-15"}
    )
    assert (redraft.element_id, redraft.due_at) == ("Task_plan_draft", due("2024-03-15"))
    [approve] = complete(rig, redraft, COORDINATOR, PLAN)
    assert approve.due_at == due("2024-03-20")
    [team] = complete(rig, approve, LEADER, {"approved": True})
    assert (team.element_id, team.role, team.unit_code, team.due_at) == (
        "Task_team_draft",
        "coordinator",
        "PNV",
        due("2024-03-06"),
    )
    [sign] = complete(rig, team, COORDINATOR, TEAM)
    assert (sign.role, sign.unit_code, sign.due_at) == ("leader", "UBND", due("2024-03-11"))
    [notice] = complete(
        rig, sign, LEADER, {"decision_number": "125/QĐ-UBND", "decision_date": "2024-03-05", "decision_file": [2]}
    )
    # the notice goes out 5 working days (start data notice_working_days) before 01/04/2024
    assert (notice.element_id, notice.due_at) == ("Task_notice", due("2024-03-25"))
    reports = complete(
        rig,
        notice,
        COORDINATOR,
        {"notice_number": "12/TB-PNV", "notice_date": "2024-03-22", "outline": "Đề cương báo cáo"},
    )
    assert holders(reports) == [("Task_self_report", "head", "P1"), ("Task_self_report", "head", "P2")]
    assert {t.due_at for t in reports} == {due("2024-03-29")}  # one working day before the inspection
    data = instance_data(rig, view.id)
    assert (data["notice_working_days_ahead"], data["notice_on_time"]) == (6, True)

    by_unit = {t.unit_code: t for t in reports}
    with pytest.raises(Forbidden):
        complete(rig, by_unit["P2"], HEAD_P1, REPORT)
    still_open = complete(rig, by_unit["P1"], HEAD_P1, REPORT)
    assert holders(still_open) == [("Task_self_report", "head", "P2")]  # P2 is still working on its report

    # P2 misses its deadline: only its own timer fires, the escalation names P2 and stays in the data
    assert fire(rig, datetime(2024, 3, 29, 16, 59, tzinfo=LOCAL_TZ)) == 0
    assert fire(rig, datetime(2024, 3, 29, 17, 1, tzinfo=LOCAL_TZ)) == 1
    escalations = instance_data(rig, view.id)["data_objects"]["escalations"]
    assert [(e["step"], e["unit"], e["due"], e["to"]) for e in escalations] == [
        ("Task_self_report", "P2", "2024-03-29", ["head", "coordinator"])
    ]
    assert holders(open_tasks(rig, view.id)) == [("Task_self_report", "head", "P2")]

    onsite = complete(rig, by_unit["P2"], HEAD_P2, REPORT)
    assert holders(onsite) == [("Task_onsite", "coordinator", "PNV")] * 2
    assert {t.due_at for t in onsite} == {due("2024-04-05")}
    data = instance_data(rig, view.id)
    late = {r["unit_code"]: r["late"] for r in data["self_reports"]}
    assert late == {"P1": False, "P2": True}

    assert holders(complete(rig, onsite[0], COORDINATOR, MINUTES)) == [("Task_onsite", "coordinator", "PNV")]
    [conclusion] = complete(rig, onsite[1], COORDINATOR, MINUTES)
    # 05/04 + 10 working days skips Giỗ Tổ Hùng Vương (18/04/2024)
    assert (conclusion.element_id, conclusion.due_at) == ("Task_conclusion", due("2024-04-22"))
    assert sorted(m["unit_code"] for m in instance_data(rig, view.id)["minutes"]) == ["P1", "P2"]

    corrections = [
        {"unit_code": "P1", "content": "Cập nhật thủ tục hành chính", "deadline": "2024-04-30"},
        {"unit_code": "P1", "content": "Niêm yết công khai", "deadline": "2024-05-10"},
    ]
    [remediation] = complete(
        rig,
        conclusion,
        COORDINATOR,
        {
            "conclusion_number": "20/TB-UBND",
            "conclusion_date": "2024-04-10",
            "summary": "Kết luận kiểm tra",
            "conclusion_file": [5],
            "corrections": corrections,
        },
    )
    assert (remediation.element_id, remediation.role, remediation.unit_code, remediation.due_at) == (
        "Task_remediation",
        "head",
        "P1",
        due("2024-05-10"),
    )
    [verify] = complete(
        rig,
        remediation,
        HEAD_P1,
        {"report": "Đã khắc phục các tồn tại", "items": [{"content": "Cập nhật thủ tục", "status": "done"}]},
    )
    # 10/05 + 5 working days = 17/05/2024
    assert (verify.element_id, verify.role, verify.unit_code, verify.due_at) == (
        "Task_verify",
        "coordinator",
        "PNV",
        due("2024-05-17"),
    )
    done = complete(
        rig,
        verify,
        COORDINATOR,
        {"summary": "Đơn vị đã khắc phục", "results": [{"unit_code": "P1", "verdict": "completed"}]},
    )
    assert done == []
    with rig.sessions() as session:
        final = rig.engine.get_instance(session, view.id)
    assert final.status == "completed"
    assert [r["unit_code"] for r in final.data["remediation_reports"]] == ["P1"]
    assert [e["unit"] for e in final.data["data_objects"]["escalations"]] == ["P2"]
