"""processes/plan_issuance on the real engine (SQLite, manual clock): lanes, deadlines, returns, escalations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from engine.errors import Forbidden, InvalidInput
from engine.views import InstanceView, TaskView
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
    make_rig,
    only,
    process_folder,
    sample_start,
    validated_lanes,
)
from tests.engine_support import start as start_process

KEY = "plan_issuance"
FOLDER = process_folder(KEY)
SAMPLE = sample_start(KEY)

STAFF = actor("cv.pnv", "staff", unit="PNV")
HEAD = actor("tp.pnv", "head", unit="PNV")
PTP_STAFF = actor("cv.ptp", "staff", unit="PTP")
VP_STAFF = actor("cv.vp", "staff", unit="VP")
P1_STAFF = actor("cv.p1", "staff", unit="P1")
LEADER = actor("ct.ubnd", "leader", unit="UBND")
CLERK = actor("vt.ubnd", "clerk", unit="UBND")

DRAFT = {"title": "Kế hoạch CCHC năm 2024", "summary": "Dự thảo kế hoạch CCHC", "attachments": [1]}
APPROVE = {"decision": "approve", "extend": False}
SIGN = {"decision": "approve", "signing_authority": "TM", "extend": False}


class DocumentNumbers:
    """Stand-in for the next_document_number helper that workflows/ will register: a counter per book."""

    def __init__(self) -> None:
        self.counters: dict[tuple[str, int, str], int] = {}

    def __call__(self, issuing_unit: str, year: int, kind: str) -> str:
        book = (issuing_unit, int(year), kind)
        self.counters[book] = self.counters.get(book, 0) + 1
        return f"{self.counters[book]}/{kind}-{issuing_unit}"


@pytest.fixture
def numbers() -> DocumentNumbers:
    return DocumentNumbers()


@pytest.fixture
def rig(tmp_path: Path, numbers: DocumentNumbers) -> Iterator[EngineRig]:
    r = make_rig(f"sqlite:///{tmp_path / 'engine.db'}", helpers={"next_document_number": numbers})
    deploy_process(r, KEY, validate=False)
    yield r
    r.sql.dispose()


# --------------------------------------------------------------------------- helpers


def start(rig: EngineRig, unit: str = "PNV", **changes: Any) -> InstanceView:
    return start_process(rig, KEY, STAFF, {**SAMPLE, **changes}, unit)


def step_data(rig: EngineRig, task: TaskView) -> dict[str, Any]:
    with rig.sessions() as session:
        return rig.engine.task_data(session, task.id)


def to_review(rig: EngineRig, view: InstanceView, **draft: Any) -> TaskView:
    """Draft (no legal review) and answer the comment round, if any; return the head's review step."""
    result = complete(rig, only(view.open_tasks, "Task_draft"), STAFF, {**DRAFT, "needs_legal_review": False, **draft})
    for step in [t for t in result.next_tasks if t.element_id == "Task_comment"]:
        who = actor(f"cv.{step.unit_code}", "staff", unit=step.unit_code)
        result = complete(rig, step, who, {"coord_opinion": "agree", "coord_content": "Thống nhất"})
    return only(result.next_tasks, "Task_review")


# --------------------------------------------------------------------------- tests


def test_bundle_validates_without_problems() -> None:
    assert validated_lanes(KEY) == {
        "Chuyên viên đơn vị chủ trì": {"role": "staff", "unit": "instance"},
        "Đơn vị phối hợp": {"role": "staff", "unit": "var:coord_unit"},
        "Phòng Tư pháp": {"role": "staff", "unit": "code:PTP"},
        "Lãnh đạo đơn vị chủ trì": {"role": "head", "unit": "instance"},
        "Lãnh đạo UBND": {"role": "leader", "unit": "parent"},
        "Văn thư UBND": {"role": "clerk", "unit": "parent"},
    }


