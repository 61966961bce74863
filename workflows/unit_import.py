"""Importing an organisation's units from a file: a preview (``dry_run``) with every row's action and errors in
Vietnamese, then the import itself in one transaction (system administrators).

A row creates a unit or updates one of the same organisation (the file states the unit whole). Unit codes are
unique across organisations: a code another organisation uses refuses the import (409 ``unit_code_taken``).
A parent is a unit of the same organisation (in the file or already stored); a successor may be any unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import search
from engine.errors import Conflict, InvalidInput
from engine.views import Actor

from . import access, organisation, organisations
from .models import Unit
from .text_rules import normalise_text, text_problem
from .unit_files import RawUnitRow, read_units_file

CODE_RE = re.compile(r"[A-Z0-9_]{1,50}")
DATE_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
FORMULA_STARTS = ("=", "+", "-", "@")
MAX_ALIASES = 50
_LIMITS = {"name": 300, "short_name": 200}
_KIND_BY_LABEL = {
    **{code: code for code in organisation.UNIT_KINDS},
    **{label.lower(): code for code, label in organisation.UNIT_KINDS.items()},
}
_FIELDS = ("name", "short_name", "kind", "parent_code", "aliases", "valid_from", "valid_to", "successor_code")


@dataclass
class UnitRow:
    """A row as checked: the unit it states, what importing it does, and what is wrong with it."""

    row: int
    code: str
    name: str = ""
    short_name: str | None = None
    kind: str = ""
    parent_code: str | None = None
    aliases: list[str] = field(default_factory=list)
    valid_from: date | None = None
    valid_to: date | None = None
    successor_code: str | None = None
    action: str = "create"  # create | update | unchanged
    errors: list[dict[str, str]] = field(default_factory=list)

    def fail(self, column: str, message: str, code: str = "invalid") -> None:
        self.errors.append({"field": column, "message": f"Dòng {self.row}: {message}", "code": code})


@dataclass
class UnitImport:
    organisation_code: str
    dry_run: bool
    rows: list[UnitRow]

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [{"row": r.row, "code_value": r.code, **e} for r in self.rows for e in r.errors]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action and not r.errors)


def _text(raw: RawUnitRow, row: UnitRow, column: str, label: str) -> str:
    value = raw.values.get(column, "")
    if not isinstance(value, str) or "\x1f" in value:
        row.fail(column, f"{label} phải là một đoạn chữ.")
        return ""
    value = normalise_text(value).strip()
    if value.startswith(FORMULA_STARTS):
        row.fail(column, f"{label} «{value[:40]}» bắt đầu bằng «{value[0]}»: công thức không được nhận.")
        return ""
    problem = text_problem(value)
    if problem:
        row.fail(column, f"{label}: {problem}")
        return ""
    return value


def _date(raw: RawUnitRow, row: UnitRow, column: str, label: str) -> date | None:
    text = _text(raw, row, column, label)
    if not text:
        return None
    match = DATE_RE.fullmatch(text)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        return date.fromisoformat(text)
    except ValueError:
        row.fail(column, f"{label} «{text[:40]}» không phải ngày (dd/mm/yyyy hoặc yyyy-mm-dd).")
        return None


def _aliases(raw: RawUnitRow, row: UnitRow) -> list[str]:
    value = raw.values.get("aliases", "")
    parts = value if isinstance(value, list) else str(value).split(";")
    out: list[str] = []
    for part in parts:
        text = _text(RawUnitRow(raw.number, {"aliases": part}), row, "aliases", "Tên khác")
        if len(text) > 300:
            row.fail("aliases", "Mỗi tên khác tối đa 300 ký tự.")
        elif text and text not in out:
            out.append(text)
    if len(out) > MAX_ALIASES:
        row.fail("aliases", f"Tối đa {MAX_ALIASES} tên khác.")
    return out


def _check_row(raw: RawUnitRow) -> UnitRow:
    row = UnitRow(raw.number, "")
    code = _text(raw, row, "code", "Mã đơn vị")
    row.code = code
    if not CODE_RE.fullmatch(code):
        row.fail("code", f"mã «{code[:60]}» phải gồm chữ in hoa không dấu, chữ số hoặc «_» (tối đa 50 ký tự).")
    row.name = _text(raw, row, "name", "Tên đơn vị")
    if not row.name and not any(e["field"] == "name" for e in row.errors):
        row.fail("name", "thiếu tên đơn vị.")
    row.short_name = _text(raw, row, "short_name", "Tên viết tắt") or None
    for column, limit in _LIMITS.items():
        if len(getattr(row, column) or "") > limit:
            row.fail(column, f"tối đa {limit} ký tự.")
    kind = _text(raw, row, "kind", "Loại đơn vị")
    row.kind = _KIND_BY_LABEL.get(kind.lower(), "")
    if not row.kind:
        choices = ", ".join(f"{code} ({label})" for code, label in organisation.UNIT_KINDS.items())
        row.fail("kind", f"loại «{kind[:60]}» không hợp lệ; chọn một trong: {choices}.")
    row.parent_code = _text(raw, row, "parent", "Đơn vị cấp trên") or None
    row.successor_code = _text(raw, row, "successor", "Đơn vị kế thừa") or None
    row.aliases = _aliases(raw, row)
    row.valid_from = _date(raw, row, "valid_from", "Ngày bắt đầu hiệu lực")
    row.valid_to = _date(raw, row, "valid_to", "Ngày hết hiệu lực")
    if row.valid_from and row.valid_to and row.valid_to < row.valid_from:
        row.fail("valid_to", "ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.")
    return row


def _check_references(session: Session, owner: str, rows: list[UnitRow]) -> None:
    codes = [r.code for r in rows]
    in_file = set(codes)
    stored = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(in_file)))}
    parents = {u.code: u.parent_code for u in session.scalars(select(Unit).where(Unit.organisation_code == owner))}
    for row in rows:
        if codes.count(row.code) > 1 and row.code:
            row.fail("code", f"mã «{row.code}» xuất hiện nhiều lần trong tệp.", "unit_code_duplicate")
        found = stored.get(row.code)
        if found is not None and found.organisation_code != owner:
            row.fail("code", f"mã «{row.code}» đã được tổ chức khác sử dụng.", "unit_code_taken")
        parents[row.code] = row.parent_code
    outside = {r.parent_code for r in rows if r.parent_code} | {r.successor_code for r in rows if r.successor_code}
    known = {u.code: u.organisation_code for u in session.scalars(select(Unit).where(Unit.code.in_(outside)))}
    for row in rows:
        if row.parent_code and row.parent_code not in in_file:
            if row.parent_code not in known:
                row.fail("parent", f"không có đơn vị cấp trên «{row.parent_code}».")
            elif known[row.parent_code] != owner:
                row.fail("parent", f"đơn vị cấp trên «{row.parent_code}» thuộc tổ chức khác.")
        if row.successor_code and row.successor_code not in in_file and row.successor_code not in known:
            row.fail("successor", f"không có đơn vị kế thừa «{row.successor_code}».")
        if row.successor_code == row.code:
            row.fail("successor", "đơn vị không thể kế thừa chính nó.")
        seen, chain = {row.code}, row.parent_code
        while chain is not None:
            if chain in seen:
                row.fail("parent", "đơn vị cấp trên tạo thành vòng lặp (đơn vị là cấp trên của chính nó).")
                break
            seen.add(chain)
            chain = parents.get(chain)
        if found := stored.get(row.code):
            same = all(getattr(found, f) == getattr(row, f) for f in _FIELDS if f != "short_name")
            row.action = "unchanged" if same and found.short_name == (row.short_name or row.name) else "update"


def _store(session: Session, owner: str, rows: list[UnitRow]) -> None:
    stored = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_([r.code for r in rows])))}
    pending = [r for r in rows if r.action != "unchanged"]
    present = set(session.scalars(select(Unit.code).where(Unit.organisation_code == owner)))
    while pending:  # parents first; a cycle was refused by the checks
        ready = [r for r in pending if r.parent_code is None or r.parent_code in present]
        if not ready:
            raise InvalidInput("Đơn vị cấp trên tạo thành vòng lặp.", code="units_import_invalid")
        for row in ready:
            unit = stored.get(row.code)
            renamed = unit is not None and (unit.name, unit.short_name) != (row.name, row.short_name or row.name)
            if unit is None:
                unit = Unit(code=row.code, organisation_code=owner)
                session.add(unit)
                stored[row.code] = unit
            for name in ("name", "kind", "parent_code", "valid_from", "valid_to"):
                setattr(unit, name, getattr(row, name))
            unit.short_name = row.short_name or row.name
            unit.aliases = list(row.aliases)
            unit.successor_code = None  # set below, once every unit of the file exists
            present.add(row.code)
            pending.remove(row)
            if renamed:
                session.flush()
                search.refresh_unit(session, row.code, partial(organisation.instance_search_words, unit))
        session.flush()
    for row in rows:
        if row.action != "unchanged":
            stored[row.code].successor_code = row.successor_code
    session.flush()


def import_units(
    session: Session, actor: Actor, organisation_code: str, data: bytes, filename: str, *, dry_run: bool
) -> UnitImport:
    """Check (and unless ``dry_run``, store) the units of a file for an organisation.

    A preview reports every row's errors; the import itself refuses a file with any: 409 ``unit_code_taken``
    when a code belongs to another organisation, else 422 ``units_import_invalid``; nothing is stored then.
    """
    access.MANAGE_ORGANISATIONS.check(actor)
    organisations.get_row(session, organisation_code)
    rows = [_check_row(raw) for raw in read_units_file(data, filename)]
    if not rows:
        raise InvalidInput("Tệp không có đơn vị nào.", code="units_import_empty")
    _check_references(session, organisation_code, rows)
    result = UnitImport(organisation_code, dry_run, rows)
    if dry_run:
        return result
    errors = result.errors
    taken = [e for e in errors if e["code"] == "unit_code_taken"]
    if taken:
        raise Conflict(
            "Có mã đơn vị đã được tổ chức khác sử dụng; mã đơn vị phải là duy nhất trong toàn hệ thống.",
            code="unit_code_taken",
            details=taken,
        )
    if errors:
        raise InvalidInput(
            f"Tệp có {len(errors)} lỗi; chưa có đơn vị nào được nhập. Hãy sửa rồi nhập lại.",
            code="units_import_invalid",
            details=errors,
        )
    _store(session, organisation_code, rows)
    return result
