"""Checking an uploaded criteria set (bộ tiêu chí) before it is stored: every problem, each with its row.

A set arrives as a tree (the shape of ``processes/criteria/*.yaml``: areas → criteria → children) or as flat
rows (mã tiêu chí, tên, điểm tối đa, cha — an Excel sheet, or ``rows:`` in YAML/JSON). Either way it becomes
the tree form, checked node by node (codes unique and dotted under their parent, names without hidden
characters, points positive with at most two decimals and bounded, a parent's maximum the sum of its
children's, depth and size bounded, no parent cycle), and finally by ``scoring.load_criteria`` itself, so a
stored set is one the scoring helpers read exactly as they read a shipped file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.errors import InvalidInput

from . import scoring
from .text_rules import normalise_text, text_problem

MAX_NODES = 1_000  # a province's set has 50-150 sub-criteria
MAX_DEPTH = 4  # lĩnh vực → tiêu chí → tiêu chí thành phần (three levels), one more allowed
MAX_POINTS = Decimal(1000)  # of one node and of the whole set (the national scale is 100)
MAX_CODE_CHARS = 20
MAX_NAME_CHARS = 1_000
MAX_SET_NAME_CHARS = 500
MAX_PROBLEMS = 200  # reported; a file with more is refused with the first ones
SET_CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,49}")
NODE_CODE_RE = re.compile(r"[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*")
UNIT_KIND_RE = re.compile(r"[a-z][a-z0-9_]{0,29}")
UNIT_KIND_LABELS = {"cqcm": "Cơ quan chuyên môn", "xa": "UBND xã, phường"}
_SET_KEYS = {"code", "name", "year", "unit_kind", "version", "total_max_points", "survey", "grouping", "areas", "rows"}
_NODE_KEYS = {"code", "name", "max_points", "evidence_required", "allow_not_assessed", "criteria", "children"}
_ROW_KEYS = {"code", "name", "max_points", "parent", "evidence_required", "allow_not_assessed", "row"}


class CriteriaSetInvalid(InvalidInput):
    """The set cannot be stored; ``details["problems"]`` lists each problem with its row and code."""

    code = "criteria_set_invalid"
    default_message = "Bộ tiêu chí không hợp lệ."


@dataclass
class Problems:
    """Problems found so far: each a dict with ``error`` (a code), ``message`` and where (``row``, ``code``)."""

    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, error: str, message: str, **where: Any) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append({"error": error, "message": message, **{k: v for k, v in where.items() if v is not None}})

    def raise_if_any(self) -> None:
        if not self.items:
            return
        first = self.items[0]["message"]
        message = first if len(self.items) == 1 else f"Bộ tiêu chí có {len(self.items)} lỗi; lỗi đầu tiên: {first}"
        raise CriteriaSetInvalid(message, details={"problems": self.items})


@dataclass(frozen=True)
class CheckedSet:
    """A set ready to store: its tree form (``document``) and the set scoring reads from it."""

    document: dict[str, Any]
    criteria: scoring.CriteriaSet


def points(value: Any) -> Decimal | None:
    """Points as written: a number, or text with a decimal comma ("1,5"); None when it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        value = value.strip().replace(",", ".")
        if not value or len(value) > 20:
            return None
    elif not isinstance(value, int | float | Decimal):
        return None
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def _where(row: int | None, code: str | None) -> str:
    if row is not None:
        return f"Dòng {row}" + (f" (mã {code})" if code else "")
    return f"Tiêu chí {code}" if code else "Bộ tiêu chí"


def _text(raw: Any, limit: int, label: str, problems: Problems, **where: Any) -> str:
    if not isinstance(raw, str | int | float) or isinstance(raw, bool) or not str(raw).strip():
        problems.add("name_missing", f"{label}: thiếu tên.", **where)
        return ""
    text = normalise_text(str(raw).strip())
    if len(text) > limit:
        problems.add("name_too_long", f"{label}: tên dài quá {limit} ký tự.", **where)
    elif "\x00" in text:
        problems.add("name_invalid", f"{label}: tên chứa ký tự NUL.", **where)
    elif why := text_problem(text):
        problems.add("name_invalid", f"{label}: {why}", **where)
    return text[:limit]


