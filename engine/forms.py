"""Validation of submitted step data against the step's JSON-schema form, with Vietnamese messages.

Step data is merged into the instance's data, so before anything runs a completion may carry only the
fields its step's form declares (a step without a form: none), and never a variable the process computes
or the engine sets; a retry (administrators) may correct any variable except those (``unexpected_fields``).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from .caches import DeployedDefinition, form_json
from .errors import InvalidInput
from .validation.variables import Origin, computed_variables, form_fields, invalid_field_name

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
VALIDATOR_CACHE_LIMIT = 1024  # schemas remembered (both maps); all forgotten when full
_validators: dict[str, Draft202012Validator] = {}  # by the schema's canonical JSON
_by_identity: dict[int, tuple[Mapping[str, Any], Draft202012Validator]] = {}  # by the schema object, kept alive


def _validator(schema: Mapping[str, Any]) -> Draft202012Validator:
    """The schema's compiled validator. A deployed form's schema is one cached object (``caches.form_json``), so
    it is found by identity without serialising it again; an equal schema in another object by its JSON."""
    hit = _by_identity.get(id(schema))
    if hit is not None and hit[0] is schema:
        return hit[1]
    key = json.dumps(schema, sort_keys=True)
    validator = _validators.get(key)
    if validator is None:
        if len(_validators) >= VALIDATOR_CACHE_LIMIT:
            _validators.clear()
        validator = _validators[key] = Draft202012Validator(schema, format_checker=_FORMAT_CHECKER)
    if len(_by_identity) >= VALIDATOR_CACHE_LIMIT:
        _by_identity.clear()
    _by_identity[id(schema)] = (schema, validator)
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


# --------------------------------------------------------------------------- which keys may be written

_NOT_IN_FORM = "Trường này không có trong biểu mẫu của bước."
_NO_FORM = "Bước này không có biểu mẫu nên không nhận dữ liệu nhập."
_COMPUTED = "Biến do quy trình tự tính hoặc máy chạy quy trình tự đặt; không được ghi đè."
_BAD_NAME = "Tên biến không hợp lệ."


def computed(definition: DeployedDefinition) -> dict[str, Origin]:
    """The variables a deployed process sets itself (computed once per definition)."""
    if not definition.computed:  # never empty once filled: the engine's own variables are in it
        bundle = definition.bundle
        specs = [bundle.spec, *bundle.subprocess_specs.values()]
        definition.computed.update(computed_variables(specs, definition.lanes, lambda f: _declared(definition, f)))
    return definition.computed


def _declared(definition: DeployedDefinition, form_file: str) -> frozenset[str]:
    """The fields a form file of the definition declares (none if the file is missing)."""
    return form_fields(form_json(definition, form_file)) if form_file in definition.files else frozenset()


def step_fields(definition: DeployedDefinition, form_file: str | None) -> frozenset[str]:
    """The keys a step with form ``form_file`` may submit: the form's fields that the process does not compute."""
    if not form_file:
        return frozenset()
    allowed = definition.form_fields.get(form_file)
    if allowed is None:
        allowed = definition.form_fields[form_file] = _declared(definition, form_file) - set(computed(definition))
    return allowed


def check_step_fields(
    definition: DeployedDefinition,
    step_name: str,
    form_file: str | None,
    data: Mapping[str, Any],
    reserved: Collection[str] = (),
) -> None:
    """Raise ``unexpected_fields`` unless every key of ``data`` is a field of the step's form that is neither
    computed by the process nor ``reserved`` (the script helpers' names)."""
    allowed = step_fields(definition, form_file)
    unexpected = sorted(k for k in data if k not in allowed or k in reserved)
    if not unexpected:
        return
    declared = _declared(definition, form_file) if form_file else frozenset()
    details = {k: [_COMPUTED if k in declared else (_NOT_IN_FORM if form_file else _NO_FORM)] for k in unexpected}
    names = ", ".join(unexpected)
    if form_file:
        message = (
            f'Dữ liệu gửi lên có trường không thuộc biểu mẫu của bước "{step_name}" hoặc không được phép sửa: '
            f"{names}. Chỉ gửi các trường của biểu mẫu."
        )
    else:
        message = f'Bước "{step_name}" không có biểu mẫu nên không nhận dữ liệu nhập; hãy bỏ các trường: {names}.'
    raise InvalidInput(message, code="unexpected_fields", details=details)


def check_retry_fields(definition: DeployedDefinition, data: Mapping[str, Any], reserved: Collection[str] = ()) -> None:
    """Raise ``unexpected_fields`` when a retry's corrections name a variable the process computes or the
    engine sets (or ``reserved``), or a key that cannot be a variable; any other variable may be corrected."""
    variables = computed(definition)
    unexpected = sorted(k for k in data if invalid_field_name(k) or k in variables or k in reserved)
    if not unexpected:
        return
    details = {k: [_BAD_NAME if invalid_field_name(k) else _COMPUTED] for k in unexpected}
    raise InvalidInput(
        "Khi chạy lại hồ sơ chỉ được sửa dữ liệu đầu vào; không được sửa các biến do quy trình tự tính "
        f"hoặc máy chạy quy trình tự đặt: {', '.join(unexpected)}.",
        code="unexpected_fields",
        details=details,
    )
