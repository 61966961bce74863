"""Organisations as the engine's tenants: plans, instances and their steps carry the unit's organisation."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from engine.models import HumanTask, ProcessInstance
from tests.api.conftest import Api
from workflows.models import Organisation, Plan, Unit


def test_demo_organisations_and_their_units(app: Flask) -> None:
    with app.extensions["cchc"].read() as uow:
        session = uow.session
        sadec = session.get(Organisation, "SADEC")
        assert sadec is not None and sadec.parent_code == "DONGTHAP" and sadec.successor_code == "PHUONG_SADEC"
        assert sadec.issuing_body == "ỦY BAN NHÂN DÂN THÀNH PHỐ SA ĐÉC" and sadec.place_name == "Sa Đéc"
        assert session.get(Unit, "PNV").organisation_code == "SADEC"  # type: ignore[union-attr]
        assert session.get(Unit, "SNV_DT").organisation_code == "DONGTHAP"  # type: ignore[union-attr]
        assert set(session.scalars(select(Plan.organisation_code))) == {"SADEC"}


def test_a_started_instance_and_its_steps_carry_the_units_organisation(api: Api, app: Flask) -> None:
    started = api.start("cv.pnv", "PNV")
    with app.extensions["cchc"].read() as uow:
        instance = uow.session.get(ProcessInstance, started["id"])
        assert instance is not None and instance.tenant == "SADEC"
        tenants = set(uow.session.scalars(select(HumanTask.tenant).where(HumanTask.instance_id == started["id"])))
    assert tenants == {"SADEC"}


def test_a_launched_plan_starts_its_instances_in_its_organisation(api: Api, app: Flask) -> None:
    [plan] = api.get("/api/v1/plans", "cv.pnv").json
    response = api.post(f"/api/v1/plans/{plan['id']}/launch", "cchc.pnv", json={"until": "2024-01-31"})
    assert response.status_code == 200, response.json
    ids = [row["instance_id"] for row in response.json["instances"]]
    assert ids
    with app.extensions["cchc"].read() as uow:
        tenants = set(uow.session.scalars(select(ProcessInstance.tenant).where(ProcessInstance.id.in_(ids))))
        steps = set(uow.session.scalars(select(HumanTask.tenant).where(HumanTask.instance_id.in_(ids))))
    assert tenants == {"SADEC"} and steps == {"SADEC"}
