"""Documents where submitted data is shown (the step's submissions, the instance's fields) and the plan's
products (Sản phẩm) per occurrence, with their access rules, over the API (issue #14 item 4, server side)."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from typing import Any

from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import event, select

from engine.clock import ManualClock
from engine.definitions import read_bundle
from engine.views import SYSTEM_ACTOR
from tests.api.conftest import Api, assert_error
from tests.api.test_api_plans import activity, plan_id
from tests.api.test_documents_api import attach, upload
from tests.document_files import pdf_bytes
from tests.engine_support import FIXTURES, at
from workflows import access, accounts
from workflows.definitions import deploy_definition
from workflows.models import PlanOccurrence, StoredDocument

PDF = "application/pdf"
DRAFT_FILES = {
    "type": "array",
    "title": "Tệp dự thảo kế hoạch",
    "minItems": 1,
    "maxItems": 5,
    "uniqueItems": True,
    "items": {"type": "integer", "minimum": 1},
    "x-document": {"accept": ["pdf", "doc", "docx", "odt"], "product": True},
}
SIGNED_FILES = {
    "type": "array",
    "title": "Văn bản đã ký số",
    "minItems": 1,
    "maxItems": 2,
    "items": {"type": "integer", "minimum": 1},
    "x-document": {"accept": ["pdf"], "product": {"number": "number", "date": "issued_date"}},
}
REVIEW_FILES = {  # an attachment that is not a product
    "type": "array",
    "title": "Ý kiến góp ý (tệp)",
    "maxItems": 3,
    "items": {"type": "integer", "minimum": 1},
    "x-document": {"accept": ["pdf"]},
}


def deploy_with_attachments(app: Flask) -> None:
    """approval5 with attachment fields: the draft's files (a product), the reviewer's notes (not one) and the
    signed document of the number step (a product with its số/ký hiệu and ngày ban hành)."""
    bpmn, files = read_bundle(FIXTURES / "approval5" / "approval5.bpmn")
    forms = {
        name: json.loads(files[name]) for name in ("draft.schema.json", "review.schema.json", "number.schema.json")
    }
    forms["draft.schema.json"]["properties"]["attachments"] = DRAFT_FILES
    forms["review.schema.json"]["properties"]["notes_files"] = REVIEW_FILES
    number = forms["number.schema.json"]["properties"]
    number["issued_date"] = {"type": "string", "format": "date", "title": "Ngày ban hành"}
    number["signed"] = SIGNED_FILES
    files.update({name: json.dumps(form, ensure_ascii=False).encode() for name, form in forms.items()})
    services = app.extensions["cchc"]
    with services.uow() as uow:
        deploy_definition(services, uow, bpmn, files, SYSTEM_ACTOR)
        uow.commit()


def complete(api: Api, app: Flask, clock: ManualClock, user: str, task_id: int, data: dict[str, Any]) -> Any:
    """Complete a step; record the documents of its attachment fields as its references (what the form
    integration does on completion; idempotent once it does)."""
    done = api.post(f"/api/v1/tasks/{task_id}/complete", user, json={"data": data})
    assert done.status_code == 200, done.json
    ids = [i for value in data.values() if isinstance(value, list) for i in value if isinstance(i, int)]
    if ids:
        attach(app, user, task_id, ids, clock)
    return done.json


def only(tasks: list[dict[str, Any]], element: str) -> dict[str, Any]:
    [task] = [t for t in tasks if t["element_id"] == element]
    return task


def issued_plan(api: Api, app: Flask, clock: ManualClock) -> dict[str, Any]:
    """Phòng Nội vụ drafts with a PDF, the head approves with a note file, Tư pháp, the leader, then the clerk
    numbers the plan and attaches the signed PDF: ids and the instance."""
    deploy_with_attachments(app)
    clock.set(at(date(2024, 1, 8), 9, 0))
    draft_pdf = upload(api, "cv.pnv", "Dự thảo kế hoạch.pdf", pdf_bytes("draft")).json
    note_pdf = upload(api, "tp.pnv", "gop-y.pdf", pdf_bytes("note")).json
    signed_pdf = upload(api, "vanthu", "12-KH-UBND.pdf", pdf_bytes("signed")).json
    started = api.start("cv.pnv", "PNV", topic="Kế hoạch CCHC năm 2024")
    draft = only(started["open_tasks"], "Task_draft")
    data = {"title": "Kế hoạch CCHC năm 2024", "attachments": [draft_pdf["id"]]}
    review = only(complete(api, app, clock, "cv.pnv", draft["id"], data)["next_tasks"], "Task_review")
    clock.set(at(date(2024, 1, 9), 10, 0))
    ok = {"approved": True, "notes_files": [note_pdf["id"]]}
    legal = only(complete(api, app, clock, "tp.pnv", review["id"], ok)["next_tasks"], "Task_legal")
    sign = only(complete(api, app, clock, "cv.ptp", legal["id"], {})["next_tasks"], "Task_sign")
    number = only(complete(api, app, clock, "chutich", sign["id"], {})["next_tasks"], "Task_number")
    clock.set(at(date(2024, 1, 10), 15, 30))
    issued = {"number": "12/KH-UBND", "issued_date": "2024-01-10", "signed": [signed_pdf["id"]]}
    finished = complete(api, app, clock, "vanthu", number["id"], issued)
    assert finished["instance"]["status"] == "completed"
    return {
        "instance_id": started["id"],
        "review_id": review["id"],
        "draft": draft_pdf,
        "note": note_pdf,
        "signed": signed_pdf,
    }


def by_key(fields: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f["key"]: f for f in fields}


def shown(document: dict[str, Any]) -> dict[str, Any]:
    return {k: document[k] for k in ("id", "name", "size", "content_type")}


def test_the_approver_sees_the_drafts_documents_in_the_submission(api: Api, app: Flask, clock: ManualClock) -> None:
    made = issued_plan(api, app, clock)
    task = api.get(f"/api/v1/tasks/{made['review_id']}", "tp.pnv")
    assert task.status_code == 200, task.json
    [draft] = task.json["submissions"]  # the review itself completed: what came before it
    files = by_key(draft["fields"])["attachments"]
    assert (files["label"], files["kind"], files["value"]) == (
        "Tệp dự thảo kế hoạch",
        "documents",
        [made["draft"]["id"]],
    )
    assert files["documents"] == [shown(made["draft"])]
    size = len(pdf_bytes("draft"))
    assert files["documents"][0] == {
        "id": made["draft"]["id"],
        "name": "Dự thảo kế hoạch.pdf",
        "size": size,
        "content_type": PDF,
    }
    assert files["display"] == "Dự thảo kế hoạch.pdf" and files["items"] == ["Dự thảo kế hoạch.pdf"]
    assert by_key(draft["fields"])["title"]["documents"] is None  # only attachment fields carry documents


def test_the_instance_page_shows_every_attachment_field(api: Api, app: Flask, clock: ManualClock) -> None:
    made = issued_plan(api, app, clock)
    record = api.get(f"/api/v1/process-instances/{made['instance_id']}", "cv.pnv")
    assert record.status_code == 200, record.json
    fields = by_key(record.json["fields"])
    assert [d["id"] for d in fields["attachments"]["documents"]] == [made["draft"]["id"]]
    assert (fields["notes_files"]["kind"], fields["notes_files"]["documents"]) == ("documents", [shown(made["note"])])
    signed = fields["signed"]
    assert (signed["label"], signed["display"], signed["documents"]) == (
        "Văn bản đã ký số",
        "12-KH-UBND.pdf",
        [shown(made["signed"])],
    )


def test_who_sees_the_instance_downloads_its_documents_and_another_unit_does_not(
    api: Api, app: Flask, clock: ManualClock
) -> None:
    made = issued_plan(api, app, clock)
    instance = f"/api/v1/process-instances/{made['instance_id']}"
    for user in ("cv.pnv", "tp.pnv", "cv.ptp", "vanthu", "cchc.pnv"):  # the unit, the step holders, an overseer
        assert api.get(instance, user).status_code == 200, user
        for key in ("draft", "note", "signed"):
            content = api.get(f"/api/v1/documents/{made[key]['id']}/content", user)
            assert content.status_code == 200, (user, key)
    assert api.get(f"/api/v1/documents/{made['signed']['id']}/content", "tp.pnv").data == pdf_bytes("signed")
    # Phường 1 sees neither the instance nor its documents: 404, as if they did not exist
    assert_error(api.get(instance, "cv.p1"), 404, "instance_not_found")
    for key in ("draft", "note", "signed"):
        assert_error(api.get(f"/api/v1/documents/{made[key]['id']}/content", "cv.p1"), 404, "document_not_found")
        assert_error(api.get(f"/api/v1/documents/{made[key]['id']}", "ct.p1"), 404, "document_not_found")


def link_occurrence(app: Flask, activity_id: int, unit: str, instance_id: int) -> int:
    """Make the instance the one of the activity's first occurrence for ``unit`` (what launching records)."""
    services = app.extensions["cchc"]
    with services.uow() as uow:
        occurrence = uow.session.scalars(
            select(PlanOccurrence)
            .where(PlanOccurrence.activity_id == activity_id, PlanOccurrence.unit_code == unit)
            .order_by(PlanOccurrence.id)
        ).first()
        assert occurrence is not None
        occurrence.instance_id = instance_id
        uow.commit()
        return occurrence.id


