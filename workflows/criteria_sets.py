"""An organisation's criteria sets (bộ tiêu chí Chỉ số CCHC): list, import (checked, with a preview), read, delete.

The shipped ``processes/criteria/*.yaml`` are the shared sets every organisation may score with; an
organisation's own set, stored here, replaces the shared one of the same unit kind for its rounds of that year
(``script_helpers.CriteriaLibrary.choose``, called when a round opens, which records the set used). Who manages
them: ``access.may_manage_criteria_for`` — another organisation's sets are a 404, as if they did not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.errors import Conflict, NotFound
from engine.models import ProcessInstance
from engine.views import Actor

from . import access
from .criteria_files import read_criteria_file
from .criteria_rules import UNIT_KIND_LABELS, CheckedSet, check_criteria_set
from .models import CriteriaSetRow, Organisation
from .script_helpers import CRITERIA_DIR, STORED_PREFIX, CriteriaLibrary, HelperRefused

_LIBRARY = CriteriaLibrary(CRITERIA_DIR)
HEADER_FIELDS = ("code", "name", "year", "unit_kind")


@dataclass(frozen=True)
class CriteriaSetView:
    """One set as listed: ``id`` None for a shipped (file) set, ``ref`` what a round records."""

    id: int | None
    ref: str
    organisation_code: str | None
    code: str
    name: str
    year: int
    unit_kind: str
    unit_kind_label: str
    max_points: float
    sub_criteria: int
    shared: bool
    source_name: str | None = None
    created_by: str | None = None
    created_at: datetime | None = None
    tree: dict[str, Any] | None = None


def _kind_label(kind: str) -> str:
    return UNIT_KIND_LABELS.get(kind, kind)


def _leaves(nodes: Any) -> int:
    count = 0
    for node in nodes or ():
        children = node.get("children") or node.get("criteria")
        count += _leaves(children) if children else 1
    return count


def _row_view(row: CriteriaSetRow, *, with_tree: bool = False) -> CriteriaSetView:
    return CriteriaSetView(
        id=row.id,
        ref=f"{STORED_PREFIX}{row.id}",
        organisation_code=row.organisation_code,
        code=row.code,
        name=row.name,
        year=row.year,
        unit_kind=row.unit_kind,
        unit_kind_label=_kind_label(row.unit_kind),
        max_points=float(row.max_points),
        sub_criteria=_leaves(row.tree.get("areas")),
        shared=row.organisation_code is None,
        source_name=row.source_name,
        created_by=row.created_by,
        created_at=row.created_at,
        tree=row.tree if with_tree else None,
    )


def _shipped_views() -> list[CriteriaSetView]:
    views = []
    for code in _LIBRARY.builtin_codes():
        try:
            cs = _LIBRARY.get(code)
        except HelperRefused:  # a broken shipped file is the scoring round's incident, not the list's
            continue
        views.append(
            CriteriaSetView(
                id=None,
                ref=code,
                organisation_code=None,
                code=cs.code,
                name=cs.name,
                year=cs.year,
                unit_kind=cs.unit_kind,
                unit_kind_label=_kind_label(cs.unit_kind),
                max_points=float(cs.total_max_points),
                sub_criteria=len(cs.sub_criteria),
                shared=True,
                source_name=f"{code}.yaml",
            )
        )
    return views


def _managed_organisation(session: Session, actor: Actor, organisation_code: str) -> Organisation:
    """The organisation whose sets ``actor`` manages; 403 without the role, 404 for one it may not manage."""
    access.MANAGE_CRITERIA.check(actor)
    organisation = session.get(Organisation, organisation_code)
    if organisation is None or not access.may_manage_criteria_for(actor, organisation.code):
        raise NotFound(f'Không tìm thấy tổ chức "{organisation_code}".', code="organisation_not_found")
    return organisation


def list_criteria_sets(session: Session, actor: Actor, organisation_code: str) -> list[CriteriaSetView]:
    """The organisation's own sets (newest year first), then the shared ones it falls back to."""
    organisation = _managed_organisation(session, actor, organisation_code)
    rows = session.scalars(
        select(CriteriaSetRow)
        .where(or_(CriteriaSetRow.organisation_code == organisation.code, CriteriaSetRow.organisation_code.is_(None)))
        .order_by(CriteriaSetRow.organisation_code.is_(None), CriteriaSetRow.year.desc(), CriteriaSetRow.id.desc())
    )
    return [_row_view(row) for row in rows] + _shipped_views()


def _visible_row(session: Session, actor: Actor, organisation_code: str, set_id: int) -> CriteriaSetRow:
    organisation = _managed_organisation(session, actor, organisation_code)
    row = session.get(CriteriaSetRow, set_id)
    if row is None or row.organisation_code != organisation.code:
        raise NotFound(f"Không tìm thấy bộ tiêu chí số {set_id}.", code="criteria_set_not_found")
    return row


def get_criteria_set(session: Session, actor: Actor, organisation_code: str, set_id: int) -> CriteriaSetView:
    """One of the organisation's own sets with its whole tree."""
    return _row_view(_visible_row(session, actor, organisation_code, set_id), with_tree=True)


