"""A second organisation beside the demo's (Sa Đéc): a small ward with its own units and one user of each role.

``add_second_organisation`` writes it into a test's database through the same use cases an administrator uses
(accounts), and the organisation rows directly (the organisations API belongs to its own tests). The demo's
organisation is whatever organisation the demo put the unit PNV in.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select, update

from engine.models import HumanTask, ProcessInstance
from engine.views import SYSTEM_ACTOR
from workflows.accounts import create_user
from workflows.models import Organisation, Plan, Unit

ORG_B = "PHUONGTHU"
# role -> username, for each organisation; the demo's users are those of tests/api/test_authorization_matrix.py
USERS_A = {
    "admin": "admin",
    "leader": "chutich",
    "head": "tp.pnv",
    "staff": "cv.pnv",
    "clerk": "vanthu",
    "coordinator": "cchc.pnv",
    "appraiser": "hdtd.pnv",
}
USERS_B = {
    "leader": "b.chutich",
    "head": "b.tp.vp",
    "staff": "b.cv.vp",
    "clerk": "b.vanthu",
    "coordinator": "b.cchc",
    "appraiser": "b.hdtd",
}
LEGAL_B = "b.cv.tp"  # staff of the ward's Tư pháp - Hộ tịch (the counterpart of the demo's PTP)
# The ward's units: its People's Committee, the office that does the Phòng Nội vụ's work (it carries "PNV" among its
# aliases, so lanes written "code:PNV" resolve to it), its Tư pháp - Hộ tịch (alias "PTP") and a residential group.
UNITS_B = (
    ("B_UBND", "Ủy ban nhân dân phường Thử", "UBND phường Thử", "ubnd", None, []),
    ("B_VP", "Văn phòng HĐND và UBND phường Thử", "Văn phòng phường", "cqcm", "B_UBND", ["PNV"]),
    ("B_TP", "Công chức Tư pháp - Hộ tịch phường Thử", "Tư pháp - Hộ tịch", "cqcm", "B_UBND", ["PTP"]),
    ("B_KP1", "Khu phố 1 phường Thử", "Khu phố 1", "ubnd_xa", "B_UBND", []),
)
UNIT_OF_ROLE_B = {
    "leader": "B_UBND",
    "clerk": "B_UBND",
    "head": "B_VP",
    "staff": "B_VP",
    "coordinator": "B_VP",
    "appraiser": "B_VP",
}


@dataclass(frozen=True)
class TwoOrganisations:
    a: str  # the demo's organisation code
    b: str


def add_second_organisation(app: Flask) -> TwoOrganisations:
    """Add the ward ``ORG_B`` with its units and users; the demo's rows without an organisation join the demo's."""
    services = app.extensions["cchc"]
    now = services.clock.now()
    with services.uow() as uow:
        session = uow.session
        org_a = session.scalar(select(Unit.organisation_code).where(Unit.code == "PNV"))
        if org_a is None:  # a database whose demo predates organisations: put it all in one
            org_a = "SADEC"
            session.add(Organisation(code=org_a, name="Thành phố Sa Đéc", kind="thanh_pho", aliases=[], created_at=now))
            session.flush()
            session.execute(update(Unit).where(Unit.organisation_code.is_(None)).values(organisation_code=org_a))
            session.execute(update(Plan).where(Plan.organisation_code.is_(None)).values(organisation_code=org_a))
            session.execute(update(ProcessInstance).where(ProcessInstance.tenant.is_(None)).values(tenant=org_a))
            session.execute(update(HumanTask).where(HumanTask.tenant.is_(None)).values(tenant=org_a))
        session.add(Organisation(code=ORG_B, name="Phường Thử", kind="phuong", aliases=[], created_at=now))
        session.flush()
        for code, name, short, kind, parent, aliases in UNITS_B:
            session.add(
                Unit(
                    code=code,
                    name=name,
                    short_name=short,
                    kind=kind,
                    parent_code=parent,
                    aliases=aliases,
                    organisation_code=ORG_B,
                )
            )
            session.flush()
        for username, role, unit in [
            *((u, r, UNIT_OF_ROLE_B[r]) for r, u in USERS_B.items()),
            (LEGAL_B, "staff", "B_TP"),
        ]:
            create_user(
                session,
                actor=SYSTEM_ACTOR,
                username=username,
                full_name=f"Người dùng {username}",
                password="demo",
                password_policy=False,
                unit_code=unit,
                roles=[role],
                now=now,
            )
        uow.commit()
    services.units.invalidate()
    return TwoOrganisations(org_a, ORG_B)
