"""The start contract at deploy: ``start.schema.json`` is a JSON Schema of an object whose fields can be variables,
name none the process computes, and whose defaults fit their fields; ``start.uischema.json`` is a JSON object."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for

from .model import ProblemLog
from .structure import check_json_file
from .variables import Origin, form_fields, invalid_field_name

START_SCHEMA = "start.schema.json"
START_UI_SCHEMA = "start.uischema.json"
_WHERE = f'Tệp dữ liệu khởi tạo "{START_SCHEMA}"'


def check_start_files(files: Mapping[str, bytes], computed: Mapping[str, Origin], out: ProblemLog) -> None:
    """Report every problem of the bundle's start schema and its UI schema; a missing start schema is a warning."""
    if START_UI_SCHEMA in files:
        check_json_file(START_UI_SCHEMA, files[START_UI_SCHEMA], False, f'Tệp giao diện "{START_UI_SCHEMA}"', None, out)
    if START_SCHEMA not in files:
        out.warn(
            "start_schema_missing",
            f'Gói triển khai không có tệp "{START_SCHEMA}" khai báo dữ liệu khởi tạo; hồ sơ của quy trình này '
            "chỉ khởi tạo được khi không kèm dữ liệu",
            None,
            START_SCHEMA,
        )
        return
    schema = check_json_file(START_SCHEMA, files[START_SCHEMA], True, _WHERE, None, out)
    if schema is None:
        return
    if schema.get("type") != "object":
        out.add(
            "start_schema_invalid", f'{_WHERE} phải mô tả một đối tượng ("type": "object")', None, None, START_SCHEMA
        )
    for name in sorted(form_fields(schema)):
        if invalid_field_name(name):
            message = (
                f'{_WHERE} có trường "{name}" không dùng được làm tên biến: tên trường chỉ gồm chữ cái không dấu, '
                'chữ số và "_", bắt đầu bằng chữ cái và không trùng từ khóa của Python'
            )
            out.add("start_field_invalid", message, None, None, START_SCHEMA)
        elif name in computed:
            origin = computed[name]
            where = f" ({origin.element})" if origin.element else ""
            message = (
                f'{_WHERE} có trường "{name}" trùng tên với biến do quy trình tự tính hoặc máy chạy quy trình '
                f"tự đặt{where}; người khởi tạo không được truyền giá trị này, hãy đổi tên trường hoặc "
                "bỏ lệnh gán biến đó trong sơ đồ"
            )
            out.add("start_field_reserved", message, None, None, START_SCHEMA)
    _check_defaults(schema, out)


def _check_defaults(schema: dict[str, Any], out: ProblemLog) -> None:
    """Every ``default`` of a field satisfies that field's own schema (it is used as the value as it stands)."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return
    for name, field in sorted(properties.items()):
        if not isinstance(field, dict) or "default" not in field:
            continue
        validator: Draft202012Validator = validator_for(field, default=Draft202012Validator)(field)
        error = next(iter(validator.iter_errors(field["default"])), None)
        if error is not None:
            out.add(
                "start_default_invalid",
                f'{_WHERE}: giá trị mặc định của trường "{name}" không thỏa điều kiện của chính trường đó '
                f"({error.message})",
                None,
                None,
                START_SCHEMA,
            )
