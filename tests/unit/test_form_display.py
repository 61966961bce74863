"""How step data shows: labels from the form, enum titles, Có/Không, dd/mm/yyyy, lists, documents, returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from engine.start_form import START_SCHEMA
from engine.views import DefinitionForms, EventView, SubmissionView
from workflows.form_display import (
    EMPTY,
    MISSING_DOCUMENT,
    DocumentInfo,
    completion_comment,
    decision_of,
    display_value,
    field,
    format_number,
    label_of,
    property_schema,
    submitted_fields,
)
from workflows.records import event_label, labelled_fields

REVIEW: dict[str, Any] = {
    "type": "object",
    "properties": {
        "decision": {
            "type": "string",
            "title": "Ý kiến của lãnh đạo",
            "oneOf": [{"const": "approve", "title": "Duyệt"}, {"const": "return", "title": "Trả lại (kèm lý do)"}],
        },
        "return_reason": {"type": "string", "title": "Lý do trả lại"},
        "extend": {"type": "boolean", "title": "Gia hạn"},
        "extend_to": {"type": ["string", "null"], "format": "date", "title": "Gia hạn đến ngày"},
    },
    "allOf": [{"if": {"properties": {"decision": {"const": "return"}}}, "then": {"required": ["return_reason"]}}],
}
FORM: dict[str, Any] = {
    "type": "object",
    "properties": {
        "level": {"type": "string", "title": "Mức độ", "enum": ["a", "b"], "enumNames": ["Tốt", "Khá"]},
        "channels": {
            "type": "array",
            "title": "Hình thức công bố",
            "items": {"type": "string", "oneOf": [{"const": "web", "title": "Cổng thông tin"}]},
        },
        "attachments": {
            "type": "array",
            "title": "Tệp đính kèm",
            "items": {"type": "integer", "minimum": 1},
            "x-document": {"accept": ["pdf", "docx"], "product": True},
        },
        "evidence_list": {"type": "array", "title": "Minh chứng", "items": {"type": "string", "title": "Tên tệp"}},
        "units": {"type": "array", "title": "Đơn vị", "items": {"type": "string", "title": "Mã đơn vị"}},
        "members": {
            "type": "array",
            "title": "Thành viên",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string", "title": "Họ tên"}, "lead": {"type": "boolean"}},
            },
        },
        "at": {"type": "string", "format": "date-time", "title": "Lúc"},
        "score": {"type": "number", "title": "Điểm"},
    },
}


def shown(key: str, value: Any, schema: dict[str, Any] | None = FORM) -> tuple[str, str, list[str] | None]:
    return display_value(key, value, property_schema(schema, key))


def test_choices_show_their_titles() -> None:
    assert shown("decision", "return", REVIEW) == ("enum", "Trả lại (kèm lý do)", None)
    assert shown("level", "b") == ("enum", "Khá", None)  # enum + enumNames
    assert shown("level", "z") == ("text", "z", None)  # a value the form does not list shows as it is
    assert shown("channels", ["web", "post"]) == ("list", "Cổng thông tin; post", ["Cổng thông tin", "post"])


def test_booleans_dates_and_numbers() -> None:
    assert shown("extend", True, REVIEW) == ("boolean", "Có", None)
    assert shown("extend", False, REVIEW) == ("boolean", "Không", None)
    assert shown("extend_to", "2024-03-15", REVIEW) == ("date", "15/03/2024", None)
    assert shown("at", "2024-03-05T02:30:00+00:00") == ("datetime", "05/03/2024 09:30", None)  # local zone
    assert shown("score", 8.5) == ("number", "8,5", None)
    assert (format_number(2024), format_number(-0.25), format_number(3.0)) == ("2024", "-0,25", "3")
    assert shown("nothing_known", "2024-13-45", None) == ("text", "2024-13-45", None)  # not a real date


def test_lists_and_objects() -> None:
    # file names typed by hand (old instances, fields without x-document): a plain list, whatever the key
    assert shown("evidence_list", ["minh-chung.pdf"]) == ("list", "minh-chung.pdf", ["minh-chung.pdf"])
    assert shown("attachments", ["a.pdf", "b.xlsx"]) == ("list", "a.pdf; b.xlsx", ["a.pdf", "b.xlsx"])
    assert shown("units", ["PNV", "PTP"]) == ("list", "PNV; PTP", ["PNV", "PTP"])
    members = shown("members", [{"name": "An", "lead": True}])
    assert members == ("list", "Họ tên: An; lead: Có", ["Họ tên: An; lead: Có"])  # untitled: its key
    assert shown("plan", {"year": 2024}, None) == ("object", "year: 2024", None)


@pytest.mark.parametrize("empty", [None, "", [], {}])
def test_empty_values_show_a_dash(empty: Any) -> None:
    assert shown("attachments", empty) == ("empty", EMPTY, None)


PDF = DocumentInfo(12, "dự-thảo.pdf", 1234, "application/pdf")
DOCX = DocumentInfo(13, "phụ lục.docx", 2048, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def test_an_attachment_field_shows_its_documents() -> None:
    known = {12: PDF, 13: DOCX}
    files = field("attachments", [13, 12], FORM, documents=known)
    assert (files.label, files.kind, files.value) == ("Tệp đính kèm", "documents", [13, 12])
    assert files.documents == [DOCX, PDF]  # in the field's order
    assert (files.display, files.items) == ("phụ lục.docx, dự-thảo.pdf", ["phụ lục.docx", "dự-thảo.pdf"])


def test_an_id_that_no_longer_resolves_shows_without_a_name() -> None:
    files = field("attachments", [12, 99], FORM, documents={12: PDF})
    assert files.documents == [PDF, DocumentInfo(99)]
    assert files.documents[1] == DocumentInfo(99, None, None, None)
    assert files.display == f"dự-thảo.pdf, {MISSING_DOCUMENT}" and MISSING_DOCUMENT == "Tài liệu không còn"
    nothing_resolved = field("attachments", [7], FORM)
    assert (nothing_resolved.kind, nothing_resolved.display) == ("documents", "Tài liệu không còn")


def test_old_file_names_in_an_attachment_field_stay_a_plain_list() -> None:
    old = field("attachments", ["bao-cao.pdf"], FORM, documents={12: PDF})
    assert (old.kind, old.display, old.documents) == ("list", "bao-cao.pdf", None)
    assert field("attachments", [], FORM).kind == "empty"
    assert field("attachments", [True], FORM).kind == "list"  # booleans are not ids
    # ids in a field that declares no x-document are numbers, not documents
    assert field("units", [12], FORM, documents={12: PDF}).kind == "list"


def test_submitted_fields_resolve_every_attachment_field() -> None:
    data = {"title": "Kế hoạch", "attachments": [12]}
    form = {
        "properties": {"title": {"type": "string", "title": "Tên"}, "attachments": FORM["properties"]["attachments"]}
    }
    fields = submitted_fields(data, form, {12: PDF})
    assert [(f.key, f.kind, f.documents) for f in fields] == [
        ("title", "text", None),
        ("attachments", "documents", [PDF]),
    ]


def test_a_field_the_form_does_not_name_keeps_its_key() -> None:
    assert label_of(FORM, "durations") is None
    missing = field("durations", {"draft": 5}, FORM)
    assert (missing.label, missing.display, missing.kind) == ("durations", "draft: 5", "object")
    assert field("return_reason", "x", REVIEW).label == "Lý do trả lại"
    assert property_schema(REVIEW, "return_reason") == {"type": "string", "title": "Lý do trả lại"}


def test_returns_and_their_reasons() -> None:
    assert decision_of({"decision": "return", "return_reason": " Thiếu số liệu "}).reason == "Thiếu số liệu"
    assert decision_of({"approved": False, "reason": "Sai mẫu"}).returned
    assert not decision_of({"approved": True, "reason": "cũ"}).returned
    assert not decision_of({"decision": "approve", "return_reason": "cũ"}).returned
    assert not decision_of({"report_content": "…"}).returned


def test_an_approval_never_shows_an_old_return_reason() -> None:
    stale = {"decision": "approve", "return_reason": "Lý do cũ", "extend": False}
    assert [f.key for f in submitted_fields(stale, REVIEW)] == ["decision", "extend"]
    assert completion_comment(stale) is None
    back = {"extend": False, "return_reason": "Lý do mới", "decision": "return"}
    assert [f.key for f in submitted_fields(back, REVIEW)] == ["decision", "return_reason", "extend"]  # form order
    assert completion_comment(back) == "Lý do mới"
    assert completion_comment({"report": "x", "revision_note": "Đã sửa", "acceptance_note": ""}) == "Đã sửa"


def submission(event_id: int, form: str, data: dict[str, Any]) -> SubmissionView:
    return SubmissionView(event_id, event_id, "Task", "Bước", "u", datetime(2024, 1, 1), data, form)


def test_instance_fields_are_labelled_by_the_form_that_last_submitted_them() -> None:
    start = {"properties": {"period_label": {"type": "string", "title": "Kỳ báo cáo"}}}
    acceptance = {
        "properties": {
            "decision": {"title": "Ý kiến của Phòng Nội vụ", "oneOf": [{"const": "ok", "title": "Tiếp nhận"}]}
        }
    }
    forms = DefinitionForms(
        {START_SCHEMA: start, "review.schema.json": REVIEW, "acceptance.schema.json": acceptance},
        frozenset({"durations", "unit_code"}),
        {},
    )
    data = {
        "decision": "ok",
        "return_reason": "Lý do của lần trả lại trước",
        "durations": {"a": 1},
        "period_label": "Quý I",
        "unit_code": "PNV",
        "mystery": 1,
    }
    history = [  # newest first
        submission(3, "acceptance.schema.json", {"decision": "ok"}),
        submission(2, "review.schema.json", {"decision": "return", "return_reason": "Lý do của lần trả lại trước"}),
    ]
    fields = labelled_fields(data, forms, history)
    assert [(f.key, f.label, f.display, f.technical) for f in fields] == [
        ("period_label", "Kỳ báo cáo", "Quý I", False),
        ("decision", "Ý kiến của Phòng Nội vụ", "Tiếp nhận", False),
        ("return_reason", "return_reason", "Lý do của lần trả lại trước", True),  # not this decision's
        ("durations", "durations", "a: 1", True),
        ("mystery", "mystery", "1", True),
        ("unit_code", "unit_code", "PNV", True),
    ]


def test_event_labels_in_vietnamese() -> None:
    def event(kind: str, **payload: Any) -> EventView:
        return EventView(1, kind, 1, None, "Timer_x", "u", datetime(2024, 1, 1), payload)

    assert event_label(event("instance_started")) == ("Khởi tạo hồ sơ", None)
    assert event_label(event("task_completed", name="Duyệt", data={"approved": False, "reason": "Thiếu"})) == (
        "Trả lại ở bước «Duyệt»",
        "Thiếu",
    )
    assert event_label(event("task_assigned", task_id=7, assignee="cv"), {7: "Soạn"}, {}, {"cv": "Võ Thị Hạnh"}) == (
        "Phân công bước «Soạn» cho Võ Thị Hạnh",
        None,
    )
    assert event_label(event("timer_fired"), {}, {"Timer_x": "Đến hạn xử lý"}) == (
        "Hẹn giờ kích hoạt: Đến hạn xử lý",
        None,
    )
    assert event_label(event("instance_failed", element_name="Tính hạn", message="Lỗi chia 0")) == (
        "Lỗi tại «Tính hạn»",
        "Lỗi chia 0",
    )
    assert event_label(event("instance_retried")) == ("Thử lại bước lỗi", None)
    assert event_label(event("instance_completed")) == ("Kết thúc hồ sơ", None)