def _node_points(raw: Any, label: str, problems: Problems, *, required: bool, **where: Any) -> Decimal | None:
    if raw is None or raw == "":
        if required:
            problems.add("points_missing", f"{label}: thiếu điểm tối đa.", **where)
        return None
    value = points(raw)
    if value is None:
        problems.add("points_invalid", f"{label}: điểm tối đa “{str(raw)[:20]}” không phải là số.", **where)
    elif value <= 0:
        problems.add("points_not_positive", f"{label}: điểm tối đa phải lớn hơn 0.", **where)
    elif value > MAX_POINTS:
        problems.add("points_too_large", f"{label}: điểm tối đa vượt quá {MAX_POINTS} điểm.", **where)
    elif value != value.quantize(Decimal("0.01")):
        problems.add("points_precision", f"{label}: điểm tối đa có nhiều hơn hai chữ số thập phân.", **where)
    else:
        return value
    return None


def _flag(raw: Any, default: bool, label: str, what: str, problems: Problems, **where: Any) -> bool:
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in {"có", "co", "x", "1", "true", "yes"}:
        return True
    if text in {"không", "khong", "0", "false", "no"}:
        return False
    problems.add("flag_invalid", f"{label}: “{what}” phải là Có hoặc Không.", **where)
    return default


# --------------------------------------------------------------------------- flat rows → tree


def rows_to_tree(rows: Sequence[Mapping[str, Any]], problems: Problems) -> list[dict[str, Any]]:
    """Nodes from flat rows with a parent code: unknown parents, self-parents and cycles are problems."""
    by_code: dict[str, dict[str, Any]] = {}
    parents: dict[str, str] = {}
    order: list[str] = []
    for index, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            problems.add("row_invalid", f"Dòng {index}: không phải một mục có các cột.", row=index)
            continue
        number = row.get("row", index)
        if unknown := set(row) - _ROW_KEYS:
            problems.add(
                "field_unknown", f"Dòng {number}: có cột không hợp lệ {sorted(map(str, unknown))}.", row=number
            )
        code = str(row.get("code") or "").strip()
        if not code:
            problems.add("code_missing", f"Dòng {number}: thiếu mã tiêu chí.", row=number)
            continue
        if code in by_code:
            first = by_code[code]["row"]
            problems.add(
                "code_duplicate", f"Dòng {number}: mã tiêu chí {code} trùng với dòng {first}.", row=number, code=code
            )
            continue
        node = {key: row.get(key) for key in ("code", "name", "max_points", "evidence_required", "allow_not_assessed")}
        node.update(code=code, row=number, children=[])
        by_code[code] = node
        order.append(code)
        parent = str(row.get("parent") or "").strip()
        if parent:
            parents[code] = parent
    for code, parent in parents.items():
        row = by_code[code]["row"]
        if parent == code:
            problems.add(
                "parent_self", f"Dòng {row}: tiêu chí {code} không thể là cha của chính nó.", row=row, code=code
            )
        elif parent not in by_code:
            problems.add("parent_unknown", f"Dòng {row}: mã cha {parent} không có trong bảng.", row=row, code=code)
        else:
            by_code[parent]["children"].append(by_code[code])
    roots = [by_code[c] for c in order if c not in parents]
    reached: set[str] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        reached.add(node["code"])
        stack.extend(node["children"])
    for code in order:
        if code not in reached and parents.get(code) in by_code and parents[code] != code:
            row = by_code[code]["row"]
            problems.add(
                "parent_cycle", f"Dòng {row}: tiêu chí {code} nằm trong một vòng lặp mã cha.", row=row, code=code
            )
    return roots


# --------------------------------------------------------------------------- the tree, node by node


