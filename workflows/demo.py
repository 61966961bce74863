"""Demo data for ``make run``: the organisations of ``processes/org`` (a province, a city, a commune…), and the
data set of ``processes/demo/demo.yaml`` — accounts, organisations' own criteria sets, each organisation's plan —
plus every process; ``launch_demo`` starts the plans marked to launch."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import yaml
from argon2 import PasswordHasher
from sqlalchemy import func, select

from engine.views import SYSTEM_ACTOR

from . import accounts, criteria_sets, organisation
from .definitions import PROCESSES_DIR, deploy_all
from .models import Unit, User
from .models.plan import Plan
from .plan.launch import launch_plan
from .plan.org_import import confirm_plan_import
from .services import Services

DEMO_FILE = PROCESSES_DIR / "demo" / "demo.yaml"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    unit_code: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class DemoPlan:
    path: Path
    organisation_code: str
    launch: bool  # started by ``cchc init`` (launch_demo), not by the test fixtures' load_demo


@dataclass(frozen=True)
class DemoData:
    """One demo data set (``processes/demo/demo.yaml``): accounts, plans, organisations' own criteria sets."""

    accounts: tuple[DemoAccount, ...]
    plans: tuple[DemoPlan, ...]
    criteria: tuple[tuple[Path, str], ...]  # (file, organisation code)


def demo_file() -> Path:
    """``CCHC_DEMO_FILE``, or the shipped demo (another locality's demo is another file of the same shape)."""
    return Path(os.environ.get("CCHC_DEMO_FILE") or DEMO_FILE)


@functools.cache
def demo_data(path: Path) -> DemoData:
    """Read a demo data set; paths in it are relative to ``processes/``."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return DemoData(
        accounts=tuple(
            DemoAccount(a["username"], a["full_name"], a["unit"], tuple(a["roles"])) for a in raw.get("accounts", [])
        ),
        plans=tuple(
            DemoPlan(PROCESSES_DIR / p["file"], p["organisation"], bool(p.get("launch", False)))
            for p in raw.get("plans", [])
        ),
        criteria=tuple((PROCESSES_DIR / c["file"], c["organisation"]) for c in raw.get("criteria_sets", [])),
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
        data = demo_data(demo_file())
        for account in data.accounts:
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
        for path, organisation_code in data.criteria:
            stored = criteria_sets.seed_criteria_set(uow.session, organisation_code, path, services.clock.now())
            counts["criteria_sets"] += int(stored)
        results = deploy_all(services, uow, SYSTEM_ACTOR)
        counts["definitions"] = sum(1 for r in results if r.created)
        uow.flush()
        for plan in data.plans:
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
        for plan in demo_data(demo_file()).plans:
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
