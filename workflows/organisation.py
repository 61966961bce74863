"""Organisations and their units in the database: loading the data files, listing, adding, renaming, closing."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import search
from engine.errors import Conflict, InvalidInput, NotFound
from engine.views import Actor

from . import access
from .models import Organisation, Unit
from .org_data import OrganisationRecord, OrgData, load_org_file

ORG_DIR = Path(__file__).resolve().parents[1] / "processes" / "org"
UNIT_KINDS = {
    "ubnd": "UBND",
    "cqcm": "Cơ quan chuyên môn",
    "su_nghiep": "Đơn vị sự nghiệp",
    "ubnd_xa": "UBND cấp xã",
    "external": "Cơ quan phối hợp",
}


@dataclass(frozen=True)
class UnitView:
    code: str
    name: str
    short_name: str | None
    kind: str
    parent_code: str | None
    valid_from: date | None
    valid_to: date | None
    organisation_code: str | None = None

    @classmethod
    def of(cls, row: Unit) -> UnitView:
        return cls(
            row.code,
            row.name,
            row.short_name,
            row.kind,
            row.parent_code,
            row.valid_from,
            row.valid_to,
            row.organisation_code,
        )


def load_org_files(directory: Path = ORG_DIR) -> list[OrgData]:
    """Every organisation data file of ``directory`` (``*.yaml``, by name), each with its ``organisation:`` header."""
    out = []
    for path in sorted(directory.glob("*.yaml")):
        org = load_org_file(path)
        if org.organisation is None:
            raise InvalidInput(f"Tệp tổ chức {path.name} thiếu phần «organisation».", code="org_data_invalid")
        out.append(org)
    return out


def organisation_row(record: OrganisationRecord, now: datetime) -> Organisation:
    return Organisation(
        code=record.code,
        name=record.name,
        kind=record.kind,
        parent_code=record.parent,
        issuing_body=record.issuing_body,
        parent_body=record.parent_body,
        place_name=record.place_name,
        valid_from=record.valid_from,
        valid_to=record.valid_to,
        successor_code=record.successor,
        aliases=list(record.aliases),
        created_at=now,
    )


def _insert_in_order(
    session: Session,
    pending: list[Any],
    existing: set[str],
    refs: Callable[[Any], tuple[str | None, ...]],
    row: Callable[[Any], Any],
    problem: str,
) -> int:
    """Insert the records of ``pending`` whose references (``refs``) are already in ``existing``, round after round
    (parents before children); a round that inserts nothing means a reference that does not exist (422)."""
    added = 0
    while pending:
        ready = [r for r in pending if all(ref is None or ref in existing for ref in refs(r))]
        if not ready:
            raise InvalidInput(problem, code="org_invalid", details=[r.code for r in pending])
        for record in ready:
            session.add(row(record))
            existing.add(record.code)
            pending.remove(record)
            added += 1
        session.flush()
    return added


def seed_organisations(session: Session, records: list[OrganisationRecord], now: datetime) -> int:
    """Insert the organisations not in the database yet (parents and successors first); returns how many."""
    existing = set(session.scalars(select(Organisation.code)))
    return _insert_in_order(
        session,
        [r for r in records if r.code not in existing],
        existing,
        lambda r: (r.parent, r.successor),
        lambda r: organisation_row(r, now),
        "Dữ liệu tổ chức có tổ chức cấp trên hoặc tổ chức kế thừa không tồn tại.",
    )


def seed_units(session: Session, org: OrgData, organisation_code: str) -> int:
    """Insert the units of ``org`` not in the database yet, owned by ``organisation_code`` (parents first)."""
    existing = set(session.scalars(select(Unit.code)))
    return _insert_in_order(
        session,
        [u for u in org.units if u.code not in existing],
        existing,
        lambda u: (u.parent,),
        lambda u: Unit(
            code=u.code,
            name=u.name,
            short_name=u.short_name,
            kind=u.kind,
            parent_code=u.parent,
            valid_from=u.valid_from,
            valid_to=u.valid_to,
            aliases=list(u.aliases),
            organisation_code=organisation_code,
        ),
        "Dữ liệu tổ chức có đơn vị cấp trên không tồn tại.",
    )


def list_units(session: Session, *, on: date | None = None, actor: Actor | None = None) -> list[UnitView]:
    """Every unit (or those valid on ``on``) of the organisations ``actor`` sees (no actor: all), by kind and name."""
    query = select(Unit).order_by(Unit.kind, Unit.code)
    scope = access.units_scope(actor) if actor is not None else None
    rows = session.scalars(query if scope is None else query.where(scope))
    out = [UnitView.of(r) for r in rows]
    if on is not None:
        out = [
            u for u in out if (u.valid_from is None or u.valid_from <= on) and (u.valid_to is None or on <= u.valid_to)
        ]
    return out


def units_to_start(session: Session, actor: Actor, on: date) -> list[UnitView]:
    """The units valid on ``on`` that the actor may start processes for (Khởi tạo hồ sơ)."""
    return [u for u in list_units(session, on=on, actor=actor) if access.may_start_for(actor, u.code)]


def get_unit(session: Session, code: str) -> Unit:
    unit = session.get(Unit, code)
    if unit is None:
        raise NotFound(f'Không tìm thấy đơn vị "{code}".', code="unit_not_found")
    return unit


def add_unit(
    session: Session,
    *,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    parent_code: str | None = None,
    short_name: str | None = None,
    valid_from: date | None = None,
    organisation_code: str | None = None,
) -> UnitView:
    """Create a unit (administrators) in ``organisation_code``, else its parent's, else the actor's organisation."""
    access.MANAGE_UNITS.check(actor)
    if session.get(Unit, code) is not None:
        raise Conflict(f'Mã đơn vị "{code}" đã tồn tại.', code="unit_exists")
    if kind not in UNIT_KINDS:
        raise InvalidInput("Loại đơn vị không hợp lệ.", code="unit_kind_invalid", details={"kind": sorted(UNIT_KINDS)})
    parent = get_unit(session, parent_code) if parent_code is not None else None
    owner = (
        organisation_code
        or (parent.organisation_code if parent is not None else None)
        or _actor_organisation(session, actor)
    )
    if owner is None or session.get(Organisation, owner) is None:
        raise InvalidInput(
            "Chưa chọn tổ chức của đơn vị.",
            code="organisation_required",
            details={"organisation_code": ["Tổ chức không tồn tại."]},
        )
    if parent is not None and parent.organisation_code != owner:
        raise InvalidInput(
            "Đơn vị cấp trên thuộc tổ chức khác.",
            code="unit_parent_other_organisation",
            details={"parent_code": ["Đơn vị cấp trên phải thuộc cùng tổ chức."]},
        )
    row = Unit(
        code=code,
        name=name,
        short_name=short_name,
        kind=kind,
        parent_code=parent_code,
        valid_from=valid_from,
        valid_to=None,
        aliases=[],
        organisation_code=owner,
    )
    session.add(row)
    session.flush()
    return UnitView.of(row)


def _actor_organisation(session: Session, actor: Actor) -> str | None:
    unit = session.get(Unit, actor.unit_code) if actor.unit_code else None
    return unit.organisation_code if unit is not None else None


def organisation_of_unit(session: Session, unit_code: str | None) -> str | None:
    """The organisation that owns ``unit_code`` (None when there is no such unit): the tenant of its instances."""
    if unit_code is None:
        return None
    return session.scalar(select(Unit.organisation_code).where(Unit.code == unit_code))


def update_unit(
    session: Session,
    code: str,
    *,
    actor: Actor,
    name: str | None = None,
    short_name: str | None = None,
    valid_to: date | None = None,
) -> UnitView:
    """Rename or close a unit (administrators; closing keeps it: old plans still open)."""
    access.MANAGE_UNITS.check(actor)
    row = get_unit(session, code)
    renamed = (name is not None and name != row.name) or (short_name is not None and short_name != row.short_name)
    if name is not None:
        row.name = name
    if short_name is not None:
        row.short_name = short_name
    if renamed:  # lists find the unit's instances by its new name
        search.refresh_unit(session, code, lambda data: instance_search_words(row, data))
    if valid_to is not None:
        if row.valid_from is not None and valid_to < row.valid_from:
            raise InvalidInput("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.", code="unit_dates_invalid")
        row.valid_to = valid_to
    session.flush()
    return UnitView.of(row)


def instance_search_words(unit: Unit | None, data: Mapping[str, Any]) -> list[str]:
    """What lists find an instance by beside its title, process and unit code: the unit's names, the activity code.

    The same words as migration 0004 fills in for instances started before it.
    """
    code = data.get("activity_code")
    words = [unit.name, unit.short_name or ""] if unit is not None else []
    return [*words, code] if isinstance(code, str) else words