def test_the_plan_lists_the_products_of_each_occurrence(api: Api, app: Flask, clock: ManualClock) -> None:
    made = issued_plan(api, app, clock)
    pid = plan_id(api)
    unit_plans = activity(api, pid, "NV", "NV.1")  # every unit issues its own plan
    occurrence_id = link_occurrence(app, unit_plans["id"], "PNV", made["instance_id"])
    url = f"/api/v1/plans/{pid}/activities/{unit_plans['id']}"

    detail = api.get(url, "cchc.pnv")
    assert detail.status_code == 200, detail.json
    occurrences = {o["id"]: o for o in detail.json["occurrences"]}
    mine = occurrences.pop(occurrence_id)
    assert (mine["instance_id"], mine["hidden_products"]) == (made["instance_id"], 0)
    draft, signed = mine["products"]  # the reviewer's notes are an attachment, not a product
    assert datetime.fromisoformat(draft.pop("completed_at")) == at(date(2024, 1, 8), 9, 0)
    assert datetime.fromisoformat(signed.pop("completed_at")) == at(date(2024, 1, 10), 15, 30)
    assert draft == {
        **shown(made["draft"]),
        "step": "Soạn thảo dự thảo",
        "field": "Tệp dự thảo kế hoạch",
        "number": None,
        "issued_date": None,
    }
    assert signed == {
        **shown(made["signed"]),
        "step": "Cấp số văn bản",
        "field": "Văn bản đã ký số",
        "number": "12/KH-UBND",
        "issued_date": "2024-01-10",
    }
    assert all(o["products"] == [] and o["hidden_products"] == 0 for o in occurrences.values())

    # the unit's own people see them too; Phường 1 only learns that there are two it may not see
    for user in ("cv.pnv", "tp.pnv"):
        seen = {o["id"]: o for o in api.get(url, user).json["occurrences"]}[occurrence_id]
        assert [p["id"] for p in seen["products"]] == [made["draft"]["id"], made["signed"]["id"]], user
    hidden = {o["id"]: o for o in api.get(url, "cv.p1").json["occurrences"]}[occurrence_id]
    assert (hidden["products"], hidden["hidden_products"]) == ([], 2)
    assert str(made["signed"]["id"]) not in json.dumps(hidden["products"])


