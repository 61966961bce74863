"""The province view over the API: roll-ups of two communes under a province, its .xlsx, who may read it, and
a bounded number of queries whatever the number of organisations (docs/province.md)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import event, select, update

from engine.clock import ManualClock
from engine.models import ProcessInstance
from engine.views import Actor
from tests.api.conftest import Api, assert_error
from tests.api.test_deadlines_api import services_of
from tests.api.test_report_exports import _check_house_look, run_round
from tests.engine_support import at
from tests.province_support import Province, build_province, deploy_one_step, make_province_round
from tests.worker_support import tick_at
from workflows import access
from workflows.models import User
from workflows.plan.progress import STATUSES
from workflows.province import SHEET_OVERDUE, SHEET_PROGRESS, SHEET_RANKING, province_overview

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OVERVIEW = "/api/v1/province/overview?year=2024"


@pytest.fixture
def province(app: Flask) -> Province:
    services = services_of(app)
    deploy_one_step(services)
    return build_province(services, "TT", 2)


def _task_of(api: Api, instance_id: int) -> dict[str, Any]:
    [task] = api.get(f"/api/v1/process-instances/{instance_id}", "admin").json["open_tasks"]
    return task  # type: ignore[no-any-return]


def _complete(api: Api, instance_id: int, user: str, **extra: Any) -> None:
    task = _task_of(api, instance_id)
    response = api.post(f"/api/v1/tasks/{task['id']}/complete", user, json={"data": {}, **extra})
    assert response.status_code == 200, response.json


def _by_code(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["code"]: row for row in body["organisations"]}


def _progress(**found: int) -> dict[str, int]:
    return {status: found.get(status, 0) for status in STATUSES}


def test_the_province_sees_each_communes_progress_and_overdue(
    app: Flask, api: Api, clock: ManualClock, province: Province
) -> None:
    first, second = province.communes
    clock.set(at("2024-01-04", 10))
    _complete(api, first.instances["NV.1"], first.staff)  # done before its deadline (05/01)
    tick_at(services_of(app), clock, at("2024-01-08", 9))  # the second commune's NV.1 is now overdue

    response = api.get(OVERVIEW, province.user)
    assert response.status_code == 200, response.json
    body = response.json
    rows = _by_code(body)
    assert set(rows) == {province.code, first.code, second.code}
    assert next(row["code"] for row in body["organisations"]) == province.code  # the province first
    assert rows[province.code]["plan"] is None and rows[province.code]["total"] == 0
    one, two = rows[first.code], rows[second.code]
    assert one["plan"] == {"id": first.plan_id, "title": f"Kế hoạch cải cách hành chính năm 2024 của {first.name}",
                           "number": "1/KH-UBND"}  # fmt: skip
    assert one["kind"] == "xa" and one["kind_label"] == "Xã" and one["parent_code"] == province.code
    assert one["progress"] == _progress(done_early=1, in_progress=1, not_started=1) and one["total"] == 3
    assert (one["overdue_activities"], one["overdue_steps"], one["late_steps"]) == (0, 0, 0)
    assert two["progress"] == _progress(overdue=1, in_progress=1, not_started=1) and two["total"] == 3
    assert (two["overdue_activities"], two["overdue_steps"], two["late_steps"]) == (1, 1, 0)
    totals = body["totals"]
    assert totals["progress"] == _progress(done_early=1, overdue=1, in_progress=2, not_started=2)
    assert (totals["total"], totals["overdue_activities"], totals["overdue_steps"]) == (6, 1, 1)
    # the same counts as the commune's own plan page
    plan_page = api.get(f"/api/v1/plans/{second.plan_id}/progress", "admin").json
    assert (plan_page["overall"], plan_page["total"]) == (two["progress"], two["total"])

    clock.set(at("2024-01-09", 10))
    _complete(api, second.instances["NV.1"], second.staff, late_reason="Chờ ý kiến của Chủ tịch UBND xã")
    two = _by_code(api.get(OVERVIEW, province.user).json)[second.code]
    assert two["progress"] == _progress(done_late=1, in_progress=1, not_started=1)
    assert (two["overdue_activities"], two["overdue_steps"], two["late_steps"]) == (0, 0, 1)
    # another year: the organisations without a plan and nothing overdue
    other = _by_code(api.get("/api/v1/province/overview?year=2025", province.user).json)
    assert other[second.code]["plan"] is None and other[second.code]["late_steps"] == 0


def test_the_export_holds_the_same_numbers(api: Api, clock: ManualClock, app: Flask, province: Province) -> None:
    tick_at(services_of(app), clock, at("2024-01-08", 9))  # NV.1 of both communes overdue
    body = api.get(OVERVIEW, province.user).json
    response = api.get("/api/v1/province/overview/export?format=xlsx&year=2024", province.user)
    assert response.status_code == 200 and response.mimetype == XLSX
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [SHEET_PROGRESS, SHEET_OVERDUE, SHEET_RANKING]
    _check_house_look(book)
    progress = [[c.value for c in row] for row in book[SHEET_PROGRESS].iter_rows()]
    assert progress[0][:4] == ["STT", "Tổ chức", "Loại", "Kế hoạch"] and progress[0][-1] == "Tổng số hoạt động"
    assert progress[0][4:10] == [body["labels"][s] for s in STATUSES]
    for line, row in zip(progress[1:-1], body["organisations"], strict=True):
        assert line[1] == row["name"] and line[2] == row["kind_label"]
        assert line[4:] == [row["progress"][s] for s in STATUSES] + [row["total"]]
    assert progress[-1][1] == "Tổng cộng" and progress[-1][4:] == [body["totals"]["progress"][s] for s in STATUSES] + [
        6
    ]
    overdue = [[c.value for c in row] for row in book[SHEET_OVERDUE].iter_rows()]
    assert overdue[0][1] == "Tổ chức"
    assert [line[1:] for line in overdue[1:-1]] == [
        [r["name"], r["overdue_activities"], r["overdue_steps"], r["late_steps"]] for r in body["organisations"]
    ]
    assert overdue[-1][1:] == ["Tổng cộng", 2, 2, 0]
    ranking = [[c.value for c in row] for row in book[SHEET_RANKING].iter_rows()]
    assert ranking[0] == [
        "Xếp hạng",
        "Tổ chức",
        "Đơn vị được chấm điểm",
        "Chỉ số CCHC (%)",
        "Xếp loại",
        "Đợt chấm điểm",
    ]
    assert {line[1] for line in ranking[1:]} == {r["name"] for r in body["organisations"]}
    assert all(line[0] is None and line[2] == "Chưa có kết quả" for line in ranking[1:])
    assert_error(api.get("/api/v1/province/overview/export?format=pdf", province.user), 422, "bad_export_format")


def test_the_index_ranks_organisations_by_their_ubnd(app: Flask, api: Api, province: Province) -> None:
    """A published round of the province over its communes' UBNDs ranks the communes; the round's data is a real
    round's (run through the API for P1 and P2 of the demo), made the province's own over two communes' UBNDs."""
    instance_id = run_round(api, publish=True)  # P2 (all points) before P1 (90 %)
    first, second = province.communes
    make_province_round(services_of(app), instance_id, province, {"P1": first.ubnd, "P2": second.ubnd})
    with services_of(app).read() as uow:
        data = uow.session.get(ProcessInstance, instance_id).data  # type: ignore[union-attr]
    body = api.get(OVERVIEW, province.user).json
    rows = _by_code(body)
    indexes = {row["unit_code"]: row["index_percent"] for row in data["ranking"]}
    assert indexes[second.ubnd] > indexes[first.ubnd]
    assert [(r["rank"], r["code"]) for r in body["ranking"]] == [(1, second.code), (2, first.code)]
    assert rows[second.code]["index"]["unit_code"] == second.ubnd
    assert rows[second.code]["index"]["index_percent"] == indexes[second.ubnd]
    assert rows[first.code]["index"]["round_id"] == instance_id
    assert rows[province.code]["rank"] is None and rows[province.code]["index"] is None  # its Sở was not scored
    assert rows[province.code]["own_round"] == {
        "instance_id": instance_id, "title": "Chỉ số CCHC năm 2024 của các xã", "units": 2
    }  # fmt: skip
    assert api.get("/api/v1/province/overview?year=2023", province.user).json["ranking"] == []
    book = load_workbook(io.BytesIO(api.get("/api/v1/province/overview/export", province.user).data))
    ranked = [[c.value for c in row] for row in book[SHEET_RANKING].iter_rows()][1:3]
    assert [(line[0], line[1], line[3]) for line in ranked] == [
        (1, second.name, indexes[second.ubnd]),
        (2, first.name, indexes[first.ubnd]),
    ]


