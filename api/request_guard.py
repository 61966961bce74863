"""Hostile input stopped before any route reads it: a strict JSON reader, bounded paths, query strings and forms.

Every JSON body goes through ``read_json`` (installed as Flask's JSON provider, so ``request.get_json()`` reads
the same way everywhere) before marshmallow sees it. It refuses what the standard reader lets through or dies
on: nesting deeper than ``MAX_DEPTH`` (the C scanner recurses), integers beyond ±(2**53 - 1) (what a browser
keeps exactly and every column type stores; a 5,000-digit literal even makes ``int()`` raise), NaN, Infinity
and numbers that overflow to infinity, NUL and lone UTF-16 surrogates in any string or key (PostgreSQL's
text cannot hold NUL; a lone surrogate cannot be encoded as UTF-8), duplicate keys, and objects or arrays
too large to be anything but an attack. Paths and query strings with NUL or absurd lengths are refused too.
Each refusal is an ``AppError``: the usual ``{"error": {...}}`` body with a 4xx status.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import NotFound as HttpNotFound

from engine.errors import AppError, InvalidInput

MAX_DEPTH = 64  # nested objects/arrays
MAX_KEYS = 1_000  # fields of one object
MAX_ITEMS = 10_000  # items of one array
MAX_VALUES = 200_000  # values in one body
MAX_KEY_LENGTH = 200
SAFE_INTEGER = 2**53 - 1
MAX_QUERY_ARGS = 50
MAX_QUERY_KEY = 100
MAX_QUERY_VALUE = 2_000
MAX_PATH_SEGMENT = 255
MAX_FILENAME = 255
FORM_TYPES = {"multipart/form-data", "application/x-www-form-urlencoded"}

_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
_BAD_TEXT_MESSAGE = "Chuỗi chứa ký tự không hợp lệ (ký tự NUL hoặc nửa cặp UTF-16 đứng lẻ)."


class BodyRejected(AppError):
    """A request the server will not read at all (HTTP 400)."""

    code = "bad_request"
    default_message = "Yêu cầu không hợp lệ."


class _Refused:
    """A number the strict reader will not hand on; the walk reports where it stood."""

    __slots__ = ("kind", "text")

    def __init__(self, kind: str, text: str) -> None:
        self.kind, self.text = kind, text


class _DuplicateKeys(dict[str, Any]):
    """An object in which a key occurs twice (the standard reader silently keeps the last value)."""

    duplicate = ""


def _parse_int(text: str) -> int | _Refused:
    # Checked on the text first: int() of a 5,000-digit literal raises ValueError (CPython's 4,300-digit cap).
    if len(text.lstrip("-")) > 16 or abs(value := int(text)) > SAFE_INTEGER:
        return _Refused("integer", text)
    return value


def _parse_float(text: str) -> float | _Refused:
    value = float(text)
    return value if math.isfinite(value) else _Refused("float", text)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) == len(pairs):
        return result
    duplicated = _DuplicateKeys(result)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            duplicated.duplicate = key
            break
        seen.add(key)
    return duplicated


_DECODER = json.JSONDecoder(
    object_pairs_hook=_object,
    parse_int=_parse_int,
    parse_float=_parse_float,
    parse_constant=lambda name: _Refused("constant", name),
)


def read_json(raw: str | bytes) -> Any:
    """Parse a JSON document strictly (see the module docstring); raise ``BodyRejected``/``InvalidInput``."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes | bytearray) else raw
        value = _DECODER.decode(text)
    except UnicodeDecodeError as exc:
        raise BodyRejected(
            "Dữ liệu JSON phải được mã hóa UTF-8.", code="malformed_json", details={"byte": exc.start}
        ) from exc
    except json.JSONDecodeError as exc:
        raise BodyRejected(
            f"Dữ liệu JSON sai cú pháp (dòng {exc.lineno}, cột {exc.colno}).",
            code="malformed_json",
            details={"line": exc.lineno, "column": exc.colno},
        ) from exc
    except RecursionError as exc:  # the C scanner gives up long before our walk would (about 900 levels)
        raise _too_deep("") from exc
    _check(value)
    return value


def _too_deep(path: str) -> BodyRejected:
    return BodyRejected(
        f"Dữ liệu JSON lồng nhau quá sâu (tối đa {MAX_DEPTH} cấp).",
        code="json_too_deep",
        details={"path": path[:500] or None, "max_depth": MAX_DEPTH},
    )


def _too_large(what: str, path: str, limit: int) -> BodyRejected:
    return BodyRejected(
        f"Dữ liệu JSON quá lớn: {what} (tối đa {_number(limit)}).",
        code="json_too_large",
        details={"path": path[:500] or None, "limit": limit},
    )


def _number(value: int) -> str:
    """Vietnamese digit grouping: 9.007.199.254.740.991."""
    return f"{value:,}".replace(",", ".")


def _field(path: str) -> str:
    return path or "$"


