"""The quick check of valid form data: never says "valid" where jsonschema finds an error, and serves the forms."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from engine import forms

ROOT = Path(__file__).resolve().parents[2]
FORM_FILES = sorted(p for p in ROOT.glob("**/*.schema.json") if not {"node_modules", ".venv", "dist"} & set(p.parts))

# Values of every JSON kind and the edges the keywords look at (bool against 0/1, 1.0 against 1, lengths, dates).
VALUES: list[Any] = [
    None, True, False, 0, 1, -1, 1.0, 1.5, 500, 501, 2**40, "", "a", "abc", "x" * 51, "Dự thảo",
    "2024-01-05", "2024-13-45", "a@b.vn", "không phải email", [], [1], [1, 1], [1, True], [0, False],
    "123", ["a", "b"], [1, 2], [{"a": 1}, {"a": 1}], {}, {"a": 1}, {"title": "abc"},
]  # fmt: skip

HAND_SCHEMAS: list[dict[str, Any]] = [
    {"type": "integer"},
    {"type": ["string", "null"], "maxLength": 3},
    {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 500},
    {"enum": [1, "a", None]},
    {"enum": [True]},
    {"const": 1},
    {"const": [1, 2]},
    {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 1, "maxItems": 2, "uniqueItems": True},
    {"type": "array", "items": False},
    {"type": "string", "format": "date"},
    {"type": "string", "format": "email"},
    {"type": "string", "pattern": "^[0-9]+$"},
    {"pattern": "b"},
    {"type": "object", "properties": {"a": {"type": "integer"}}, "additionalProperties": False},
    {"type": "object", "properties": {"a": {"type": "integer"}}, "additionalProperties": {"type": "string"}},
    {"type": "object", "required": ["title"], "properties": {"title": {"type": "string", "minLength": 3}}},
    {"title": "chỉ chú thích", "description": "không kiểm tra gì"},
    True,
    False,
]


def _instances() -> list[Any]:
    pairs = [{"title": v} for v in VALUES] + [{"a": v} for v in VALUES] + [{"title": "abc", "a": v} for v in VALUES]
    return [*VALUES, *pairs]


def _form_data(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Data for a form: each declared field with each value, alone and with the required fields."""
    props = schema.get("properties", {}) if isinstance(schema, dict) else {}
    names = [*props, "không_khai_báo"]
    out: list[dict[str, Any]] = [{}]
    for name, value in itertools.product(names, VALUES):
        out.append({name: value})
    for combo in itertools.product(VALUES[:8], repeat=2):
        out.append(dict(zip(names, combo, strict=False)))
    return out


def _agrees(schema: Any, instance: Any) -> bool | None:
    """The quick check's answer when it has one (True only where jsonschema finds no error)."""
    quick = forms._quick_check(schema)
    if quick is None:
        return None
    valid = next(Draft202012Validator(schema, format_checker=forms._FORMAT_CHECKER).iter_errors(instance), None) is None
    answer = quick(instance)
    assert answer == valid, (schema, instance, answer, valid)
    return answer


@pytest.mark.parametrize("schema", HAND_SCHEMAS, ids=lambda s: json.dumps(s, ensure_ascii=False)[:60])
def test_the_quick_check_agrees_with_jsonschema(schema: Any) -> None:
    answers = [_agrees(schema, instance) for instance in _instances()]
    assert None not in answers  # every one of these schemas has a quick check
    assert True in answers or schema is False


@pytest.mark.parametrize("path", FORM_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_quick_check_agrees_on_every_form_of_the_repository(path: Path) -> None:
    schema = json.loads(path.read_text())
    for data in _form_data(schema):
        _agrees(schema, data)


def test_a_schema_with_a_keyword_it_does_not_know_has_no_quick_check() -> None:
    for schema in (
        {"$ref": "#/$defs/x", "$defs": {"x": {"type": "string"}}},
        {"oneOf": [{"type": "string"}]},
        {"type": "object", "properties": {"a": {"if": {"const": 1}, "then": {"const": 1}}}},
        {"type": "object", "patternProperties": {"^a": {}}, "additionalProperties": False},
        {"type": "array", "prefixItems": [{"type": "string"}], "items": False},
        {"type": "number", "multipleOf": 2},
        {"type": "sô"},
        {"minimum": True},
    ):
        assert forms._quick_check(schema) is None, schema


def test_the_approval_forms_take_the_quick_check(monkeypatch: pytest.MonkeyPatch) -> None:
    fixtures = ROOT / "tests" / "fixtures" / "approval5"
    for name, data in (("draft.schema.json", {"title": "Dự thảo"}), ("review.schema.json", {"approved": True})):
        schema = json.loads((fixtures / name).read_text())
        _, quick = forms._validator(schema)
        assert quick is not None and quick(data)
        with monkeypatch.context() as patched:
            patched.setattr(
                forms, "_validator", lambda _, q=quick: (None, q)
            )  # jsonschema is not walked for valid data
            forms.validate_form_data(schema, data)


def test_invalid_data_still_gets_jsonschemas_errors() -> None:
    schema = json.loads((ROOT / "tests" / "fixtures" / "approval5" / "draft.schema.json").read_text())
    with pytest.raises(forms.InvalidInput) as refused:
        forms.validate_form_data(schema, {"title": "ab", "pages": 0})
    assert refused.value.details == {"title": ["Cần ít nhất 3 ký tự."], "pages": ["Giá trị phải lớn hơn hoặc bằng 1."]}
