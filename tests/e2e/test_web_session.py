"""The web pages' session cookie and its CSRF protection (no browser: Flask's test client)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from workflows.demo import load_demo
from workflows.schema import upgrade


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('web')) / 'web.db'}"
    upgrade(url)
    application = create_app({"DATABASE_URL": url, "SECRET_KEY": "web-test", "LOGIN_RATE_LIMIT": "1000 per minute"})
    load_demo(application.extensions["cchc"])
    yield application
    application.extensions["cchc"].close()


# what periodic_report needs to start (its start schema)
START_DATA = {"activity_title": "Báo cáo kết quả CCHC", "period_label": "Quý I/2030", "deadline": "2030-01-31"}


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def _login(client: FlaskClient, username: str = "cv.pnv", next_url: str = "") -> str:
    page = client.get("/login")
    token = _csrf(page.get_data(as_text=True))
    response = client.post(f"/login{next_url}", data={"username": username, "password": "demo", "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return str(response.headers["Location"])


def _page_token(client: FlaskClient) -> str:
    return _csrf(client.get("/").get_data(as_text=True))


def test_pages_need_login(app: Flask) -> None:
    client = app.test_client()
    response = client.get("/tasks/5")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/tasks/5"
    assert client.get("/api/v1/me").status_code == 401


def test_login_sets_a_session_the_api_accepts(app: Flask) -> None:
    client = app.test_client()
    assert _login(client, next_url="?next=/plans") == "/plans"
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.json["username"] == "cv.pnv"
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    page = client.get("/").get_data(as_text=True)
    assert "Võ Thị Hạnh" in page and "Phòng Nội vụ" in page and "Chuyên viên" in page


def test_wrong_password_and_missing_csrf_are_refused(app: Flask) -> None:
    client = app.test_client()
    token = _csrf(client.get("/login").get_data(as_text=True))
    wrong = client.post("/login", data={"username": "cv.pnv", "password": "sai", "csrf_token": token})
    assert wrong.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in wrong.get_data(as_text=True)
    forged = client.post("/login", data={"username": "cv.pnv", "password": "demo"})
    assert forged.status_code == 400
    assert client.get("/api/v1/me").status_code == 401


def test_no_redirect_to_another_site(app: Flask) -> None:
    client = app.test_client()
    assert _login(client, next_url="?next=https://evil.example/x") == "/"
    client = app.test_client()
    assert _login(client, next_url="?next=//evil.example/x") == "/"


def test_writes_with_the_cookie_need_the_csrf_header(app: Flask) -> None:
    client = app.test_client()
    _login(client)
    body = {"process_key": "periodic_report", "unit_code": "PNV", "data": START_DATA}
    refused = client.post("/api/v1/process-instances", json=body)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "csrf_invalid"
    wrong = client.post("/api/v1/process-instances", json=body, headers={"X-CSRFToken": "not-a-token"})
    assert wrong.status_code == 403 and wrong.json["error"]["code"] == "csrf_invalid"
    started = client.post("/api/v1/process-instances", json=body, headers={"X-CSRFToken": _page_token(client)})
    assert started.status_code == 201, started.json


def test_bearer_clients_need_no_csrf(app: Flask) -> None:
    client = app.test_client()
    token = client.post("/api/v1/auth/login", json={"username": "cv.pnv", "password": "demo"}).json["token"]
    body = {"process_key": "periodic_report", "unit_code": "PNV", "data": START_DATA}
    response = client.post("/api/v1/process-instances", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201


def test_logout_ends_the_session(app: Flask) -> None:
    client = app.test_client()
    _login(client)
    response = client.post("/logout", data={"csrf_token": _page_token(client)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/api/v1/me").status_code == 401
    # issue #13: logout works from any state — a stale or missing token (see tests/api/test_web_errors.py)
    _login(client)
    assert client.post("/logout").status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_admin_pages_are_for_administrators(app: Flask) -> None:
    staff = app.test_client()
    _login(staff)
    assert staff.get("/admin").status_code == 403
    assert staff.get("/admin/processes").status_code == 403
    assert "Quản trị quy trình" not in staff.get("/").get_data(as_text=True)
    admin = app.test_client()
    _login(admin, "admin")
    assert admin.get("/admin").status_code == 200
    assert "Quản trị quy trình" in admin.get("/").get_data(as_text=True)


def test_working_days_between_two_dates(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/ui/api/working-days?start=2024-04-26&end=2024-05-03").status_code == 401
    _login(client)
    # 27-28/04 weekend, 29/04 make-up day off, 30/04 and 01/05 public holidays: only 02/05 and 03/05 count
    body = client.get("/ui/api/working-days?start=2024-04-26&end=2024-05-03").json
    assert body["working_days"] == 2
    back = client.get("/ui/api/working-days?start=2024-05-03&end=2024-04-26").json
    assert back["working_days"] == -2
    assert client.get("/ui/api/working-days?start=x&end=2024-05-03").status_code == 400