def test_only_the_province_and_administrators_read_it(app: Flask, api: Api, province: Province) -> None:
    other = build_province(services_of(app), "UU", 1, launch=False)
    error = assert_error(api.get(OVERVIEW, "cchc.pnv"), 403, "role_cannot_view_province")
    assert "Sở Nội vụ" in error["message"]
    for user in ("cv.pnv", "chutich", province.communes[0].coordinator):
        assert_error(api.get(OVERVIEW, user), 403, "role_cannot_view_province")
        assert_error(api.get("/api/v1/province/overview/export", user), 403, "role_cannot_view_province")
    ours = {province.code, *(c.code for c in province.communes)}
    theirs = {other.code, other.communes[0].code}
    seen_by_other = _by_code(api.get(OVERVIEW, other.user).json)
    assert set(seen_by_other) == theirs  # nothing of the first province
    assert set(_by_code(api.get(OVERVIEW, province.user).json)) == ours
    everything = _by_code(api.get(OVERVIEW, "admin").json)
    assert ours | theirs <= set(everything)
    assert_error(api.get("/api/v1/province/overview?year=abc", province.user), 422)
    assert_error(api.get("/api/v1/province/overview?year=1800", province.user), 422)


@contextmanager
def _counted(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = services_of(app).sql

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _queries(app: Flask, province: Province, round_id: int) -> int:
    """The statements of one overview of ``province``, a published round being the province's own."""
    services = services_of(app)
    with services.uow() as uow:
        uow.session.execute(
            update(ProcessInstance).where(ProcessInstance.id == round_id).values(unit_code=province.unit)
        )
        uow.commit()
    with services.read() as uow:  # the actor as the API builds it: the organisations it sees
        user = uow.session.scalar(select(User).where(User.username == province.user))
        assert user is not None
        actor = Actor(province.user, frozenset({"province"}), province.unit, access.actor_tenants(uow.session, user))
    with _counted(app) as statements, services.read() as uow:
        overview = province_overview(uow.session, actor, year=2024, today=date(2024, 1, 8))
    assert len(overview.organisations) == len(province.communes) + 1
    assert all(o.total == 3 and o.plan is not None for o in overview.organisations[1:])
    assert overview.organisations[0].own_round is not None  # the round's path was taken
    return len(statements)


def test_a_bounded_number_of_queries_whatever_the_organisations(app: Flask, api: Api) -> None:
    services = services_of(app)
    deploy_one_step(services)
    round_id = run_round(api, publish=True)
    small, large = build_province(services, "QA", 2), build_province(services, "QB", 5)
    assert _queries(app, small, round_id) == _queries(app, large, round_id) <= 12
