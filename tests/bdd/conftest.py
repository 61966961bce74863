"""BDD fixtures: a demo database built once, copied per scenario; a World that drives the HTTP API as users do.

Step definitions live in ``steps_common.py`` and ``steps_domain.py``; they are imported at the bottom of this
file so that every feature module of this folder sees them.
"""

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
from tests.document_files import upload_file
from workflows import worker
from workflows.demo import load_demo
from workflows.document_fields import document_fields
from workflows.schema import upgrade

START = datetime(2024, 1, 2, 8, 0, tzinfo=LOCAL_TZ)  # a Tuesday
PASSWORD = "demo"
OBSERVER = "admin"  # reads instances and task data (administrators see everything, act on nothing)


def run_worker(app: Flask) -> int:
    """One pass of the deadline worker at the clock's current time (timers, reminders, escalations, e-mail).

    Returns the number of instance runs the due timers caused.
    """
    services = app.extensions["cchc"]
    return worker.tick(services, services.clock.now()).timers_fired


class World:
    """One scenario's state: the API client, the users' tokens, the instances started, the last answer."""

    def __init__(self, app: Flask, clock: ManualClock) -> None:
        self.app = app
        self.clock = clock
        self.client: FlaskClient = app.test_client()
        self.tokens: dict[str, str] = {}
        self.instances: list[int] = []
        self.response: Any = None
        self.fired = 0
        self.documents: dict[tuple[str, str], int] = {}  # (uploader, file name) → document id
        self.passwords: dict[str, str] = {}  # the accounts the scenario created

    # ------------------------------------------------------------------ HTTP
    def token(self, username: str) -> str:
        if username not in self.tokens:
            password = self.passwords.get(username, PASSWORD)
            response = self.client.post("/api/v1/auth/login", json={"username": username, "password": password})
            body = response.get_json()
            assert response.status_code == 200, (username, body)
            self.tokens[username] = body["token"]
        return self.tokens[username]

    def call(self, method: str, path: str, user: str | None = None, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}))
        if user:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def ok(self, method: str, path: str, user: str | None = None, status: int = 200, **kwargs: Any) -> Any:
        response = self.call(method, path, user, **kwargs)
        assert response.status_code == status, (method, path, user, response.status_code, response.json)
        return response.json

    # ------------------------------------------------------------------ instances and steps
    @property
    def instance_id(self) -> int:
        assert self.instances, "Chưa có hồ sơ nào được khởi tạo trong kịch bản."
        return self.instances[-1]

    def instance(self, instance_id: int | None = None) -> dict[str, Any]:
        return self.ok("GET", f"/process-instances/{instance_id or self.instance_id}", OBSERVER)  # type: ignore[no-any-return]

    def data(self) -> dict[str, Any]:
        return self.instance()["data"]  # type: ignore[no-any-return]

    def task_detail(self, task_id: int) -> dict[str, Any]:
        return self.ok("GET", f"/tasks/{task_id}", OBSERVER)  # type: ignore[no-any-return]

    def open_tasks(self, name: str | None = None, unit: str | None = None) -> list[dict[str, Any]]:
        """Open steps of the current instance, by step name and the unit they belong to or are about."""
        tasks = [t for t in self.instance()["open_tasks"] if name is None or t["name"] == name]
        if unit is None:
            return tasks
        own = [t for t in tasks if t["unit_code"] == unit]
        if own:
            return own
        # several steps sit with one unit (the council appraises every ward): pick by the unit they are about
        return [t for t in tasks if unit in _about_units(self.task_detail(t["id"])["data"])]

    def task(self, name: str, unit: str | None = None) -> dict[str, Any]:
        tasks = self.open_tasks(name, unit)
        assert len(tasks) == 1, (name, unit, [(t["name"], t["unit_code"]) for t in self.instance()["open_tasks"]])
        return tasks[0]

    # ------------------------------------------------------------------ documents
    def upload(self, user: str, name: str, data: bytes | None = None) -> Any:
        """``user`` uploads ``data`` (default: a real small file of ``name``'s type) as ``name``."""
        headers = {"Authorization": f"Bearer {self.token(user)}"}
        self.response = upload_file(self.client, headers, name, data)
        if self.response.status_code == 201:
            self.documents[(user, name)] = self.response.json["id"]
        return self.response

    def document_id(self, user: str, item: str) -> int:
        """The document a file name in a form stands for: ``"<user>:<name>"`` another user's upload; a name
        ``user`` already uploaded, that one; otherwise a real small file of its type uploaded by ``user`` now."""
        owner, _, name = item.partition(":")
        if name and (owner, name) in self.documents:
            return self.documents[(owner, name)]
        if (user, item) not in self.documents:
            response = self.upload(user, item)
            assert response.status_code == 201, (user, item, response.json)
        return self.documents[(user, item)]

    def with_documents(self, user: str, task: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        """The form data with the file names of its attachment fields (x-document) replaced by document ids."""
        fields = document_fields(self.task_detail(task["id"])["schema"])
        out = dict(data)
        for key in fields:
            value = out.get(key)
            if isinstance(value, list):
                out[key] = [self.document_id(user, item) if isinstance(item, str) else item for item in value]
        return out

    def complete(self, user: str, task: dict[str, Any], data: dict[str, Any], late_reason: str | None = None) -> Any:
        """Complete a step with its form data (file names in attachment fields are uploaded first, as ``user``,
        and sent as document ids); an overdue step needs a giải trình (``late_reason``)."""
        body: dict[str, Any] = {"data": self.with_documents(user, task, data)}
        if late_reason is not None:
            body["late_reason"] = late_reason
        self.response = self.call("POST", f"/tasks/{task['id']}/complete", user, json=body)
        return self.response

    def tick(self) -> int:
        """Run the timer worker at the current clock time."""
        self.fired = run_worker(self.app)
        return self.fired


ABOUT_UNIT_VARIABLES = (
    "appraised_unit",
    "explaining_unit",
    "scored_unit",
    "onsite_unit",
    "inspected_unit",
    "survey_unit",
    "remediation_unit",
    "coord_unit",
)


def _about_units(data: dict[str, Any]) -> set[str]:
    return {data[name] for name in ABOUT_UNIT_VARIABLES if isinstance(data.get(name), str)}


# ---------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrations + the demo organisation, accounts and every process of processes/ (version 1)."""
    path = tmp_path_factory.mktemp("bdd-template") / "demo.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bdd", "CLOCK": ManualClock(START)})
    services = app.extensions["cchc"]
    load_demo(services)
    services.close()
    return path


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def app(template_db: Path, tmp_path: Path, clock: ManualClock) -> Iterator[Flask]:
    path = tmp_path / "scenario.db"
    shutil.copy(template_db, path)
    application = create_app(
        {
            "DATABASE_URL": f"sqlite:///{path}",
            "SECRET_KEY": "bdd",
            "CLOCK": clock,
            "TESTING": True,
            "LOGIN_RATE_LIMIT": "1000 per minute",
        }
    )
    yield application
    application.extensions["cchc"].close()


@pytest.fixture
def world(app: Flask, clock: ManualClock) -> World:
    return World(app, clock)


from tests.bdd.steps_common import *  # noqa: E402, F403
from tests.bdd.steps_documents import *  # noqa: E402, F403
from tests.bdd.steps_domain import *  # noqa: E402, F403
