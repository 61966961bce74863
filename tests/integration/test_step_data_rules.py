"""What a completion and a retry may write: a step without a form takes nothing, a retry corrects inputs only,
and a definition deployed before the form-field rule still cannot let a user set a computed variable."""

from __future__ import annotations

import json
from typing import Any

import pytest

import engine.validation.bundle as validation_bundle
from engine.definitions import read_bundle
from engine.errors import InvalidInput
from engine.models import ProcessInstance
from engine.views import InstanceView
from tests.engine_support import FIXTURES, EngineRig, actor, advance, instance

STAFF = actor("cv.pnv", "staff", unit="PNV")
HEAD = actor("tp.pnv", "head", unit="PNV")
LEGAL = actor("cv.ptp", "staff", unit="PTP")
ADMIN = actor("admin", "admin", unit="UBND")


def start(rig: EngineRig, key: str, data: dict[str, Any] | None = None) -> InstanceView:
    with rig.uow() as uow:
        view = rig.engine.start(uow, key, unit_code="PNV", data=data or {}, actor=STAFF)
        uow.commit()
    return view


def refused(call: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        call()
    assert info.value.code == "unexpected_fields"
    return info.value


def stored(rig: EngineRig, instance_id: int) -> tuple[int, str, Any]:
    with rig.sessions() as s:
        row = s.get(ProcessInstance, instance_id)
        assert row is not None
        return row.version, row.status, row.data


def test_a_step_without_a_form_takes_no_data(rig: EngineRig) -> None:
    rig.deploy_fixture("approval5")
    view = start(rig, "approval5")
    [review] = advance(rig, view.open_tasks[0], STAFF, {"title": "Dự thảo"})
    [legal] = advance(rig, review, HEAD, {"approved": True})
    assert legal.form_schema is None
    before = stored(rig, view.id)

    def attempt() -> Any:
        with rig.uow() as uow:
            return rig.engine.complete(uow, legal.id, LEGAL, {"note": "Đủ điều kiện", "approved": False})

    error = refused(attempt)
    assert set(error.details) == {"note", "approved"}
    assert "không có biểu mẫu" in error.message and "Thẩm định pháp lý" in error.message
    assert stored(rig, view.id) == before
    [sign] = advance(rig, legal, LEGAL, {})
    assert sign.element_id == "Task_sign"


def test_a_retry_corrects_inputs_but_never_what_the_process_computes(rig: EngineRig) -> None:
    rig.deploy_fixture("failing")
    view = start(rig, "failing", {"divisor": 0})
    assert view.status == "error"
    before = stored(rig, view.id)
    for data, messages in (
        ({"share": 1}, {"share"}),  # computed by the failed script itself
        ({"total": 4, "divisor": 4}, {"total"}),
        ({"unit_code": "PTP"}, {"unit_code"}),  # set by the engine
        ({"today": "2024-01-01"}, {"today"}),  # a helper's name: it would hide the helper from every script
        ({"bad-name": 1}, {"bad-name"}),
    ):

        def attempt(data: dict[str, Any] = data) -> Any:
            with rig.uow() as uow:
                return rig.engine.retry(uow, view.id, ADMIN, data)

        error = refused(attempt)
        assert set(error.details) == messages, data
        assert "chạy lại" in error.message
        assert stored(rig, view.id) == before
    with rig.uow() as uow:
        retried = rig.engine.retry(uow, view.id, ADMIN, {"divisor": 4})
        uow.commit()
    assert retried.status == "running" and retried.data["share"] == 25


def test_a_definition_deployed_before_the_rule_still_refuses_computed_variables(
    rig: EngineRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A form that names a computed variable (``draft_due``, ``rounds``) was deployable before: its users still
    cannot set them, while the form's other fields go through."""
    bpmn, files = read_bundle(FIXTURES / "approval5" / "approval5.bpmn")
    form = json.loads(files["draft.schema.json"])
    form["properties"] |= {"draft_due": {"type": "string"}, "rounds": {"type": "integer"}}
    files["draft.schema.json"] = json.dumps(form).encode()
    with pytest.raises(InvalidInput) as info:
        rig.deploy_bytes(bpmn, files)
    assert {p["code"] for p in info.value.details} == {"form_field_reserved"}
    monkeypatch.setattr(validation_bundle, "check_form_fields", lambda *args: None)  # as it was deployed then
    rig.deploy_bytes(bpmn, files)
    view = start(rig, "approval5")
    draft = view.open_tasks[0]

    def attempt() -> Any:
        with rig.uow() as uow:
            return rig.engine.complete(uow, draft.id, STAFF, {"title": "Dự thảo", "draft_due": "2099-12-31"})

    error = refused(attempt)
    assert list(error.details) == ["draft_due"] and "tự tính" in error.details["draft_due"][0]
    [review] = advance(rig, draft, STAFF, {"title": "Dự thảo"})
    assert instance(rig, view.id).data["draft_due"] == view.data["draft_due"] and review.element_id == "Task_review"
