"""The coordinator's answer for each unit name a plan's file names and the organisation does not know.

``{"<name>": "<unit code>" | {"new": {"code", "name", "short_name", "kind"}} | "none"}``: an existing unit of the
organisation, a unit created in it by the import (same transaction), or "không giao" (explicit, recorded).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from engine.errors import Conflict, InvalidInput
from workflows.models import Unit
from workflows.org_data import OrgData, normalize_name
from workflows.organisation import UNIT_KINDS
from workflows.text_rules import normalise_text, text_problem

NONE = "none"
_CODE_RE = re.compile(r"^[A-Za-z0-9_.-]{1,50}$")


@dataclass(frozen=True)
class MappedName:
    """One unresolved name and its answer: a unit code (existing or new), or None for "không giao"."""

    name: str
    code: str | None
    new_unit: dict[str, str] | None = None

    def as_report(self) -> dict[str, Any]:
        if self.code is None:
            return {"name": self.name, "answer": "none", "label": "Không giao"}
        return {"name": self.name, "answer": "new" if self.new_unit else "unit", "unit": self.code}


def _invalid(message: str, details: Any) -> InvalidInput:
    return InvalidInput(message, code="mapping_invalid", details=details)


def parse_mapping(raw: str | None) -> dict[str, Any]:
    """The ``mapping`` form field as a JSON object (empty when absent)."""
    if raw is None or not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise _invalid("Ánh xạ đơn vị (mapping) không phải JSON hợp lệ.", {"mapping": [str(exc)]}) from exc
    if not isinstance(value, dict):
        raise _invalid("Ánh xạ đơn vị (mapping) phải là một đối tượng JSON {tên: đơn vị}.", {"mapping": ["object"]})
    return value


def _new_unit(name: str, spec: Any, problems: list[str]) -> dict[str, str]:
    if not isinstance(spec, Mapping):
        problems.append(f"«{name}»: đơn vị mới cần code, name, short_name, kind.")
        return {}
    unit = {key: normalise_text(str(spec.get(key) or "")).strip() for key in ("code", "name", "short_name", "kind")}
    if not _CODE_RE.match(unit["code"]):
        problems.append(f"«{name}»: mã đơn vị mới «{unit['code']}» chỉ gồm chữ không dấu, số, «_», «-», «.».")
    if not unit["name"]:
        problems.append(f"«{name}»: đơn vị mới chưa có tên.")
    if unit["kind"] not in UNIT_KINDS:
        problems.append(f"«{name}»: loại đơn vị «{unit['kind']}» không thuộc {', '.join(UNIT_KINDS)}.")
    for key in ("name", "short_name"):
        if len(unit[key]) > 200:
            problems.append(f"«{name}»: {key} dài quá 200 ký tự.")
        if problem := text_problem(unit[key]):
            problems.append(f"«{name}»: {problem}")
    return unit


def check_mapping(
    raw: Mapping[str, Any], unresolved: Iterable[str], organisation_units: Mapping[str, Unit]
) -> list[MappedName]:
    """Every unresolved name's answer (422 ``unmapped_units`` listing those without one; 422 ``mapping_invalid``)."""
    unresolved = list(unresolved)
    missing = [name for name in unresolved if name not in raw]
    if missing:
        raise InvalidInput(
            "Còn tên đơn vị chưa xác định: chọn đơn vị của tổ chức, tạo đơn vị mới hoặc chọn «Không giao» cho "
            f"từng tên ({', '.join(f'«{n}»' for n in missing)}).",
            code="unmapped_units",
            details={"unmapped": missing},
        )
    problems: list[str] = []
    answers: list[MappedName] = []
    new_codes: dict[str, str] = {}
    for name in unresolved:
        value = raw[name]
        if value == NONE:
            answers.append(MappedName(name, None))
        elif isinstance(value, str):
            if value not in organisation_units:
                problems.append(f"«{name}»: không có đơn vị mã «{value}» trong tổ chức.")
            answers.append(MappedName(name, value))
        elif isinstance(value, Mapping) and set(value) == {"new"}:
            unit = _new_unit(name, value["new"], problems)
            code = unit.get("code", "")
            if code in new_codes and new_codes[code] != unit.get("name"):
                problems.append(f"«{name}»: mã đơn vị mới «{code}» đã dùng cho đơn vị mới khác.")
            new_codes[code] = unit.get("name", "")
            answers.append(MappedName(name, code, unit))
        else:
            problems.append(f'«{name}»: cần mã đơn vị, {{"new": {{…}}}} hoặc "none".')
    if problems:
        raise _invalid("Ánh xạ đơn vị không hợp lệ.", problems)
    return answers


def create_new_units(session: Session, organisation_code: str, answers: Iterable[MappedName]) -> list[str]:
    """Create the mapping's new units in the organisation (409 ``unit_code_taken`` when a code is used)."""
    created: list[str] = []
    for answer in answers:
        spec = answer.new_unit
        if spec is None or spec["code"] in created:
            continue
        taken = session.get(Unit, spec["code"])
        if taken is not None:
            raise Conflict(
                f"Mã đơn vị «{spec['code']}» đã được dùng cho «{taken.name}»; chọn mã khác.",
                code="unit_code_taken",
                details={"code": spec["code"]},
            )
        session.add(
            Unit(
                code=spec["code"],
                name=spec["name"],
                short_name=spec["short_name"] or spec["name"],
                kind=spec["kind"],
                parent_code=None,
                valid_from=None,
                valid_to=None,
                aliases=[answer.name] if normalize_name(answer.name) != normalize_name(spec["name"]) else [],
                organisation_code=organisation_code,
            )
        )
        created.append(spec["code"])
    session.flush()
    return created


def with_answers(org: OrgData, answers: Iterable[MappedName]) -> OrgData:
    """``org`` where each answered name stands for its unit, or for no unit ("không giao")."""
    groups = dict(org.groups)
    for answer in answers:
        groups[answer.name] = (answer.code,) if answer.code else ()
    return replace(org, groups=groups)
