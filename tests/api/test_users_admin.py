"""Users administration (issue #17): the password rules (at least 8 characters, not common, not the username),
reset, deactivate; each refusal a 422 with a Vietnamese message and a code."""

from __future__ import annotations

import pytest

from engine.errors import InvalidInput
from tests.api.conftest import Api, assert_error
from workflows.accounts import check_password

NEW = {"username": "cv3.pnv", "full_name": "Chuyên viên thứ ba", "unit_code": "PNV", "roles": ["staff"]}


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("ngắn", "password_too_short"),
        ("1234567", "password_too_short"),
        ("12345678", "password_too_common"),
        ("Password1", "password_too_common"),
        ("MatKhau123", "password_too_common"),
        ("  qwertyuiop ", "password_too_common"),
        ("Cv3.Pnv!", None),
        ("cv3.pnv!", None),
        ("CV3.PNV", "password_too_short"),
        ("sen hồng nở", None),
    ],
)
def test_the_password_rules(password: str, code: str | None) -> None:
    if code is None:
        check_password(password, "cv3.pnv")
        return
    with pytest.raises(InvalidInput) as raised:
        check_password(password, "cv3.pnv")
    assert raised.value.code == code and raised.value.details["password"] == [raised.value.message]


def test_the_username_is_no_password() -> None:
    with pytest.raises(InvalidInput) as raised:
        check_password("Nguyen.Van.An", "nguyen.van.an")
    assert raised.value.code == "password_like_username"
    assert raised.value.message == "Mật khẩu không được trùng với tên đăng nhập."


def test_creating_a_user_with_a_weak_password_is_a_vietnamese_422(api: Api) -> None:
    error = assert_error(api.post("/api/v1/users", "admin", json={**NEW, "password": "abc"}), 422, "password_too_short")
    assert error["message"] == "Mật khẩu phải có ít nhất 8 ký tự."
    error = assert_error(api.post("/api/v1/users", "admin", json={**NEW, "password": "iloveyou"}), 422)
    assert error["code"] == "password_too_common" and error["details"] == {"password": [error["message"]]}
    assert api.get("/api/v1/users", "admin").json and all(
        u["username"] != NEW["username"] for u in api.get("/api/v1/users", "admin").json
    )
    assert api.post("/api/v1/users", "admin", json={**NEW, "password": "Sen hồng 2024"}).status_code == 201


def test_edit_reset_and_deactivate(api: Api) -> None:
    assert api.post("/api/v1/users", "admin", json={**NEW, "password": "Sen hồng 2024"}).status_code == 201
    path = f"/api/v1/users/{NEW['username']}"
    changed = api.call("PATCH", path, "admin", json={"full_name": "Chuyên viên đã đổi tên", "roles": ["staff", "head"]})
    assert changed.status_code == 200 and changed.json["full_name"] == "Chuyên viên đã đổi tên"
    assert sorted(changed.json["roles"]) == ["head", "staff"]
    assert_error(api.call("PATCH", path, "admin", json={"password": "123123123"}), 422, "password_too_common")
    login = {"username": NEW["username"], "password": "Sen hồng 2024"}
    assert api.client.post("/api/v1/auth/login", json=login).status_code == 200  # the refused reset changed nothing
    assert api.call("PATCH", path, "admin", json={"password": "Mai vàng 2025"}).status_code == 200
    assert api.client.post("/api/v1/auth/login", json=login).status_code == 401
    login["password"] = "Mai vàng 2025"
    assert api.client.post("/api/v1/auth/login", json=login).status_code == 200
    assert api.call("PATCH", path, "admin", json={"active": False}).json["active"] is False
    assert api.client.post("/api/v1/auth/login", json=login).status_code == 401


def test_an_administrator_cannot_deactivate_their_own_account(api: Api) -> None:
    error = assert_error(api.call("PATCH", "/api/v1/users/admin", "admin", json={"active": False}), 422)
    assert error["code"] == "cannot_deactivate_self"
    assert error["message"] == "Không thể tự khóa tài khoản của chính mình."
