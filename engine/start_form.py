"""The start contract of a process: the JSON schema of the data an instance starts with.

A bundle declares its start data in the file ``start.schema.json`` (and, for the web form, ``start.uischema.json``)
next to its diagram. A start is checked against it before anything is created: keys the schema does not declare
(or that name a computed variable, a helper or ``unit_code``) are refused with ``unexpected_fields``, values that
fail the schema with ``form_invalid`` (both 422, a Vietnamese message per field). A declared field left out takes
its ``default`` (``"default": null`` for an optional field the diagram reads: ``if deadline:``); without one it
stays absent.
A bundle without a start schema takes no start data at all (``NO_START_DATA``).
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from typing import Any

from .caches import DeployedDefinition, form_json
from .errors import InvalidInput
from .forms import computed, validate_form_data
from .validation import START_SCHEMA, START_UI_SCHEMA
from .validation.variables import form_fields

__all__ = ["NO_START_DATA", "START_SCHEMA", "START_UI_SCHEMA", "prepare_start_data", "start_schema", "start_ui_schema"]
# What a bundle without a start schema takes: nothing.
NO_START_DATA: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": False}

_NOT_DECLARED = "Trường này không có trong dữ liệu khởi tạo của quy trình."
_NO_START_DATA = "Quy trình này không nhận dữ liệu khởi tạo."
_RESERVED = "Biến do quy trình tự tính hoặc máy chạy quy trình tự đặt; không được truyền khi khởi tạo."


def start_schema(definition: DeployedDefinition) -> dict[str, Any] | None:
    """The start schema a definition was deployed with, or None when its bundle has none."""
    return form_json(definition, START_SCHEMA) if START_SCHEMA in definition.files else None


def start_ui_schema(definition: DeployedDefinition) -> dict[str, Any] | None:
    """The UI schema of the start form, or None."""
    return form_json(definition, START_UI_SCHEMA) if START_UI_SCHEMA in definition.files else None


def prepare_start_data(
    definition: DeployedDefinition, data: Mapping[str, Any], reserved: Collection[str] = ()
) -> dict[str, Any]:
    """Check ``data`` against the definition's start schema and return it with the defaults of the fields left out.

    Raises ``InvalidInput`` (``unexpected_fields`` or ``form_invalid``, details by field) before anything runs.
    """
    schema = start_schema(definition)
    declared = form_fields(schema) if schema is not None else frozenset()
    variables = computed(definition)
    unexpected = sorted(k for k in data if k not in declared or k in variables or k in reserved)
    if unexpected:
        details = {
            k: [_RESERVED if k in declared else (_NOT_DECLARED if schema is not None else _NO_START_DATA)]
            for k in unexpected
        }
        names = ", ".join(unexpected)
        if schema is None:
            message = f"Quy trình này không nhận dữ liệu khởi tạo; hãy bỏ các trường: {names}."
        else:
            message = f"Dữ liệu khởi tạo có trường không thuộc biểu mẫu khởi tạo của quy trình: {names}."
        raise InvalidInput(message, code="unexpected_fields", details=details)
    validate_form_data(schema if schema is not None else NO_START_DATA, data)
    prepared = dict(data)
    properties = (schema or {}).get("properties") or {}
    for name, field in properties.items():
        if name not in prepared and name not in variables and isinstance(field, dict) and "default" in field:
            prepared[name] = copy.deepcopy(field["default"])
    return prepared
