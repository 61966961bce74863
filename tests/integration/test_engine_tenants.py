"""The engine's tenant filter: an actor with ``tenants`` reads only rows of those tenants (inbox, unit steps,
instances, one step, the audit trail, submissions) and acts on no other tenant's step; a lane that names a unit
resolves it inside the instance's tenant (``UnitDirectory.within``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from engine import queries
from engine.errors import Forbidden, NotFound
from engine.queries import InboxFilter, InstanceFilter, PageRequest
from engine.views import Actor
from tests.engine_support import DictUnits, EngineRig, make_rig


class TenantUnits(DictUnits):
    """Two tenants with a unit of the same role each: tenant "B"'s legal office stands for "PTP"."""

    def within(self, unit_code: str, tenant: str | None) -> str | None:
        return {("PTP", "B"): "B_TP"}.get((unit_code, tenant or ""), unit_code)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[EngineRig]:
    rig = make_rig(f"sqlite:///{tmp_path / 'engine.db'}", units=TenantUnits())
    rig.deploy_fixture("approval5")
    try:
        yield rig
    finally:
        rig.sql.dispose()


def staff(tenants: frozenset[str] | None, username: str = "cv") -> Actor:
    return Actor(username, frozenset({"staff"}), "PNV", tenants)


def start(rig: EngineRig, tenant: str | None) -> tuple[int, int]:
    """An approval5 instance of ``tenant`` on unit PNV; its id and its first step's id."""
    with rig.uow() as uow:
        view = rig.engine.start(uow, "approval5", unit_code="PNV", actor=staff(None, "starter"), tenant=tenant)
        uow.commit()
    return view.id, view.open_tasks[0].id


def test_reads_are_filtered_by_the_actors_tenants(rig: EngineRig) -> None:
    a, a_step = start(rig, "A")
    b, b_step = start(rig, "B")
    legacy, legacy_step = start(rig, None)  # a row without a tenant: only unrestricted readers see it
    page = PageRequest()
    with rig.sessions() as s:

        def inbox(tenants: frozenset[str] | None) -> set[int]:
            return {r.id for r in queries.inbox_page(s, staff(tenants), InboxFilter(), page).items}

        assert inbox(frozenset({"A"})) == {a_step}
        assert inbox(frozenset({"B"})) == {b_step}
        assert inbox(frozenset({"A", "B"})) == {a_step, b_step}
        assert inbox(frozenset()) == set()
        assert inbox(None) == {a_step, b_step, legacy_step}
        listed = queries.inbox_page(s, staff(frozenset({"A"})), InboxFilter(), page)
        assert listed.total == 1  # the total counts the same rows

        def unit_steps(tenants: frozenset[str] | None) -> set[int]:
            return {r.id for r in queries.unit_steps(s, InboxFilter(unit_code="PNV", tenants=tenants), page).items}

        assert unit_steps(frozenset({"B"})) == {b_step}
        assert unit_steps(None) == {a_step, b_step, legacy_step}

        def instances(tenants: frozenset[str] | None) -> set[int]:
            return {i.id for i in queries.instance_page(s, InstanceFilter(tenants=tenants), page).items}

        assert instances(frozenset({"A"})) == {a}
        assert instances(None) == {a, b, legacy}
        assert queries.instance_page(s, InstanceFilter(tenants=frozenset({"B"})), page).total == 1
        # one row by id: another tenant's is exactly a missing one
        assert queries.task(s, a_step, tenants=frozenset({"A"})).id == a_step
        with pytest.raises(NotFound) as missing:
            queries.task(s, a_step, tenants=frozenset({"B"}))
        assert missing.value.code == "task_not_found"
        with pytest.raises(NotFound):
            queries.events(s, a, tenants=frozenset({"B"}))
        assert queries.events(s, a, tenants=frozenset({"A"}))
        with pytest.raises(NotFound):
            queries.events(s, legacy, tenants=frozenset({"A"}))


def test_no_action_on_another_tenants_step(rig: EngineRig) -> None:
    _, a_step = start(rig, "A")
    with rig.uow() as uow, pytest.raises(Forbidden):
        rig.engine.claim(uow, a_step, staff(frozenset({"B"})))
    with rig.uow() as uow:
        rig.engine.complete(uow, a_step, staff(frozenset({"A"})), {"title": "Dự thảo"})
        uow.commit()
    with rig.sessions() as s:
        a_instance = queries.task(s, a_step).instance_id
        assert queries.submissions(s, a_instance, tenants=frozenset({"B"})) == []
        assert len(queries.submissions(s, a_instance, tenants=frozenset({"A"}))) == 1


def test_steps_carry_their_instances_tenant_and_lanes_resolve_inside_it(rig: EngineRig) -> None:
    """approval5's legal lane is "code:PTP": tenant B's instance gets B's counterpart, A's keeps PTP."""
    head = Actor("tp", frozenset({"head"}), "PNV", None)
    legal_units = {}
    for tenant in ("A", "B"):
        instance, draft = start(rig, tenant)
        with rig.uow() as uow:
            rig.engine.complete(uow, draft, staff(frozenset({tenant})), {"title": "Dự thảo"})
            uow.commit()
        with rig.sessions() as s:
            (review,) = queries.instances(s, ids=[instance])[0].open_tasks
        with rig.uow() as uow:
            result = rig.engine.complete(uow, review.id, replace(head, tenants=frozenset({tenant})), {"approved": True})
            uow.commit()
        (legal,) = result.instance.open_tasks
        legal_units[tenant] = legal.unit_code
        with rig.sessions() as s:
            assert {t.tenant for t in queries.instances(s, ids=[instance])} == {tenant}
    assert legal_units == {"A": "PTP", "B": "B_TP"}