def default_grouping(unit_kind: str) -> list[dict[str, Any]] | None:
    """The grouping of the shipped set of ``unit_kind`` (an Excel sheet carries only the tree)."""
    for code in _LIBRARY.builtin_codes():
        try:
            cs = _LIBRARY.get(code)
        except HelperRefused:
            continue
        if cs.unit_kind == unit_kind:
            return [{"group": t.group, "label": t.label, "min_percent": float(t.min_percent)} for t in cs.thresholds]
    return None


def check_upload(data: bytes, filename: str, header: Mapping[str, Any]) -> CheckedSet:
    """Read and check an uploaded set; ``header`` (the form's code, name, year, unit_kind) fills what the file
    does not say — an Excel sheet says none of it."""
    document = read_criteria_file(data, filename)
    if isinstance(document, Mapping):
        given = {k: v for k, v in header.items() if k in HEADER_FIELDS and v not in (None, "")}
        document = {**given, **{k: v for k, v in document.items() if v is not None}}
    kind = str(document.get("unit_kind") or "") if isinstance(document, Mapping) else ""
    return check_criteria_set(document, default_grouping=default_grouping(kind))


def create_criteria_set(
    session: Session,
    actor: Actor,
    organisation_code: str,
    data: bytes,
    filename: str,
    header: Mapping[str, Any],
    now: datetime,
    *,
    dry_run: bool = False,
) -> CriteriaSetView:
    """Store a checked set for the organisation (``dry_run``: check and show it, store nothing); 409
    ``criteria_set_exists`` when it already has a set of that code and year."""
    organisation = _managed_organisation(session, actor, organisation_code)
    checked = check_upload(data, filename, header)
    document = checked.document
    taken = session.scalar(
        select(CriteriaSetRow.id).where(
            CriteriaSetRow.organisation_code == organisation.code,
            CriteriaSetRow.code == document["code"],
            CriteriaSetRow.year == document["year"],
        )
    )
    if taken is not None:
        raise Conflict(
            f"Tổ chức đã có bộ tiêu chí mã {document['code']} năm {document['year']}; "
            "hãy xoá bộ cũ (nếu chưa dùng) hoặc đặt mã khác.",
            code="criteria_set_exists",
            details={"id": taken},
        )
    row = CriteriaSetRow(
        organisation_code=organisation.code,
        code=document["code"],
        name=document["name"],
        year=document["year"],
        unit_kind=document["unit_kind"],
        tree=document,
        max_points=float(checked.criteria.total_max_points),
        source_name=Path(filename).name[:255] or None,
        created_by=actor.username,
        created_at=now,
    )
    if dry_run:
        return _row_view(row, with_tree=True)
    session.add(row)
    session.flush()
    return _row_view(row, with_tree=True)


def rounds_using(session: Session, set_id: int, organisation_code: str | None) -> list[int]:
    """The instances (not cancelled) whose round recorded this set."""
    ref = f"{STORED_PREFIX}{set_id}"
    query = select(ProcessInstance.id, ProcessInstance.data).where(
        ProcessInstance.process_key == access.SCORING_PROCESS, ProcessInstance.status != "cancelled"
    )
    if organisation_code is not None:
        query = query.where(ProcessInstance.tenant == organisation_code)
    return [
        instance_id
        for instance_id, data in session.execute(query)
        if isinstance(data, Mapping) and data.get("round_criteria_code") == ref
    ]


def delete_criteria_set(session: Session, actor: Actor, organisation_code: str, set_id: int) -> None:
    """Delete a set no round used; 409 ``criteria_set_in_use`` naming the rounds that did."""
    row = _visible_row(session, actor, organisation_code, set_id)
    used = rounds_using(session, row.id, row.organisation_code)
    if used:
        raise Conflict(
            f"Bộ tiêu chí {row.code} đã được dùng cho {len(used)} đợt chấm điểm (hồ sơ số "
            f"{', '.join(map(str, used[:10]))}) nên không xoá được.",
            code="criteria_set_in_use",
            details={"instances": used},
        )
    session.delete(row)
    session.flush()


def seed_criteria_set(
    session: Session, organisation_code: str, path: Path, now: datetime, created_by: str = "system"
) -> bool:
    """Store the data file ``path`` as the organisation's set unless it already holds that code and year (the
    demo's own sets, ``cchc init``); returns whether it was stored."""
    checked = check_upload(path.read_bytes(), path.name, {})
    document = checked.document
    exists = session.scalar(
        select(CriteriaSetRow.id).where(
            CriteriaSetRow.organisation_code == organisation_code,
            CriteriaSetRow.code == document["code"],
            CriteriaSetRow.year == document["year"],
        )
    )
    if exists is not None or session.get(Organisation, organisation_code) is None:
        return False
    session.add(
        CriteriaSetRow(
            organisation_code=organisation_code,
            code=document["code"],
            name=document["name"],
            year=document["year"],
            unit_kind=document["unit_kind"],
            tree=document,
            max_points=float(checked.criteria.total_max_points),
            source_name=path.name,
            created_by=created_by,
            created_at=now,
        )
    )
    session.flush()
    return True
