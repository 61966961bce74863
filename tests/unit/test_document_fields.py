"""The attachment fields of a form (x-document) and the ids its data holds."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.definitions import read_bundle
from engine.sandbox import check_source
from engine.validation import check_bundle
from workflows import file_types
from workflows.definitions import PROCESSES_DIR
from workflows.document_fields import DocumentField, document_fields, document_ids, schema_problems
from workflows.roles import ROLES

DRAFT = {
    "type": "array",
    "title": "Tệp dự thảo kế hoạch",
    "minItems": 1,
    "maxItems": 5,
    "uniqueItems": True,
    "items": {"type": "integer", "minimum": 1},
    "x-document": {"accept": ["pdf", "DOCX", ".odt"]},
}


def test_fields_through_combinators_with_their_rules() -> None:
    schema = {
        "type": "object",
        "properties": {"title": {"type": "string"}, "draft": DRAFT},
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": "issued"}}},
                "then": {
                    "properties": {
                        "issued": {
                            "type": "array",
                            "title": "Văn bản đã ký",
                            "items": {"type": "integer"},
                            "x-document": {"product": {"number": "document_number", "date": "issued_date"}},
                        }
                    }
                },
            }
        ],
    }
    fields = document_fields(schema)
    assert list(fields) == ["draft", "issued"]
    assert fields["draft"] == DocumentField(
        "draft", "Tệp dự thảo kế hoạch", (file_types.PDF, file_types.DOCX, file_types.ODT), 1, 5, False
    )
    issued = fields["issued"]
    assert issued.accept == file_types.ALLOWED and issued.min_items == 0 and issued.max_items is None
    assert issued.product and (issued.number_key, issued.date_key) == ("document_number", "issued_date")


def test_product_true_and_no_documents() -> None:
    prop = dict(DRAFT, **{"x-document": {"accept": ["jpg"], "product": True}})
    fields = document_fields({"properties": {"photo": prop, "note": {"type": "string"}}})
    assert fields["photo"].product and fields["photo"].accept == (file_types.JPEG,)
    assert document_fields({"properties": {"files": {"type": "array", "items": {"type": "string"}}}}) == {}
    assert document_fields(None) == {}


def test_document_ids_keep_whole_numbers_only() -> None:
    fields = document_fields({"properties": {"draft": DRAFT, "other": DRAFT}})
    assert document_ids(fields, {"draft": [3, "4", True, 5.0, 7], "note": [1]}) == {"draft": [3, 7]}
    assert document_ids(fields, None) == {}


def test_extension_map() -> None:
    assert file_types.content_types(["PDF", "jpeg", "jpg", "exe"]) == (file_types.PDF, file_types.JPEG)
    assert set(file_types.EXTENSIONS.values()) == set(file_types.ALLOWED)
    assert file_types.extensions_of(file_types.JPEG) == ("jpg", "jpeg")


# --------------------------------------------------------------------------- the deploy check


def form(prop: dict[str, Any], **others: Any) -> dict[str, Any]:
    return {"type": "object", "properties": {"files": prop, "document_number": {"type": "string"}, **others}}


def test_a_well_formed_field_has_no_problem() -> None:
    product = dict(DRAFT, **{"x-document": {"accept": ["pdf"], "product": {"number": "document_number"}}})
    assert schema_problems("form.schema.json", form(product)) == []
    assert schema_problems("form.schema.json", form(dict(DRAFT, **{"x-document": {}}))) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"items": {"type": "string"}}, "phải là danh sách mã tài liệu"),
        ({"type": "string"}, "phải là danh sách mã tài liệu"),
        ({"maxItems": None}, "cần maxItems"),
        ({"maxItems": 1000}, "cần maxItems"),
        ({"minItems": 3, "maxItems": 2}, "maxItems nhỏ hơn minItems"),
        ({"x-document": "pdf"}, "x-document phải là một đối tượng"),
        ({"x-document": {"accept": ["pdf", "exe"]}}, "loại tệp không được phép: exe"),
        ({"x-document": {"accept": "pdf"}}, "x-document.accept phải là danh sách"),
        ({"x-document": {"accept": []}}, "x-document.accept phải là danh sách"),
        ({"x-document": {"product": "yes"}}, "x-document.product phải là true, false"),
        ({"x-document": {"product": {"number": "so_hieu"}}}, "không có «so_hieu»"),
        ({"x-document": {"product": {"signer": "document_number"}}}, "khóa không được hỗ trợ: signer"),
        ({"x-document": {"accepts": ["pdf"]}}, "khóa không được hỗ trợ: accepts"),
    ],
)
def test_problems_of_a_field_name_it(change: dict[str, Any], expected: str) -> None:
    prop = {k: v for k, v in {**DRAFT, **change}.items() if v is not None}
    problems = schema_problems("form.schema.json", form(prop))
    assert problems and all(p.startswith("trường «files»: ") for p in problems)
    assert any(expected in p for p in problems), problems


def test_the_start_form_takes_no_files() -> None:
    assert schema_problems("start.schema.json", form(DRAFT)) == [
        "biểu mẫu khởi tạo không nhận tệp (x-document): đính kèm tệp ở một bước của quy trình."
    ]
    assert schema_problems("start.schema.json", {"properties": {"title": {"type": "string"}}}) == []


def test_the_deploy_reports_them_on_the_form_file() -> None:
    bpmn, files = read_bundle(PROCESSES_DIR / "periodic_report" / "periodic_report.bpmn")
    report = json.loads(files["report.schema.json"])
    report["properties"]["attachments"]["x-document"]["accept"] = ["pdf", "exe"]
    files["report.schema.json"] = json.dumps(report).encode()
    found = check_bundle(bpmn, files, ROLES, check_source, schema_problems).problems
    assert [(p.code, p.file) for p in found] == [("form_invalid", "report.schema.json")]
    assert found[0].message.startswith("Biểu mẫu report.schema.json: trường «attachments»: x-document.accept")
    assert not check_bundle(bpmn, files, ROLES, check_source).problems  # the engine alone knows no x-document


def test_every_process_form_passes() -> None:
    for path in sorted(PROCESSES_DIR.glob("*/*.bpmn")):
        bpmn, files = read_bundle(path)
        assert not check_bundle(bpmn, files, ROLES, check_source, schema_problems).problems, path
