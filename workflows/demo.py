"""Demo data for ``make run``: the organisations of ``processes/org`` (a province, a city, a commune…), demo
accounts, the commune's own criteria set, every process, each organisation's 2024 plan; ``launch_demo`` starts the
plans marked to launch."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import func, select

from engine.views import SYSTEM_ACTOR

from . import accounts, criteria_sets, organisation
from .definitions import deploy_all
from .models import Unit, User
from .models.plan import Plan
from .plan.activity_types import PLANS_DIR
from .plan.launch import launch_plan
from .plan.org_import import confirm_plan_import
from .plan.store import SEED_PLAN
from .script_helpers import CRITERIA_DIR
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
    # The province's Sở Nội vụ: reads every organisation under it.
    DemoAccount("sonv", "Lương Thị Thu Hà (Sở Nội vụ tỉnh)", "SNV_DT", ("province",)),
    # The second, smaller organisation: a commune with its own coordinator.
    DemoAccount("ct.bt", "Trần Văn Bình (Chủ tịch UBND xã Bình Thành)", "BT_UBND", ("leader",)),
    DemoAccount("cchc.bt", "Nguyễn Thị Mỹ (Đầu mối CCHC, Văn phòng - Thống kê xã)", "BT_VP", ("coordinator",)),
    DemoAccount("vp.bt", "Lê Văn Tài (Phụ trách Văn phòng - Thống kê xã)", "BT_VP", ("head",)),
    DemoAccount("cv.bt", "Phạm Thị Ngọc (Công chức Văn phòng - Thống kê xã)", "BT_VP", ("staff",)),
    DemoAccount("mc.bt", "Võ Văn Khánh (Công chức Bộ phận Một cửa xã)", "BT_MC", ("staff",)),
    DemoAccount("hdtd.bt", "Đinh Văn Sơn (Hội đồng đánh giá CCHC xã)", "BT_VP", ("appraiser",)),
)


@dataclass(frozen=True)
class DemoPlan:
    path: Path
    organisation_code: str
    launch: bool  # started by ``cchc init`` (launch_demo), not by the test fixtures' load_demo


DEMO_PLANS: tuple[DemoPlan, ...] = (
    DemoPlan(SEED_PLAN, "SADEC", launch=False),
    DemoPlan(PLANS_DIR / "ke-hoach-cchc-2024-binh-thanh.md", "BINHTHANH", launch=True),
)


# Organisations' own criteria sets (data files); the others score with the shared processes/criteria/*.yaml.
DEMO_CRITERIA: tuple[tuple[Path, str], ...] = (
    (CRITERIA_DIR / "organisations" / "binh-thanh-2024-cqcm.yaml", "BINHTHANH"),
)


def demo_password() -> str:
    return os.environ.get("CCHC_DEMO_PASSWORD", "demo")


def load_demo(services: Services, hasher: PasswordHasher | None = None) -> dict[str, int]:
    """Load what is missing (idempotent): units, demo accounts, every process of ``processes/`` (``hasher``: the
    demo passwords' own, e.g. a cheap one for a throwaway copy)."""
    counts = {"units": 0, "users": 0, "definitions": 0, "plans": 0, "criteria_sets": 0}
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
                password_policy=False,  # the demo's accounts share one documented password
                hasher=hasher,
            )
            counts["users"] += 1
        for path, organisation_code in DEMO_CRITERIA:
            stored = criteria_sets.seed_criteria_set(uow.session, organisation_code, path, services.clock.now())
            counts["criteria_sets"] += int(stored)
        results = deploy_all(services, uow, SYSTEM_ACTOR)
        counts["definitions"] = sum(1 for r in results if r.created)
        uow.flush()
        for plan in DEMO_PLANS:
            # each demo plan goes in as a coordinator's would: against its organisation's units, nothing to map
            outcome = confirm_plan_import(
                services, uow, SYSTEM_ACTOR, plan.organisation_code, plan.path.read_bytes(), plan.path.name, {}
            )
            counts["plans"] += int(outcome.created)
        uow.commit()
    services.units.invalidate()
    return counts


def launch_demo(services: Services) -> int:
    """Start the instances of the demo plans marked ``launch`` (idempotent); returns how many were started."""
    started = 0
    with services.uow() as uow:
        for plan in DEMO_PLANS:
            if not plan.launch:
                continue
            owned = (Plan.organisation_code == plan.organisation_code, Plan.source_name == plan.path.name)
            plan_id = uow.session.scalar(select(Plan.id).where(*owned))
            if plan_id is not None:
                started += launch_plan(services, uow, SYSTEM_ACTOR, plan_id).created
        uow.commit()
    return started


def is_empty(services: Services) -> bool:
    with services.sessions() as session:
        return not session.scalar(select(func.count()).select_from(Unit))
