"""Files in forms: attachment fields (x-document) take ids of uploaded documents the user may use, of the types
the field accepts; a refused completion stores nothing, an accepted one records the documents as the step's."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from engine.errors import InvalidInput
from engine.models import AuditEvent, HumanTask
from engine.views import Actor
from tests.document_files import EXE_BYTES, upload_file
from workflows import document_store, file_types
from workflows.document_fields import DocumentField
from workflows.models import DocumentRef

from .conftest import Api, assert_error

REPORT_START = {
    "activity_code": "VII.3.2",
    "activity_title": "Báo cáo CCHC quý I",
    "deadline": "2024-03-29",
    "period_label": "Quý I/2024",
    "period_kind": "quarter",
}
REPORT = {"report_content": "Kết quả thực hiện CCHC quý I/2024 của Phòng Nội vụ."}
PLAN_START = {
    "activity_code": "I.3.1",
    "activity_title": "Kế hoạch CCHC năm 2024",
    "deadline": "2024-01-15",
    "coordinating_units": [],
    "issuing_unit": "UBND",
}
DRAFT = {"title": "Kế hoạch CCHC năm 2024", "summary": "Dự thảo kế hoạch CCHC năm 2024", "needs_legal_review": False}


def report_step(api: Api) -> int:
    """A periodic report of Phòng Nội vụ: its open "Soạn báo cáo" step (any file type, at most 10 files)."""
    [draft] = api.start("cv.pnv", "PNV", "periodic_report", **REPORT_START)["open_tasks"]
    return int(draft["id"])


def plan_draft_step(api: Api) -> int:
    """A plan issuance of Phòng Nội vụ: its open draft step (PDF, DOC, DOCX, ODT; at most 5 files)."""
    [draft] = api.start("cv.pnv", "PNV", "plan_issuance", **PLAN_START)["open_tasks"]
    return int(draft["id"])


def complete(api: Api, task_id: int, data: dict[str, Any], user: str = "cv.pnv") -> Any:
    return api.post(f"/api/v1/tasks/{task_id}/complete", user, json={"data": data})


def assert_nothing_stored(app: Flask, task_id: int) -> None:
    """The step is still open, completed by no one, and no document was recorded or audited as attached."""
    with app.extensions["cchc"].read() as uow:
        step = uow.session.get(HumanTask, task_id)
        assert step is not None and step.status == "ready" and step.completed_by is None
        assert uow.session.scalar(select(func.count()).select_from(DocumentRef)) == 0
        kinds = set(uow.session.scalars(select(AuditEvent.kind)))
        assert not kinds & {"document_attached", "task_completed"}


def test_a_report_with_its_files_records_them_as_the_steps(app: Flask, api: Api) -> None:
    task_id = report_step(api)
    ids = [api.upload("cv.pnv", "bao-cao-quy-1.pdf"), api.upload("cv.pnv", "phu-luc.xlsx")]
    done = complete(api, task_id, {**REPORT, "attachments": ids})
    assert done.status_code == 200, done.json
    with app.extensions["cchc"].read() as uow:
        refs = sorted(uow.session.execute(select(DocumentRef.document_id, DocumentRef.task_id)).all())
    assert refs == [(ids[0], task_id), (ids[1], task_id)]
    # now the instance's people see them (the head reviews it), another unit does not, and it cannot be deleted
    assert api.get(f"/api/v1/documents/{ids[0]}", "tp.pnv").status_code == 200
    assert_error(api.get(f"/api/v1/documents/{ids[0]}", "cv.ptp"), 404, "document_not_found")
    assert_error(api.call("DELETE", f"/api/v1/documents/{ids[0]}", "cv.pnv"), 409, "document_referenced")


def test_a_type_the_field_does_not_accept_is_refused_by_field(app: Flask, api: Api) -> None:
    task_id = plan_draft_step(api)
    table = api.upload("cv.pnv", "bang-so-lieu.xlsx")
    draft = api.upload("cv.pnv", "du-thao.docx")
    error = assert_error(complete(api, task_id, {**DRAFT, "attachments": [draft, table]}), 422)
    assert error["code"] == "document_type_not_accepted"
    assert error["details"] == {
        "attachments": ["Tệp «bang-so-lieu.xlsx» là tệp XLSX; «Tệp dự thảo kế hoạch» chỉ nhận PDF, DOC, DOCX, ODT."]
    }
    assert_nothing_stored(app, task_id)
    assert complete(api, task_id, {**DRAFT, "attachments": [draft]}).status_code == 200


def test_another_units_document_is_not_usable(app: Flask, api: Api) -> None:
    task_id = report_step(api)
    theirs = api.upload("cv.p1", "bao-cao-phuong-1.pdf")
    error = assert_error(complete(api, task_id, {**REPORT, "attachments": [theirs]}), 422, "document_not_usable")
    assert error["details"] == {
        "attachments": [f"Tệp số {theirs} không tồn tại, đã bị xóa hoặc bạn không có quyền dùng."]
    }
    assert "không có quyền dùng" in error["message"]
    assert_nothing_stored(app, task_id)


def test_a_document_of_another_units_completed_step_is_not_usable_either(app: Flask, api: Api) -> None:
    [theirs_step] = api.start("cv.p1", "P1", "periodic_report", **REPORT_START)["open_tasks"]
    theirs = api.upload("cv.p1", "bao-cao-phuong-1.pdf")
    assert complete(api, theirs_step["id"], {**REPORT, "attachments": [theirs]}, "cv.p1").status_code == 200
    task_id = report_step(api)
    assert_error(complete(api, task_id, {**REPORT, "attachments": [theirs]}), 422, "document_not_usable")
    with app.extensions["cchc"].read() as uow:  # the other unit's step did record its own document
        assert uow.session.get(HumanTask, task_id).status == "ready"  # type: ignore[union-attr]
        assert not uow.session.scalar(select(func.count()).where(DocumentRef.task_id == task_id))


def test_a_deleted_or_missing_document_is_not_usable(app: Flask, api: Api) -> None:
    task_id = report_step(api)
    gone = api.upload("cv.pnv", "nham.pdf")
    assert api.call("DELETE", f"/api/v1/documents/{gone}", "cv.pnv").status_code == 204
    error = assert_error(complete(api, task_id, {**REPORT, "attachments": [gone, 999_999]}), 422)
    assert error["code"] == "document_not_usable" and len(error["details"]["attachments"]) == 2
    assert_nothing_stored(app, task_id)


def test_more_files_than_the_field_takes_is_refused(app: Flask, api: Api) -> None:
    task_id = plan_draft_step(api)
    ids = [api.upload("cv.pnv", f"du-thao-{n}.pdf") for n in range(6)]
    error = assert_error(complete(api, task_id, {**DRAFT, "attachments": ids}), 422, "form_invalid")
    assert error["details"] == {"attachments": ["Không được quá 5 mục."]}
    assert_nothing_stored(app, task_id)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (["du-thao.docx"], "form_invalid"),  # a file name where an id belongs: what the forms took before
        ("1", "form_invalid"),
        ([True], "form_invalid"),
        ([0], "form_invalid"),
        ([-3], "form_invalid"),
        ([{"id": 1}], "form_invalid"),
        ([], "form_invalid"),
        ([2**31], "document_not_usable"),  # beyond the id column: no query, no overflow
        ([2**53 + 1], "number_out_of_range"),  # beyond what JSON numbers hold exactly: refused as the body is read
        ([10**40], "number_out_of_range"),
        ([1.0], "document_not_usable"),  # JSON Schema takes 1.0 as an integer; a document id it is not
        ([1e300], "document_not_usable"),
    ],
)
def test_hostile_values_are_clean_422s(app: Flask, api: Api, value: Any, code: str) -> None:
    task_id = plan_draft_step(api)
    api.upload("cv.pnv", "du-thao.docx")  # document 1 exists and is the user's own
    error = assert_error(complete(api, task_id, {**DRAFT, "attachments": value}), 422, code)
    assert error["details"] and all("attachments" in key for key in error["details"])
    assert_nothing_stored(app, task_id)


def test_the_same_document_twice_is_refused(app: Flask, api: Api) -> None:
    task_id = plan_draft_step(api)
    draft = api.upload("cv.pnv", "du-thao.docx")
    error = assert_error(complete(api, task_id, {**DRAFT, "attachments": [draft, draft]}), 422, "form_invalid")
    assert error["details"]["attachments"] == ["Các mục không được trùng nhau."]  # the form's uniqueItems
    assert_nothing_stored(app, task_id)


def test_ids_cannot_be_smuggled_outside_the_attachment_fields(app: Flask, api: Api) -> None:
    task_id = report_step(api)
    mine = api.upload("cv.pnv", "bao-cao.pdf")
    theirs = api.upload("cv.p1", "bao-cao-phuong-1.pdf")
    smuggled = {**REPORT, "attachments": [mine], "documents": [theirs]}
    assert_error(complete(api, task_id, smuggled), 422, "unexpected_fields")
    as_text = {**REPORT, "attachments": [mine], "difficulties": [theirs]}
    assert_error(complete(api, task_id, as_text), 422, "form_invalid")
    assert_nothing_stored(app, task_id)


def test_an_executable_renamed_pdf_never_becomes_a_document(app: Flask, api: Api) -> None:
    task_id = report_step(api)
    refused = upload_file(api.client, {"Authorization": f"Bearer {api.token('cv.pnv')}"}, "bao-cao.pdf", EXE_BYTES)
    assert_error(refused, 415, "file_type_not_allowed")
    assert_error(complete(api, task_id, {**REPORT, "attachments": [1]}), 422, "document_not_usable")
    assert_nothing_stored(app, task_id)


def test_someone_who_may_not_act_learns_nothing_of_the_documents(app: Flask, api: Api) -> None:
    task_id = report_step(api)
    mine = api.upload("cv.pnv", "bao-cao.pdf")
    # the head sees the step but does not hold it: the lane refuses before any document is looked at
    assert_error(complete(api, task_id, {**REPORT, "attachments": [mine]}, "tp.pnv"), 403, "not_your_task")
    assert_nothing_stored(app, task_id)


def test_a_form_without_unique_items_still_takes_each_document_once(app: Flask, api: Api) -> None:
    mine = api.upload("cv.pnv", "bao-cao.pdf")
    field = DocumentField("files", "Tệp báo cáo", (file_types.PDF,), 0, 5, False)
    actor = Actor("cv.pnv", frozenset({"staff"}), "PNV")
    with app.extensions["cchc"].uow() as uow:
        with pytest.raises(InvalidInput) as refused:
            document_store.check_form_documents(uow, actor, {"files": field}, {"files": [mine, mine]})
        assert refused.value.code == "document_not_usable"
        assert refused.value.details == {"files": [f"Tệp số {mine} được chọn hai lần."]}
        assert document_store.check_form_documents(uow, actor, {"files": field}, {"files": [mine]}) == {"files": [mine]}