def test_happy_path_issues_the_plan_with_the_next_number(rig: EngineRig) -> None:
    view = start(rig)
    [draft] = view.open_tasks
    assert (draft.element_id, draft.role, draft.unit_code, draft.form_schema) == (
        "Task_draft",
        "staff",
        "PNV",
        "draft.schema.json",
    )
    assert draft.due_at == due(date(2024, 1, 9))  # Tue 02/01 + 5 working days
    assert escalations(view) == [] and view.data["returns"] == [] and view.data["extensions"] == []

    rig.clock.set(at(date(2024, 1, 4)))
    result = complete(rig, draft, STAFF, {**DRAFT, "needs_legal_review": True})
    comments = sorted(result.next_tasks, key=lambda t: t.unit_code or "")
    assert [(t.element_id, t.role, t.unit_code) for t in comments] == [
        ("Task_comment", "staff", "PTP"),
        ("Task_comment", "staff", "VP"),
    ]
    assert {t.due_at for t in comments} == {due(date(2024, 1, 9))}  # Thu 04/01 + 3

    complete(rig, comments[0], PTP_STAFF, {"coord_opinion": "agree", "coord_content": "Thống nhất"})
    rig.clock.set(at(date(2024, 1, 8)))
    result = complete(
        rig, comments[1], VP_STAFF, {"coord_opinion": "agree_with_comments", "coord_content": "Bổ sung mục 3"}
    )
    legal = only(result.next_tasks, "Task_legal")
    assert (legal.role, legal.unit_code, legal.due_at) == ("staff", "PTP", due(date(2024, 1, 11)))

    rig.clock.set(at(date(2024, 1, 12)))
    result = complete(rig, legal, PTP_STAFF, {"legal_conclusion": "eligible", "legal_opinion": "Đủ điều kiện"})
    review = only(result.next_tasks, "Task_review")
    # Fri 12/01 + 2 working days = 16/01, later than the activity deadline 15/01: the deadline wins
    assert (review.role, review.unit_code, review.due_at) == ("head", "PNV", due(date(2024, 1, 15)))

    memo = only(complete(rig, review, HEAD, APPROVE).next_tasks, "Task_memo")
    assert (memo.role, memo.unit_code) == ("staff", "PNV")
    approval = only(
        complete(rig, memo, STAFF, {"memo_content": "Kính trình UBND", "memo_attachments": [2]}).next_tasks,
        "Task_approval",
    )
    assert (approval.role, approval.unit_code, approval.due_at) == ("leader", "UBND", due(date(2024, 1, 15)))

    rig.clock.set(at(date(2024, 1, 15)))
    number = only(complete(rig, approval, LEADER, SIGN).next_tasks, "Task_number")
    assert (number.role, number.unit_code, number.due_at) == ("clerk", "UBND", due(date(2024, 1, 15)))
    proposed = step_data(rig, number)["proposed_number"]
    assert proposed == "1/KH-UBND"

    distribute = only(
        complete(
            rig, number, CLERK, {"document_number": proposed, "issued_date": "2024-01-15", "issued_plan": [3]}
        ).next_tasks,
        "Task_distribute",
    )
    assert (distribute.role, distribute.unit_code, distribute.due_at) == ("clerk", "UBND", due(date(2024, 1, 15)))
    final = complete(
        rig,
        distribute,
        CLERK,
        {"recipients": ["Sở Nội vụ", "Các cơ quan, ngành Thành phố"], "distributed_date": "2024-01-15"},
    )
    assert final.instance.status == "completed" and final.next_tasks == []
    data = final.instance.data
    assert data["document_number"] == "1/KH-UBND" and data["issued_date"] == "2024-01-15"
    assert data["issued_on_time"] is True
    assert data["coordination_comments"] == [
        {"unit": "PTP", "opinion": "agree", "content": "Thống nhất"},
        {"unit": "VP", "opinion": "agree_with_comments", "content": "Bổ sung mục 3"},
    ]
    assert data["legal_opinion"] == "Đủ điều kiện" and data["signing_authority"] == "TM"
    assert escalations(final.instance) == []

    second = start(rig, activity_code="VII.2.3")
    review2 = to_review(rig, second)
    memo2 = only(complete(rig, review2, HEAD, APPROVE).next_tasks, "Task_memo")
    approval2 = only(
        complete(rig, memo2, STAFF, {"memo_content": "Kính trình", "memo_attachments": [4]}).next_tasks,
        "Task_approval",
    )
    number2 = only(complete(rig, approval2, LEADER, SIGN).next_tasks, "Task_number")
    assert step_data(rig, number2)["proposed_number"] == "2/KH-UBND"


