"""The request shell's per-request shortcuts (api/__init__.py, api/auth.py) answer as Flask itself would."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, request

from api import CchcFlask
from tests.api.conftest import Api


def test_a_coroutine_function_is_still_recognised(app: Flask) -> None:
    assert isinstance(app, CchcFlask)

    async def later() -> None:
        return None

    def now() -> None:
        return None

    assert app.ensure_sync(now) is now
    assert app.ensure_sync(now) is now  # remembered
    wrapped: Any = None
    try:
        wrapped = app.ensure_sync(later)
    except RuntimeError:  # Flask without its "async" extra refuses coroutine views, as before
        return
    assert wrapped is not later


def test_bound_methods_are_remembered_by_their_function(app: Flask) -> None:
    class View:
        def get(self) -> str:
            return "ok"

    for _ in range(100):  # a class-based view is a new object each request: one entry, not a hundred
        method = View().get
        assert app.ensure_sync(method) is method
    remembered: dict[Any, bool] = app._is_async  # type: ignore[attr-defined]
    assert [key for key in remembered if getattr(key, "__qualname__", "").endswith("View.get")] == [View.get]


def test_the_memory_of_functions_is_bounded(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(CchcFlask, "MAX_REMEMBERED", 10)
    for _ in range(50):

        def fresh() -> None:
            return None

        assert app.ensure_sync(fresh) is fresh
    assert len(app._is_async) <= 10  # type: ignore[attr-defined]


def test_a_request_without_cookies_gets_an_empty_session_and_one_with_the_login_cookie_its_user(api: Api) -> None:
    with api.app.test_request_context("/api/v1/me"):
        session = api.app.session_interface.open_session(api.app, request)
        assert session is not None and dict(session) == {} and not session.modified
    page = api.client.get("/login")
    assert page.status_code == 200
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = api.client.post("/login", data={"username": "cv.pnv", "password": "demo", "csrf_token": token})
    assert response.status_code in (302, 303)
    me = api.client.get("/api/v1/me")
    assert me.status_code == 200, me.get_data(as_text=True)
    assert me.json["username"] == "cv.pnv"