def _check(value: Any) -> None:
    """Walk the parsed document without recursion; raise on the first thing refused."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    count = 0
    while stack:
        item, path, depth = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise _too_large("quá nhiều giá trị", "", MAX_VALUES)
        if isinstance(item, dict):
            if depth >= MAX_DEPTH:
                raise _too_deep(path)
            if len(item) > MAX_KEYS:
                raise _too_large("một đối tượng có quá nhiều trường", path, MAX_KEYS)
            if isinstance(item, _DuplicateKeys):
                raise BodyRejected(
                    f'Dữ liệu JSON có trường "{item.duplicate[:100]}" xuất hiện hai lần.',
                    code="json_duplicate_key",
                    details={_field(path): [f'Trường "{item.duplicate[:100]}" bị lặp lại.']},
                )
            for key, child in item.items():
                child_path = f"{path}.{key}" if path else key
                if len(key) > MAX_KEY_LENGTH:
                    raise _too_large("tên trường quá dài", path, MAX_KEY_LENGTH)
                if _BAD_TEXT.search(key):
                    raise _bad_text(path)
                stack.append((child, child_path, depth + 1))
        elif isinstance(item, list):
            if depth >= MAX_DEPTH:
                raise _too_deep(path)
            if len(item) > MAX_ITEMS:
                raise _too_large("một danh sách có quá nhiều phần tử", path, MAX_ITEMS)
            stack.extend((child, f"{path}[{i}]", depth + 1) for i, child in enumerate(item))
        elif isinstance(item, str):
            if _BAD_TEXT.search(item):
                raise _bad_text(path)
        elif isinstance(item, _Refused):
            raise _refused_number(item, path)


def _bad_text(path: str) -> InvalidInput:
    return InvalidInput(_BAD_TEXT_MESSAGE, code="text_invalid", details={_field(path): [_BAD_TEXT_MESSAGE]})


def _refused_number(item: _Refused, path: str) -> AppError:
    if item.kind == "constant":
        return BodyRejected(
            f"Dữ liệu JSON sai cú pháp: {item.text} không phải là số JSON hợp lệ.",
            code="malformed_json",
            details={_field(path): ["NaN và Infinity không phải là số hợp lệ."]},
        )
    limit = _number(SAFE_INTEGER)
    message = (
        f"Số nguyên phải nằm trong khoảng từ -{limit} đến {limit}."
        if item.kind == "integer"
        else "Số quá lớn (vượt quá giới hạn của số thực)."
    )
    return InvalidInput("Số nằm ngoài khoảng cho phép.", code="number_out_of_range", details={_field(path): [message]})


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with ``read_json`` as its reader (writing is unchanged)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return read_json(s)


def guard_path_and_query() -> None:
    """Before every request: no NUL or overlong segment in the path; a bounded, NUL-free query string."""
    req = request._get_current_object()  # type: ignore[attr-defined]  # read several times: the proxy once
    path = req.path  # (a segment can only be too long in a path that is)
    if "\x00" in path or (
        len(path) > MAX_PATH_SEGMENT and any(len(part) > MAX_PATH_SEGMENT for part in path.split("/"))
    ):
        raise HttpNotFound()
    if not req.query_string:
        return  # no query string: nothing more to check (and no arguments to parse)
    args = list(request.args.items(multi=True))
    if len(args) > MAX_QUERY_ARGS:
        raise BodyRejected(
            f"Địa chỉ có quá nhiều tham số (tối đa {MAX_QUERY_ARGS}).",
            code="query_too_large",
            details={"limit": MAX_QUERY_ARGS},
        )
    for key, value in args:
        if len(key) > MAX_QUERY_KEY or len(value) > MAX_QUERY_VALUE:
            raise BodyRejected(
                "Tham số trên địa chỉ quá dài.",
                code="query_too_large",
                details={key[:MAX_QUERY_KEY]: [f"Tối đa {MAX_QUERY_VALUE} ký tự."]},
            )
        if "\x00" in key or "\x00" in value:
            raise InvalidInput(
                _BAD_TEXT_MESSAGE, code="text_invalid", details={key.replace("\x00", ""): [_BAD_TEXT_MESSAGE]}
            )


def guard_body() -> None:
    """Before every request with a body: JSON through the strict reader; forms and text bodies without NUL."""
    req = request._get_current_object()  # type: ignore[attr-defined]  # read several times: the proxy once
    if not req.content_length and not req.headers.get("Transfer-Encoding"):
        return
    if req.is_json:
        if req.get_data(cache=True):
            req.get_json()  # StrictJSONProvider raises on anything refused; the value stays cached
    elif req.mimetype in FORM_TYPES:
        _check_form()
    elif req.mimetype.startswith("text/") and b"\x00" in req.get_data(cache=True):
        raise InvalidInput(_BAD_TEXT_MESSAGE, code="text_invalid", details={"body": [_BAD_TEXT_MESSAGE]})


def _check_form() -> None:
    # werkzeug hands a part without a usable name over with the name None
    for key, value in request.form.items(multi=True):
        if _BAD_TEXT.search(key or "") or _BAD_TEXT.search(value or ""):
            raise _bad_text((key or "").replace("\x00", ""))
    for key, upload in request.files.items(multi=True):
        name = upload.filename or ""
        if _BAD_TEXT.search(name) or len(name) > MAX_FILENAME:
            message = f"Tên tệp không hợp lệ (chứa ký tự NUL hoặc dài quá {MAX_FILENAME} ký tự)."
            field = (key or "").replace("\x00", "") or "file"
            raise InvalidInput(message, code="filename_invalid", details={field: [message]})
