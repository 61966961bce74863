"""Every endpoint × every role: the allowed ones succeed, the others get 403 (or 404 where existence must not leak);
and every endpoint × every role of a second organisation: nothing of the first one exists for them."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from engine.definitions import read_bundle
from tests.api.conftest import Api
from tests.api.matrix_setups import CRITERIA, a_city_set, an_override, an_upload
from tests.api.two_organisations import USERS_B, add_second_organisation
from tests.document_files import pdf_bytes
from tests.engine_support import FIXTURES
from workflows.plan.store import SEED_PLAN

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
FORMS = read_bundle(FIXTURES / "approval5" / "approval5.bpmn")[1]  # every form file of the fixture
SEED = SEED_PLAN.read_bytes()
EDITORS = frozenset({"admin", "coordinator"})


def form_files() -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(content), name) for name, content in FORMS.items()]


def a_migration_run(api: Api) -> None:
    """Version 2 of approval5 (only its name differs) and run 1 moving the demo's instances to it."""
    bpmn = BPMN.replace(b'name="', b'name="v2 ', 1)
    response = api.post(
        "/api/v1/process-definitions",
        "admin",
        data={"bpmn": (io.BytesIO(bpmn), "approval5.bpmn"), "files": form_files()},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    body = {"from_version": 1, "to_version": 2, "dry_run": False}
    response = api.post("/api/v1/process-definitions/approval5/migrations", "admin", json=body)
    assert response.status_code == 200 and response.json["run_id"] == 1, response.json


ONE_STEP_FEATURE = "# language: vi\nTính năng: Một bước\n  Kịch bản: Một ngày\n    Cho hôm nay là ngày 02/01/2024\n"


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str  # {instance} and {task} are filled from a PNV instance started by cv.pnv
    allowed: frozenset[str]
    denied_status: Callable[[str], int] = lambda role: 403
    body: Callable[[], dict[str, Any]] | None = None
    setup: Callable[[Api], None] | None = None


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
    Case("organisations", "GET", "/api/v1/organisations", frozenset({"admin"})),
    Case("organisation", "GET", "/api/v1/organisations/SADEC", frozenset({"admin"})),
    Case(
        "organisation_create",
        "POST",
        "/api/v1/organisations",
        frozenset({"admin"}),
        body=lambda: {"json": {"code": "XA_MOI", "name": "Xã Mới", "kind": "xa"}},
    ),
    Case(
        "organisation_update",
        "PATCH",
        "/api/v1/organisations/SADEC",
        frozenset({"admin"}),
        body=lambda: {"json": {"place_name": "Sa Đéc"}},
    ),
    Case(
        "organisation_units_import",
        "POST",
        "/api/v1/organisations/SADEC/units/import?dry_run=1",
        frozenset({"admin"}),
        body=lambda: {
            "content_type": "multipart/form-data",
            "data": {"file": (io.BytesIO("code,name,kind\nPNV,Phòng Nội vụ,cqcm\n".encode()), "u.csv")},
        },
    ),
    Case("criteria_sets", "GET", "/api/v1/organisations/SADEC/criteria-sets", EDITORS),
    Case(
        "criteria_set_upload_preview",
        "POST",
        "/api/v1/organisations/SADEC/criteria-sets?dry_run=1",
        EDITORS,
        body=lambda: {"content_type": "multipart/form-data", "data": {"file": (io.BytesIO(CRITERIA), "bo.yaml")}},
    ),
    # the demo commune's own set (id 1): the city's coordinator must not learn it exists
    Case(
        "criteria_set",
        "GET",
        "/api/v1/organisations/BINHTHANH/criteria-sets/1",
        frozenset({"admin"}),
        hidden_from("coordinator"),
    ),
    Case("criteria_set_delete", "DELETE", "/api/v1/organisations/SADEC/criteria-sets/2", EDITORS, setup=a_city_set),
    Case("users", "GET", "/api/v1/users", frozenset({"admin"})),
    Case(
        "user_create",
        "POST",
        "/api/v1/users",
        frozenset({"admin"}),
        body=lambda: {
            "json": {
                "username": "moi",
                "full_name": "Mới",
                "password": "Sen hồng 2024",
                "unit_code": "PNV",
                "roles": ["staff"],
            }
        },
    ),
    Case(
        "user_update", "PATCH", "/api/v1/users/cv.p1", frozenset({"admin"}), body=lambda: {"json": {"full_name": "X"}}
    ),
    Case("definitions", "GET", "/api/v1/process-definitions", ALL),
    Case("definition", "GET", "/api/v1/process-definitions/approval5", ALL),
    Case("versions", "GET", "/api/v1/process-definitions/approval5/versions", ALL),
    Case("version", "GET", "/api/v1/process-definitions/approval5/versions/1", ALL),
    Case("bpmn", "GET", "/api/v1/process-definitions/approval5/versions/1/bpmn", ALL),
    Case(
        "deploy",
        "POST",
        "/api/v1/process-definitions",
        frozenset({"admin"}),
        body=lambda: {
            "content_type": "multipart/form-data",
            "data": {"bpmn": (io.BytesIO(BPMN), "approval5.bpmn"), "files": form_files()},
        },
    ),
    Case(
        "validate",
        "POST",
        "/api/v1/process-definitions/validate",
        frozenset({"admin"}),
        body=lambda: {
            "content_type": "multipart/form-data",
            "data": {"bpmn": (io.BytesIO(BPMN), "approval5.bpmn"), "files": form_files()},
        },
    ),
    Case("definition_files", "GET", "/api/v1/process-definitions/approval5/versions/1/files", ALL),
    Case("migrations", "GET", "/api/v1/process-definitions/approval5/migrations", frozenset({"admin"})),
    Case(
        "migration_dry_run",
        "POST",
        "/api/v1/process-definitions/approval5/migrations",
        frozenset({"admin"}),
        body=lambda: {"json": {"from_version": 1, "to_version": 1}},
    ),
    Case(
        "migration_run",
        "GET",
        "/api/v1/process-definitions/approval5/migrations/1",
        frozenset({"admin"}),
        setup=a_migration_run,
    ),
    Case(
        "scenarios",
        "POST",
        "/api/v1/process-definitions/test",
        frozenset({"admin"}),
        body=lambda: {
            "content_type": "multipart/form-data",
            "data": {
                "bpmn": (io.BytesIO(BPMN), "approval5.bpmn"),
                "files": form_files(),
                "features": [(io.BytesIO(ONE_STEP_FEATURE.encode()), "approval5.feature")],
            },
        },
    ),
    Case("definition_features", "GET", "/api/v1/process-definitions/approval5/features", frozenset({"admin"})),
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
    Case("unit_tasks", "GET", "/api/v1/tasks?scope=unit", frozenset({"admin", "leader", "coordinator", "head"})),
    Case("candidates", "GET", "/api/v1/tasks/{task}/candidates", frozenset({"admin", "head"}), hidden_from("clerk")),
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
    Case(
        "extend",
        "POST",
        "/api/v1/tasks/{task}/extend",
        frozenset({"admin", "coordinator", "head"}),
        hidden_from("clerk"),
        body=lambda: {"json": {"due_at": "2024-02-01", "reason": "Đơn vị đề nghị gia hạn"}},
    ),
    Case("notifications", "GET", "/api/v1/notifications", ALL),
    Case("notifications_read_all", "POST", "/api/v1/notifications/read-all", ALL),
    Case("notification_read", "POST", "/api/v1/notifications/999999/read", frozenset(), hidden_from(*USERS)),
    Case("report_deadlines", "GET", "/api/v1/reports/deadlines?group=unit", ALL),
    Case("report_overdue", "GET", "/api/v1/reports/overdue", ALL),
    Case("report_overdue_export", "GET", "/api/v1/reports/overdue/export?format=xlsx", ALL),
    # the province role (Sở Nội vụ) is not among the demo's users here: tests/api/test_province_api.py
    Case("province_overview", "GET", "/api/v1/province/overview?year=2024", frozenset({"admin"})),
    Case("province_export", "GET", "/api/v1/province/overview/export?format=xlsx", frozenset({"admin"})),
    # {instance} is no scoring round: a 404 for all (tests/api/test_report_exports.py covers the round's rules)
    Case(
        "scoring_results",
        "GET",
        "/api/v1/process-instances/{instance}/scoring-results",
        frozenset(),
        hidden_from(*USERS),
    ),
    Case(
        "scoring_results_export",
        "GET",
        "/api/v1/process-instances/{instance}/scoring-results/export?format=xlsx",
        frozenset(),
        hidden_from(*USERS),
    ),
    Case("plans", "GET", "/api/v1/plans", ALL),
    Case("plan", "GET", "/api/v1/plans/1", ALL),
    Case("plan_activities", "GET", "/api/v1/plans/1/activities", ALL),
    Case("plan_activity", "GET", "/api/v1/plans/1/activities/1", ALL),
    Case(
        "plan_activity_update",
        "PATCH",
        "/api/v1/plans/1/activities/1",
        EDITORS,
        body=lambda: {"json": {"activity_type": "generic_activity"}},
    ),
    Case(
        "plan_import",
        "POST",
        "/api/v1/plans/import",
        EDITORS,
        body=lambda: {"content_type": "multipart/form-data", "data": {"file": (io.BytesIO(SEED), "kh.md")}},
    ),
    Case(
        "plan_import_preview",
        "POST",
        "/api/v1/organisations/SADEC/plans/import?dry_run=1",
        EDITORS,
        body=lambda: {"content_type": "multipart/form-data", "data": {"file": (io.BytesIO(SEED), "kh.md")}},
    ),
    Case("plan_import_organisations", "GET", "/api/v1/plans/import/organisations", EDITORS),
    Case("plan_launch", "POST", "/api/v1/plans/1/launch", EDITORS, body=lambda: {"json": {"until": "2024-01-02"}}),
    Case("plan_progress", "GET", "/api/v1/plans/1/progress", ALL),
    Case("plan_export", "GET", "/api/v1/plans/1/export?format=xlsx", ALL),
    Case("plan_report", "GET", "/api/v1/plans/1/report?period=quarter&quarter=1", ALL),
    Case("due_date", "GET", "/api/v1/calendar/due-date?start=2024-01-02&working_days=5", ALL),
    Case("overrides", "GET", "/api/v1/calendar/overrides", ALL),
    Case(
        "override_set",  # a coordinator: for their own organisation
        "POST",
        "/api/v1/calendar/overrides",
        EDITORS,
        body=lambda: {"json": {"day": "2024-01-03", "working": False, "reason": "Nghỉ bù"}},
    ),
    Case(
        "override_delete",
        "DELETE",
        "/api/v1/calendar/overrides/2024-01-03?organisation_code=SADEC",
        EDITORS,
        setup=an_override,
    ),
    Case(
        "document_upload",
        "POST",
        "/api/v1/documents",
        ALL,
        body=lambda: {"content_type": "multipart/form-data", "data": {"file": (io.BytesIO(pdf_bytes()), "a.pdf")}},
    ),
    Case("document", "GET", "/api/v1/documents/1", frozenset({"staff"}), hidden_from(*USERS), setup=an_upload),
    Case(
        "document_content",
        "GET",
        "/api/v1/documents/1/content",
        frozenset({"staff"}),
        hidden_from(*USERS),
        setup=an_upload,
    ),
    Case(
        "document_delete", "DELETE", "/api/v1/documents/1", frozenset({"staff"}), hidden_from(*USERS), setup=an_upload
    ),
]


