"""Look-alike keys and names with hidden characters: refused at deploy (located) and in what users type."""

from __future__ import annotations

import io
import unicodedata
from typing import Any

import pytest

from engine.definitions import read_bundle
from tests.api.conftest import Api
from tests.api.hostile.support import assert_refused, census
from tests.engine_support import FIXTURES

_BPMN, FILES = read_bundle(FIXTURES / "approval5" / "approval5.bpmn")
BPMN = _BPMN.decode("utf-8")
HIDDEN = {
    "right-to-left override": "\u202e",
    "left-to-right embedding": "\u202a",
    "pop directional isolate": "\u2069",
    "left-to-right mark": "\u200e",
    "arabic letter mark": "\u061c",
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "word joiner": "\u2060",
    "byte-order mark": "\ufeff",
    "line separator": "\u2028",
}


def deploy(api: Api, bpmn: str | bytes, files: dict[str, bytes] = FILES) -> Any:
    data = bpmn.encode() if isinstance(bpmn, str) else bpmn
    return api.post(
        "/api/v1/process-definitions",
        "admin",
        content_type="multipart/form-data",
        data={
            "bpmn": (io.BytesIO(data), "x.bpmn"),
            "files": [(io.BytesIO(content), name) for name, content in files.items()],
        },
    )


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize("key", ["approva\u04435", "approval\uff15", "approval-5", "5approval", "approval.5", "a" * 64])
def test_a_process_key_must_be_an_ascii_identifier(shared: Api, key: str) -> None:
    before = census(shared.app)
    bpmn = BPMN.replace('processRef="approval5"', f'processRef="{key}"').replace(
        'process id="approval5"', f'process id="{key}"'
    )
    error = assert_refused(deploy(shared, bpmn), 422, "definition_invalid")
    [problem] = [p for p in error["details"] if p["code"] == "process_key_invalid"]
    assert problem["element_id"] == key and problem["line"] == line_of(bpmn, f'process id="{key}"')
    assert "chữ cái Latin không dấu" in problem["message"]
    if not key.isascii():
        assert "U+" in problem["message"]  # the look-alike character is named, not shown
    assert census(shared.app) == before
    listed = {d["key"] for d in shared.get("/api/v1/process-definitions", "admin").json}
    assert key not in listed


@pytest.mark.parametrize("what", sorted(HIDDEN))
def test_a_diagram_name_with_a_hidden_character_is_located(shared: Api, what: str) -> None:
    before = census(shared.app)
    bpmn = BPMN.replace('name="Chuyên viên"', f'name="Chuyên{HIDDEN[what]} viên"')
    error = assert_refused(deploy(shared, bpmn), 422, "definition_invalid")
    [problem] = [p for p in error["details"] if p["code"] == "name_hidden_character"]
    assert problem["element_id"] == "Lane_staff" and problem["line"] == line_of(bpmn, 'id="Lane_staff"')
    assert f"U+{ord(HIDDEN[what]):04X}" in problem["message"] and HIDDEN[what] not in problem["message"]
    assert census(shared.app) == before


def test_decomposed_diagram_names_are_stored_composed(api: Api) -> None:
    composed_name, composed_lane = "Phê duyệt 5 bước (NFD)", "Chuyên viên"
    bpmn = BPMN.replace(
        'name="Phê duyệt 5 bước (kiểm thử)"', f'name="{unicodedata.normalize("NFD", composed_name)}"'
    ).replace(f'name="{composed_lane}"', f'name="{unicodedata.normalize("NFD", composed_lane)}"')
    assert composed_name not in bpmn and unicodedata.normalize("NFD", composed_name) in bpmn
    response = deploy(api, bpmn)
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    assert response.json["definition"]["name"] == composed_name
    assert composed_lane in response.json["definition"]["lanes"]
    [draft] = api.start()["open_tasks"]
    assert draft["lane"] == composed_lane and draft["role"] == "staff"


