"""processes/periodic_report on the real engine (SQLite, manual clock): unit report → head → Phòng Nội vụ."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from engine.errors import Forbidden, InvalidInput
from engine.views import InstanceView
from tests.engine_support import (
    EngineRig,
    actor,
    at,
    complete,
    deploy_process,
    due,
    escalations,
    fire,
    instance,
    only,
    process_folder,
    sample_start,
    validated_lanes,
)
from tests.engine_support import start as start_process

KEY = "periodic_report"
FOLDER = process_folder(KEY)
SAMPLE = sample_start(KEY)

P1_STAFF = actor("cv.p1", "staff", unit="P1")
P1_HEAD = actor("ct.p1", "head", unit="P1")
PNV_STAFF = actor("cv.pnv", "staff", unit="PNV")
PNV_HEAD = actor("tp.pnv", "head", unit="PNV")
PNV_COORDINATOR = actor("dm.pnv", "coordinator", unit="PNV")

REPORT = {"report_content": "Kết quả thực hiện CCHC quý I/2024 của đơn vị", "attachments": [1]}
APPROVE = {"decision": "approve", "extend": False}
ACCEPT = {"decision": "accept", "extend": False}


@pytest.fixture
def rig(rig: EngineRig) -> EngineRig:
    deploy_process(rig, KEY, validate=False)
    rig.clock.set(at(date(2024, 3, 4)))  # Monday
    return rig


# --------------------------------------------------------------------------- helpers


def start(rig: EngineRig, unit: str = "P1", **changes: Any) -> InstanceView:
    return start_process(rig, KEY, P1_STAFF, {**SAMPLE, **changes}, unit)


# --------------------------------------------------------------------------- tests


def test_bundle_validates_without_problems() -> None:
    assert validated_lanes(KEY) == {
        "Chuyên viên đơn vị báo cáo": {"role": "staff", "unit": "instance"},
        "Lãnh đạo đơn vị báo cáo": {"role": "head", "unit": "instance"},
        "Đầu mối CCHC Phòng Nội vụ": {"role": "coordinator", "unit": "code:PNV"},
    }


def test_unit_report_is_approved_and_accepted_by_pnv(rig: EngineRig) -> None:
    view = start(rig)
    [draft] = view.open_tasks
    assert (draft.element_id, draft.role, draft.unit_code, draft.form_schema) == (
        "Task_draft",
        "staff",
        "P1",
        "report.schema.json",
    )
    assert draft.due_at == due(date(2024, 3, 11))  # Mon 04/03 + 5 working days
    assert view.data["period_label"] == "Quý I/2024"

    rig.clock.set(at(date(2024, 3, 6)))
    review = only(complete(rig, draft, P1_STAFF, REPORT).next_tasks, "Task_review")
    assert (review.role, review.unit_code, review.due_at) == ("head", "P1", due(date(2024, 3, 8)))

    acceptance = only(complete(rig, review, P1_HEAD, APPROVE).next_tasks, "Task_acceptance")
    assert (acceptance.role, acceptance.unit_code, acceptance.form_schema) == (
        "coordinator",
        "PNV",
        "acceptance.schema.json",
    )
    assert acceptance.due_at == due(date(2024, 3, 11))  # Wed 06/03 + 3 working days

    final = complete(rig, acceptance, PNV_COORDINATOR, {**ACCEPT, "acceptance_note": "Đủ nội dung"})
    assert final.instance.status == "completed" and final.next_tasks == []
    data = final.instance.data
    assert (data["submitted_date"], data["submitted_on_time"]) == ("2024-03-06", True)
    assert data["report_content"] == REPORT["report_content"] and data["returns"] == []
    assert escalations(final.instance) == []


def test_wrong_role_or_unit_is_refused(rig: EngineRig) -> None:
    view = start(rig)
    draft = view.open_tasks[0]
    for wrong in (PNV_STAFF, P1_HEAD, actor("cv.p2", "staff", unit="P2")):
        with pytest.raises(Forbidden):
            complete(rig, draft, wrong, REPORT)
    review = only(complete(rig, draft, P1_STAFF, REPORT).next_tasks, "Task_review")
    for wrong in (P1_STAFF, PNV_HEAD, actor("ct.p2", "head", unit="P2")):
        with pytest.raises(Forbidden):
            complete(rig, review, wrong, APPROVE)
    acceptance = only(complete(rig, review, P1_HEAD, APPROVE).next_tasks, "Task_acceptance")
    for wrong in (P1_HEAD, PNV_STAFF, PNV_HEAD, actor("dm.ptp", "coordinator", unit="PTP")):
        with pytest.raises(Forbidden):
            complete(rig, acceptance, wrong, ACCEPT)


def test_pnv_return_goes_back_to_unit_staff_with_the_original_deadline(rig: EngineRig) -> None:
    view = start(rig)
    draft = view.open_tasks[0]
    review = only(complete(rig, draft, P1_STAFF, REPORT).next_tasks, "Task_review")
    acceptance = only(complete(rig, review, P1_HEAD, APPROVE).next_tasks, "Task_acceptance")

    with pytest.raises(InvalidInput) as info:
        complete(rig, acceptance, PNV_COORDINATOR, {"decision": "return", "extend": False})
    assert "return_reason" in info.value.details

    rig.clock.set(at(date(2024, 3, 7)))
    result = complete(
        rig, acceptance, PNV_COORDINATOR, {"decision": "return", "return_reason": "Thiếu số liệu TTHC", "extend": False}
    )
    redraft = only(result.next_tasks, "Task_draft")
    assert (redraft.role, redraft.unit_code, redraft.due_at) == ("staff", "P1", due(date(2024, 3, 11)))
    assert result.instance.data["returns"] == [
        {"step": "acceptance", "back_to": "draft", "reason": "Thiếu số liệu TTHC", "at": "2024-03-07T08:00:00+07:00"}
    ]

    review = only(
        complete(rig, redraft, P1_STAFF, {**REPORT, "revision_note": "Bổ sung số liệu"}).next_tasks, "Task_review"
    )
    assert review.unit_code == "P1"  # the corrected report goes through the head again
    acceptance = only(complete(rig, review, P1_HEAD, APPROVE).next_tasks, "Task_acceptance")

    rig.clock.set(at(date(2024, 3, 12)))
    result = complete(
        rig,
        acceptance,
        PNV_COORDINATOR,
        {
            "decision": "return",
            "return_reason": "Số liệu chưa khớp",
            "extend": True,
            "extension_days": 2,
            "extension_reason": "Đơn vị cần đối chiếu lại",
        },
    )
    redraft = only(result.next_tasks, "Task_draft")
    assert redraft.due_at == due(date(2024, 3, 14))  # max(11/03, 12/03) + 2 working days
    assert [{k: e[k] for k in ("step", "old", "new", "reason")} for e in result.instance.data["extensions"]] == [
        {"step": "draft", "old": "2024-03-11", "new": "2024-03-14", "reason": "Đơn vị cần đối chiếu lại"}
    ]


def test_head_return_keeps_the_draft_deadline(rig: EngineRig) -> None:
    view = start(rig)
    review = only(complete(rig, view.open_tasks[0], P1_STAFF, REPORT).next_tasks, "Task_review")
    rig.clock.set(at(date(2024, 3, 8)))
    result = complete(rig, review, P1_HEAD, {"decision": "return", "return_reason": "Bổ sung phụ lục", "extend": False})
    redraft = only(result.next_tasks, "Task_draft")
    assert redraft.due_at == due(date(2024, 3, 11))
    assert result.instance.data["returns"][0]["step"] == "review"


def test_late_submission_is_marked_and_pnv_still_gets_its_own_time(rig: EngineRig) -> None:
    view = start(rig)
    review = only(complete(rig, view.open_tasks[0], P1_STAFF, REPORT).next_tasks, "Task_review")
    rig.clock.set(at(date(2024, 3, 18)))  # after the report deadline 15/03
    acceptance = only(complete(rig, review, P1_HEAD, APPROVE).next_tasks, "Task_acceptance")
    assert acceptance.due_at == due(date(2024, 3, 21))  # Mon 18/03 + 3, not capped by the unit's deadline
    data = instance(rig, view.id).data
    assert (data["submitted_date"], data["submitted_on_time"]) == ("2024-03-18", False)


def test_overdue_steps_record_escalations(rig: EngineRig) -> None:
    view = start(rig)
    assert fire(rig, at(date(2024, 3, 11), 17, 1)) == 1
    after = instance(rig, view.id)
    assert escalations(after) == [
        {
            "step": "draft",
            "element": "Task_draft",
            "to": "head",
            "unit": "instance",
            "due": "2024-03-11",
            "at": "2024-03-11T17:01:00+07:00",
        }
    ]
    review = only(complete(rig, after.open_tasks[0], P1_STAFF, REPORT).next_tasks, "Task_review")
    assert review.due_at == due(date(2024, 3, 13))
    assert fire(rig, at(date(2024, 3, 13), 17, 1)) == 1
    after = instance(rig, view.id)
    assert [(e["step"], e["to"], e["unit"]) for e in escalations(after)] == [
        ("draft", "head", "instance"),
        ("review", "leader", "parent"),
    ]
    acceptance = only(complete(rig, review, P1_HEAD, APPROVE).next_tasks, "Task_acceptance")
    assert fire(rig, at(date(2024, 3, 19), 9, 0)) == 1  # Wed 13/03 + 3 = 18/03
    assert escalations(instance(rig, view.id))[-1]["step"] == "acceptance"
    assert escalations(instance(rig, view.id))[-1]["unit"] == "code:PNV"
    final = complete(rig, acceptance, PNV_COORDINATOR, ACCEPT)
    assert final.instance.status == "completed"
    assert len(escalations(final.instance)) == 3


def test_city_aggregate_is_an_instance_owned_by_pnv(rig: EngineRig) -> None:
    view = start(rig, unit="PNV", activity_title="Báo cáo tổng hợp CCHC quý I/2024 của Thành phố")
    draft = view.open_tasks[0]
    assert (draft.role, draft.unit_code) == ("staff", "PNV")
    review = only(complete(rig, draft, PNV_STAFF, REPORT).next_tasks, "Task_review")
    assert (review.role, review.unit_code) == ("head", "PNV")
    acceptance = only(complete(rig, review, PNV_HEAD, APPROVE).next_tasks, "Task_acceptance")
    assert (acceptance.role, acceptance.unit_code) == ("coordinator", "PNV")
    assert complete(rig, acceptance, PNV_COORDINATOR, ACCEPT).instance.status == "completed"


def test_due_date_skips_tet(rig: EngineRig) -> None:
    rig.clock.set(at(date(2024, 2, 6)))  # Tuesday before Tết (08/02–14/02/2024 off)
    view = start(rig, period_label="Năm 2023", period_kind="year", deadline="2024-02-28")
    assert view.open_tasks[0].due_at == due(date(2024, 2, 20))  # 07, 15, 16, 19, 20 February


def test_report_form_refuses_incomplete_data(rig: EngineRig) -> None:
    view = start(rig)
    with pytest.raises(InvalidInput) as info:
        complete(rig, view.open_tasks[0], P1_STAFF, {"report_content": "ngắn", "attachments": []})
    assert set(info.value.details) == {"report_content", "attachments"}