@pytest.mark.parametrize("role", sorted(USERS))
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_authorization(api: Api, case: Case, role: str) -> None:
    instance = api.start()
    if case.setup:
        case.setup(api)
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
        "/process-definitions/approval5/migrations": "/process-definitions/<key>/migrations",
        "/migrations/1": "/migrations/<run_id>",
        "/process-definitions/approval5/features": "/process-definitions/<key>/features",
        "/plans/1": "/plans/<plan_id>",
        "/activities/1": "/activities/<activity_id>",
        "/overrides/2024-01-03?organisation_code=SADEC": "/overrides/<day>",
        "?start=2024-01-02&working_days=5": "",
        "/notifications/999999/": "/notifications/<notification_id>/",
        "?group=unit": "",
        "?format=xlsx": "",
        "?period=quarter&quarter=1": "",
        "?scope=unit": "",
        "?year=2024": "",
        "/documents/1": "/documents/<document_id>",
        "/organisations/SADEC/plans/import?dry_run=1": "/organisations/<code>/plans/import",
        "/organisations/SADEC": "/organisations/<code>",
        "/organisations/BINHTHANH": "/organisations/<code>",
        "/criteria-sets/1": "/criteria-sets/<set_id>",
        "/criteria-sets/2": "/criteria-sets/<set_id>",
        "?dry_run=1": "",
    }
    normalised = set()
    for method, path in covered:
        for a, b in normalise.items():
            path = path.replace(a, b)
        if path == "/api/v1/process-definitions/approval5":
            path = "/api/v1/process-definitions/<key>"
        if path == "/api/v1/process-definitions/<key>/versions/1":
            path = "/api/v1/process-definitions/<key>/versions/<version>"
        normalised.add((method, path))
    assert rules - public - normalised == set()


