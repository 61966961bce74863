"""Organisations (tỉnh, xã/phường, sở…) as data: list, read, create and change them (system administrators).

The province role reads the organisations under its own (its subtree: every organisation whose ``parent_code``
chain reaches it); nobody else reads them here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import Conflict, InvalidInput, NotFound
from engine.views import Actor

from . import access
from .models import Organisation, Plan, Unit
from .org_data import ORGANISATION_KINDS
from .text_rules import normalise_text, text_problem

CODE_RE = re.compile(r"[A-Z0-9_]{1,50}")
KIND_LABELS = {
    "tinh": "Tỉnh",
    "thanh_pho_tw": "Thành phố trực thuộc trung ương",
    "huyen": "Huyện",
    "thanh_pho": "Thành phố",
    "thi_xa": "Thị xã",
    "xa": "Xã",
    "phuong": "Phường",
    "dac_khu": "Đặc khu",
    "so": "Sở, ngành",
    "other": "Khác",
}
MAX_ALIASES = 50
_TEXT_FIELDS = {"name": 300, "issuing_body": 300, "parent_body": 300, "place_name": 100}


@dataclass(frozen=True)
class OrganisationView:
    code: str
    name: str
    kind: str
    kind_label: str
    parent_code: str | None
    issuing_body: str | None
    parent_body: str | None
    place_name: str | None
    valid_from: date | None
    valid_to: date | None
    successor_code: str | None
    aliases: list[str]
    created_at: datetime
    unit_count: int = 0
    plan_count: int = 0

    @classmethod
    def of(cls, row: Organisation, unit_count: int = 0, plan_count: int = 0) -> OrganisationView:
        return cls(
            row.code,
            row.name,
            row.kind,
            KIND_LABELS.get(row.kind, row.kind),
            row.parent_code,
            row.issuing_body,
            row.parent_body,
            row.place_name,
            row.valid_from,
            row.valid_to,
            row.successor_code,
            list(row.aliases or []),
            row.created_at,
            unit_count,
            plan_count,
        )


def subtree(session: Session, code: str) -> set[str]:
    """``code`` and every organisation whose parent chain reaches it."""
    children: dict[str | None, list[str]] = {}
    for child, parent in session.execute(select(Organisation.code, Organisation.parent_code)):
        children.setdefault(parent, []).append(child)
    found: set[str] = set()
    pending = [code]
    while pending:
        current = pending.pop()
        if current not in found:
            found.add(current)
            pending.extend(children.get(current, ()))
    return found


def _readable(session: Session, actor: Actor) -> set[str] | None:
    """The codes ``actor`` may read (None: every one); Forbidden for roles that read none."""
    access.READ_ORGANISATIONS.check(actor)
    if access.MANAGE_ORGANISATIONS.allows(actor):
        return None
    own = session.scalar(select(Unit.organisation_code).where(Unit.code == actor.unit_code))
    return subtree(session, own) if actor.unit_code and own else set()


def _counts(session: Session, model: type[Unit] | type[Plan]) -> dict[str, int]:
    rows = session.execute(select(model.organisation_code, func.count()).group_by(model.organisation_code))
    return {code: count for code, count in rows}


def list_organisations(session: Session, actor: Actor) -> list[OrganisationView]:
    """The organisations the actor reads, by code, with how many units and plans each holds."""
    readable = _readable(session, actor)
    units, plans = _counts(session, Unit), _counts(session, Plan)
    rows = session.scalars(select(Organisation).order_by(Organisation.code))
    return [
        OrganisationView.of(row, units.get(row.code, 0), plans.get(row.code, 0))
        for row in rows
        if readable is None or row.code in readable
    ]


def get_row(session: Session, code: str) -> Organisation:
    row = session.get(Organisation, code)
    if row is None:
        raise NotFound(f'Không tìm thấy tổ chức "{code}".', code="organisation_not_found")
    return row


def get_organisation(session: Session, actor: Actor, code: str) -> OrganisationView:
    """One organisation (404 also for one outside the actor's subtree: it is not there for them)."""
    row = check_readable(session, actor, code)
    return OrganisationView.of(row, _counts(session, Unit).get(code, 0), _counts(session, Plan).get(code, 0))


def _clean_text(field: str, value: Any, problems: dict[str, list[str]]) -> str | None:
    if value is None:
        return None
    text = normalise_text(str(value)).strip()
    problem = text_problem(text)
    if problem:
        problems.setdefault(field, []).append(problem)
    elif len(text) > _TEXT_FIELDS[field]:
        problems.setdefault(field, []).append(f"Tối đa {_TEXT_FIELDS[field]} ký tự.")
    return text or None


def _apply(session: Session, row: Organisation, fields: Mapping[str, Any]) -> None:
    """Check ``fields`` and write them onto ``row``; a 422 naming every bad field, nothing written."""
    problems: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for field in _TEXT_FIELDS:
        if field in fields:
            values[field] = _clean_text(field, fields[field], problems)
    if "name" in values and not values["name"]:
        problems.setdefault("name", []).append("Tên tổ chức là bắt buộc.")
    if "kind" in fields:
        if fields["kind"] not in ORGANISATION_KINDS:
            problems.setdefault("kind", []).append(f"Chọn một trong: {', '.join(ORGANISATION_KINDS)}.")
        values["kind"] = fields["kind"]
    if "aliases" in fields:
        aliases = [normalise_text(str(a)).strip() for a in fields["aliases"] or ()]
        bad = [a for a in aliases if text_problem(a) or len(a) > 300]
        if bad or len(aliases) > MAX_ALIASES:
            problems.setdefault("aliases", []).append(f"Tối đa {MAX_ALIASES} tên khác, mỗi tên tối đa 300 ký tự.")
        values["aliases"] = [a for a in dict.fromkeys(aliases) if a]
    for field in ("valid_from", "valid_to"):
        if field in fields:
            values[field] = fields[field]
    start = values.get("valid_from", row.valid_from)
    end = values.get("valid_to", row.valid_to)
    if start is not None and end is not None and end < start:
        problems.setdefault("valid_to", []).append("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.")
    for field, label in (("parent_code", "Tổ chức cấp trên"), ("successor_code", "Tổ chức kế thừa")):
        if field not in fields:
            continue
        target = fields[field] or None
        if target is not None and (target == row.code or session.get(Organisation, target) is None):
            problems.setdefault(field, []).append(f"{label} không tồn tại hoặc là chính tổ chức này.")
        values[field] = target
    parent = values.get("parent_code")
    if parent is not None and row.code in _ancestors(session, parent):
        problems.setdefault("parent_code", []).append("Tổ chức cấp trên không được là tổ chức cấp dưới của nó.")
    if problems:
        raise InvalidInput("Thông tin tổ chức không hợp lệ.", code="organisation_invalid", details=problems)
    for field, value in values.items():
        setattr(row, field, value)


def _ancestors(session: Session, code: str) -> set[str]:
    seen: set[str] = set()
    current: str | None = code
    while current is not None and current not in seen:
        seen.add(current)
        current = session.scalar(select(Organisation.parent_code).where(Organisation.code == current))
    return seen


def create_organisation(session: Session, actor: Actor, fields: Mapping[str, Any], now: datetime) -> OrganisationView:
    """A new organisation (system administrators); 409 ``organisation_exists`` when the code is taken."""
    access.MANAGE_ORGANISATIONS.check(actor)
    code = str(fields.get("code") or "")
    if not CODE_RE.fullmatch(code):
        raise InvalidInput(
            "Mã tổ chức không hợp lệ.",
            code="organisation_invalid",
            details={"code": ["Mã gồm chữ in hoa không dấu, chữ số hoặc dấu gạch dưới (tối đa 50 ký tự)."]},
        )
    if session.get(Organisation, code) is not None:
        raise Conflict(f'Mã tổ chức "{code}" đã tồn tại.', code="organisation_exists")
    row = Organisation(code=code, aliases=[], created_at=now)
    _apply(session, row, {"aliases": [], **{k: v for k, v in fields.items() if k != "code"}})
    session.add(row)
    session.flush()
    return OrganisationView.of(row)


def update_organisation(session: Session, actor: Actor, code: str, fields: Mapping[str, Any]) -> OrganisationView:
    """Change an organisation's fields (system administrators); its code never changes."""
    access.MANAGE_ORGANISATIONS.check(actor)
    row = get_row(session, code)
    _apply(session, row, fields)
    session.flush()
    return OrganisationView.of(row, _counts(session, Unit).get(code, 0), _counts(session, Plan).get(code, 0))


def check_readable(session: Session, actor: Actor, code: str) -> Organisation:
    """The organisation, if the actor reads it; else 404 (province outside its subtree) or 403."""
    readable = _readable(session, actor)
    if readable is not None and code not in readable:
        raise NotFound(f'Không tìm thấy tổ chức "{code}".', code="organisation_not_found")
    return get_row(session, code)

