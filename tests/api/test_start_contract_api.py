"""The start contract through the API: each process declares its start data, a start is checked against it
before anything is created, and instructions name the instance's fields."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.models import ProcessInstance
from tests.api.conftest import Api, assert_error
from tests.engine_support import FIXTURES, process_folder, sample_start

PROCESSES = [
    "plan_issuance",
    "generic_activity",
    "periodic_report",
    "inspection",
    "satisfaction_survey",
    "index_scoring",
]
# The fields each process cannot start without.
REQUIRED = {
    "plan_issuance": {"activity_title"},
    "generic_activity": {"activity_title"},
    "periodic_report": {"activity_title", "period_label"},
    "inspection": {"activity_title"},
    "satisfaction_survey": {"activity_title"},
    "index_scoring": {"activity_title", "year", "criteria_code"},
}


def instance_count(api: Api) -> int:
    with api.app.extensions["cchc"].read() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(ProcessInstance)) or 0)


def start(api: Api, key: str, data: dict[str, Any] | None, user: str = "cv.pnv", unit: str = "PNV") -> Any:
    body: dict[str, Any] = {"process_key": key, "unit_code": unit}
    if data is not None:
        body["data"] = data
    return api.post("/api/v1/process-instances", user, json=body)


@pytest.mark.parametrize("key", PROCESSES)
def test_each_process_refuses_a_start_without_its_data_and_creates_nothing(api: Api, key: str) -> None:
    before = instance_count(api)
    for data in (None, {}):
        error = assert_error(start(api, key, data), 422, "form_invalid")
        assert set(error["details"]) == REQUIRED[key], error["details"]
        assert all(m == ["Trường này là bắt buộc."] for m in error["details"].values())
        assert "chưa hợp lệ" in error["message"]
    assert instance_count(api) == before


@pytest.mark.parametrize("key", PROCESSES)
def test_the_sample_start_starts_each_process_and_it_is_not_in_error(api: Api, key: str) -> None:
    response = start(api, key, sample_start(key))
    assert response.status_code == 201, response.json
    instance = response.json
    assert instance["status"] in ("running", "waiting") and instance["incident"] is None
    assert instance["open_tasks"], "the first step is waiting for a person"


@pytest.mark.parametrize("key", PROCESSES)
def test_each_definition_returns_its_start_schema_and_ui_schema(api: Api, key: str) -> None:
    detail = api.get(f"/api/v1/process-definitions/{key}", "cv.pnv").json
    on_disk = json.loads((process_folder(key) / "start.schema.json").read_text(encoding="utf-8"))
    assert detail["start_schema"] == on_disk and detail["key"] == key
    assert set(detail["start_schema"]["required"]) == REQUIRED[key]
    assert detail["start_ui_schema"]["plan"] == {"ui:widget": "hidden"}
    fields = detail["start_schema"]["properties"]
    assert all(f.get("title") for f in fields.values()), "every start field has a Vietnamese title"
    same = api.get(f"/api/v1/process-definitions/{key}/versions/{detail['version']}", "cv.pnv").json
    assert same == detail


def test_a_bundle_without_a_start_schema_answers_null_and_takes_no_data(api: Api) -> None:
    bpmn = (FIXTURES / "timer_step" / "timer_step.bpmn").read_bytes()
    form = (FIXTURES / "timer_step" / "plan.schema.json").read_bytes()
    response = api.post(
        "/api/v1/process-definitions",
        "admin",
        data={"bpmn": _file(bpmn, "timer_step.bpmn"), "files": [_file(form, "plan.schema.json")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    assert [w["code"] for w in response.json["warnings"]] == ["start_schema_missing"]
    detail = api.get("/api/v1/process-definitions/timer_step", "admin").json
    assert detail["start_schema"] is None and detail["start_ui_schema"] is None
    error = assert_error(start(api, "timer_step", {"note": "x"}, user="admin", unit="PNV"), 422, "unexpected_fields")
    assert error["details"] == {"note": ["Quy trình này không nhận dữ liệu khởi tạo."]}


def _file(data: bytes, name: str) -> tuple[io.BytesIO, str]:
    return (io.BytesIO(data), name)


def test_bad_values_and_undeclared_keys_are_refused_field_by_field(api: Api) -> None:
    before = instance_count(api)
    data = {**sample_start("periodic_report"), "deadline": "15/03/2024", "period_kind": "week"}
    error = assert_error(start(api, "periodic_report", data), 422, "form_invalid")
    assert error["details"]["deadline"] == ["Giá trị không đúng định dạng (ngày YYYY-MM-DD)."]
    assert "period_kind" in error["details"]
    data = {**sample_start("periodic_report"), "durations": {"draft": 1}, "topic": "x"}
    error = assert_error(start(api, "periodic_report", data), 422, "unexpected_fields")
    assert set(error["details"]) == {"durations", "topic"}
    data = {**sample_start("inspection"), "plan_working_days": 0}
    error = assert_error(start(api, "inspection", data), 422, "form_invalid")
    assert error["details"] == {"plan_working_days": ["Giá trị phải lớn hơn hoặc bằng 1."]}
    assert instance_count(api) == before


def test_fields_left_out_take_their_default_or_none(api: Api) -> None:
    response = start(api, "inspection", {"activity_title": "Kiểm tra công tác CCHC năm 2024"})
    assert response.status_code == 201, response.json
    data = response.json["data"]
    assert (data["plan_working_days"], data["conclusion_working_days"], data["deadline"]) == (5, 10, None)
    response = start(api, "generic_activity", {"activity_title": "Tổ chức hội nghị CCHC"})
    assert response.status_code == 201 and response.json["status"] == "running", response.json
    assert response.json["data"]["coordinating_units"] == []


def test_units_the_caller_may_start_for(api: Api) -> None:
    assert [u["code"] for u in api.get("/api/v1/units?startable=true", "cv.pnv").json] == ["PNV"]
    overseer = {u["code"] for u in api.get("/api/v1/units?startable=true", "cchc.pnv").json}
    assert {"PNV", "PTP", "VP", "UBND"} <= overseer
    assert api.get("/api/v1/units?startable=true", "vanthu").json == []
    assert len(api.get("/api/v1/units", "cv.pnv").json) == len(api.get("/api/v1/units", "cchc.pnv").json)


def test_the_start_page_is_for_those_who_may_start(api: Api) -> None:
    def login(user: str) -> Any:
        client = api.app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        client.post("/login", data={"username": user, "password": "demo", "csrf_token": token})
        return client

    staff = login("cv.pnv")
    page = staff.get("/instances/new")
    assert page.status_code == 200 and 'data-page="start"' in page.get_data(as_text=True)
    assert 'href="/instances/new"' in staff.get("/").get_data(as_text=True)
    clerk = login("vanthu")
    assert clerk.get("/instances/new").status_code == 403
    assert 'href="/instances/new"' not in clerk.get("/").get_data(as_text=True)


def test_periodic_report_instructions_name_the_period_and_the_deadline(api: Api) -> None:
    data = {**sample_start("periodic_report"), "period_label": "Quý II/2024", "deadline": "2024-06-14"}
    instance = start(api, "periodic_report", data).json
    [draft] = instance["open_tasks"]
    detail = api.get(f"/api/v1/tasks/{draft['id']}", "cv.pnv").json
    assert "kỳ Quý II/2024" in detail["instructions"] and "hạn gửi báo cáo: 14/06/2024" in detail["instructions"]
    assert "{{" not in detail["instructions"] and "period_label" not in detail["instructions"]
    [row] = [t for t in api.get("/api/v1/tasks", "cv.pnv").json if t["id"] == draft["id"]]
    assert row["instructions"] == detail["instructions"]
    shown = api.get(f"/api/v1/process-instances/{instance['id']}", "cv.pnv").json["open_tasks"][0]
    assert shown["instructions"] == detail["instructions"]


def test_a_missing_value_in_instructions_shows_a_dash(api: Api) -> None:
    data = {"activity_title": "Tổ chức hội nghị tập huấn CCHC"}  # no activity code, no output kind, no deadline
    instance = start(api, "generic_activity", data).json
    [perform] = instance["open_tasks"]
    text = api.get(f"/api/v1/tasks/{perform['id']}", "cv.pnv").json["instructions"]
    assert "«Tổ chức hội nghị tập huấn CCHC»" in text and "(loại sản phẩm: —)" in text
    assert "hạn hoàn thành" not in text


def test_deploy_and_validate_report_warnings_beside_problems(api: Api) -> None:
    folder = process_folder("periodic_report")
    bpmn = (folder / "periodic_report.bpmn").read_text(encoding="utf-8")
    bpmn = bpmn.replace("kỳ {{ period_label }} và đính kèm", "kỳ {{ period_lable }} và đính kèm")
    files = [_file(p.read_bytes(), p.name) for p in sorted(folder.glob("*.json")) if "sample" not in p.name]
    body = {"bpmn": _file(bpmn.encode(), "periodic_report.bpmn"), "files": files}
    report = api.post("/api/v1/process-definitions/validate", "admin", data=body, content_type="multipart/form-data")
    assert report.status_code == 200 and report.json["valid"] and report.json["problems"] == []
    [warning] = report.json["warnings"]
    assert warning["code"] == "instructions_unknown_name" and warning["element_id"] == "Task_draft"
    assert "period_lable" in warning["message"] and warning["line"]
    files = [_file(p.read_bytes(), p.name) for p in sorted(folder.glob("*.json")) if "sample" not in p.name]
    body = {"bpmn": _file(bpmn.encode(), "periodic_report.bpmn"), "files": files}
    deployed = api.post("/api/v1/process-definitions", "admin", data=body, content_type="multipart/form-data")
    assert deployed.status_code == 201 and [w["code"] for w in deployed.json["warnings"]] == [warning["code"]]
    broken = bpmn.replace("{{ period_lable }}", "{{ period_label ")
    files = [_file(p.read_bytes(), p.name) for p in sorted(folder.glob("*.json")) if "sample" not in p.name]
    body = {"bpmn": _file(broken.encode(), "periodic_report.bpmn"), "files": files}
    error = assert_error(
        api.post("/api/v1/process-definitions", "admin", data=body, content_type="multipart/form-data"), 422
    )
    [problem] = error["details"]
    assert problem["code"] == "instructions_invalid" and problem["element_id"] == "Task_draft" and problem["line"]
    assert "lỗi cú pháp mẫu" in problem["message"]
