"""The compiled form validators: found by the schema object, by equal JSON, bounded."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from engine import forms
from engine.errors import InvalidInput

SCHEMA: dict[str, Any] = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}


@pytest.fixture(autouse=True)
def _empty_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forms, "_validators", {})
    monkeypatch.setattr(forms, "_by_identity", {})


def test_the_same_schema_object_is_not_serialised_again(monkeypatch: pytest.MonkeyPatch) -> None:
    first = forms._validator(SCHEMA)
    dumps: list[Any] = []
    monkeypatch.setattr(forms.json, "dumps", lambda *a, **k: dumps.append(a) or "")
    assert forms._validator(SCHEMA) is first
    assert dumps == []


def test_an_equal_schema_in_another_object_shares_the_validator() -> None:
    first = forms._validator(SCHEMA)
    assert forms._validator(copy.deepcopy(SCHEMA)) is first
    other = {**SCHEMA, "required": []}
    assert forms._validator(other) is not first


def test_validation_still_refuses_with_the_cached_validator() -> None:
    forms.validate_form_data(SCHEMA, {"n": 1})
    with pytest.raises(InvalidInput) as refused:
        forms.validate_form_data(SCHEMA, {"n": "một"})
    assert refused.value.code == "form_invalid"


def test_both_maps_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forms, "VALIDATOR_CACHE_LIMIT", 3)
    schemas = [{"type": "object", "maxProperties": i} for i in range(10)]
    for schema in schemas:
        forms._validator(schema)
        assert len(forms._validators) <= 3
        assert len(forms._by_identity) <= 3
    assert forms._validator(schemas[-1]).schema == schemas[-1]