def _check_node(
    raw: Any, parent: str | None, depth: int, seen: dict[str, Any], problems: Problems, budget: list[int]
) -> dict[str, Any] | None:
    row = raw.get("row") if isinstance(raw, Mapping) else None
    if not isinstance(raw, Mapping):
        problems.add("node_invalid", f"Mục con của {parent or 'bộ tiêu chí'} không đúng định dạng.", code=parent)
        return None
    budget[0] += 1
    if budget[0] > MAX_NODES:
        if budget[0] == MAX_NODES + 1:
            problems.add("too_many_nodes", f"Bộ tiêu chí có hơn {MAX_NODES} tiêu chí.")
        return None
    code = str(raw.get("code") or "").strip()
    where = {"row": row, "code": code or None}
    label = _where(row, code)
    if unknown := set(raw) - _NODE_KEYS - {"row"}:
        problems.add("field_unknown", f"{label}: có trường không hợp lệ {sorted(map(str, unknown))}.", **where)
    if not code:
        problems.add("code_missing", f"{label}: thiếu mã tiêu chí.", **where)
    elif len(code) > MAX_CODE_CHARS or not NODE_CODE_RE.fullmatch(code):
        problems.add(
            "code_invalid",
            f"{label}: mã tiêu chí chỉ gồm chữ, số và dấu chấm (tối đa {MAX_CODE_CHARS} ký tự).",
            **where,
        )
    elif code in seen:
        problems.add("code_duplicate", f"{label}: mã tiêu chí {code} bị trùng.", **where)
    elif parent is not None and not code.startswith(parent + "."):
        problems.add("code_not_under_parent", f"{label}: mã phải bắt đầu bằng “{parent}.”.", **where)
    seen[code] = True
    name = _text(raw.get("name"), MAX_NAME_CHARS, label, problems, **where)
    children_raw = raw.get("criteria") or raw.get("children") or []
    if not isinstance(children_raw, list):
        problems.add("children_invalid", f"{label}: danh sách tiêu chí con không đúng định dạng.", **where)
        children_raw = []
    if children_raw and depth >= MAX_DEPTH:
        problems.add("too_deep", f"{label}: bộ tiêu chí sâu quá {MAX_DEPTH} cấp.", **where)
        children_raw = []
    children = [c for c in (_check_node(r, code, depth + 1, seen, problems, budget) for r in children_raw) if c]
    declared = _node_points(raw.get("max_points"), label, problems, required=not children_raw, **where)
    node: dict[str, Any] = {"code": code, "name": name}
    if children_raw:
        total = sum((Decimal(str(c["max_points"])) for c in children), Decimal(0))
        if declared is not None and len(children) == len(children_raw) and declared != total:
            problems.add(
                "points_sum",
                f"{label}: điểm tối đa {scoring.format_points(declared)} khác tổng điểm tối đa của các tiêu chí "
                f"con ({scoring.format_points(total)}).",
                **where,
            )
        node.update(max_points=float(total), children=children)
        return node
    node["max_points"] = float(declared) if declared is not None else 0.0
    node["evidence_required"] = _flag(
        raw.get("evidence_required"), True, label, "bắt buộc minh chứng", problems, **where
    )
    node["allow_not_assessed"] = _flag(
        raw.get("allow_not_assessed"), False, label, "được không đánh giá", problems, **where
    )
    return node


def _grouping(raw: Any, fallback: Sequence[Mapping[str, Any]] | None, problems: Problems) -> list[dict[str, Any]]:
    if raw is None and fallback:
        return [dict(row) for row in fallback]
    rows: list[dict[str, Any]] = []
    if not isinstance(raw, list) or not raw or len(raw) > 20:
        problems.add("grouping_invalid", "Bộ tiêu chí thiếu bảng ngưỡng xếp nhóm (grouping) hoặc bảng quá dài.")
        return rows
    for item in raw:
        if not isinstance(item, Mapping) or not item.get("group") or not item.get("label"):
            problems.add("grouping_invalid", "Mỗi ngưỡng xếp nhóm cần có group, label và min_percent.")
            return []
        minimum = points(item.get("min_percent"))
        if minimum is None or not 0 <= minimum <= 100:
            problems.add("grouping_invalid", f"Nhóm {str(item['group'])[:10]}: min_percent phải từ 0 đến 100.")
            return []
        group = _text(item["group"], 10, "Mã nhóm", problems)
        label = _text(item["label"], 100, f"Nhóm {group}", problems)
        rows.append({"group": group, "label": label, "min_percent": float(minimum)})
    return rows