def test_the_progress_workbook_lists_the_products_the_reader_may_see(api: Api, app: Flask, clock: ManualClock) -> None:
    made = issued_plan(api, app, clock)
    pid = plan_id(api)
    unit_plans = activity(api, pid, "NV", "NV.1")
    link_occurrence(app, unit_plans["id"], "PNV", made["instance_id"])

    def products_cell(user: str) -> str:
        response = api.get(f"/api/v1/plans/{pid}/export?format=xlsx", user)
        assert response.status_code == 200
        rows = load_workbook(io.BytesIO(response.data))["Theo hoạt động"].iter_rows(min_row=2, values_only=True)
        [row] = [r for r in rows if r[0] == "NV.1"]
        return str(row[8])

    expected = unit_plans["output_text"] or unit_plans["output_kind"]
    assert products_cell("cchc.pnv").splitlines() == [
        expected,
        "Đã nộp:",
        "- Dự thảo kế hoạch.pdf",
        "- 12-KH-UBND.pdf (số 12/KH-UBND, ngày 10/01/2024)",
    ]
    assert products_cell("cv.p1") == expected  # another unit: what the plan asks for, not the files


def test_products_are_read_in_the_same_number_of_queries_for_any_number_of_occurrences(
    api: Api, app: Flask, clock: ManualClock
) -> None:
    made = issued_plan(api, app, clock)
    pid = plan_id(api)
    unit_plans = activity(api, pid, "NV", "NV.1")
    link_occurrence(app, unit_plans["id"], "PNV", made["instance_id"])
    url = f"/api/v1/plans/{pid}/activities/{unit_plans['id']}"
    sql = app.extensions["cchc"].sql
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    def queries_of(user: str) -> int:
        api.get(url, user)  # the definition's forms cached, the login done
        statements.clear()
        event.listen(sql, "before_cursor_execute", count)
        try:
            assert api.get(url, user).status_code == 200
        finally:
            event.remove(sql, "before_cursor_execute", count)
        return len(statements)

    one = {user: queries_of(user) for user in ("cchc.pnv", "cv.p1")}
    # a second occurrence (Phòng Tư pháp's) with its own draft and PDF
    second_pdf = upload(api, "cv.ptp", "ke-hoach-ptp.pdf", pdf_bytes("ptp")).json
    draft = only(api.start("cv.ptp", "PTP", topic="Kế hoạch PTP")["open_tasks"], "Task_draft")
    complete(api, app, clock, "cv.ptp", draft["id"], {"title": "Kế hoạch PTP", "attachments": [second_pdf["id"]]})
    link_occurrence(app, unit_plans["id"], "PTP", draft["instance_id"])
    products = [p["id"] for o in api.get(url, "cchc.pnv").json["occurrences"] for p in o["products"]]
    assert sorted(products) == sorted([made["draft"]["id"], made["signed"]["id"], second_pdf["id"]])
    assert {user: queries_of(user) for user in ("cchc.pnv", "cv.p1")} == one


