"""Isolation between organisations (#15 item 3): a user of one organisation sees nothing of another — every read
endpoint answers a guessed id of the other organisation exactly as a missing one (404, never 403), every list
leaves the other's rows out; shared process definitions resolve their lanes inside the instance's organisation."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from engine.errors import NotFound
from engine.models import CalendarOverride
from engine.views import Actor
from tests.api.conftest import Api, assert_error
from tests.api.test_documents_api import pdf_bytes
from tests.api.two_organisations import LEGAL_B, USERS_A, USERS_B, TwoOrganisations, add_second_organisation
from tests.engine_support import at
from tests.worker_support import kinds_of, tick_at
from workflows import access
from workflows.models import DocumentRef, Organisation, Unit, User

MISSING = 999_999


@pytest.fixture
def orgs(app: Flask) -> TwoOrganisations:
    return add_second_organisation(app)


def complete(api: Api, user: str, task_id: int, data: dict[str, Any]) -> Any:
    response = api.post(f"/api/v1/tasks/{task_id}/complete", user, json={"data": data})
    assert response.status_code == 200, response.json
    return response.json


def open_step(api: Api, user: str, instance_id: int) -> dict[str, Any]:
    response = api.get(f"/api/v1/process-instances/{instance_id}", user)
    assert response.status_code == 200, response.json
    (step,) = response.json["open_tasks"]
    return step  # type: ignore[no-any-return]


def referenced_document(api: Api, instance: dict[str, Any]) -> int:
    """A document of ``instance`` (uploaded by cv.pnv, referenced by the instance's first step)."""
    document_id = api.upload("cv.pnv", "a.pdf", pdf_bytes())
    services = api.app.extensions["cchc"]
    with services.uow() as uow:
        uow.session.add(
            DocumentRef(
                document_id=document_id,
                instance_id=instance["id"],
                task_id=instance["open_tasks"][0]["id"],
                created_at=services.clock.now(),
            )
        )
        uow.commit()
    return document_id


def same_as_missing(api: Api, user: str, method: str, real: str, missing: str, **kw: Any) -> None:
    """``user`` gets for the other organisation's object exactly what a missing id gets: a 404, same code."""
    seen = api.call(method, real, user, **kw)
    absent = api.call(method, missing, user, **kw)
    assert seen.status_code == absent.status_code == 404, (user, real, seen.status_code, seen.json)
    assert seen.json["error"] == absent.json["error"] | {"details": seen.json["error"]["details"]}, (user, real)


@pytest.mark.parametrize("role", sorted(USERS_B))
def test_guessed_ids_of_another_organisation_are_404(api: Api, orgs: TwoOrganisations, role: str) -> None:
    instance = api.start()  # cv.pnv, Sa Đéc's PNV
    task = instance["open_tasks"][0]["id"]
    document = referenced_document(api, instance)
    assert api.get(f"/api/v1/documents/{document}", "tp.pnv").status_code == 200  # its organisation sees it
    user = USERS_B[role]
    i, t, m = instance["id"], task, MISSING
    for real, missing in [
        (f"/api/v1/process-instances/{i}", f"/api/v1/process-instances/{m}"),
        (f"/api/v1/process-instances/{i}/events", f"/api/v1/process-instances/{m}/events"),
        (f"/api/v1/process-instances/{i}/scoring-results", f"/api/v1/process-instances/{m}/scoring-results"),
        (f"/api/v1/tasks/{t}", f"/api/v1/tasks/{m}"),
        (f"/api/v1/documents/{document}", f"/api/v1/documents/{m}"),
        (f"/api/v1/documents/{document}/content", f"/api/v1/documents/{m}/content"),
        ("/api/v1/plans/1", f"/api/v1/plans/{m}"),
        ("/api/v1/plans/1/activities", f"/api/v1/plans/{m}/activities"),
        ("/api/v1/plans/1/activities/1", f"/api/v1/plans/{m}/activities/1"),
        ("/api/v1/plans/1/progress", f"/api/v1/plans/{m}/progress"),
        ("/api/v1/plans/1/export?format=xlsx", f"/api/v1/plans/{m}/export?format=xlsx"),
        ("/api/v1/plans/1/report?period=year", f"/api/v1/plans/{m}/report?period=year"),
    ]:
        same_as_missing(api, user, "GET", real, missing)
    for action, body in [("claim", None), ("complete", {"data": {"title": "Dự thảo"}}), ("extend", None)]:
        kw = {"json": body or {"due_at": "2024-02-01", "reason": "Đề nghị gia hạn"}}
        same_as_missing(api, user, "POST", f"/api/v1/tasks/{t}/{action}", f"/api/v1/tasks/{m}/{action}", **kw)
    if role in ("head",):
        same_as_missing(api, user, "GET", f"/api/v1/tasks/{t}/candidates", f"/api/v1/tasks/{m}/candidates")
    if role == "coordinator":
        same_as_missing(api, user, "POST", "/api/v1/plans/1/launch", f"/api/v1/plans/{m}/launch", json={})


def test_lists_leave_the_other_organisation_out(api: Api, orgs: TwoOrganisations) -> None:
    a = api.start()
    b = api.start(user="b.cv.vp", unit="B_VP")
    for role, user in USERS_B.items():
        instances = api.get("/api/v1/process-instances", user).json
        assert a["id"] not in {r["id"] for r in instances}, role
        inbox = api.get("/api/v1/tasks", user).json
        assert a["id"] not in {r["instance_id"] for r in inbox}, role
        assert api.get("/api/v1/plans", user).json == [], role  # the ward has no plan yet
        units = {u["code"] for u in api.get("/api/v1/units", user).json}
        assert units == {"B_UBND", "B_VP", "B_TP", "B_KP1"}, role
        totals = api.get("/api/v1/reports/deadlines?group=unit", user).json["rows"]
        assert not {r["key"] for r in totals} - {"B_UBND", "B_VP", "B_TP", "B_KP1"}, role
    for role, user in USERS_A.items():
        if role != "admin":
            assert b["id"] not in {r["id"] for r in api.get("/api/v1/process-instances", user).json}, role
            assert b["id"] not in {r["instance_id"] for r in api.get("/api/v1/tasks", user).json}, role
        units = {u["code"] for u in api.get("/api/v1/units", user).json}
        assert ("B_VP" in units) is (role == "admin"), role  # the system administrator sees every organisation
    # overseers of each side see their own organisation's instance, the administrator both
    assert b["id"] in {r["id"] for r in api.get("/api/v1/process-instances", "b.chutich").json}
    assert a["id"] in {r["id"] for r in api.get("/api/v1/process-instances", "chutich").json}
    every = {r["id"] for r in api.get("/api/v1/process-instances", "admin", query_string={"limit": 200}).json}
    assert {a["id"], b["id"]} <= every
    # "Việc của đơn vị" of another organisation's unit is empty, not a leak
    rows = api.get("/api/v1/tasks", "b.chutich", query_string={"scope": "unit", "unit": "PNV"}).json
    assert rows == []
    rows = api.get("/api/v1/tasks", "b.chutich", query_string={"scope": "unit"}).json
    assert {r["instance_id"] for r in rows} == {b["id"]}  # every unit of the ward's, none of Sa Đéc's


def test_starting_for_another_organisations_unit_is_an_unknown_unit(api: Api, orgs: TwoOrganisations) -> None:
    for user in ("b.chutich", "b.cchc", "b.cv.vp"):
        body = {"process_key": "approval5", "data": {}}
        theirs = api.post("/api/v1/process-instances", user, json={**body, "unit_code": "PNV"})
        unknown = api.post("/api/v1/process-instances", user, json={**body, "unit_code": "KHONGCO"})
        assert_error(theirs, 422, "unit_not_found")
        assert_error(unknown, 422, "unit_not_found")
    assert_error(api.post("/api/v1/process-instances", "chutich", json={**body, "unit_code": "B_VP"}), 422)


def test_shared_definition_resolves_lanes_inside_the_instances_organisation(api: Api, orgs: TwoOrganisations) -> None:
    """approval5's legal step is written "code:PTP" (Sa Đéc's Phòng Tư pháp); in the ward it is the ward's
    Tư pháp - Hộ tịch; its leader and clerk are the ward's People's Committee's ("parent")."""
    b = api.start(user="b.cv.vp", unit="B_VP")
    complete(api, "b.cv.vp", b["open_tasks"][0]["id"], {"title": "Dự thảo kế hoạch của phường"})
    review = open_step(api, "b.tp.vp", b["id"])
    assert review["unit_code"] == "B_VP"
    complete(api, "b.tp.vp", review["id"], {"approved": True})
    legal = open_step(api, LEGAL_B, b["id"])
    assert legal["unit_code"] == "B_TP"
    assert legal["id"] in {r["id"] for r in api.get("/api/v1/tasks", LEGAL_B).json}
    assert legal["id"] not in {r["id"] for r in api.get("/api/v1/tasks", "cv.ptp").json}  # Sa Đéc's PTP
    assert api.get(f"/api/v1/tasks/{legal['id']}", "cv.ptp").status_code == 404
    assert_error(api.post(f"/api/v1/tasks/{legal['id']}/claim", "cv.ptp"), 404, "task_not_found")
    complete(api, LEGAL_B, legal["id"], {})
    sign = open_step(api, "b.chutich", b["id"])
    assert sign["unit_code"] == "B_UBND"
    assert_error(api.post(f"/api/v1/tasks/{sign['id']}/claim", "chutich"), 404, "task_not_found")
    # the ward's steps notify the ward's people only (a notice links to its step)
    links = {f"/tasks/{s}" for s in (review["id"], legal["id"], sign["id"])}
    told = {n["link"] for n in api.get("/api/v1/notifications", "b.chutich").json["items"]}
    assert f"/tasks/{sign['id']}" in told
    for user in USERS_A.values():
        assert not links & {n["link"] for n in api.get("/api/v1/notifications", user).json["items"]}, user


def test_assigning_to_someone_of_another_organisation_is_refused(api: Api, orgs: TwoOrganisations) -> None:
    b = api.start(user="b.cv.vp", unit="B_VP")
    step = b["open_tasks"][0]["id"]
    candidates = {c["username"] for c in api.get(f"/api/v1/tasks/{step}/candidates", "admin").json}
    assert candidates == {"b.cv.vp"}  # staff of B_VP; never Sa Đéc's staff
    response = api.post(f"/api/v1/tasks/{step}/assign", "admin", json={"username": "cv.pnv"})
    assert response.status_code == 422, response.json


def test_calendar_overrides_of_another_organisation_are_not_listed(api: Api, orgs: TwoOrganisations) -> None:
    assert api.post("/api/v1/calendar/overrides", "admin", json={"day": "2024-01-03", "working": False}).status_code
    services = api.app.extensions["cchc"]
    with services.uow() as uow:  # a day off of the demo organisation only
        uow.session.add(
            CalendarOverride(
                day=date(2024, 1, 4),
                working=False,
                reason="Nghỉ bù",
                organisation_code=orgs.a,
                created_by="admin",
                created_at=services.clock.now(),
            )
        )
        uow.commit()

    def days(user: str) -> set[str]:
        return {o["day"] for o in api.get("/api/v1/calendar/overrides", user).json}

    assert days("b.cchc") == {"2024-01-03"}  # every organisation's day only
    assert days("cchc.pnv") == days("admin") == {"2024-01-03", "2024-01-04"}


def test_the_province_role_reads_the_organisations_under_its_own(api: Api, orgs: TwoOrganisations) -> None:
    """actor_tenants: the province's Sở Nội vụ sees its organisation and every one whose parent chain reaches it
    (the demo's city under tỉnh Đồng Tháp), not the ward outside it; staff only their own; admin everything."""
    a = api.start()
    b = api.start(user="b.cv.vp", unit="B_VP")
    services = api.app.extensions["cchc"]
    with services.uow() as uow:
        session = uow.session
        province_org = session.scalar(select(Organisation.parent_code).where(Organisation.code == orgs.a))
        assert province_org is not None  # the demo's city lies under its province
        province_unit = session.scalar(select(Unit.code).where(Unit.organisation_code == province_org).limit(1))
        under = set(session.scalars(select(Organisation.code).where(Organisation.parent_code == province_org)))
        province = User(username="snv", unit_code=province_unit, roles=["province"])
        tenants = access.actor_tenants(session, province)
        assert tenants is not None and {province_org, orgs.a} | under <= tenants and orgs.b not in tenants
        staff = User(username="cv", unit_code=province_unit, roles=["staff"])
        assert access.actor_tenants(session, staff) == {province_org}
        assert access.actor_tenants(session, User(username="x", unit_code=None, roles=["staff"])) == frozenset()
        assert access.actor_tenants(session, User(username="root", unit_code="B_VP", roles=["admin"])) is None
        reader = Actor("snv", frozenset({"province"}), province_unit, tenants)
        assert access.visible_instance(uow, reader, a["id"]).id == a["id"]  # reads the city's instances
        with pytest.raises(NotFound):
            access.visible_instance(uow, reader, b["id"])
        assert not access.may_start(reader)  # reads, never acts


def test_the_worker_escalates_to_people_of_the_steps_organisation(app: Flask, api: Api, orgs: TwoOrganisations) -> None:
    """The ward's overdue draft goes to the ward's head, then to the ward's coordinator — the configured
    coordinator unit (PNV) is the demo's, so the ward's own coordinators stand in; never Sa Đéc's people."""
    services = app.extensions["cchc"]
    clock = services.clock
    clock.set(at("2024-01-02"))
    api.start(user="b.cv.vp", unit="B_VP")  # the draft is due Fri 05/01/2024
    tick_at(services, clock, at("2024-01-08", 9))
    assert kinds_of(services, "b.tp.vp") == ["escalated"]
    tick_at(services, clock, at("2024-01-10", 9))
    assert "escalated" in kinds_of(services, "b.cchc")
    for user in USERS_A.values():
        assert "escalated" not in kinds_of(services, user), user
