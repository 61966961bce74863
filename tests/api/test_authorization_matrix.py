"""Every endpoint × every role: the allowed ones succeed, the others get 403 (or 404 where existence must not leak)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.conftest import Api
from tests.engine_support import FIXTURES

USERS = {
    "admin": "admin",
    "leader": "chutich",
    "head": "tp.pnv",
    "staff": "cv.pnv",
    "clerk": "vanthu",
    "coordinator": "cchc.pnv",
    "appraiser": "hdtd.pnv",
}
ALL = frozenset(USERS)
BPMN = (FIXTURES / "approval5" / "approval5.bpmn").read_bytes().replace("Ký duyệt".encode(), "Ký, duyệt".encode())
FORM = (FIXTURES / "approval5" / "draft.schema.json").read_bytes()


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str  # {instance} and {task} are filled from a PNV instance started by cv.pnv
    allowed: frozenset[str]
    denied_status: Callable[[str], int] = lambda role: 403
    body: Callable[[], dict[str, Any]] | None = None


def hidden_from(*roles: str) -> Callable[[str], int]:
    """404 for these roles (they must not learn the object exists), 403 for the rest."""
    return lambda role: 404 if role in roles else 403


CASES = [
    Case("me", "GET", "/api/v1/me", ALL),
    Case("units", "GET", "/api/v1/units", ALL),
    Case(
        "unit_create",
        "POST",
        "/api/v1/units",
        frozenset({"admin"}),
        body=lambda: {"json": {"code": "PYT", "name": "Phòng Y tế", "kind": "cqcm", "parent_code": "UBND"}},
    ),
    Case(
        "unit_update", "PATCH", "/api/v1/units/PNV", frozenset({"admin"}), body=lambda: {"json": {"short_name": "PNV"}}
    ),
    Case("users", "GET", "/api/v1/users", frozenset({"admin"})),
    Case(
        "user_create",
        "POST",
        "/api/v1/users",
        frozenset({"admin"}),
        body=lambda: {
            "json": {"username": "moi", "full_name": "Mới", "password": "abcd", "unit_code": "PNV", "roles": ["staff"]}
        },
    ),
    Case(
        "user_update", "PATCH", "/api/v1/users/cv.p1", frozenset({"admin"}), body=lambda: {"json": {"full_name": "X"}}
    ),
    Case("definitions", "GET", "/api/v1/process-definitions", ALL),
    Case("definition", "GET", "/api/v1/process-definitions/approval5", ALL),
    Case("versions", "GET", "/api/v1/process-definitions/approval5/versions", ALL),
    Case("bpmn", "GET", "/api/v1/process-definitions/approval5/versions/1/bpmn", ALL),
    Case(
        "deploy",
        "POST",
        "/api/v1/process-definitions",
        frozenset({"admin"}),
        body=lambda: {
            "content_type": "multipart/form-data",
            "data": {"bpmn": (io.BytesIO(BPMN), "approval5.bpmn"), "files": [(io.BytesIO(FORM), "draft.schema.json")]},
        },
    ),
    Case("instances", "GET", "/api/v1/process-instances", ALL),
    Case(
        "start",
        "POST",
        "/api/v1/process-instances",
        frozenset({"admin", "leader", "coordinator", "head", "staff"}),
        body=lambda: {"json": {"process_key": "approval5", "unit_code": "PNV"}},
    ),
    Case("instance", "GET", "/api/v1/process-instances/{instance}", ALL - {"clerk"}, hidden_from("clerk")),
    Case("events", "GET", "/api/v1/process-instances/{instance}/events", ALL - {"clerk"}, hidden_from("clerk")),
    Case(
        "cancel", "POST", "/api/v1/process-instances/{instance}/cancel", frozenset({"admin"}), body=lambda: {"json": {}}
    ),
    Case("inbox", "GET", "/api/v1/tasks", ALL),
    Case("task", "GET", "/api/v1/tasks/{task}", ALL - {"clerk"}, hidden_from("clerk")),
    Case("claim", "POST", "/api/v1/tasks/{task}/claim", frozenset({"staff"}), hidden_from("clerk")),
    Case(
        "assign",
        "POST",
        "/api/v1/tasks/{task}/assign",
        frozenset({"admin", "head"}),
        hidden_from("clerk"),
        body=lambda: {"json": {"username": "cv.pnv"}},
    ),
    Case(
        "complete",
        "POST",
        "/api/v1/tasks/{task}/complete",
        frozenset({"staff"}),
        hidden_from("clerk"),
        body=lambda: {"json": {"data": {"title": "Dự thảo kế hoạch"}}},
    ),
]


@pytest.mark.parametrize("role", sorted(USERS))
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_authorization(api: Api, case: Case, role: str) -> None:
    instance = api.start()
    path = case.path.format(instance=instance["id"], task=instance["open_tasks"][0]["id"])
    kwargs = case.body() if case.body else {}
    response = api.call(case.method, path, USERS[role], **kwargs)
    if role in case.allowed:
        assert response.status_code < 400, (role, response.status_code, response.get_data(as_text=True)[:300])
    else:
        expected = case.denied_status(role)
        assert response.status_code == expected, (role, response.status_code, response.get_data(as_text=True)[:300])
        assert response.json["error"]["code"] and response.json["error"]["message"]


def test_matrix_covers_every_api_route(api: Api) -> None:
    rules = {
        (m, re.sub(r"<[^:>]+:(\w+)>", r"<\1>", r.rule))
        for r in api.app.url_map.iter_rules()
        if r.rule.startswith("/api/v1")
        for m in r.methods - {"HEAD", "OPTIONS"}
    }
    public = {
        ("GET", "/api/v1/health"),
        ("POST", "/api/v1/auth/login"),
        ("GET", "/api/v1/openapi.json"),
        ("GET", "/api/v1/docs"),
        ("POST", "/api/v1/process-instances/<instance_id>/retry"),
        ("POST", "/api/v1/tasks/<task_id>/unclaim"),
    }
    covered = {(c.method, c.path) for c in CASES}
    normalise = {
        "{instance}": "<instance_id>",
        "{task}": "<task_id>",
        "/units/PNV": "/units/<code>",
        "/users/cv.p1": "/users/<username>",
        "/approval5/versions/1/": "/<key>/versions/<version>/",
        "/process-definitions/approval5/versions": "/process-definitions/<key>/versions",
    }
    normalised = set()
    for method, path in covered:
        for a, b in normalise.items():
            path = path.replace(a, b)
        if path == "/api/v1/process-definitions/approval5":
            path = "/api/v1/process-definitions/<key>"
        normalised.add((method, path))
    assert rules - public - normalised == set()