NAMES = [
    ("POST", "/api/v1/units", {"code": "PXX", "name": "Phòng\u202e Nội vụ", "kind": "cqcm"}, "name"),
    (
        "POST",
        "/api/v1/units",
        {"code": "PXX", "name": "Phòng Nội vụ", "short_name": "P\u200bNV", "kind": "cqcm"},
        "short_name",
    ),
    ("POST", "/api/v1/units", {"code": "PXX", "name": "Phòng\nNội vụ", "kind": "cqcm"}, "name"),
    ("PATCH", "/api/v1/units/PNV", {"name": "Phòng Nội vụ\u2066"}, "name"),
    (
        "POST",
        "/api/v1/users",
        {
            "username": "nv.moi",
            "full_name": "Nguyễn\u200d Văn A",
            "password": "Sen hồng 2024",
            "unit_code": "PNV",
            "roles": ["staff"],
        },
        "full_name",
    ),
    ("PATCH", "/api/v1/users/cv.pnv", {"full_name": "\ufeffVõ Thị Hạnh"}, "full_name"),
    (
        "POST",
        "/api/v1/process-instances",
        {"process_key": "approval5", "unit_code": "PNV", "title": "Hồ sơ \u202egnoud"},
        "title",
    ),
    ("POST", "/api/v1/process-instances", {"process_key": "approval5", "unit_code": "PNV", "title": "a\tb"}, "title"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), NAMES, ids=[f"{n[0]} {n[1]} {n[3]}" for n in NAMES])
def test_a_typed_name_with_a_hidden_character_is_refused(
    shared: Api, method: str, path: str, body: dict[str, object], field: str
) -> None:
    before = census(shared.app), shared.get("/api/v1/units", "admin").json, shared.get("/api/v1/users", "admin").json
    error = assert_refused(shared.call(method, path, "admin", json=body), 422, "validation_error")
    assert list(error["details"]) == [field] and "U+" in error["details"][field][0]
    after = census(shared.app), shared.get("/api/v1/units", "admin").json, shared.get("/api/v1/users", "admin").json
    assert after == before


def test_typed_names_are_stored_composed(api: Api) -> None:
    name = unicodedata.normalize("NFD", "Phòng Y tế")
    created = api.post("/api/v1/units", "admin", json={"code": "PYT", "name": name, "kind": "cqcm"})
    assert created.status_code == 201 and created.json["name"] == "Phòng Y tế"
    user = api.patch("/api/v1/users/cv.pnv", "admin", json={"full_name": unicodedata.normalize("NFD", "Võ Thị Hạnh")})
    assert user.status_code == 200 and user.json["full_name"] == "Võ Thị Hạnh"
    title = unicodedata.normalize("NFD", "Kế hoạch năm")
    instance = api.post(
        "/api/v1/process-instances", "cv.pnv", json={"process_key": "approval5", "unit_code": "PNV", "title": title}
    )
    assert instance.status_code == 201 and instance.json["title"] == "Kế hoạch năm"


def test_free_texts_may_break_lines_but_hide_nothing(api: Api) -> None:
    instance = api.start()
    assert_refused(
        api.post(f"/api/v1/process-instances/{instance['id']}/cancel", "admin", json={"reason": "Trùng\u202e hồ sơ"}),
        422,
        "validation_error",
    )
    assert api.get(f"/api/v1/process-instances/{instance['id']}", "admin").json["status"] == "running"
    done = api.post(f"/api/v1/process-instances/{instance['id']}/cancel", "admin", json={"reason": "Trùng\nhồ sơ"})
    assert done.status_code == 200 and done.json["status"] == "cancelled"


@pytest.mark.parametrize("username", ["\u0430dmin", "admin\u200b", "ADMIN", "adm\u0131n", "ａｄｍｉｎ"])
def test_look_alike_usernames_are_neither_created_nor_logged_in(shared: Api, username: str) -> None:
    before = census(shared.app)
    assert_refused(shared.post("/api/v1/auth/login", json={"username": username, "password": "demo"}), 401)
    created = shared.post(
        "/api/v1/users",
        "admin",
        json={
            "username": username,
            "full_name": "Giả mạo",
            "password": "Sen hồng 2024",
            "unit_code": "PNV",
            "roles": ["admin"],
        },
    )
    assert_refused(created, 422, "validation_error")
    assert census(shared.app) == before


def test_a_diagram_not_in_utf8_is_refused_not_a_server_error(shared: Api) -> None:
    """lxml reads a UTF-16 diagram that declares it; the definition table stores UTF-8: refuse it at validation."""
    before = census(shared.app)
    utf16 = BPMN.replace('encoding="UTF-8"', 'encoding="UTF-16"').replace("Ký duyệt", "Ký, duyệt").encode("utf-16")
    error = assert_refused(deploy(shared, utf16), 422, "definition_invalid")
    assert [(p["code"], p["line"]) for p in error["details"]] == [("encoding_invalid", 1)]
    assert "UTF-8" in error["details"][0]["message"]
    latin1 = {**FILES, "draft.schema.json": b'{"title": "Caf\xe9", "type": "object"}'}
    response = deploy(shared, BPMN, latin1)
    error = assert_refused(response, 422, "definition_invalid")
    assert ("encoding_invalid", "draft.schema.json") in {(p["code"], p["file"]) for p in error["details"]}
    assert census(shared.app) == before