def test_comment_round_gives_each_coordinating_unit_its_own_step(rig: EngineRig) -> None:
    view = start(rig, coordinating_units=["PTP", "VP", "P1"])
    result = complete(rig, view.open_tasks[0], STAFF, {**DRAFT, "needs_legal_review": False})
    steps = {t.unit_code: t for t in result.next_tasks}
    assert set(steps) == {"PTP", "VP", "P1"}
    assert {(t.element_id, t.role, t.form_schema) for t in steps.values()} == {
        ("Task_comment", "staff", "comment.schema.json")
    }
    for wrong in (VP_STAFF, STAFF, actor("tp.ptp", "head", unit="PTP")):
        with pytest.raises(Forbidden):
            complete(rig, steps["PTP"], wrong, {"coord_opinion": "agree", "coord_content": "Thống nhất"})
    with pytest.raises(InvalidInput) as info:
        complete(rig, steps["PTP"], PTP_STAFF, {"coord_opinion": "maybe", "coord_content": ""})
    assert set(info.value.details) == {"coord_opinion", "coord_content"}

    complete(rig, steps["P1"], P1_STAFF, {"coord_opinion": "disagree", "coord_content": "Chưa phù hợp"})
    complete(rig, steps["PTP"], PTP_STAFF, {"coord_opinion": "agree", "coord_content": "Thống nhất"})
    result = complete(rig, steps["VP"], VP_STAFF, {"coord_opinion": "agree", "coord_content": "Đồng ý"})
    review = only(result.next_tasks, "Task_review")  # no legal review asked for
    assert (review.role, review.unit_code) == ("head", "PNV")
    assert [c["unit"] for c in result.instance.data["coordination_comments"]] == ["P1", "PTP", "VP"]


def test_no_coordinating_units_and_no_legal_review_go_straight_to_the_head(rig: EngineRig) -> None:
    view = start(rig, coordinating_units=[])
    result = complete(rig, view.open_tasks[0], STAFF, {**DRAFT, "needs_legal_review": False})
    assert [t.element_id for t in result.next_tasks] == ["Task_review"]
    assert result.instance.data["coordination_comments"] == []


def test_wrong_role_or_unit_is_refused(rig: EngineRig) -> None:
    view = start(rig)
    draft = view.open_tasks[0]
    for wrong in (HEAD, PTP_STAFF, actor("cv.p1", "staff", unit="P1"), actor("admin", "admin", unit="PNV")):
        with pytest.raises(Forbidden):
            complete(rig, draft, wrong, {**DRAFT, "needs_legal_review": False})
    review = to_review(rig, view)
    for wrong in (STAFF, actor("tp.ptp", "head", unit="PTP"), LEADER):
        with pytest.raises(Forbidden):
            complete(rig, review, wrong, APPROVE)


def test_head_return_keeps_the_draft_deadline_and_an_extension_is_recorded(rig: EngineRig) -> None:
    view = start(rig, coordinating_units=["PTP"])
    assert view.open_tasks[0].due_at == due(date(2024, 1, 9))
    rig.clock.set(at(date(2024, 1, 4)))
    review = to_review(rig, view)
    assert review.due_at == due(date(2024, 1, 8))  # Thu 04/01 + 2 working days

    with pytest.raises(InvalidInput) as info:
        complete(rig, review, HEAD, {"decision": "return", "extend": False})
    assert "return_reason" in info.value.details

    rig.clock.set(at(date(2024, 1, 5)))
    result = complete(rig, review, HEAD, {"decision": "return", "return_reason": "Bổ sung chỉ tiêu", "extend": False})
    redraft = only(result.next_tasks, "Task_draft")
    assert (redraft.role, redraft.unit_code, redraft.due_at) == ("staff", "PNV", due(date(2024, 1, 9)))
    assert result.instance.data["returns"] == [
        {"step": "review", "back_to": "draft", "reason": "Bổ sung chỉ tiêu", "at": "2024-01-05T08:00:00+07:00"}
    ]
    assert result.instance.data["extensions"] == []

    rig.clock.set(at(date(2024, 1, 8)))
    result = complete(rig, redraft, STAFF, {**DRAFT, "needs_legal_review": True, "revision_note": "Đã bổ sung"})
    review = only(result.next_tasks, "Task_review")  # a revised draft skips comments and legal review
    assert review.due_at == due(date(2024, 1, 10))

    with pytest.raises(InvalidInput) as info:
        complete(rig, review, HEAD, {"decision": "return", "return_reason": "Chưa đạt", "extend": True})
    assert {"extension_days", "extension_reason"} <= set(info.value.details)
    result = complete(
        rig,
        review,
        HEAD,
        {
            "decision": "return",
            "return_reason": "Cần số liệu quý IV",
            "extend": True,
            "extension_days": 3,
            "extension_reason": "Chờ số liệu của Chi cục Thống kê",
        },
    )
    redraft = only(result.next_tasks, "Task_draft")
    assert redraft.due_at == due(date(2024, 1, 12))  # 09/01 + 3 working days
    assert result.instance.data["extensions"] == [
        {
            "step": "draft",
            "old": "2024-01-09",
            "new": "2024-01-12",
            "reason": "Chờ số liệu của Chi cục Thống kê",
            "at": "2024-01-08T08:00:00+07:00",
        }
    ]
    assert len(result.instance.data["returns"]) == 2
    assert result.instance.data["draft_due"] == "2024-01-12"


