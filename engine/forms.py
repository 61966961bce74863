"""Validation of submitted step data against the step's JSON-schema form, with Vietnamese messages."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from .errors import InvalidInput

_MESSAGES: dict[str, str] = {
    "required": "Trường này là bắt buộc.",
    "type": "Giá trị không đúng kiểu dữ liệu ({expected}).",
    "minLength": "Cần ít nhất {limit} ký tự.",
    "maxLength": "Không được quá {limit} ký tự.",
    "minimum": "Giá trị phải lớn hơn hoặc bằng {limit}.",
    "maximum": "Giá trị phải nhỏ hơn hoặc bằng {limit}.",
    "exclusiveMinimum": "Giá trị phải lớn hơn {limit}.",
    "exclusiveMaximum": "Giá trị phải nhỏ hơn {limit}.",
    "enum": "Giá trị không nằm trong danh sách được chọn.",
    "const": "Giá trị không hợp lệ.",
    "format": "Giá trị không đúng định dạng ({expected}).",
    "pattern": "Giá trị không đúng mẫu quy định.",
    "minItems": "Cần ít nhất {limit} mục.",
    "maxItems": "Không được quá {limit} mục.",
    "uniqueItems": "Các mục không được trùng nhau.",
    "additionalProperties": "Có trường không được phép: {extra}.",
}
_TYPE_NAMES = {
    "string": "chuỗi",
    "integer": "số nguyên",
    "number": "số",
    "boolean": "đúng/sai",
    "array": "danh sách",
    "object": "đối tượng",
    "null": "rỗng",
}
_FORMAT_NAMES = {"date": "ngày YYYY-MM-DD", "date-time": "ngày giờ", "email": "thư điện tử", "uri": "địa chỉ URL"}
_FORMAT_CHECKER = FormatChecker()
_validators: dict[str, Draft202012Validator] = {}


def _validator(schema: Mapping[str, Any]) -> Draft202012Validator:
    key = json.dumps(schema, sort_keys=True)
    validator = _validators.get(key)
    if validator is None:
        validator = Draft202012Validator(schema, format_checker=_FORMAT_CHECKER)
        _validators[key] = validator
    return validator


def _message(error: ValidationError) -> str:
    template = _MESSAGES.get(str(error.validator), "Giá trị không hợp lệ.")
    expected = error.validator_value
    if error.validator == "type":
        names = expected if isinstance(expected, list) else [expected]
        expected = ", ".join(_TYPE_NAMES.get(str(n), str(n)) for n in names)
    elif error.validator == "format":
        expected = _FORMAT_NAMES.get(str(expected), str(expected))
    extra = ""
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = ", ".join(sorted(k for k in error.instance if k not in allowed))
    return template.format(expected=expected, limit=error.validator_value, extra=extra)


def _field_path(error: ValidationError) -> str:
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required" and isinstance(error.validator_value, list):
        missing = str(error.message).split("'")[1] if "'" in error.message else ""
        path.append(missing)
    return ".".join(path) or "_"


def validate_form_data(schema: Mapping[str, Any], data: Mapping[str, Any]) -> None:
    """Raise ``InvalidInput`` (code ``form_invalid``) with field errors when data fails the schema."""
    errors: dict[str, list[str]] = {}
    for error in _validator(schema).iter_errors(dict(data)):
        errors.setdefault(_field_path(error), []).append(_message(error))
    if errors:
        raise InvalidInput(
            "Dữ liệu nhập chưa hợp lệ. Vui lòng kiểm tra các trường được đánh dấu.",
            code="form_invalid",
            details=errors,
        )
