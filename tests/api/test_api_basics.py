"""Health, login, tokens, errors, users and units through the Flask test client."""

from __future__ import annotations

from tests.api.conftest import Api, assert_error


def test_health_needs_no_login(api: Api) -> None:
    response = api.get("/api/v1/health")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_login_and_me(api: Api) -> None:
    response = api.post("/api/v1/auth/login", json={"username": "cv.pnv", "password": "demo"})
    assert response.status_code == 200
    assert response.json["user"]["unit_code"] == "PNV" and response.json["user"]["roles"] == ["staff"]
    assert response.json["user"]["role_names"] == ["Chuyên viên"]
    me = api.get("/api/v1/me", "cv.pnv")
    assert me.status_code == 200 and me.json["username"] == "cv.pnv" and me.json["unit_name"]


def test_login_errors(api: Api) -> None:
    error = assert_error(
        api.post("/api/v1/auth/login", json={"username": "cv.pnv", "password": "sai"}), 401, "invalid_credentials"
    )
    assert "mật khẩu" in error["message"]
    assert_error(api.post("/api/v1/auth/login", json={"username": "không-có", "password": "demo"}), 401)
    error = assert_error(api.post("/api/v1/auth/login", json={"username": "cv.pnv"}), 422, "validation_error")
    assert error["details"] == {"password": ["Trường này là bắt buộc."]}
    assert_error(api.post("/api/v1/auth/login", data="{không phải json", content_type="application/json"), 400)
    assert_error(
        api.post("/api/v1/auth/login", data="username=a", content_type="application/x-www-form-urlencoded"),
        415,
        "unsupported_media_type",
    )


def test_failed_logins_are_rate_limited_per_account_and_address(api: Api) -> None:
    for _ in range(5):
        assert_error(api.post("/api/v1/auth/login", json={"username": "tp.pnv", "password": "sai"}), 401)
    error = assert_error(
        api.post("/api/v1/auth/login", json={"username": "tp.pnv", "password": "demo"}), 429, "too_many_requests"
    )
    assert "thử lại" in error["message"]
    # another account from the same address is not blocked
    assert api.post("/api/v1/auth/login", json={"username": "cv.ptp", "password": "demo"}).status_code == 200


def test_token_errors(api: Api) -> None:
    assert_error(api.get("/api/v1/me"), 401, "token_missing")
    assert_error(api.get("/api/v1/me", headers={"Authorization": "Bearer rác"}), 401, "token_invalid")
    token = api.token("cv.pnv")
    api.app.config["TOKEN_MAX_AGE"] = -1
    assert_error(api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 401, "token_expired")


def test_unknown_route_and_method(api: Api) -> None:
    assert_error(api.get("/api/v1/không-có", "cv.pnv"), 404, "not_found")
    assert_error(api.call("DELETE", "/api/v1/health"), 405, "method_not_allowed")


def test_units(api: Api) -> None:
    units = api.get("/api/v1/units", "cv.pnv").json
    codes = {u["code"] for u in units}
    assert {"UBND", "PNV", "PTP", "VP", "P1", "PAH", "XTKD"} <= codes
    pnv = next(u for u in units if u["code"] == "PNV")
    assert pnv["parent_code"] == "UBND" and pnv["kind"] == "cqcm"
    created = api.post(
        "/api/v1/units", "admin", json={"code": "PYT", "name": "Phòng Y tế", "kind": "cqcm", "parent_code": "UBND"}
    )
    assert created.status_code == 201
    closed = api.patch("/api/v1/units/PYT", "admin", json={"name": "Phòng Y tế thành phố", "valid_to": "2025-06-30"})
    assert closed.status_code == 200 and closed.json["valid_to"] == "2025-06-30"
    assert_error(api.post("/api/v1/units", "admin", json={"code": "PYT", "name": "x", "kind": "cqcm"}), 409)
    assert_error(api.post("/api/v1/units", "cv.pnv", json={"code": "X", "name": "x", "kind": "cqcm"}), 403)
    assert_error(api.patch("/api/v1/units/NOPE", "admin", json={"name": "x"}), 404, "unit_not_found")


def test_users(api: Api) -> None:
    users = api.get("/api/v1/users", "admin").json
    assert {"admin", "chutich", "tp.pnv", "cv.pnv", "vanthu", "cchc.pnv", "hdtd.pnv"} <= {u["username"] for u in users}
    assert_error(api.get("/api/v1/users", "cv.pnv"), 403, "role_required")
    body = {
        "username": "cv2.pnv",
        "full_name": "Chuyên viên mới",
        "password": "Sen hồng 2024",
        "unit_code": "PNV",
        "roles": ["staff"],
    }
    assert api.post("/api/v1/users", "admin", json=body).status_code == 201
    assert_error(api.post("/api/v1/users", "admin", json=body), 409, "user_exists")
    error = assert_error(api.post("/api/v1/users", "admin", json={**body, "username": "x1", "roles": ["boss"]}), 422)
    assert "roles" in error["details"]
    assert_error(api.post("/api/v1/users", "admin", json={**body, "username": "x2", "unit_code": "NOPE"}), 422)
    assert_error(api.post("/api/v1/users", "admin", json={**body, "username": "x3", "extra": 1}), 422)
    changed = api.patch("/api/v1/users/cv2.pnv", "admin", json={"roles": ["staff", "clerk"], "active": False})
    assert changed.status_code == 200 and changed.json["roles"] == ["clerk", "staff"]
    assert_error(api.post("/api/v1/auth/login", json={"username": "cv2.pnv", "password": "matkhau"}), 401)
    assert_error(api.patch("/api/v1/users/nobody", "admin", json={"active": False}), 404)


def test_payload_too_large(api: Api) -> None:
    big = "x" * (6 * 1024 * 1024)
    assert_error(
        api.post("/api/v1/process-definitions", "admin", data=big, content_type="application/xml"),
        413,
        "payload_too_large",
    )
