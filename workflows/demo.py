"""Demo data for ``make run``: the Sa Đéc 2024 organisation, demo accounts, every process, the 2024 plan."""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import func, select

from engine.views import SYSTEM_ACTOR

from . import accounts, organisation
from .definitions import deploy_all
from .models import Unit, User
from .plan.store import SEED_PLAN, import_plan
from .services import Services


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    unit_code: str
    roles: tuple[str, ...]


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", "Quản trị hệ thống", "UBND", ("admin",)),
    DemoAccount("chutich", "Nguyễn Văn Hon (Chủ tịch UBND)", "UBND", ("leader",)),
    DemoAccount("pct", "Trần Thị Mai (Phó Chủ tịch UBND)", "UBND", ("leader",)),
    DemoAccount("vanthu", "Lê Thị Thu (Văn thư UBND)", "UBND", ("clerk",)),
    DemoAccount("tp.pnv", "Phạm Minh Đức (Trưởng phòng Nội vụ)", "PNV", ("head",)),
    DemoAccount("cv.pnv", "Võ Thị Hạnh (Chuyên viên Phòng Nội vụ)", "PNV", ("staff",)),
    DemoAccount("cchc.pnv", "Đặng Quốc Bảo (Đầu mối CCHC, Phòng Nội vụ)", "PNV", ("coordinator",)),
    DemoAccount("hdtd.pnv", "Huỳnh Thanh Tâm (Hội đồng thẩm định)", "PNV", ("appraiser",)),
    DemoAccount("tp.ptp", "Ngô Văn Lợi (Trưởng phòng Tư pháp)", "PTP", ("head",)),
    DemoAccount("cv.ptp", "Bùi Thị Lan (Chuyên viên Phòng Tư pháp)", "PTP", ("staff",)),
    DemoAccount("tp.vp", "Trương Văn Phúc (Chánh Văn phòng HĐND và UBND)", "VP", ("head",)),
    DemoAccount("cv.vp", "Lý Thị Ngọc (Chuyên viên Văn phòng HĐND và UBND)", "VP", ("staff",)),
    DemoAccount("tp.pvhtt", "Mai Văn Sang (Trưởng phòng Văn hóa - Thông tin)", "PVHTT", ("head",)),
    DemoAccount("cv.pvhtt", "Đỗ Thị Yến (Chuyên viên Phòng Văn hóa - Thông tin)", "PVHTT", ("staff",)),
    DemoAccount("ct.p1", "Nguyễn Thành Công (Chủ tịch UBND Phường 1)", "P1", ("head",)),
    DemoAccount("cv.p1", "Phan Thị Kim (Công chức UBND Phường 1)", "P1", ("staff",)),
    DemoAccount("ct.p2", "Lâm Văn Hùng (Chủ tịch UBND Phường 2)", "P2", ("head",)),
    DemoAccount("cv.p2", "Tạ Thị Hồng (Công chức UBND Phường 2)", "P2", ("staff",)),
)


def demo_password() -> str:
    return os.environ.get("CCHC_DEMO_PASSWORD", "demo")


def load_demo(services: Services) -> dict[str, int]:
    """Load what is missing (idempotent): units, demo accounts, every process of ``processes/``."""
    counts = {"units": 0, "users": 0, "definitions": 0, "plans": 0}
    with services.uow() as uow:
        orgs = organisation.load_org_files()
        organisation.seed_organisations(
            uow.session, [o.organisation for o in orgs if o.organisation is not None], services.clock.now()
        )
        for org in orgs:
            if org.organisation is not None:
                counts["units"] += organisation.seed_units(uow.session, org, org.organisation.code)
        existing = set(uow.session.scalars(select(User.username)))
        for account in DEMO_ACCOUNTS:
            if account.username in existing or uow.session.get(Unit, account.unit_code) is None:
                continue
            accounts.create_user(
                uow.session,
                actor=SYSTEM_ACTOR,
                username=account.username,
                full_name=account.full_name,
                password=demo_password(),
                unit_code=account.unit_code,
                roles=list(account.roles),
                now=services.clock.now(),
            )
            counts["users"] += 1
        results = deploy_all(services, uow, SYSTEM_ACTOR)
        counts["definitions"] = sum(1 for r in results if r.created)
        uow.flush()
        outcome = import_plan(
            uow,
            SEED_PLAN.read_bytes(),
            SEED_PLAN.name,
            org=organisation.load_org(),
            calendar=services.calendar.get(),
            actor=SYSTEM_ACTOR.username,
            now=services.clock.now(),
        )
        counts["plans"] = int(outcome.created)
        uow.commit()
    services.units.invalidate()
    return counts


def is_empty(services: Services) -> bool:
    with services.sessions() as session:
        return not session.scalar(select(func.count()).select_from(Unit))
