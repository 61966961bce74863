"""Test data of the province view: a province organisation with communes under it, each with its units, users and
a small 2024 plan whose activities run the one-step fixture process (tests/fixtures/one_step)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select, update

from engine.db import UnitOfWork
from engine.definitions import read_bundle
from engine.models import ProcessInstance
from engine.views import SYSTEM_ACTOR
from tests.engine_support import FIXTURES
from workflows.accounts import create_user
from workflows.definitions import deploy_definition
from workflows.models import Organisation, Plan, PlanActivityRow, PlanOccurrence, Unit
from workflows.plan.launch import launch_plan
from workflows.services import Services

PROCESS = "one_step"
# (code, text, due date): the plan of every commune; the first two are launched by ``build_province``
ACTIVITIES = (
    ("NV.1", "Ban hành Kế hoạch CCHC năm 2024 của xã", date(2024, 1, 5)),
    ("NV.2", "Báo cáo CCHC tháng 01/2024", date(2024, 1, 31)),
    ("NV.3", "Báo cáo CCHC 6 tháng đầu năm 2024", date(2024, 6, 28)),
)


@dataclass
class Commune:
    code: str
    name: str
    ubnd: str  # its top unit
    office: str  # the unit that carries the plan's activities
    staff: str  # a staff member of the office
    coordinator: str
    plan_id: int = 0
    instances: dict[str, int] = field(default_factory=dict)  # activity code -> instance id


@dataclass
class Province:
    code: str
    name: str
    unit: str  # Sở Nội vụ
    user: str  # its ``province`` user
    communes: list[Commune]


def deploy_one_step(services: Services) -> None:
    """Deploy the fixture process once (the plan's activities run it)."""
    with services.uow() as uow:
        bpmn, files = read_bundle(FIXTURES / PROCESS / f"{PROCESS}.bpmn")
        deploy_definition(services, uow, bpmn, files, SYSTEM_ACTOR)
        uow.commit()


def _organisation(uow: UnitOfWork, code: str, name: str, kind: str, parent: str | None, now: datetime) -> None:
    uow.session.add(Organisation(code=code, name=name, kind=kind, parent_code=parent, aliases=[], created_at=now))
    uow.session.flush()


def _unit(uow: UnitOfWork, code: str, name: str, kind: str, parent: str | None, organisation: str) -> None:
    unit = Unit(code=code, name=name, short_name=name, kind=kind, parent_code=parent, aliases=[])
    unit.organisation_code = organisation
    uow.session.add(unit)
    uow.session.flush()


def _user(uow: UnitOfWork, username: str, name: str, unit: str, role: str, now: datetime) -> None:
    create_user(
        uow.session, actor=SYSTEM_ACTOR, username=username, full_name=name, password="demo", unit_code=unit,
        password_policy=False,
        roles=[role], now=now,
    )  # fmt: skip


def _plan(uow: UnitOfWork, commune: Commune, number: int, now: datetime) -> int:
    plan = Plan(
        year=2024,
        title=f"Kế hoạch cải cách hành chính năm 2024 của {commune.name}",
        number=f"{number}/KH-UBND",
        issued_on=date(2024, 1, 2),
        issuing_unit_code=commune.ubnd,
        source_name=None,
        content_hash=f"{number:064d}",
        report={},
        imported_by="admin",
        imported_at=now,
    )
    plan.organisation_code = commune.code
    uow.session.add(plan)
    uow.session.flush()
    for position, (code, text, due) in enumerate(ACTIVITIES):
        activity = PlanActivityRow(
            plan_id=plan.id, area_id=None, task_id=None, section="duty", code=code, position=position, text=text,
            output_kinds=[], lead_units=[commune.office], coordinating_units=[], schedule={},
            activity_type=PROCESS, activity_type_source="admin",
        )  # fmt: skip
        uow.session.add(activity)
        uow.session.flush()
        uow.session.add(
            PlanOccurrence(
                activity_id=activity.id, unit_code=commune.office, period="2024", label="Năm 2024", position=0,
                planned_due=due, due_date=due,
            )
        )  # fmt: skip
    uow.session.flush()
    return int(plan.id)


def build_province(services: Services, prefix: str, communes: int, *, launch: bool = True) -> Province:
    """Province ``prefix`` (organisation, Sở Nội vụ, user ``snv.<prefix>``) with ``communes`` communes, each with
    its UBND, office, staff ``cv.<code>``, coordinator ``cchc.<code>`` and 2024 plan (launched until 31/01)."""
    now = services.clock.now()
    low = prefix.lower()
    with services.uow() as uow:
        name = f"Tỉnh Kiểm Thử {prefix}"
        _organisation(uow, prefix, name, "tinh", None, now)
        province = Province(prefix, name, f"{prefix}_SNV", f"snv.{low}", [])
        _unit(uow, province.unit, f"Sở Nội vụ {name}", "so", None, prefix)
        _user(uow, province.user, f"Chuyên viên Sở Nội vụ {prefix}", province.unit, "province", now)
        for index in range(1, communes + 1):
            code = f"{prefix}_XA{index}"
            commune = Commune(
                code, f"Xã Thử {prefix} {index}", f"{code}_UBND", f"{code}_VP", f"cv.{code.lower()}",
                f"cchc.{code.lower()}",
            )  # fmt: skip
            _organisation(uow, code, commune.name, "xa", prefix, now)
            _unit(uow, commune.ubnd, f"UBND {commune.name}", "ubnd_xa", None, code)
            _unit(uow, commune.office, f"Văn phòng - Thống kê {commune.name}", "cqcm", commune.ubnd, code)
            _user(uow, commune.staff, f"Chuyên viên {commune.name}", commune.office, "staff", now)
            _user(uow, commune.coordinator, f"Đầu mối CCHC {commune.name}", commune.office, "coordinator", now)
            commune.plan_id = _plan(uow, commune, index, now)
            province.communes.append(commune)
        uow.commit()
    services.units.invalidate()
    if launch:
        for commune in province.communes:
            with services.uow() as uow:
                launch_plan(services, uow, SYSTEM_ACTOR, commune.plan_id, until=date(2024, 1, 31))
                rows = uow.session.execute(
                    select(PlanActivityRow.code, PlanOccurrence.instance_id)
                    .join(PlanOccurrence, PlanOccurrence.activity_id == PlanActivityRow.id)
                    .where(PlanActivityRow.plan_id == commune.plan_id, PlanOccurrence.instance_id.is_not(None))
                ).all()
                commune.instances = {str(code): int(i) for code, i in rows}
                uow.commit()
    return province


def make_province_round(services: Services, instance_id: int, province: Province, renamed: dict[str, str]) -> None:
    """Make a published round (run through the API for the demo's P1 and P2) the province's own over its
    communes' UBNDs: its unit becomes the Sở Nội vụ and each scored unit ``renamed[old]``."""
    with services.uow() as uow:
        instance = uow.session.get(ProcessInstance, instance_id)
        assert instance is not None and instance.status == "completed"
        data = dict(instance.data)
        data["ranking"] = [row | {"unit_code": renamed[row["unit_code"]]} for row in data["ranking"]]
        for key in ("index_results", "final_points"):
            data[key] = {renamed.get(code, code): value for code, value in data[key].items()}
        uow.session.execute(
            update(ProcessInstance)
            .where(ProcessInstance.id == instance_id)
            .values(unit_code=province.unit, data=data, title="Chỉ số CCHC năm 2024 của các xã")
        )
        uow.commit()
