"""Definitions, instances and the task inbox through the HTTP API."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from engine.definitions import read_bundle
from tests.api.conftest import Api, assert_error
from tests.engine_support import FIXTURES

MIWG = FIXTURES / "miwg"  # the BPMN MIWG reference models (CC-BY 3.0, see ATTRIBUTION.md there)
BPMN = (FIXTURES / "approval5" / "approval5.bpmn").read_bytes()
FORMS = read_bundle(FIXTURES / "approval5" / "approval5.bpmn")[1]  # every form file of the fixture


def form_files() -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(content), name) for name, content in FORMS.items()]


def test_definitions_are_listed_with_versions_and_xml(api: Api) -> None:
    listed = api.get("/api/v1/process-definitions", "cv.pnv").json
    assert "approval5" in {d["key"] for d in listed}
    one = api.get("/api/v1/process-definitions/approval5", "cv.pnv").json
    assert one["version"] == 1 and one["name"] == "Phê duyệt 5 bước (kiểm thử)"
    versions = api.get("/api/v1/process-definitions/approval5/versions", "cv.pnv").json
    assert [v["version"] for v in versions] == [1]
    xml = api.get("/api/v1/process-definitions/approval5/versions/1/bpmn", "cv.pnv")
    assert xml.status_code == 200 and xml.mimetype == "application/xml" and b"Task_draft" in xml.data
    assert_error(api.get("/api/v1/process-definitions/nope", "cv.pnv"), 404, "definition_not_found")
    assert_error(api.get("/api/v1/process-definitions/approval5/versions/9/bpmn", "cv.pnv"), 404)


def test_deploy_multipart_then_idempotent_then_new_version(api: Api) -> None:
    changed = BPMN.replace("Cấp số văn bản".encode(), "Cấp số, ngày văn bản".encode())
    first = api.post(
        "/api/v1/process-definitions",
        "admin",
        content_type="multipart/form-data",
        data={"bpmn": (io.BytesIO(changed), "approval5.bpmn"), "files": form_files()},
    )
    assert first.status_code == 201 and first.json["version"] == 2 and first.json["created"] is True
    again = api.post(
        "/api/v1/process-definitions",
        "admin",
        content_type="multipart/form-data",
        data={"bpmn": (io.BytesIO(changed), "approval5.bpmn"), "files": form_files()},
    )
    assert again.status_code == 200 and again.json["version"] == 2 and again.json["created"] is False
    assert_error(api.post("/api/v1/process-definitions", "cv.pnv", data=BPMN, content_type="application/xml"), 403)


def test_deploy_invalid_lists_every_problem(api: Api) -> None:
    error = assert_error(
        api.post("/api/v1/process-definitions", "admin", data=BPMN, content_type="application/xml"),
        422,
        "definition_invalid",
    )
    problems = error["details"]
    assert any(p["code"] == "form_missing" and p["element_id"] == "Task_draft" and p["line"] for p in problems)
    error = assert_error(
        api.post("/api/v1/process-definitions", "admin", data=b"<bpmn:definitions", content_type="application/xml"), 422
    )
    assert error["details"][0]["code"] == "xml_malformed" and error["details"][0]["line"] == 1
    assert_error(api.post("/api/v1/process-definitions", "admin", data=b"", content_type="application/xml"), 422)
    assert_error(api.post("/api/v1/process-definitions", "admin", json={"bpmn": "x"}), 415)


@pytest.mark.parametrize("path", sorted(MIWG.glob("*.bpmn")), ids=lambda p: p.name)
def test_miwg_reference_diagrams_get_201_or_422_never_500(api: Api, path: Path) -> None:
    response = api.post("/api/v1/process-definitions", "admin", data=path.read_bytes(), content_type="application/xml")
    assert response.status_code in (201, 422), response.get_data(as_text=True)[:300]
    if response.status_code == 422:
        problems = response.json["error"]["details"]
        assert problems and all(p["message"] and (p["line"] or p["element_id"]) for p in problems)


def test_start_and_walk_a_process_as_the_right_users(api: Api) -> None:
    instance = api.start(topic="Kế hoạch CCHC 2024")
    assert instance["status"] == "running" and instance["definition_version"] == 1
    [draft] = instance["open_tasks"]
    assert (draft["role"], draft["unit_code"], draft["due_at"]) == ("staff", "PNV", "2024-01-05T10:00:00+00:00")
    inbox = api.get("/api/v1/tasks", "cv.pnv").json
    assert draft["id"] in [t["id"] for t in inbox]
    assert draft["id"] not in [t["id"] for t in api.get("/api/v1/tasks", "cv.ptp").json]
    detail = api.get(f"/api/v1/tasks/{draft['id']}", "cv.pnv").json
    assert detail["schema"]["required"] == ["title"] and detail["data"]["topic"] == "Kế hoạch CCHC 2024"
    assert detail["instructions"] == "Soạn dự thảo và đính kèm tệp."

    error = assert_error(
        api.post(f"/api/v1/tasks/{draft['id']}/complete", "cv.pnv", json={"data": {"title": "x"}}), 422, "form_invalid"
    )
    assert "title" in error["details"]
    assert_error(
        api.post(f"/api/v1/tasks/{draft['id']}/complete", "cv.ptp", json={"data": {"title": "Dự thảo"}}), 404
    )  # another unit's step does not even exist for them
    assert_error(
        api.post(f"/api/v1/tasks/{draft['id']}/complete", "tp.pnv", json={"data": {"title": "Dự thảo"}}),
        403,
        "not_your_task",
    )
    done = api.post(f"/api/v1/tasks/{draft['id']}/complete", "cv.pnv", json={"data": {"title": "Dự thảo"}})
    assert done.status_code == 200
    [review] = done.json["next_tasks"]
    assert (review["element_id"], review["role"]) == ("Task_review", "head")
    # the answer carries the open steps, not the history (GET /process-instances/{id} has it, below)
    assert done.json["instance"]["open_tasks"] == [review] and "completed_tasks" not in done.json["instance"]
    assert_error(
        api.post(f"/api/v1/tasks/{draft['id']}/complete", "cv.pnv", json={"data": {"title": "Dự thảo"}}),
        409,
        "task_not_ready",
    )
    review_inbox = api.get("/api/v1/tasks", "tp.pnv").json
    assert [t["id"] for t in review_inbox] == [review["id"]]

    events = api.get(f"/api/v1/process-instances/{instance['id']}/events", "cv.pnv").json
    assert [e["kind"] for e in events] == ["instance_started", "task_completed"]
    assert events[1]["payload"]["data"] == {"title": "Dự thảo"} and events[1]["actor"] == "cv.pnv"
    got = api.get(f"/api/v1/process-instances/{instance['id']}", "cv.pnv").json
    assert [t["element_id"] for t in got["completed_tasks"]] == ["Task_draft"]
    assert [t["element_id"] for t in got["open_tasks"]] == ["Task_review"]


def test_claim_unclaim_assign(api: Api) -> None:
    instance = api.start()
    task_id = instance["open_tasks"][0]["id"]
    claimed = api.post(f"/api/v1/tasks/{task_id}/claim", "cv.pnv")
    assert claimed.status_code == 200 and claimed.json["assignee"] == "cv.pnv"
    assert_error(api.post(f"/api/v1/tasks/{task_id}/assign", "cv.pnv", json={"username": "cv.pnv"}), 403)
    assert_error(
        api.post(f"/api/v1/tasks/{task_id}/assign", "tp.pnv", json={"username": "cv.ptp"}), 422, "assignee_not_eligible"
    )
    assert_error(api.post(f"/api/v1/tasks/{task_id}/assign", "tp.pnv", json={"username": "ai.do"}), 422)
    assert api.post(f"/api/v1/tasks/{task_id}/unclaim", "cv.pnv").json["assignee"] is None
    assert_error(api.post(f"/api/v1/tasks/{task_id}/unclaim", "cv.pnv"), 409, "task_not_claimed")
    assigned = api.post(f"/api/v1/tasks/{task_id}/assign", "tp.pnv", json={"username": "cv.pnv"})
    assert assigned.status_code == 200 and assigned.json["assignee"] == "cv.pnv"
    assert_error(api.get("/api/v1/tasks/999999", "cv.pnv"), 404, "task_not_found")


def test_instances_list_filters_and_visibility(api: Api) -> None:
    mine = api.start()
    other = api.start(user="cv.p1", unit="P1")
    listed = api.get("/api/v1/process-instances?process_key=approval5", "cchc.pnv").json
    assert {mine["id"], other["id"]} <= {i["id"] for i in listed}
    assert {i["id"] for i in api.get("/api/v1/process-instances", "cv.pnv").json} == {mine["id"]}
    assert api.get("/api/v1/process-instances?unit=P1", "cv.pnv").json == []
    assert_error(api.get(f"/api/v1/process-instances/{other['id']}", "cv.pnv"), 404, "instance_not_found")
    assert_error(api.get("/api/v1/process-instances?status=nonsense", "cv.pnv"), 422)
    assert_error(
        api.post("/api/v1/process-instances", "cv.pnv", json={"process_key": "approval5", "unit_code": "P1"}),
        403,
        "unit_not_yours",
    )
    assert_error(
        api.post("/api/v1/process-instances", "cv.pnv", json={"process_key": "nope", "unit_code": "PNV"}),
        404,
        "definition_not_found",
    )
    assert_error(
        api.post("/api/v1/process-instances", "cv.pnv", json={"process_key": "approval5", "unit_code": "NOPE"}), 422
    )


def test_cancel_and_retry_are_for_administrators(api: Api) -> None:
    instance = api.start()
    assert_error(api.post(f"/api/v1/process-instances/{instance['id']}/cancel", "cv.pnv", json={}), 403)
    assert_error(
        api.post(f"/api/v1/process-instances/{instance['id']}/retry", "admin", json={}), 409, "instance_not_failed"
    )
    cancelled = api.post(f"/api/v1/process-instances/{instance['id']}/cancel", "admin", json={"reason": "Thử"})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert_error(api.post(f"/api/v1/process-instances/{instance['id']}/cancel", "admin"), 409)
    assert_error(api.post("/api/v1/process-instances/999999/cancel", "admin"), 404)
