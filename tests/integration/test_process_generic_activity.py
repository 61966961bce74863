"""processes/generic_activity on the real engine (SQLite, manual clock): perform → optional comments → confirm."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from engine.errors import Forbidden, InvalidInput
from engine.runtime import CompletionResult
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

KEY = "generic_activity"
FOLDER = process_folder(KEY)
SAMPLE = sample_start(KEY)

STAFF = actor("cv.pnv", "staff", unit="PNV")
HEAD = actor("tp.pnv", "head", unit="PNV")
VP_STAFF = actor("cv.vp", "staff", unit="VP")
PTP_STAFF = actor("cv.ptp", "staff", unit="PTP")

OUTPUT = {
    "output_title": "Báo cáo kết quả kiểm tra CCHC năm 2024",
    "output_reference": "45/BC-PNV",
    "output_date": "2024-06-20",
    "result_summary": "Đã kiểm tra 6 cơ quan, đơn vị",
    "attachments": [1, 2],  # document ids: the engine keeps them as data (workflows checks them)
}
CONFIRM = {"decision": "confirm", "extend": False}


@pytest.fixture
def rig(rig: EngineRig) -> EngineRig:
    deploy_process(rig, KEY, validate=False)
    return rig  # the clock stands at Tue 02/01/2024 08:00


# --------------------------------------------------------------------------- helpers


def start(rig: EngineRig, unit: str = "PNV", **changes: Any) -> InstanceView:
    return start_process(rig, KEY, STAFF, {**SAMPLE, **changes}, unit)


def answer_comments(rig: EngineRig, result: CompletionResult, opinion: str = "agree") -> CompletionResult:
    for step in [t for t in result.next_tasks if t.element_id == "Task_comment"]:
        who = actor(f"cv.{step.unit_code}", "staff", unit=step.unit_code)
        result = complete(rig, step, who, {"coord_opinion": opinion, "coord_content": f"Ý kiến của {step.unit_code}"})
    return result


# --------------------------------------------------------------------------- tests


def test_bundle_validates_without_problems() -> None:
    assert validated_lanes(KEY) == {
        "Chuyên viên đơn vị chủ trì": {"role": "staff", "unit": "instance"},
        "Đơn vị phối hợp": {"role": "staff", "unit": "var:coord_unit"},
        "Lãnh đạo đơn vị chủ trì": {"role": "head", "unit": "instance"},
    }


def test_activity_with_comments_is_confirmed(rig: EngineRig) -> None:
    view = start(rig)
    [perform] = view.open_tasks
    assert (perform.element_id, perform.role, perform.unit_code, perform.form_schema) == (
        "Task_perform",
        "staff",
        "PNV",
        "perform.schema.json",
    )
    assert perform.due_at == due(date(2024, 6, 26))  # deadline Fri 28/06 less 2 working days for the head
    assert view.data["output_kind"] == "Báo cáo"

    rig.clock.set(at(date(2024, 6, 20)))
    result = complete(rig, perform, STAFF, {**OUTPUT, "ask_coordinating_units": True})
    steps = {t.unit_code: t for t in result.next_tasks}
    assert set(steps) == {"VP", "PTP"}
    assert {(t.element_id, t.role, t.due_at) for t in steps.values()} == {
        ("Task_comment", "staff", due(date(2024, 6, 25)))  # Thu 20/06 + 3 working days
    }
    with pytest.raises(Forbidden):
        complete(rig, steps["VP"], PTP_STAFF, {"coord_opinion": "agree", "coord_content": "Thống nhất"})

    complete(rig, steps["VP"], VP_STAFF, {"coord_opinion": "agree", "coord_content": "Thống nhất"})
    rig.clock.set(at(date(2024, 6, 27)))
    result = complete(
        rig, steps["PTP"], PTP_STAFF, {"coord_opinion": "agree_with_comments", "coord_content": "Bổ sung căn cứ"}
    )
    confirm = only(result.next_tasks, "Task_confirm")
    # Thu 27/06 + 2 working days = 01/07, later than the deadline 28/06: the deadline wins
    assert (confirm.role, confirm.unit_code, confirm.due_at) == ("head", "PNV", due(date(2024, 6, 28)))

    final = complete(rig, confirm, HEAD, CONFIRM)
    assert final.instance.status == "completed" and final.next_tasks == []
    data = final.instance.data
    assert data["coordination_comments"] == [
        {"unit": "VP", "opinion": "agree", "content": "Thống nhất"},
        {"unit": "PTP", "opinion": "agree_with_comments", "content": "Bổ sung căn cứ"},
    ]
    assert (data["completed_date"], data["completed_on_time"]) == ("2024-06-27", True)
    assert data["output_reference"] == "45/BC-PNV"
    # The comment round was due 25/06: its timer fired inside the run that completed the last comment
    # (any run of the instance fires due timers, not only the timer worker).
    assert [(e["step"], e["due"], e["at"]) for e in escalations(final.instance)] == [
        ("comment", "2024-06-25", "2024-06-27T08:00:00+07:00")
    ]


@pytest.mark.parametrize(
    ("ask", "units"),
    [(False, ["VP", "PTP"]), (True, [])],
    ids=["not-asked", "no-coordinating-units"],
)
def test_without_comments_the_head_confirms_directly(rig: EngineRig, ask: bool, units: list[str]) -> None:
    view = start(rig, coordinating_units=units)
    result = complete(rig, view.open_tasks[0], STAFF, {**OUTPUT, "ask_coordinating_units": ask})
    confirm = only(result.next_tasks, "Task_confirm")
    assert [t.element_id for t in result.next_tasks] == ["Task_confirm"]
    assert (confirm.role, confirm.unit_code, confirm.due_at) == ("head", "PNV", due(date(2024, 1, 4)))
    assert result.instance.data["coordination_comments"] == []


def test_perform_deadline_rules(rig: EngineRig) -> None:
    assert start(rig, deadline=None).open_tasks[0].due_at == due(date(2024, 1, 16))  # 10 working days
    assert start(rig, deadline="2023-12-29").open_tasks[0].due_at == due(date(2024, 1, 16))  # already past
    assert start(rig, deadline="2024-01-03").open_tasks[0].due_at == due(date(2024, 1, 2))  # no earlier than today
    rig.clock.set(at(date(2024, 2, 5)))  # Monday before Tết (08/02–14/02/2024 off)
    view = start(rig, deadline="2024-02-16")
    assert view.open_tasks[0].due_at == due(date(2024, 2, 7))  # 16/02 less 2 working days: 15/02, 07/02
    rig.clock.set(at(date(2024, 2, 7)))
    result = complete(rig, view.open_tasks[0], STAFF, {**OUTPUT, "ask_coordinating_units": False})
    assert only(result.next_tasks, "Task_confirm").due_at == due(date(2024, 2, 16))  # 15/02, 16/02


def test_return_keeps_the_deadline_and_a_new_comment_round_can_follow(rig: EngineRig) -> None:
    view = start(rig, deadline="2024-01-31")
    perform = view.open_tasks[0]
    assert perform.due_at == due(date(2024, 1, 29))
    result = answer_comments(rig, complete(rig, perform, STAFF, {**OUTPUT, "ask_coordinating_units": True}))
    confirm = only(result.next_tasks, "Task_confirm")

    with pytest.raises(InvalidInput) as info:
        complete(rig, confirm, HEAD, {"decision": "return", "return_reason": "x", "extend": True})
    assert {"return_reason", "extension_days", "extension_reason"} <= set(info.value.details)

    rig.clock.set(at(date(2024, 1, 10)))
    result = complete(rig, confirm, HEAD, {"decision": "return", "return_reason": "Sản phẩm chưa đạt", "extend": False})
    redo = only(result.next_tasks, "Task_perform")
    assert (redo.role, redo.unit_code, redo.due_at) == ("staff", "PNV", due(date(2024, 1, 29)))

    result = complete(rig, redo, STAFF, {**OUTPUT, "ask_coordinating_units": True, "revision_note": "Đã sửa"})
    assert {t.unit_code for t in result.next_tasks} == {"VP", "PTP"}  # a fresh comment round
    result = answer_comments(rig, result, opinion="disagree")
    assert [c["opinion"] for c in result.instance.data["coordination_comments"]] == ["disagree", "disagree"]
    confirm = only(result.next_tasks, "Task_confirm")

    rig.clock.set(at(date(2024, 1, 30)))
    result = complete(
        rig,
        confirm,
        HEAD,
        {
            "decision": "return",
            "return_reason": "Cần thống nhất với đơn vị phối hợp",
            "extend": True,
            "extension_days": 5,
            "extension_reason": "Chờ ý kiến thống nhất",
        },
    )
    redo = only(result.next_tasks, "Task_perform")
    assert redo.due_at == due(date(2024, 2, 6))  # max(29/01, 30/01) + 5 working days
    data = result.instance.data
    assert [(e["old"], e["new"], e["reason"]) for e in data["extensions"]] == [
        ("2024-01-29", "2024-02-06", "Chờ ý kiến thống nhất")
    ]
    assert [r["reason"] for r in data["returns"]] == ["Sản phẩm chưa đạt", "Cần thống nhất với đơn vị phối hợp"]

    result = complete(rig, redo, STAFF, {**OUTPUT, "ask_coordinating_units": False})
    rig.clock.set(at(date(2024, 2, 2)))
    final = complete(rig, only(result.next_tasks, "Task_confirm"), HEAD, CONFIRM)
    assert final.instance.status == "completed"
    assert (final.instance.data["completed_date"], final.instance.data["completed_on_time"]) == ("2024-02-02", False)


def test_wrong_role_or_unit_is_refused(rig: EngineRig) -> None:
    view = start(rig)
    perform = view.open_tasks[0]
    for wrong in (HEAD, VP_STAFF, actor("admin", "admin", unit="PNV")):
        with pytest.raises(Forbidden):
            complete(rig, perform, wrong, {**OUTPUT, "ask_coordinating_units": False})
    confirm = only(
        complete(rig, perform, STAFF, {**OUTPUT, "ask_coordinating_units": False}).next_tasks, "Task_confirm"
    )
    for wrong in (STAFF, actor("tp.vp", "head", unit="VP"), actor("ct.ubnd", "leader", unit="UBND")):
        with pytest.raises(Forbidden):
            complete(rig, confirm, wrong, CONFIRM)


def test_overdue_steps_record_escalations(rig: EngineRig) -> None:
    view = start(rig, deadline="2024-01-10")
    assert view.open_tasks[0].due_at == due(date(2024, 1, 8))
    assert fire(rig, at(date(2024, 1, 8), 17, 5)) == 1
    after = instance(rig, view.id)
    assert escalations(after) == [
        {
            "step": "perform",
            "element": "Task_perform",
            "to": "head",
            "unit": "instance",
            "due": "2024-01-08",
            "at": "2024-01-08T17:05:00+07:00",
        }
    ]
    result = complete(rig, after.open_tasks[0], STAFF, {**OUTPUT, "ask_coordinating_units": True})
    assert {t.due_at for t in result.next_tasks} == {due(date(2024, 1, 10))}  # capped by the deadline
    assert fire(rig, at(date(2024, 1, 10), 17, 5)) == 1
    after = instance(rig, view.id)
    assert [(e["step"], e["unit"]) for e in escalations(after)] == [
        ("perform", "instance"),
        ("comment", "var:coord_unit"),
    ]
    assert {t.unit_code for t in after.open_tasks} == {"VP", "PTP"}  # the comment steps stay open


def test_perform_form_refuses_incomplete_data(rig: EngineRig) -> None:
    view = start(rig)
    with pytest.raises(InvalidInput) as info:
        complete(rig, view.open_tasks[0], STAFF, {"output_title": "BC", "output_date": "20/06/2024", "attachments": []})
    assert {"output_title", "output_date", "result_summary", "attachments", "ask_coordinating_units"} <= set(
        info.value.details
    )
