"""Hostile JSON bodies: each is refused with a 4xx and the Vietnamese error body, and nothing is stored."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import pytest

from tests.api.conftest import Api
from tests.api.hostile.support import assert_refused, census
from tests.engine_support import FIXTURES

START = '{"process_key": "approval5", "unit_code": "PNV", '


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@dataclass(frozen=True)
class Body:
    name: str
    path: str
    raw: str | bytes
    status: int
    code: str
    user: str | None = "admin"
    content_type: str = "application/json"


BODIES = [
    # nesting: the standard reader dies (RecursionError) near 1,000 levels, marshmallow far earlier
    Body("login nested 10,000 deep, no login", "/api/v1/auth/login", nested(10_000), 400, "json_too_deep", None),
    Body("instance nested 10,000 deep", "/api/v1/process-instances", nested(10_000), 400, "json_too_deep"),
    Body(
        "data nested 900 deep",
        "/api/v1/process-instances",
        START + f'"data": {{"a": {nested(900)}}}}}',
        400,
        "json_too_deep",
    ),
    Body(
        "data nested 65 deep",
        "/api/v1/process-instances",
        START + f'"data": {{"a": {nested(63)}}}}}',
        400,
        "json_too_deep",
    ),
    Body("objects nested 100 deep", "/api/v1/auth/login", '{"a":' * 100 + "1" + "}" * 100, 400, "json_too_deep", None),
    # numbers
    Body(
        "5,000-digit integer",
        "/api/v1/process-instances",
        START + '"version": ' + "9" * 5000 + "}",
        422,
        "number_out_of_range",
    ),
    Body(
        "-5,000-digit integer in data",
        "/api/v1/process-instances",
        START + '"data": {"n": -' + "9" * 5000 + "}}",
        422,
        "number_out_of_range",
    ),
    Body(
        "2^53 in data", "/api/v1/process-instances", START + f'"data": {{"n": {2**53}}}}}', 422, "number_out_of_range"
    ),
    Body(
        "version 2^40 (PostgreSQL integer)",
        "/api/v1/process-instances",
        START + f'"version": {2**40}}}',
        422,
        "validation_error",
    ),
    Body("version 2^31", "/api/v1/process-instances", START + f'"version": {2**31}}}', 422, "validation_error"),
    Body("version 1e300", "/api/v1/process-instances", START + '"version": 1e300}', 422, "validation_error"),
    Body("version 0", "/api/v1/process-instances", START + '"version": 0}', 422, "validation_error"),
    Body("version -1", "/api/v1/process-instances", START + '"version": -1}', 422, "validation_error"),
    Body("NaN in data", "/api/v1/process-instances", START + '"data": {"a": NaN}}', 400, "malformed_json"),
    Body("Infinity in data", "/api/v1/process-instances", START + '"data": {"a": Infinity}}', 400, "malformed_json"),
    Body(
        "-Infinity in a list",
        "/api/v1/process-instances",
        START + '"data": {"a": [1, -Infinity]}}',
        400,
        "malformed_json",
    ),
    Body("1e999 in data", "/api/v1/process-instances", START + '"data": {"a": 1e999}}', 422, "number_out_of_range"),
    Body("-1e999 in data", "/api/v1/process-instances", START + '"data": {"a": -1e999}}', 422, "number_out_of_range"),
    # text: NUL (PostgreSQL refuses it) and lone surrogates (cannot be written as UTF-8)
    Body("NUL in a title", "/api/v1/process-instances", START + '"title": "a\\u0000b"}', 422, "text_invalid"),
    Body(
        "NUL in a unit code",
        "/api/v1/process-instances",
        '{"process_key": "approval5", "unit_code": "P\\u0000"}',
        422,
        "text_invalid",
    ),
    Body(
        "NUL in a login username",
        "/api/v1/auth/login",
        '{"username": "admin\\u0000", "password": "demo"}',
        422,
        "text_invalid",
        None,
    ),
    Body("NUL in a data key", "/api/v1/process-instances", START + '"data": {"a\\u0000": 1}}', 422, "text_invalid"),
    Body(
        "NUL deep in data",
        "/api/v1/process-instances",
        START + '"data": {"a": [{"b": ["\\u0000"]}]}}',
        422,
        "text_invalid",
    ),
    Body(
        "NUL in a unit name",
        "/api/v1/units",
        '{"code": "PXX", "name": "Ph\\u0000ng", "kind": "cqcm"}',
        422,
        "text_invalid",
    ),
    Body(
        "NUL in a user's full name",
        "/api/v1/users",
        '{"username": "nul.user", "full_name": "A\\u0000", "password": "abcd", "unit_code": "PNV", "roles": ["staff"]}',
        422,
        "text_invalid",
    ),
    Body(
        "lone surrogate in a title", "/api/v1/process-instances", START + '"title": "a\\ud800b"}', 422, "text_invalid"
    ),
    Body(
        "lone low surrogate in a key",
        "/api/v1/process-instances",
        START + '"data": {"\\udc00": 1}}',
        422,
        "text_invalid",
    ),
    Body(
        "reversed surrogate pair",
        "/api/v1/process-instances",
        START + '"title": "\\ude00\\ud83d"}',
        422,
        "text_invalid",
    ),
    # structure and size
    Body(
        "duplicate key",
        "/api/v1/process-instances",
        '{"process_key": "approval5", "process_key": "other", "unit_code": "PNV"}',
        400,
        "json_duplicate_key",
    ),
    Body(
        "1,001 keys in one object",
        "/api/v1/process-instances",
        START + '"data": ' + json.dumps({f"k{i}": i for i in range(1001)}) + "}",
        400,
        "json_too_large",
    ),
    Body(
        "10,001 items in one list",
        "/api/v1/process-instances",
        START + '"data": {"a": ' + json.dumps([0] * 10_001) + "}}",
        400,
        "json_too_large",
    ),
    Body(
        "201-character key",
        "/api/v1/process-instances",
        START + '"data": {"' + "k" * 201 + '": 1}}',
        400,
        "json_too_large",
    ),
    Body(
        "body over 5 MB",
        "/api/v1/process-instances",
        START + '"title": "' + "x" * (5 * 1024 * 1024) + '"}',
        413,
        "payload_too_large",
    ),
    # syntax and encoding
    Body("truncated JSON", "/api/v1/process-instances", START, 400, "malformed_json"),
    Body("single quotes", "/api/v1/auth/login", "{'username': 'admin'}", 400, "malformed_json", None),
    Body("trailing comma", "/api/v1/units", '{"code": "PXX", "name": "x", "kind": "cqcm",}', 400, "malformed_json"),
    Body("invalid UTF-8", "/api/v1/process-instances", START.encode() + b'"title": "\xff\xfe"}', 400, "malformed_json"),
    Body(
        "UTF-8 encoded surrogate",
        "/api/v1/process-instances",
        START.encode() + b'"title": "\xed\xa0\x80"}',
        400,
        "malformed_json",
    ),
    Body(
        "UTF-16 body",
        "/api/v1/auth/login",
        '{"username": "admin", "password": "demo"}'.encode("utf-16"),
        400,
        "malformed_json",
        None,
    ),
    Body(
        "byte-order mark",
        "/api/v1/auth/login",
        b'\xef\xbb\xbf{"username": "admin", "password": "demo"}',
        400,
        "malformed_json",
        None,
    ),
    Body("a list instead of an object", "/api/v1/process-instances", "[1, 2, 3]", 422, "validation_error"),
    Body("a string instead of an object", "/api/v1/units", '"PXX"', 422, "validation_error"),
    Body("data as a list", "/api/v1/process-instances", START + '"data": []}', 422, "validation_error"),
    Body(
        "unknown field",
        "/api/v1/units",
        '{"code": "PXX", "name": "x", "kind": "cqcm", "admin": true}',
        422,
        "validation_error",
    ),
    Body(
        "overlong title", "/api/v1/process-instances", START + '"title": "' + "x" * 501 + '"}', 422, "validation_error"
    ),
    Body(
        "overlong unit name",
        "/api/v1/units",
        '{"code": "PXX", "name": "' + "x" * 301 + '", "kind": "cqcm"}',
        422,
        "validation_error",
    ),
    Body(
        "overlong password",
        "/api/v1/auth/login",
        '{"username": "admin", "password": "' + "x" * 201 + '"}',
        422,
        "validation_error",
        None,
    ),
    # content types
    Body(
        "JSON sent as text/plain",
        "/api/v1/process-instances",
        START + '"title": "x"}',
        415,
        "unsupported_media_type",
        content_type="text/plain",
    ),
    Body(
        "JSON sent as a form",
        "/api/v1/units",
        "code=PXX&name=x&kind=cqcm",
        415,
        "unsupported_media_type",
        content_type="application/x-www-form-urlencoded",
    ),
    Body(
        "XML to a JSON endpoint",
        "/api/v1/units",
        "<unit/>",
        415,
        "unsupported_media_type",
        content_type="application/xml",
    ),
    Body("JSON to the deploy endpoint", "/api/v1/process-definitions", '{"bpmn": "x"}', 415, "unsupported_media_type"),
    Body(
        "NUL in a Markdown plan",
        "/api/v1/plans/import",
        "# Kế hoạch\n\x00",
        422,
        "text_invalid",
        content_type="text/markdown",
    ),
    Body(
        "NUL in a BPMN body",
        "/api/v1/process-definitions",
        b"<definitions>\x00</definitions>",
        422,
        "definition_invalid",
        content_type="application/xml",
    ),
]


@pytest.mark.parametrize("case", BODIES, ids=lambda c: c.name)
def test_hostile_body_is_refused_and_nothing_stored(shared: Api, case: Body) -> None:
    before = census(shared.app)
    response = shared.post(case.path, case.user, data=case.raw, content_type=case.content_type)
    assert_refused(response, case.status, case.code)
    assert census(shared.app) == before


def test_a_refusal_names_the_field_that_was_refused(shared: Api) -> None:
    error = assert_refused(
        shared.post(
            "/api/v1/process-instances",
            "admin",
            data=START + '"data": {"a": [1, {"b": 1e999}]}}',
            content_type="application/json",
        ),
        422,
        "number_out_of_range",
    )
    assert list(error["details"]) == ["data.a[1].b"]
    error = assert_refused(
        shared.post(
            "/api/v1/process-instances", "admin", data=START + '"title": "\\u0000"}', content_type="application/json"
        ),
        422,
    )
    assert list(error["details"]) == ["title"]


def test_the_limits_themselves_are_accepted(api: Api) -> None:
    """64 levels, ±(2^53 − 1), 1,000 keys and 10,000 items pass the guard and are stored exactly."""
    data = {
        "deep": json.loads(nested(62)),  # the body is level 1, data level 2
        "big": 2**53 - 1,
        "small": -(2**53 - 1),
        "keys": {f"k{i}": i for i in range(1000)},
        "items": list(range(10_000)),
        "emoji": "\U0001f600",
    }
    response = api.post(
        "/api/v1/process-instances", "cv.pnv", json={"process_key": "approval5", "unit_code": "PNV", "data": data}
    )
    assert response.status_code == 201, response.get_data(as_text=True)[:300]
    # read with the plain parser: the answer nests the data deeper still (its labelled ``fields`` repeat it), and
    # the test client's .json would use the app's request guard
    answer = api.get(f"/api/v1/process-instances/{response.json['id']}", "cv.pnv")
    stored = json.loads(answer.get_data(as_text=True))["data"]
    assert stored["big"] == 2**53 - 1 and stored["small"] == -(2**53 - 1)
    assert stored["items"][-1] == 9_999 and len(stored["keys"]) == 1000 and stored["emoji"] == "\U0001f600"


def test_an_empty_json_body_still_means_no_body(api: Api) -> None:
    instance = api.start()
    response = api.post(
        f"/api/v1/process-instances/{instance['id']}/cancel", "admin", data="", content_type="application/json"
    )
    assert response.status_code == 200 and response.json["status"] == "cancelled"


def test_multipart_without_its_file_is_refused(shared: Api) -> None:
    before = census(shared.app)
    for path, code in (("/api/v1/process-definitions", "bpmn_missing"), ("/api/v1/plans/import", "file_missing")):
        response = shared.post(path, "admin", data={"other": "x"}, content_type="multipart/form-data")
        assert_refused(response, 422, code)
        response = shared.post(path, "admin", data={}, content_type="multipart/form-data")
        assert_refused(response, 422, code)
    assert census(shared.app) == before


def test_multipart_file_names_with_nul_or_overlong_are_refused(shared: Api) -> None:
    bpmn = (FIXTURES / "approval5" / "approval5.bpmn").read_bytes()
    form = (FIXTURES / "approval5" / "draft.schema.json").read_bytes()
    before = census(shared.app)
    for name in ("draft\x00.schema.json", "x" * 300 + ".json"):
        response = shared.post(
            "/api/v1/process-definitions",
            "admin",
            content_type="multipart/form-data",
            data={"bpmn": (io.BytesIO(bpmn), "approval5.bpmn"), "files": [(io.BytesIO(form), name)]},
        )
        assert_refused(response, 422, "filename_invalid")
    response = shared.post(
        "/api/v1/process-definitions",
        "admin",
        content_type="multipart/form-data",
        data={"bpmn": (io.BytesIO(bpmn), "approval5.bpmn"), "note\x00": "x"},
    )
    assert_refused(response, 422, "text_invalid")
    assert census(shared.app) == before


def test_the_web_login_form_refuses_nul(shared: Api) -> None:
    # a web page: the refusal is the Vietnamese HTML error page (issue #13), not the API's JSON body
    response = shared.client.post("/login", data={"username": "admin\x00", "password": "demo", "csrf_token": "x"})
    assert response.status_code == 422 and response.mimetype == "text/html"
    assert "Chuỗi chứa ký tự không hợp lệ" in response.get_data(as_text=True)
