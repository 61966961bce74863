"""API tests: a demo database built once (migrations + demo data + the test fixture), copied per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from engine.clock import LOCAL_TZ, ManualClock
from engine.definitions import read_bundle
from engine.views import SYSTEM_ACTOR
from tests.document_files import upload_file
from tests.engine_support import FIXTURES
from workflows.definitions import deploy_definition
from workflows.demo import load_demo
from workflows.schema import upgrade

START = datetime(2024, 1, 2, 8, 0, tzinfo=LOCAL_TZ)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "demo.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "CLOCK": ManualClock(START)})
    services = app.extensions["cchc"]
    load_demo(services)
    with services.uow() as uow:
        bpmn, files = read_bundle(FIXTURES / "approval5" / "approval5.bpmn")
        deploy_definition(services, uow, bpmn, files, SYSTEM_ACTOR)
        uow.commit()
    services.close()
    return path


class Api:
    """A test client that logs in as demo users and remembers their tokens."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client: FlaskClient = app.test_client()
        self._tokens: dict[str, str] = {}
        # accounts a test created through the API (workflows.accounts.check_password refuses "demo")
        self.passwords: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self._tokens:
            password = self.passwords.get(username, "demo")
            response = self.client.post("/api/v1/auth/login", json={"username": username, "password": password})
            assert response.status_code == 200, response.json
            self._tokens[username] = response.json["token"]
        return self._tokens[username]

    def call(self, method: str, path: str, user: str | None = None, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}))
        if user:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path: str, user: str | None = None, **kw: Any) -> Any:
        return self.call("GET", path, user, **kw)

    def post(self, path: str, user: str | None = None, **kw: Any) -> Any:
        return self.call("POST", path, user, **kw)

    def patch(self, path: str, user: str | None = None, **kw: Any) -> Any:
        return self.call("PATCH", path, user, **kw)

    def upload(self, user: str, name: str, data: bytes | None = None) -> int:
        """``user`` uploads a real small file of ``name``'s type (or ``data``); the document's id."""
        response = upload_file(self.client, {"Authorization": f"Bearer {self.token(user)}"}, name, data)
        assert response.status_code == 201, response.json
        return int(response.json["id"])

    def start(self, user: str = "cv.pnv", unit: str = "PNV", key: str = "approval5", **data: Any) -> Any:
        response = self.post(
            "/api/v1/process-instances", user, json={"process_key": key, "unit_code": unit, "data": data}
        )
        assert response.status_code == 201, response.json
        return response.json


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def app(template_db: Path, tmp_path: Path, clock: ManualClock) -> Iterator[Flask]:
    path = tmp_path / "test.db"
    shutil.copy(template_db, path)
    application = create_app(
        {
            "DATABASE_URL": f"sqlite:///{path}",
            "SECRET_KEY": "test",
            "CLOCK": clock,
            "TESTING": True,
            "LOGIN_RATE_LIMIT": "5 per 5 minutes",
        }
    )
    yield application
    application.extensions["cchc"].close()


@pytest.fixture
def api(app: Flask) -> Api:
    return Api(app)


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is our error body with a Vietnamese message."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    body = response.json
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["message"] and isinstance(body["error"]["message"], str)
    if code:
        assert body["error"]["code"] == code, body
    return body["error"]  # type: ignore[no-any-return]