def _header(raw: Mapping[str, Any], problems: Problems) -> dict[str, Any]:
    if unknown := set(raw) - _SET_KEYS:
        problems.add("field_unknown", f"Bộ tiêu chí có trường không hợp lệ {sorted(map(str, unknown))}.")
    code = str(raw.get("code") or "").strip()
    if not SET_CODE_RE.fullmatch(code):
        problems.add("set_code_invalid", "Mã bộ tiêu chí bắt buộc: chữ, số, dấu chấm, gạch ngang (tối đa 50 ký tự).")
    name = _text(raw.get("name"), MAX_SET_NAME_CHARS, "Bộ tiêu chí", problems)
    year = raw.get("year")
    if isinstance(year, str) and year.strip().isdigit() and len(year.strip()) == 4:
        year = int(year)
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        problems.add("year_invalid", "Năm áp dụng của bộ tiêu chí phải là số từ 2000 đến 2100.")
        year = 0
    kind = str(raw.get("unit_kind") or "").strip()
    if not UNIT_KIND_RE.fullmatch(kind):
        problems.add("unit_kind_invalid", "Loại đơn vị áp dụng (unit_kind) bắt buộc, ví dụ: xa, cqcm.")
    return {"code": code, "name": name, "year": year, "unit_kind": kind}


def check_criteria_set(raw: Any, *, default_grouping: Sequence[Mapping[str, Any]] | None = None) -> CheckedSet:
    """The set in tree form and as scoring reads it; ``CriteriaSetInvalid`` (422) listing every problem."""
    problems = Problems()
    if not isinstance(raw, Mapping):
        problems.add("set_invalid", "Tệp bộ tiêu chí phải là một đối tượng có các trường code, name, year, unit_kind.")
        problems.raise_if_any()
    document = _header(raw, problems)
    if raw.get("areas") is not None and raw.get("rows") is not None:
        problems.add("set_invalid", "Bộ tiêu chí chỉ có một trong hai: areas (dạng cây) hoặc rows (dạng bảng).")
    nodes_raw: Any = raw.get("areas")
    rows = raw.get("rows")
    if rows is not None:
        if not isinstance(rows, list):
            problems.add("rows_invalid", "Mục rows phải là danh sách các dòng tiêu chí.")
        elif len(rows) > MAX_NODES:  # refused before building anything of it
            problems.add("too_many_nodes", f"Bộ tiêu chí có {len(rows)} dòng, vượt giới hạn {MAX_NODES} tiêu chí.")
        else:
            nodes_raw = rows_to_tree(rows, problems)
    if not isinstance(nodes_raw, list) or not nodes_raw:
        if not problems.items:  # rows refused above already say why there is no tree
            problems.add("areas_missing", "Bộ tiêu chí chưa có lĩnh vực nào.")
        nodes_raw = []
    seen: dict[str, Any] = {}
    budget = [0]
    areas = [n for n in (_check_node(r, None, 1, seen, problems, budget) for r in nodes_raw) if n]
    survey_raw = raw.get("survey") or {}
    survey_max = Decimal(0)
    survey_name = "Điều tra xã hội học"
    if not isinstance(survey_raw, Mapping):
        problems.add("survey_invalid", "Mục survey phải có name và max_points.")
    else:
        if survey_raw.get("max_points") not in (None, "", 0):
            declared_survey = _node_points(survey_raw.get("max_points"), "Điều tra xã hội học", problems, required=True)
            survey_max = declared_survey or Decimal(0)
        if survey_raw.get("name"):
            survey_name = _text(survey_raw.get("name"), MAX_NAME_CHARS, "Điều tra xã hội học", problems)
    tree_total = sum((Decimal(str(a["max_points"])) for a in areas), Decimal(0))
    total = tree_total + survey_max
    declared_total = raw.get("total_max_points")
    if declared_total not in (None, ""):
        declared = points(declared_total)
        if declared is None or declared != total:
            problems.add(
                "total_mismatch",
                f"Tổng điểm các lĩnh vực ({scoring.format_points(tree_total)}) cộng điểm điều tra xã hội học "
                f"({scoring.format_points(survey_max)}) khác tổng điểm tối đa ({str(declared_total)[:20]}).",
            )
    if total > MAX_POINTS:
        problems.add("points_too_large", f"Tổng điểm tối đa của bộ tiêu chí vượt quá {MAX_POINTS} điểm.")
    document.update(
        version=1,
        total_max_points=float(total),
        survey={"name": survey_name, "max_points": float(survey_max)},
        grouping=_grouping(raw.get("grouping"), default_grouping, problems),
        areas=areas,
    )
    problems.raise_if_any()
    try:
        criteria = scoring.load_criteria(document)
    except scoring.CriteriaInvalid as exc:  # what the checks above let through: still the administrator's file
        problems.add(exc.code, exc.message)
        problems.raise_if_any()
    return CheckedSet(document, criteria)