# --------------------------------------------------------------------------- two organisations

# What stands for "the demo's object" in a path, and an id or code nobody has.
MISSING = {
    "{instance}": "999999",
    "{task}": "999999",
    "/plans/1": "/plans/999999",
    "/activities/1": "/activities/999999",
    "/documents/1": "/documents/999999",
    "/units/PNV": "/units/KHONGCO",
    "/users/cv.p1": "/users/khongco",
    "/organisations/SADEC": "/organisations/KHONGCO",
    "organisation_code=SADEC": "organisation_code=KHONGCO",
}
# The old plan import names no organisation: it imports into the caller's own, so it never reaches the other's.
ACROSS = [c for c in CASES if c.name != "plan_import"]


@pytest.mark.parametrize("case", ACROSS, ids=lambda c: c.name)
def test_authorization_across_organisations(api: Api, case: Case) -> None:
    """A user of the second organisation, of each role: the same role rules on its own lists; on the demo
    organisation's objects (instance, step, plan, document, unit, user) exactly the answer a missing one gets — a 404
    where the role would be allowed, never a 403 that tells the object exists. (One database per case, every role
    in it: the second organisation's users see nothing of the first, so their calls cannot disturb each other.)"""
    add_second_organisation(api.app)
    instance = api.start()
    if case.setup:
        case.setup(api)
    real = case.path.format(instance=instance["id"], task=instance["open_tasks"][0]["id"])
    missing = case.path
    for theirs, nobodys in MISSING.items():
        missing = missing.replace(theirs, nobodys)
    for role in sorted(USERS_B):
        _check_across(api, case, role, real, missing)


def _check_across(api: Api, case: Case, role: str, real: str, missing: str) -> None:
    user = USERS_B[role]
    response = api.call(case.method, real, user, **(case.body() if case.body else {}))
    if case.name == "start":  # the demo's unit PNV against a unit nobody has
        absent = api.call(case.method, real, user, json={"process_key": "approval5", "unit_code": "KHONGCO"})
    elif missing != case.path:
        absent = api.call(case.method, missing, user, **(case.body() if case.body else {}))
    else:  # a list or an action on no object: the role rules of the matrix
        if role in case.allowed:
            assert response.status_code < 400, (role, response.status_code, response.get_data(as_text=True)[:300])
        else:
            assert response.status_code == case.denied_status(role), (role, response.status_code)
        return
    assert response.status_code >= 400, (role, response.status_code, response.get_data(as_text=True)[:300])
    assert (response.status_code, response.json["error"]["code"]) == (
        absent.status_code,
        absent.json["error"]["code"],
    ), (role, real, response.json, absent.json)
    if role in case.allowed or case.denied_status(role) == 404:
        assert response.status_code in (404, 422), (role, real, response.json)  # 422: the unit is unknown
