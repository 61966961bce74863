"""Two organisations working at once on PostgreSQL: while their users start, complete and list at the same time,
no inbox, unit list or instance list ever shows a row of the other organisation."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.models import ProcessInstance
from tests.api.conftest import Api
from tests.api.two_organisations import UNITS_B, TwoOrganisations, add_second_organisation
from tests.pg.conftest import approval5_api
from workflows.models import Unit

pytestmark = pytest.mark.pg

ROUNDS = 6
# organisation side -> (starter, the unit it starts for, the overseer who lists every instance, the unit's head)
SIDES = {"a": ("cv.pnv", "PNV", "chutich", "tp.pnv"), "b": ("b.cv.vp", "B_VP", "b.chutich", "b.tp.vp")}


@pytest.fixture
def pg_api() -> Iterator[tuple[Api, TwoOrganisations]]:
    with approval5_api() as api:
        yield api, add_second_organisation(api.app)


def _work(api: Api, side: str, own_units: set[str], barrier: threading.Barrier, seen: list[str]) -> None:
    """One user's session: start, complete the draft, and read every list after each action."""
    starter, unit, overseer, head = SIDES[side]
    me = Api(api.app)  # a client of its own: the test client is not shared between threads
    for user in (starter, overseer, head):
        me.token(user)
    barrier.wait()
    for _ in range(ROUNDS):
        started = me.start(user=starter, unit=unit)
        step = started["open_tasks"][0]["id"]
        done = me.post(f"/api/v1/tasks/{step}/complete", starter, json={"data": {"title": "Dự thảo"}})
        assert done.status_code == 200, done.json
        reads: list[tuple[str, str, dict[str, Any]]] = [
            (starter, "/api/v1/tasks", {"limit": 200}),
            (head, "/api/v1/tasks", {"limit": 200}),
            (head, "/api/v1/tasks", {"scope": "unit", "limit": 200}),
            (overseer, "/api/v1/tasks", {"scope": "unit", "limit": 200}),
            (overseer, "/api/v1/process-instances", {"limit": 200}),
            (starter, "/api/v1/process-instances", {"limit": 200, "status": "open"}),
        ]
        for user, path, query in reads:
            response = me.get(path, user, query_string=query)
            assert response.status_code == 200, response.json
            seen.extend(f"{side}:{row['unit_code']}" for row in response.json if row["unit_code"] not in own_units)


def test_two_organisations_at_once_never_see_each_other(pg_api: tuple[Api, TwoOrganisations]) -> None:
    api, orgs = pg_api
    services = api.app.extensions["cchc"]
    with services.read() as uow:
        units_a = set(uow.session.scalars(select(Unit.code).where(Unit.organisation_code == orgs.a)))
    units_b = {code for code, *_ in UNITS_B}
    barrier = threading.Barrier(4)
    leaks: list[str] = []
    errors: list[BaseException] = []

    def run(side: str, own: set[str]) -> None:
        try:
            _work(api, side, own, barrier, leaks)
        except BaseException as exc:  # noqa: BLE001 - the main thread reports it
            errors.append(exc)
            barrier.abort()

    threads = [
        threading.Thread(target=run, args=(side, units_a if side == "a" else units_b)) for side in ("a", "b", "a", "b")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert leaks == []
    with services.read() as uow:
        counted = dict(
            uow.session.execute(select(ProcessInstance.tenant, func.count()).group_by(ProcessInstance.tenant)).all()
        )
    assert counted == {orgs.a: 2 * ROUNDS, orgs.b: 2 * ROUNDS}