def test_the_batched_document_rule_agrees_with_can_view_document(api: Api, app: Flask, clock: ManualClock) -> None:
    made = issued_plan(api, app, clock)
    loose = upload(api, "cv.pnv", "chua-dung.pdf", pdf_bytes("loose")).json  # referenced by no step
    ids = [made["draft"]["id"], made["note"]["id"], made["signed"]["id"], loose["id"]]
    services = app.extensions["cchc"]
    users = ("cv.pnv", "tp.pnv", "cv.ptp", "vanthu", "chutich", "cchc.pnv", "admin", "cv.p1", "ct.p1", "cv.vp")
    with services.read() as uow:
        documents = [uow.session.get(StoredDocument, i) for i in ids]
        for user in users:
            actor = accounts.get_user(uow.session, user).actor
            one_by_one = {d.id for d in documents if d is not None and access.can_view_document(uow, actor, d)}
            assert access.visible_document_ids(uow, actor, [d for d in documents if d]) == one_by_one, user
        pnv = accounts.get_user(uow.session, "cv.pnv").actor
        p1 = accounts.get_user(uow.session, "cv.p1").actor
        assert access.visible_document_ids(uow, pnv, [d for d in documents if d]) == set(ids)
        assert access.visible_document_ids(uow, p1, [d for d in documents if d]) == set()
        assert access.visible_instance_ids(uow, p1, [made["instance_id"]]) == set()
        assert access.visible_instance_ids(uow, pnv, []) == set()


def test_a_returned_draft_is_superseded_by_its_resubmission(api: Api, app: Flask, clock: ManualClock) -> None:
    deploy_with_attachments(app)
    first = upload(api, "cv.pnv", "du-thao-lan-1.pdf", pdf_bytes("v1")).json
    second = upload(api, "cv.pnv", "du-thao-lan-2.pdf", pdf_bytes("v2")).json
    started = api.start("cv.pnv", "PNV", topic="Kế hoạch CCHC")
    draft = only(started["open_tasks"], "Task_draft")
    review = only(
        complete(api, app, clock, "cv.pnv", draft["id"], {"title": "Kế hoạch", "attachments": [first["id"]]})[
            "next_tasks"
        ],
        "Task_review",
    )
    back = {"approved": False, "reason": "Bổ sung phụ lục"}
    redraft = only(complete(api, app, clock, "tp.pnv", review["id"], back)["next_tasks"], "Task_draft")
    redone = complete(api, app, clock, "cv.pnv", redraft["id"], {"title": "Kế hoạch", "attachments": [second["id"]]})
    review2 = only(redone["next_tasks"], "Task_review")
    pid = plan_id(api)
    unit_plans = activity(api, pid, "NV", "NV.1")
    occurrence_id = link_occurrence(app, unit_plans["id"], "PNV", started["id"])
    url = f"/api/v1/plans/{pid}/activities/{unit_plans['id']}"
    for user, visible, hidden in (("tp.pnv", [second["id"]], 0), ("cv.p1", [], 1)):
        mine = {o["id"]: o for o in api.get(url, user).json["occurrences"]}[occurrence_id]
        assert ([p["id"] for p in mine["products"]], mine["hidden_products"]) == (visible, hidden), user
    # the approver still sees both drafts in the submissions, newest first, each with its own file
    shown_drafts = api.get(f"/api/v1/tasks/{review2['id']}", "tp.pnv").json["submissions"]
    files = [by_key(s["fields"])["attachments"] for s in shown_drafts if s["element_id"] == "Task_draft"]
    assert [f["display"] for f in files] == ["du-thao-lan-2.pdf", "du-thao-lan-1.pdf"]
