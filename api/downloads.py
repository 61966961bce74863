"""Sending generated files (.xlsx, .docx): the ``format`` check, the attachment response, their OpenAPI text."""

from __future__ import annotations

import io
from typing import Any

from flask import Response, request, send_file

from engine.errors import InvalidInput


def query_param(name: str, description: str, values: list[str] | None = None, required: bool = False) -> dict[str, Any]:
    """An OpenAPI query parameter (a string, optionally one of ``values``)."""
    schema: dict[str, Any] = {"type": "string"}
    if values:
        schema["enum"] = values
    return {"in": "query", "name": name, "required": required, "description": description, "schema": schema}


def file_doc(mime: str, description: str, parameters: list[dict[str, Any]], missing: str) -> dict[str, Any]:
    """The OpenAPI text of a route answering with a file of type ``mime`` (404: ``missing``)."""
    return {
        "parameters": parameters,
        "responses": {
            "200": {"description": description, "content": {mime: {"schema": {"type": "string", "format": "binary"}}}},
            "404": {"description": missing},
            "422": {"description": "Tham số không hợp lệ"},
        },
    }


def check_format(expected: str) -> None:
    """The ``format`` query parameter, when given, must be ``expected`` (422 ``bad_export_format``)."""
    given = request.args.get("format", expected)
    if given != expected:
        message = f"Định dạng tệp không được hỗ trợ; chỉ có {expected}."
        raise InvalidInput(message, code="bad_export_format", details={"format": [message]})


def send_download(data: bytes, mime: str, name: str) -> Response:
    """The file as an attachment: a Vietnamese ``filename*`` and an ASCII fallback (Flask's ``send_file``)."""
    return send_file(io.BytesIO(data), mimetype=mime, as_attachment=True, download_name=name, max_age=0)
