"""The browser never sees raw JSON (issue #13): HTML error pages, logout in any state, login ``next``, CSRF refresh."""

from __future__ import annotations

import re
from typing import Any, NoReturn

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug import exceptions as http

import api.routes.auth as auth_routes
import api.web.error_pages as error_pages
import api.web.pages as pages
from engine.errors import NotFound
from tests.api.conftest import Api, assert_error


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def _login(client: FlaskClient, username: str = "cv.pnv", next_url: str = "") -> str:
    """Log in through the login form; the redirect target."""
    token = _csrf(client.get("/login").get_data(as_text=True))
    query = {"next": next_url} if next_url else {}
    response = client.post(
        "/login", query_string=query, data={"username": username, "password": "demo", "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return str(response.headers["Location"])


def _page_token(client: FlaskClient) -> str:
    return _csrf(client.get("/").get_data(as_text=True))


def _assert_page(response: Any, status: int, *texts: str) -> str:
    """A Vietnamese HTML error page with the status, a way back home and no trace."""
    html = str(response.get_data(as_text=True))
    assert response.status_code == status, (response.status_code, html[:300])
    assert response.mimetype == "text/html", response.mimetype
    assert f'data-status="{status}"' in html and f"Mã lỗi {status}" in html, html[:500]
    assert '<html lang="vi">' in html and ">Trang chủ</a>" in html
    assert '{"error"' not in html and "Traceback" not in html
    for text in texts:
        assert text in html, (text, html[-1500:])
    return html


@pytest.mark.parametrize("path", ["/khong-co", "/tasks/abc", "/ui/static/nope.js", "/instances/1/x", "/admin/"])
def test_an_unknown_address_is_a_vietnamese_404_page(api: Api, path: str) -> None:
    html = _assert_page(api.client.get(path), 404, "Không tìm thấy trang", "Đăng nhập</a>")
    assert "Võ Thị Hạnh" not in html


def test_the_404_page_names_the_logged_in_user(api: Api) -> None:
    _login(api.client)
    html = _assert_page(api.client.get("/khong-co"), 404, "Võ Thị Hạnh", "Đăng xuất")
    assert ">Đăng nhập</a>" not in html  # logged in: the way back is Trang chủ


def test_the_api_keeps_its_json_errors(api: Api) -> None:
    assert_error(api.get("/api/v1/nope", "cv.pnv"), 404, "not_found")
    assert_error(api.get("/api/v1/nope"), 404, "not_found")
    assert_error(api.call("DELETE", "/api/v1/me", "cv.pnv"), 405, "method_not_allowed")
    _login(api.client)
    assert_error(api.client.get("/ui/api/nope"), 404, "not_found")


def test_a_staff_member_gets_a_403_page_on_admin(api: Api) -> None:
    _login(api.client)
    _assert_page(api.client.get("/admin"), 403, "Không có quyền truy cập", "Trang này chỉ dành cho Quản trị viên.")


def test_a_wrong_method_on_a_page_is_a_405_page(api: Api) -> None:
    _login(api.client)
    response = api.client.post("/tasks/5", data={"x": "1"})
    _assert_page(response, 405, "Thao tác không được hỗ trợ")
    assert "GET" in response.headers["Allow"]
    _assert_page(api.client.delete("/"), 405)


def test_a_too_large_form_is_a_413_page(api: Api) -> None:
    response = api.client.post("/login", data={"username": "x" * (6 * 1024 * 1024), "password": "y"})
    _assert_page(response, 413, "Dữ liệu quá lớn")


@pytest.mark.parametrize(
    ("error", "status", "text"),
    [
        (http.BadRequest(), 400, "Yêu cầu không hợp lệ"),
        (http.Forbidden(), 403, "Không có quyền truy cập"),
        (http.NotFound(), 404, "Không tìm thấy trang"),
        (http.RequestEntityTooLarge(), 413, "Dữ liệu quá lớn"),
        (http.TooManyRequests(), 429, "Quá nhiều yêu cầu"),
        (NotFound("Không tìm thấy công việc."), 404, "Không tìm thấy công việc."),
        (RuntimeError("boom"), 500, "Lỗi hệ thống"),
    ],
    ids=lambda v: str(v) if isinstance(v, int) else None,
)
def test_every_error_of_a_page_is_an_html_page(
    app: Flask, api: Api, monkeypatch: pytest.MonkeyPatch, error: Exception, status: int, text: str
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False  # TESTING re-raises; a served app answers the 500 page

    def fail(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise error

    _login(api.client)
    monkeypatch.setattr(pages, "_page", fail)
    html = _assert_page(api.client.get("/tasks/5"), status, text)
    assert "boom" not in html


def test_a_500_of_the_api_stays_json(app: Flask, api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def fail() -> NoReturn:
        raise RuntimeError("boom")

    monkeypatch.setattr(auth_routes, "current_user", fail)
    assert_error(api.get("/api/v1/me", "cv.pnv"), 500, "internal_error")


def test_a_failing_error_page_still_answers_in_vietnamese(
    app: Flask, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise RuntimeError("template broken")

    monkeypatch.setattr(error_pages, "render_template", fail)
    response = api.client.get("/khong-co")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Lỗi hệ thống" in response.get_data(as_text=True) and "Trang chủ" in response.get_data(as_text=True)


def test_logout_with_a_stale_token_ends_the_session(api: Api) -> None:
    client = api.client
    _login(client)
    stale = _page_token(client)
    # another tab logs out and in again: the page's token no longer matches the session
    client.post("/logout", data={"csrf_token": stale})
    _login(client)
    assert client.get("/api/v1/me").status_code == 200
    response = client.post("/logout", data={"csrf_token": stale})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/api/v1/me").status_code == 401
    _login(client)
    assert client.post("/logout").status_code == 302  # no token at all
    assert client.get("/api/v1/me").status_code == 401


def test_logout_when_already_logged_out_goes_to_the_login_page(api: Api) -> None:
    response = api.client.post("/logout", data={"csrf_token": "old"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"  # never ?next=/logout
    response = api.client.get("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_get_logout_asks_first_with_a_working_button(api: Api) -> None:
    client = api.client
    _login(client)
    page = client.get("/logout")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "Bạn có muốn đăng xuất" in html and "Võ Thị Hạnh" in html
    assert client.get("/api/v1/me").status_code == 200  # a GET (a link, a prefetch) logs nobody out
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token
    assert client.post("/logout", data={"csrf_token": token.group(1)}).status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_a_cross_site_logout_without_a_token_only_asks(api: Api) -> None:
    client = api.client
    _login(client)
    response = client.post("/logout", headers={"Origin": "https://evil.example"})
    assert response.status_code == 400 and "Bạn có muốn đăng xuất" in response.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 200
    # the same site (also behind a proxy that ends HTTPS): logged out
    response = client.post("/logout", headers={"Origin": "https://localhost"})
    assert response.status_code == 302 and client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        ("/tasks/5", "/tasks/5"),
        ("/plans?plan=1", "/plans?plan=1"),
        ("/admin", "/admin"),
        ("/api/v1/tasks/5/complete", "/"),
        ("/api/v1/tasks", "/"),
        ("/ui/api/csrf", "/"),
        ("/ui/api/working-days?start=2024-01-01&end=2024-01-02", "/"),
        ("/logout", "/"),
        ("/login", "/"),
        ("/khong-co", "/"),
        ("/tasks/abc", "/"),
        ("/ui/static/dist/inbox.js", "/"),
        ("https://evil.example/x", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example/x", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_login_next_is_only_ever_a_page(api: Api, target: str, landing: str) -> None:
    assert _login(api.client, next_url=target) == landing


def test_a_logged_out_write_to_a_page_logs_in_without_next(api: Api) -> None:
    response = api.client.post("/logout")
    assert response.headers["Location"] == "/login"
    response = api.client.get("/tasks/5")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/tasks/5"


def test_the_csrf_refresh_needs_a_session(api: Api) -> None:
    assert_error(api.client.get("/ui/api/csrf"), 401)
    assert_error(api.get("/ui/api/csrf", "cv.pnv"), 401)  # a bearer token is no web session


def test_a_refreshed_csrf_token_works_on_a_post(api: Api) -> None:
    client = api.client
    _login(client)
    stale = _page_token(client)
    client.post("/logout", data={"csrf_token": stale})  # another tab: log out and in again
    _login(client)
    refused = client.post("/api/v1/notifications/read-all", headers={"X-CSRFToken": stale})
    assert_error(refused, 403, "csrf_invalid")
    fresh = client.get("/ui/api/csrf")
    assert fresh.status_code == 200 and fresh.headers["Cache-Control"] == "no-store"
    assert fresh.json["username"] == "cv.pnv" and fresh.json["csrf_token"] != stale
    done = client.post("/api/v1/notifications/read-all", headers={"X-CSRFToken": fresh.json["csrf_token"]})
    assert done.status_code == 200, done.json


def test_the_login_page_says_why_after_an_expired_session(api: Api) -> None:
    html = api.client.get("/login?next=/tasks/5&expired=1").get_data(as_text=True)
    assert "Phiên đăng nhập đã hết hạn" in html
    assert "Phiên đăng nhập đã hết hạn" not in api.client.get("/login?next=/tasks/5").get_data(as_text=True)
    assert _login(api.client, next_url="/tasks/5") == "/tasks/5"