def test_leader_return_goes_back_to_the_memo_with_its_deadline(rig: EngineRig) -> None:
    view = start(rig, coordinating_units=[])
    memo = only(complete(rig, to_review(rig, view), HEAD, APPROVE).next_tasks, "Task_memo")
    assert memo.due_at == due(date(2024, 1, 4))
    approval = only(
        complete(rig, memo, STAFF, {"memo_content": "Kính trình UBND", "memo_attachments": [5]}).next_tasks,
        "Task_approval",
    )
    with pytest.raises(InvalidInput) as info:
        complete(rig, approval, LEADER, {"decision": "approve", "extend": False})
    assert "signing_authority" in info.value.details
    rig.clock.set(at(date(2024, 1, 5)))
    result = complete(rig, approval, LEADER, {"decision": "return", "return_reason": "Sửa căn cứ", "extend": False})
    rememo = only(result.next_tasks, "Task_memo")
    assert (rememo.role, rememo.unit_code, rememo.due_at) == ("staff", "PNV", due(date(2024, 1, 4)))
    assert result.instance.data["returns"][-1]["back_to"] == "memo"
    # The kept deadline has already passed: the timer fires within this very run, so the escalation is
    # in the data at once and no waiting timer row is ever written for it.
    assert [(e["step"], e["due"], e["at"]) for e in escalations(result.instance)] == [
        ("memo", "2024-01-04", "2024-01-05T08:00:00+07:00")
    ]
    assert fire(rig, at(date(2024, 1, 31))) == 0


def test_overdue_steps_record_escalations_that_survive(rig: EngineRig) -> None:
    view = start(rig)
    assert fire(rig, at(date(2024, 1, 9), 16, 59)) == 0
    assert fire(rig, at(date(2024, 1, 9), 17, 1)) == 1
    after = instance(rig, view.id)
    assert escalations(after) == [
        {
            "step": "draft",
            "element": "Task_draft",
            "to": "head",
            "unit": "instance",
            "due": "2024-01-09",
            "at": "2024-01-09T17:01:00+07:00",
        }
    ]
    [draft] = after.open_tasks  # the reminder does not interrupt the step
    assert draft.element_id == "Task_draft" and draft.status == "ready"
    assert fire(rig, at(date(2024, 1, 10), 7, 0)) == 0  # fires once

    rig.clock.set(at(date(2024, 1, 10)))
    result = complete(rig, draft, STAFF, {**DRAFT, "needs_legal_review": False})
    assert {t.due_at for t in result.next_tasks} == {due(date(2024, 1, 15))}  # Wed 10/01 + 3 working days
    assert fire(rig, at(date(2024, 1, 15), 17, 30)) == 1
    after = instance(rig, view.id)
    assert [(e["step"], e["to"], e["unit"], e["due"]) for e in escalations(after)] == [
        ("draft", "head", "instance", "2024-01-09"),
        ("comment", "head", "var:coord_unit", "2024-01-15"),
    ]
    assert {t.unit_code for t in after.open_tasks} == {"PTP", "VP"}


def test_deadline_earlier_than_the_standard_time_wins(rig: EngineRig) -> None:
    view = start(rig, deadline="2024-01-05")
    assert view.open_tasks[0].due_at == due(date(2024, 1, 5))
    no_deadline = start(rig, deadline=None)
    assert no_deadline.open_tasks[0].due_at == due(date(2024, 1, 9))


def test_due_dates_skip_tet(rig: EngineRig) -> None:
    rig.clock.set(at(date(2024, 2, 5)))  # Monday before Tết Giáp Thìn (08/02–14/02/2024 off)
    view = start(rig, deadline="2024-03-31")
    assert view.open_tasks[0].due_at == due(date(2024, 2, 19))  # 06, 07, 15, 16, 19 February
    rig.clock.set(at(date(2024, 2, 7)))
    result = complete(rig, view.open_tasks[0], STAFF, {**DRAFT, "needs_legal_review": True})
    assert {t.due_at for t in result.next_tasks} == {due(date(2024, 2, 19))}  # 15, 16, 19 February


def test_forms_refuse_incomplete_data(rig: EngineRig) -> None:
    view = start(rig)
    with pytest.raises(InvalidInput) as info:
        complete(rig, view.open_tasks[0], STAFF, {"title": "KH", "summary": "x", "attachments": []})
    assert {"title", "summary", "attachments", "needs_legal_review"} <= set(info.value.details)
