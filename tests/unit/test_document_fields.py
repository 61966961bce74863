"""The attachment fields of a form (x-document) and the ids its data holds."""

from __future__ import annotations

from workflows import file_types
from workflows.document_fields import DocumentField, document_fields, document_ids

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
