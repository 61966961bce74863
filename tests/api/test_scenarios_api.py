"""Scenarios against a draft (POST /process-definitions/test) and the deploy that runs them first."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, inspect, select, table

from api.limits import limiter
from engine.models import AuditEvent
from tests.api.conftest import Api, assert_error
from tests.scenario_support import (
    LOOP_BPMN,
    LOOP_FEATURE,
    PLAN_ISSUANCE,
    first_scenario,
    multipart,
    plan_issuance_bundle,
    without_approval,
)
from tests.xdist_groups import TIME_BUDGETS
from workflows.scenarios.features import FEATURES_DIR

TEST = "/api/v1/process-definitions/test"
FIRST_SCENARIO = {"plan_issuance.feature": first_scenario(FEATURES_DIR / "plan_issuance.feature")}


def run(api: Api, bpmn: bytes, files: dict[str, bytes], features: dict[str, str] | None = None) -> Any:
    response = api.post(TEST, "admin", content_type="multipart/form-data", data=multipart(bpmn, files, features))
    assert response.status_code == 200, response.json
    return response.json


def failing_steps(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for s in report["scenarios"] for step in s["steps"] if step["status"] == "failed"]


def test_the_unchanged_plan_issuance_draft_passes_its_scenarios(api: Api) -> None:
    bpmn, files = plan_issuance_bundle()
    report = run(api, bpmn, files)
    assert report["process_key"] == "plan_issuance" and report["passed"] is True
    assert len(report["scenarios"]) == 13 and report["counts"] == {"passed": 13, "failed": 0, "undefined": 0}
    first = report["scenarios"][0]
    assert first["name"] == "Kế hoạch đi trọn quy trình và được cấp số 1/KH-UBND"
    assert all(step["status"] == "passed" for step in first["steps"])
    assert first["steps"][0] == {  # the Background's step first, in the words of the feature
        "keyword": "Cho",
        "text": "hôm nay là ngày 02/01/2024 lúc 08:00",
        "line": 12,
        "status": "passed",
        "message": None,
        "element_id": None,
        "element_name": None,
        "lane": None,
    }
    holds = next(s for s in first["steps"] if s["text"].startswith('bước "Phê duyệt, ký ban hành" thuộc về'))
    assert (holds["element_id"], holds["lane"]) == ("Task_approval", "Lãnh đạo UBND")
    coverage = report["coverage"]
    assert coverage["steps_reached"] == coverage["steps_total"] == 8
    assert coverage["lanes_reached"] == len(coverage["lanes"]) == 6
    reached = {e["element_id"] for e in coverage["elements"] if e["reached"]}
    assert {"Task_approval", "Script_return_approval", "Timer_draft", "Script_escalate_draft"} <= reached


def test_a_draft_without_the_approval_step_fails_naming_the_step_and_the_element(api: Api) -> None:
    bpmn, files = plan_issuance_bundle()
    report = run(api, without_approval(bpmn), files)
    assert report["passed"] is False and report["counts"]["failed"] >= 4
    first = report["scenarios"][0]
    assert first["status"] == "failed"
    [failed] = [s for s in first["steps"] if s["status"] == "failed"]
    assert failed["keyword"] == "Thì" and failed["line"] == 57
    assert failed["text"] == (
        'bước "Phê duyệt, ký ban hành" thuộc về lãnh đạo UBND của đơn vị "UBND" với hạn ngày 15/01/2024'
    )
    assert failed["message"].startswith('Không thấy bước "Phê duyệt, ký ban hành" của đơn vị "UBND" đang mở.')
    assert '"Cấp số, ngày ban hành" (Task_number, UBND)' in failed["message"]
    # the element concerned: where the instance went instead of the approval
    assert (failed["element_id"], failed["element_name"]) == ("Task_number", "Cấp số, ngày ban hành")
    after = first["steps"][first["steps"].index(failed) + 1 :]
    assert after and {s["status"] for s in after} == {"skipped"}
    # scenarios that never reach the approval still pass
    statuses = {s["name"]: s["status"] for s in report["scenarios"]}
    assert statuses["Trả lại mà không ghi lý do thì bị từ chối"] == "passed"
    returned = "Lãnh đạo UBND trả lại tờ trình, hạn tờ trình cũ đã qua nên cảnh báo ngay và phải giải trình"
    assert statuses[returned] == "failed"
    assert "Task_approval" not in {e["element_id"] for e in report["coverage"]["elements"]}


def _row_counts(api: Api) -> dict[str, int]:
    services = api.app.extensions["cchc"]
    with services.read() as uow:
        names = inspect(uow.session.connection()).get_table_names()
        return {name: uow.session.scalar(select(func.count()).select_from(table(name))) for name in names}


def test_a_run_never_touches_the_live_database(api: Api) -> None:
    bpmn, files = plan_issuance_bundle()
    before = _row_counts(api)
    limiter_state = (limiter._storage, limiter.enabled)  # the process-wide login limiter: counters and switch
    report = run(api, without_approval(bpmn), files, FIRST_SCENARIO)
    # the scenario started instances, completed steps, uploaded files, numbered a plan — in its own database
    assert report["scenarios"][0]["steps"][1]["status"] == "passed"
    assert _row_counts(api) == before
    assert (limiter._storage, limiter.enabled) == limiter_state
    assert before["process_instance"] == 0 and before["document"] == 0
    versions = api.get("/api/v1/process-definitions/plan_issuance/versions", "admin").json
    assert [v["version"] for v in versions] == [1]


@TIME_BUDGETS
def test_an_endless_loop_ends_with_hết_thời_gian(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCHC_SCENARIO_SECONDS", "1")
    report = run(api, LOOP_BPMN.encode(), {}, {"vong_lap.feature": LOOP_FEATURE})
    [scenario] = report["scenarios"]
    assert scenario["status"] == "failed" and scenario["timed_out"] is True and report["timed_out"] is True
    assert scenario["seconds"] < 10
    [failed] = [s for s in scenario["steps"] if s["status"] == "failed"]
    assert failed["message"] == "Hết thời gian: kịch bản vượt quá 1 giây cho phép."
    assert failed["element_id"] in {"Script_spin", "Gateway_again"}  # where the run was stopped: inside the loop
    assert scenario["steps"][-1]["status"] == "skipped"


def test_undefined_steps_and_bad_requests(api: Api) -> None:
    bpmn, files = plan_issuance_bundle()
    feature = FIRST_SCENARIO["plan_issuance.feature"].replace(
        'Thì bước "Soạn thảo dự thảo kế hoạch" thuộc về', 'Thì bước "Soạn thảo dự thảo kế hoạch" được giao cho', 1
    )
    report = run(api, bpmn, files, {"plan_issuance.feature": feature})
    [scenario] = report["scenarios"]
    assert scenario["status"] == "undefined" and report["counts"]["undefined"] == 1
    undefined = scenario["steps"][2]
    assert undefined["status"] == "undefined" and "Chưa có định nghĩa" in undefined["message"]
    body = multipart(bpmn, files, {"x.feature": "# language: vi\nKịch bản không có tính năng\n"})
    assert_error(api.post(TEST, "admin", content_type="multipart/form-data", data=body), 422, "feature_invalid")
    body = multipart(bpmn, files)
    assert_error(api.post(TEST, "tp.pnv", content_type="multipart/form-data", data=body), 403)
    loop_without_features = multipart(LOOP_BPMN.encode(), {})
    response = api.post(TEST, "admin", content_type="multipart/form-data", data=loop_without_features)
    assert_error(response, 422, "scenarios_missing")
    broken = multipart(PLAN_ISSUANCE.read_bytes().replace(b'id="Task_draft"', b'id="Task draft"'), files)
    assert_error(api.post(TEST, "admin", content_type="multipart/form-data", data=broken), 422, "definition_invalid")


def test_deploying_failing_scenarios_needs_a_confirmation_kept_in_the_audit(api: Api) -> None:
    api.app.config["SCENARIOS_ON_DEPLOY"] = True
    bpmn, files = plan_issuance_bundle()
    draft = without_approval(bpmn)
    refused = api.post(
        "/api/v1/process-definitions",
        "admin",
        content_type="multipart/form-data",
        data=multipart(draft, files, FIRST_SCENARIO),
    )
    error = assert_error(refused, 409, "scenarios_failing")
    assert error["message"].startswith("1/1 kịch bản không đạt")
    assert error["details"]["failing"] == ["Kế hoạch đi trọn quy trình và được cấp số 1/KH-UBND"]
    versions = api.get("/api/v1/process-definitions/plan_issuance/versions", "admin").json
    assert [v["version"] for v in versions] == [1]
    confirmed = api.post(
        "/api/v1/process-definitions",
        "admin",
        content_type="multipart/form-data",
        data=multipart(draft, files, FIRST_SCENARIO, confirm_failing_scenarios="true"),
    )
    assert confirmed.status_code == 201, confirmed.json
    assert confirmed.json["version"] == 2
    assert confirmed.json["scenarios"] == {"passed": 0, "failed": 1, "undefined": 0, "confirmed_failing": True}
    with api.app.extensions["cchc"].read() as uow:
        event = uow.session.execute(
            select(AuditEvent.actor, AuditEvent.payload)
            .where(AuditEvent.kind == "definition_deployed")
            .order_by(AuditEvent.id.desc())
        ).first()
    assert event is not None and event.actor == "admin"
    assert event.payload == {
        "process_key": "plan_issuance",
        "version": 2,
        "scenarios": {"passed": 0, "failed": 1, "undefined": 0, "confirmed_failing": True},
    }


def test_a_passing_draft_deploys_without_confirmation(api: Api) -> None:
    api.app.config["SCENARIOS_ON_DEPLOY"] = True
    bpmn, files = plan_issuance_bundle()
    changed = bpmn.replace("Phê duyệt, ký ban hành".encode(), "Phê duyệt, ký ban hành".encode()) + b"<!-- v2 -->"
    response = api.post(
        "/api/v1/process-definitions",
        "admin",
        content_type="multipart/form-data",
        data=multipart(changed, files, FIRST_SCENARIO),
    )
    assert response.status_code == 201, response.json
    assert response.json["scenarios"] == {"passed": 1, "failed": 0, "undefined": 0, "confirmed_failing": False}


def test_the_feature_files_of_a_process(api: Api) -> None:
    body = api.get("/api/v1/process-definitions/plan_issuance/features", "admin").json
    assert list(body["files"]) == ["plan_issuance.feature"]
    assert body["files"]["plan_issuance.feature"].startswith("# language: vi")
    assert api.get("/api/v1/process-definitions/vong_lap/features", "admin").json["files"] == {}
    assert_error(api.get("/api/v1/process-definitions/plan_issuance/features", "cv.pnv"), 403)


@TIME_BUDGETS
def test_a_run_over_its_whole_budget_reports_the_rest_as_hết_thời_gian(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCHC_SCENARIO_RUN_SECONDS", "1")
    monkeypatch.setenv("CCHC_SCENARIO_SECONDS", "30")
    second = LOOP_FEATURE.split("  Kịch bản:", 1)[1]
    report = run(
        api,
        LOOP_BPMN.encode(),
        {},
        {"vong_lap.feature": LOOP_FEATURE + "\n  Kịch bản: Lần hai" + second[second.index("\n") :]},
    )
    first, never_run = report["scenarios"]
    message = "Hết thời gian: lần chạy kịch bản vượt quá 1 giây cho phép."
    assert [s["message"] for s in first["steps"] if s["status"] == "failed"] == [message]
    assert never_run["name"] == "Lần hai" and never_run["timed_out"] is True
    assert [s["status"] for s in never_run["steps"]] == ["failed", "skipped", "skipped"]
    assert never_run["steps"][0]["message"] == message
    assert report["seconds"] < 15


def test_an_invalid_draft_is_refused_by_the_deploy_before_any_scenario(api: Api) -> None:
    api.app.config["SCENARIOS_ON_DEPLOY"] = True
    bpmn, files = plan_issuance_bundle()
    broken = bpmn.replace(b'id="Task_draft"', b'id="Task draft"')
    response = api.post(
        "/api/v1/process-definitions", "admin", content_type="multipart/form-data", data=multipart(broken, files)
    )
    error = assert_error(response, 422, "definition_invalid")
    assert error["message"].endswith("chưa được triển khai.")
