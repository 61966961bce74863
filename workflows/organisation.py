"""Organisation units in the database: loading the data file, listing, adding, renaming and closing units."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import search
from engine.errors import Conflict, InvalidInput, NotFound
from engine.views import Actor

from . import access
from .models import Unit
from .org_data import OrgData, load_org_file

ORG_FILE = Path(__file__).resolve().parents[1] / "processes" / "org" / "sa-dec-2024.yaml"
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

    @classmethod
    def of(cls, row: Unit) -> UnitView:
        return cls(row.code, row.name, row.short_name, row.kind, row.parent_code, row.valid_from, row.valid_to)


def load_org(path: Path = ORG_FILE) -> OrgData:
    """The organisation data file."""
    return load_org_file(path)


def seed_units(session: Session, org: OrgData) -> int:
    """Insert the units of ``org`` that are not in the database yet (parents first); returns how many."""
    existing = set(session.scalars(select(Unit.code)))
    added = 0
    pending = [u for u in org.units if u.code not in existing]
    while pending:
        progressed = False
        for record in list(pending):
            if record.parent is None or record.parent in existing:
                session.add(
                    Unit(
                        code=record.code,
                        name=record.name,
                        short_name=record.short_name,
                        kind=record.kind,
                        parent_code=record.parent,
                        valid_from=record.valid_from,
                        valid_to=record.valid_to,
                        aliases=list(record.aliases),
                    )
                )
                existing.add(record.code)
                pending.remove(record)
                added += 1
                progressed = True
        if not progressed:
            raise InvalidInput(
                "Dữ liệu tổ chức có đơn vị cấp trên không tồn tại.",
                code="org_invalid",
                details=[u.code for u in pending],
            )
        session.flush()
    return added


def list_units(session: Session, *, on: date | None = None) -> list[UnitView]:
    """Every unit (or those valid on ``on``), by kind and name."""
    rows = session.scalars(select(Unit).order_by(Unit.kind, Unit.code))
    out = [UnitView.of(r) for r in rows]
    if on is not None:
        out = [
            u for u in out if (u.valid_from is None or u.valid_from <= on) and (u.valid_to is None or on <= u.valid_to)
        ]
    return out


def units_to_start(session: Session, actor: Actor, on: date) -> list[UnitView]:
    """The units valid on ``on`` that the actor may start processes for (Khởi tạo hồ sơ)."""
    return [u for u in list_units(session, on=on) if access.may_start_for(actor, u.code)]


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
) -> UnitView:
    """Create a unit (administrators)."""
    access.MANAGE_UNITS.check(actor)
    if session.get(Unit, code) is not None:
        raise Conflict(f'Mã đơn vị "{code}" đã tồn tại.', code="unit_exists")
    if kind not in UNIT_KINDS:
        raise InvalidInput("Loại đơn vị không hợp lệ.", code="unit_kind_invalid", details={"kind": sorted(UNIT_KINDS)})
    if parent_code is not None:
        get_unit(session, parent_code)
    row = Unit(
        code=code,
        name=name,
        short_name=short_name,
        kind=kind,
        parent_code=parent_code,
        valid_from=valid_from,
        valid_to=None,
        aliases=[],
    )
    session.add(row)
    session.flush()
    return UnitView.of(row)


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
