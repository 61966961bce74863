"""Login limiting: failures only, per account and address on both doors, and per address across accounts."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from engine.clock import ManualClock
from tests.api.conftest import START
from tests.api.hostile.support import assert_refused, login_form

ACCOUNT_LIMIT = 3  # per account and address, 15 minutes
ADDRESS_LIMIT = 8  # per address across accounts, 15 minutes: above twice the account limit
OFFICE = {"REMOTE_ADDR": "10.1.1.1"}
HOME = {"REMOTE_ADDR": "10.2.2.2"}


def limited_app(template_db: Path, tmp_path: Path, **config: Any) -> Flask:
    path = tmp_path / "limits.db"
    shutil.copy(template_db, path)
    return create_app(
        {
            "DATABASE_URL": f"sqlite:///{path}",
            "SECRET_KEY": "test",
            "CLOCK": ManualClock(START),
            "TESTING": True,
            "LOGIN_RATE_LIMIT": f"{ACCOUNT_LIMIT} per 15 minutes",
            "LOGIN_ADDRESS_RATE_LIMIT": f"{ADDRESS_LIMIT} per 15 minutes",
            **config,
        }
    )


@pytest.fixture
def app(template_db: Path, tmp_path: Path) -> Iterator[Flask]:
    application = limited_app(template_db, tmp_path)
    yield application
    application.extensions["cchc"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def api_login(client: FlaskClient, username: str, password: str, where: dict[str, str] = OFFICE) -> Any:
    return client.post("/api/v1/auth/login", json={"username": username, "password": password}, environ_base=where)


def web_login(client: FlaskClient, username: str, password: str, where: dict[str, str] = OFFICE) -> Any:
    return login_form(client, username, password, environ_base=where)


def assert_too_many(response: Any) -> int:
    """429 with a Vietnamese message saying when to try again, matching the Retry-After header (seconds)."""
    assert response.status_code == 429, response.get_data(as_text=True)[:300]
    seconds = int(response.headers["Retry-After"])
    assert 0 < seconds <= 15 * 60
    text = response.get_data(as_text=True)
    if response.is_json:
        message = assert_refused(response, 429, "too_many_requests")["message"]
        assert response.json["error"]["details"]["retry_after"] == seconds
    else:
        message = text
    minutes = re.search(r"vui lòng thử lại sau (\d+) phút", message)
    assert minutes and int(minutes.group(1)) == -(-seconds // 60), message
    return seconds


def test_one_users_failures_never_lock_out_another_user_behind_the_same_address(client: FlaskClient) -> None:
    for _ in range(ACCOUNT_LIMIT):
        assert api_login(client, "tp.pnv", "sai").status_code == 401
    assert_too_many(api_login(client, "tp.pnv", "demo"))  # the right password too, while locked
    assert_too_many(web_login(client, "tp.pnv", "demo"))
    # a colleague in the same office, through either door, and the login page itself
    assert api_login(client, "cv.pnv", "demo").status_code == 200
    assert client.get("/login", environ_base=OFFICE).status_code == 200
    assert web_login(client, "cv.ptp", "demo").status_code == 302
    # the same account from another address
    assert api_login(client, "tp.pnv", "demo", HOME).status_code == 200


def test_the_web_form_and_the_api_count_in_one_bucket(client: FlaskClient) -> None:
    assert api_login(client, "tp.pnv", "sai").status_code == 401
    assert web_login(client, "tp.pnv", "sai").status_code == 401
    assert web_login(client, " TP.PNV ", "sai").status_code == 401  # the key is the account as looked up
    assert_too_many(api_login(client, "tp.pnv", "sai"))
    page = web_login(client, "tp.pnv", "sai")
    assert_too_many(page)
    assert 'id="login-error"' in page.get_data(as_text=True)  # the form again, with the message


def test_the_login_page_never_answers_429(client: FlaskClient) -> None:
    for _ in range(ADDRESS_LIMIT):
        client.post("/login", data={"username": "x", "password": "y", "csrf_token": "z"}, environ_base=OFFICE)
    for name in ("tp.pnv", "cv.pnv", "a", "b", "c", "d", "e", "f"):
        api_login(client, name, "sai")
    assert_too_many(api_login(client, "admin", "demo"))
    assert client.get("/login", environ_base=OFFICE).status_code == 200


def test_successes_are_not_counted(client: FlaskClient) -> None:
    for _ in range(ACCOUNT_LIMIT * 3):
        assert api_login(client, "cv.pnv", "demo").status_code == 200
    for _ in range(ACCOUNT_LIMIT * 2):
        assert web_login(client, "cv.pnv", "demo").status_code == 302
    assert api_login(client, "cv.pnv", "sai").status_code == 401  # failures still start from zero


def test_requests_refused_before_checking_a_password_are_not_counted(client: FlaskClient) -> None:
    for _ in range(ACCOUNT_LIMIT + 2):
        assert api_login(client, "tp.pnv", "").status_code == 422  # no password: nothing was tried
        forged = client.post(
            "/login", data={"username": "tp.pnv", "password": "sai", "csrf_token": "x"}, environ_base=OFFICE
        )
        assert forged.status_code == 400
    assert api_login(client, "tp.pnv", "demo").status_code == 200


def test_password_spraying_from_one_address_is_stopped(app: Flask, client: FlaskClient) -> None:
    sprayed = ["tp.pnv", "cv.pnv", "cv.ptp", "vanthu", "chutich", "cchc.pnv", "hdtd.pnv", "khong.co"]
    assert len(sprayed) == ADDRESS_LIMIT
    for i, name in enumerate(sprayed):
        login = web_login if i % 2 else api_login
        assert login(client, name, "Matkhau@2024").status_code == 401
    # every account from that address, even with its right password: the sprayer's next guess might be right
    response = api_login(client, "admin", "demo")
    assert_too_many(response)
    assert "địa chỉ" in response.json["error"]["message"]
    assert_too_many(web_login(client, "admin", "demo"))
    # another address is not concerned
    assert api_login(client, "admin", "demo", HOME).status_code == 200


def test_one_account_alone_cannot_fill_the_address_limit() -> None:
    """Inside any address window an account fails at most twice its limit (its window can restart once)."""
    assert 2 * ACCOUNT_LIMIT < ADDRESS_LIMIT
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x", "TESTING": True})
    per_account, account_window = _parse(app.config["LOGIN_RATE_LIMIT"])
    per_address, address_window = _parse(app.config["LOGIN_ADDRESS_RATE_LIMIT"])
    assert account_window == address_window == 15 * 60
    assert 2 * per_account < per_address
    app.extensions["cchc"].close()


def _parse(limit: str) -> tuple[int, int]:
    amount, per, minutes, _unit = limit.split()
    assert per == "per" and _unit == "minutes"
    return int(amount), int(minutes) * 60


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(client: FlaskClient) -> None:
    for i in range(ACCOUNT_LIMIT):
        forged = {**OFFICE, "HTTP_X_FORWARDED_FOR": f"198.51.100.{i}"}
        assert api_login(client, "tp.pnv", "sai", forged).status_code == 401
    assert_too_many(api_login(client, "tp.pnv", "demo", {**OFFICE, "HTTP_X_FORWARDED_FOR": "198.51.100.99"}))


def test_behind_a_trusted_proxy_each_client_address_counts_apart(template_db: Path, tmp_path: Path) -> None:
    app = limited_app(template_db, tmp_path, PROXY_COUNT=1)
    client = app.test_client()
    proxy = "127.0.0.1"
    first = {"REMOTE_ADDR": proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    second = {"REMOTE_ADDR": proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.6"}
    for _ in range(ACCOUNT_LIMIT):
        assert api_login(client, "tp.pnv", "sai", first).status_code == 401
    assert_too_many(api_login(client, "tp.pnv", "demo", first))
    assert api_login(client, "tp.pnv", "demo", second).status_code == 200
    app.extensions["cchc"].close()
