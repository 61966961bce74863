"""The organisation a plan is imported for: its units as the importer's vocabulary, its names, its parent's.

Unit names of the plan resolve only against the target organisation's own units (names, short names, aliases,
with or without diacritics) and the collective names of ``processes/plans/unit-groups.yaml`` over those units;
the organisation's own names are the suffix a unit name may carry ("Phòng Nội vụ thành phố Sa Đéc").
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput, NotFound
from engine.search import fold
from workflows.models import Organisation, Unit
from workflows.org_data import OrgData, UnitRecord, normalize_name, organisation_suffixes

from .activity_types import PLANS_DIR
from .schedule import ScheduleConfig

UNIT_GROUPS_FILE = PLANS_DIR / "unit-groups.yaml"
_BODY_RE = re.compile(r"^(?:uy ban nhan dan|ubnd|hoi dong nhan dan|hdnd)\s+")


@dataclass(frozen=True)
class TargetOrganisation:
    """What the importer knows of the organisation a plan is imported for."""

    code: str
    name: str
    names: tuple[str, ...]  # its name, aliases and issuing body: what a plan's caption may call it
    place_name: str | None
    parent_names: tuple[str, ...]  # the parent organisation's names ("Theo Kế hoạch của tỉnh …")
    vocabulary: OrgData
    issuing_unit: str | None  # its own UBND (the top unit), the plan's issuing unit

    def schedule_config(self, config: ScheduleConfig) -> ScheduleConfig:
        """``config`` with this organisation's names and its parent's, for the relative time texts."""
        return replace(
            config,
            own_names=tuple(_folded_names(self.names, self.place_name)),
            parent_names=tuple(_folded_names(self.parent_names, None)),
        )


@cache
def _groups(path: Path) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """(kinds, names) of every collective name in the groups file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(
        (tuple(str(k) for k in raw.get("kinds") or ()), tuple(str(n) for n in raw.get("names") or ()))
        for raw in data.get("groups") or ()
    )


def _folded_names(names: tuple[str, ...], place: str | None) -> list[str]:
    """Folded names without "UBND"/"Ủy ban nhân dân", with their locality word alone ("thanh pho") and short
    forms ("tp sa dec")."""
    out: list[str] = []
    for suffix in organisation_suffixes([*names, *([place] if place else [])]):
        core = _BODY_RE.sub("", fold(suffix.strip()))
        if core and core not in out:
            out.append(core)
    return out


def vocabulary(org: Organisation, units: list[Unit], groups_file: Path = UNIT_GROUPS_FILE) -> OrgData:
    """The importer's vocabulary of ``org``: its units and the collective names over them."""
    records = tuple(
        UnitRecord(
            code=u.code,
            name=u.name,
            short_name=u.short_name or u.name,
            kind=u.kind,
            parent=u.parent_code,
            valid_from=u.valid_from,
            valid_to=u.valid_to,
            aliases=tuple(u.aliases or ()),
        )
        for u in units
    )
    groups: dict[str, tuple[str, ...]] = {}
    for kinds, names in _groups(groups_file):
        members = tuple(r.code for r in records if r.kind in kinds)
        if members:  # a collective name the organisation has no unit for stays unresolved: it must be mapped
            groups.update(dict.fromkeys(names, members))
    suffixes = organisation_suffixes(
        [org.name, *(org.aliases or ()), *([org.issuing_body] if org.issuing_body else [])]
    )
    return OrgData(units=records, groups=groups, suffixes=suffixes)


def load_target(session: Session, code: str) -> TargetOrganisation:
    """The organisation ``code`` with its units (404 when there is none)."""
    org = session.get(Organisation, code)
    if org is None:
        raise NotFound(f"Không tìm thấy tổ chức «{code}».", code="organisation_not_found")
    units = list(session.scalars(select(Unit).where(Unit.organisation_code == code).order_by(Unit.code)))
    parent = session.get(Organisation, org.parent_code) if org.parent_code else None
    parent_names = [org.parent_body] if org.parent_body else []
    if parent is not None:
        parent_names += [parent.name, *(parent.aliases or ()), *([parent.issuing_body] if parent.issuing_body else [])]
    top = next((u.code for u in units if u.kind == "ubnd" and u.parent_code is None), None)
    top = top or next((u.code for u in units if u.parent_code is None), None)
    return TargetOrganisation(
        code=org.code,
        name=org.name,
        names=tuple(n for n in (org.name, *(org.aliases or ()), org.issuing_body) if n),
        place_name=org.place_name,
        parent_names=tuple(parent_names),
        vocabulary=vocabulary(org, units),
        issuing_unit=top,
    )


def issuer_matches(issuer_text: str, target: TargetOrganisation) -> bool:
    """Whether the caption's issuer ("UBND thành phố Sa Đéc") is the target organisation (or one of its units)."""
    issuer = _BODY_RE.sub("", " ".join(fold(issuer_text).split()).strip(" .,;:()"))
    names = [_BODY_RE.sub("", " ".join(fold(n).split())) for n in target.names]
    if issuer in names or any(issuer.endswith(" " + name) for name in names if len(name.split()) > 1):
        return True
    # the place alone ("Đăk Hà") is the organisation; "xã Đăk Hà" under a huyện Đăk Hà is another one
    return bool(target.place_name) and issuer == " ".join(fold(target.place_name or "").split())


def check_issuer(issuer_text: str, target: TargetOrganisation) -> None:
    """422 ``issuer_mismatch`` when the plan's caption names another organisation."""
    if issuer_text.strip() and not issuer_matches(issuer_text, target):
        raise InvalidInput(
            f"Kế hoạch do «{issuer_text}» ban hành, không phải của «{target.name}»: chọn đúng tổ chức "
            "hoặc kiểm tra lại tệp.",
            code="issuer_mismatch",
            details={"issuer": issuer_text, "organisation": {"code": target.code, "name": target.name}},
        )


def suggestions(name: str, target: TargetOrganisation, limit: int = 3) -> list[dict[str, str]]:
    """The organisation's units whose names are closest to ``name``, best first."""
    folded = fold(normalize_name(name))
    scored: list[tuple[float, str]] = []
    for unit in target.vocabulary.units:
        best = max(
            difflib.SequenceMatcher(None, folded, fold(normalize_name(n))).ratio()
            for n in (unit.name, unit.short_name, *unit.aliases)
        )
        scored.append((best, unit.code))
    scored.sort(key=lambda item: (-item[0], item[1]))
    units = {u.code: u for u in target.vocabulary.units}
    return [
        {"code": code, "name": units[code].name, "short_name": units[code].short_name}
        for score, code in scored[:limit]
        if score >= 0.4
    ]
