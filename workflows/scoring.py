"""CCHC index scoring (Chỉ số CCHC): criteria sets, self-assessment checks, index, grouping, ranking."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

HUNDRED = Decimal(100)
_ZERO = Decimal(0)

_REQUIRED_SET_KEYS = {"code", "name", "year", "unit_kind", "version", "grouping", "areas"}
_SET_KEYS = _REQUIRED_SET_KEYS | {"total_max_points", "survey"}
_NODE_KEYS = {"code", "name", "max_points", "evidence_required", "allow_not_assessed", "criteria", "children"}


def score_round(value: Decimal | int | str, places: int = 2) -> Decimal:
    """Round points or a percentage half-up to `places` decimals, as published."""
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_points(value: Decimal) -> str:
    """Format points the Vietnamese way (decimal comma, no trailing zeros): 1.50 → "1,5"."""
    return f"{value.normalize():f}".replace(".", ",")


class CriteriaInvalid(ValueError):
    """A criteria data file is malformed; the message is Vietnamese, for the administrator."""

    code = "criteria_invalid"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class ScoreRefused(Exception):
    """Points were refused; `details["problems"]` lists every problem found, not just the first."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}


@dataclass(frozen=True)
class Criterion:
    """A node of the criteria tree: lĩnh vực, tiêu chí or (leaf) tiêu chí thành phần."""

    code: str
    name: str
    max_points: Decimal
    evidence_required: bool = False
    allow_not_assessed: bool = False
    children: tuple[Criterion, ...] = ()

    @property
    def is_leaf(self) -> bool:
        """Whether this is a scored sub-criterion."""
        return not self.children

    def leaves(self) -> Iterator[Criterion]:
        """Yield the scored sub-criteria under this node, in file order."""
        if self.is_leaf:
            yield self
        for child in self.children:
            yield from child.leaves()


@dataclass(frozen=True)
class GroupThreshold:
    """One grouping row: an index at or above `min_percent` falls in `group`."""

    group: str
    label: str
    min_percent: Decimal


@dataclass(frozen=True)
class CriteriaSet:
    """A versioned criteria tree for one unit kind and year, with survey share and grouping."""

    code: str
    name: str
    year: int
    unit_kind: str
    version: int
    total_max_points: Decimal
    areas: tuple[Criterion, ...]
    thresholds: tuple[GroupThreshold, ...]
    survey_max_points: Decimal = _ZERO
    survey_name: str = ""

    @cached_property
    def sub_criteria(self) -> dict[str, Criterion]:
        """The scored sub-criteria by code, in file order."""
        return {leaf.code: leaf for area in self.areas for leaf in area.leaves()}

    @cached_property
    def area_of(self) -> dict[str, str]:
        """Map each sub-criterion code to its area code."""
        return {leaf.code: area.code for area in self.areas for leaf in area.leaves()}

    @cached_property
    def all_codes(self) -> frozenset[str]:
        """Codes of every node (areas, criteria, sub-criteria)."""
        codes: set[str] = set()

        def walk(node: Criterion) -> None:
            codes.add(node.code)
            for child in node.children:
                walk(child)

        for area in self.areas:
            walk(area)
        return frozenset(codes)


@dataclass(frozen=True)
class IndexResult:
    """The index of one unit; `max` is the denominator actually used."""

    achieved: Decimal
    max: Decimal
    index_percent: Decimal
    per_area: dict[str, tuple[Decimal, Decimal]]
    group: str = ""
    group_label: str = ""
    not_assessed: tuple[str, ...] = ()
    survey_points: Decimal | None = None


@dataclass(frozen=True)
class RankedUnit:
    """One row of the published ranking."""

    unit_code: str
    index_percent: Decimal
    rank: int
    group: str
    group_label: str


class ScoreSheet(dict[str, Decimal | None]):
    """Validated points by sub-criterion (None = không đánh giá); `flags` marks entries to double-check."""

    def __init__(self) -> None:
        super().__init__()
        self.flags: dict[str, str] = {}


# ---------------------------------------------------------------- loading


def _decimal(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise CriteriaInvalid(f"{where}: điểm phải là một số.", {"field": where})
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise CriteriaInvalid(f"{where}: điểm “{value}” không phải là số.", {"field": where}) from None
    if not result.is_finite() or result < 0:
        raise CriteriaInvalid(f"{where}: điểm phải là số không âm.", {"field": where})
    return result


def _parse_node(raw: Any, parent_code: str | None, seen: set[str]) -> Criterion:
    if not isinstance(raw, Mapping):
        raise CriteriaInvalid(f"Mục con của {parent_code} không đúng định dạng.", {"parent": parent_code})
    code = str(raw.get("code", "")).strip()
    where = f"Tiêu chí {code or '(chưa có mã)'}"
    if not code or not raw.get("name"):
        raise CriteriaInvalid(f"{where}: thiếu mã hoặc tên.", {"code": code})
    if unknown := set(raw) - _NODE_KEYS:
        raise CriteriaInvalid(f"{where}: có trường không hợp lệ {sorted(unknown)}.", {"code": code})
    if code in seen:
        raise CriteriaInvalid(f"Mã tiêu chí {code} bị trùng.", {"code": code})
    if parent_code is not None and not code.startswith(parent_code + "."):
        raise CriteriaInvalid(f"{where}: mã phải bắt đầu bằng “{parent_code}.”.", {"code": code})
    seen.add(code)
    raw_children = raw.get("criteria") or raw.get("children") or ()
    children = tuple(_parse_node(child, code, seen) for child in raw_children)
    declared = raw.get("max_points")
    if children:
        total = sum((child.max_points for child in children), _ZERO)
        if declared is not None and _decimal(declared, where) != total:
            raise CriteriaInvalid(
                f"{where}: điểm tối đa {format_points(_decimal(declared, where))} khác tổng điểm tối đa "
                f"của các tiêu chí con ({format_points(total)}).",
                {"code": code},
            )
        return Criterion(code, str(raw["name"]), total, children=children)
    max_points = _decimal(declared, where)
    if max_points <= 0:
        raise CriteriaInvalid(f"{where}: điểm tối đa phải lớn hơn 0.", {"code": code})
    return Criterion(
        code,
        str(raw["name"]),
        max_points,
        evidence_required=bool(raw.get("evidence_required", True)),
        allow_not_assessed=bool(raw.get("allow_not_assessed", False)),
    )


def _parse_thresholds(raw: Any) -> tuple[GroupThreshold, ...]:
    if not isinstance(raw, Sequence) or not raw:
        raise CriteriaInvalid("Bộ tiêu chí thiếu bảng ngưỡng xếp nhóm (grouping).")
    rows = []
    for item in raw:
        if not isinstance(item, Mapping) or not item.get("group") or not item.get("label"):
            raise CriteriaInvalid("Mỗi ngưỡng xếp nhóm cần có group, label và min_percent.")
        rows.append(
            GroupThreshold(
                str(item["group"]),
                str(item["label"]),
                _decimal(item.get("min_percent"), f"Nhóm {item['group']}"),
            )
        )
    minimums = [row.min_percent for row in rows]
    if minimums != sorted(set(minimums), reverse=True) or minimums[-1] != 0:
        raise CriteriaInvalid("Ngưỡng xếp nhóm phải giảm dần, không trùng nhau và ngưỡng cuối cùng bằng 0.")
    if len({row.group for row in rows}) != len(rows):
        raise CriteriaInvalid("Mã nhóm trong bảng ngưỡng xếp nhóm bị trùng.")
    return tuple(rows)


def load_criteria(source: str | Path | Mapping[str, Any]) -> CriteriaSet:
    """Load and check a criteria set from a YAML file path or an already-parsed mapping."""
    if isinstance(source, Mapping):
        data: Any = source
    else:
        with open(source, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    if not isinstance(data, Mapping):
        raise CriteriaInvalid("Tệp bộ tiêu chí không đúng định dạng.")
    if missing := _REQUIRED_SET_KEYS - set(data):
        raise CriteriaInvalid(f"Bộ tiêu chí thiếu trường {sorted(missing)}.", {"missing": sorted(missing)})
    if unknown := set(data) - _SET_KEYS:
        raise CriteriaInvalid(f"Bộ tiêu chí có trường không hợp lệ {sorted(unknown)}.")
    seen: set[str] = set()
    areas = tuple(_parse_node(raw, None, seen) for raw in data["areas"] or ())
    if not areas:
        raise CriteriaInvalid("Bộ tiêu chí chưa có lĩnh vực nào.")
    survey = data.get("survey") or {}
    survey_max = _decimal(survey.get("max_points", 0), "Điều tra xã hội học")
    total = _decimal(data.get("total_max_points", 100), "Tổng điểm tối đa")
    tree_total = sum((area.max_points for area in areas), _ZERO)
    if tree_total + survey_max != total:
        raise CriteriaInvalid(
            f"Tổng điểm các lĩnh vực ({format_points(tree_total)}) cộng điểm điều tra xã hội học "
            f"({format_points(survey_max)}) khác tổng điểm tối đa ({format_points(total)}).",
        )
    return CriteriaSet(
        code=str(data["code"]),
        name=str(data["name"]),
        year=int(data["year"]),
        unit_kind=str(data["unit_kind"]),
        version=int(data["version"]),
        total_max_points=total,
        areas=areas,
        thresholds=_parse_thresholds(data["grouping"]),
        survey_max_points=survey_max,
        survey_name=str(survey.get("name", "")),
    )


# ---------------------------------------------------------------- checking points


def _problem(code: str, criterion: str, message: str, **extra: str) -> dict[str, str]:
    return {"code": code, "criterion": criterion, "message": message, **extra}


def _check_points(crit: Criterion, value: Any, label: str | None = None) -> Decimal | dict[str, str]:
    """Convert one score and check its range; return the points or a problem."""
    label = label or f"Tiêu chí thành phần {crit.code}"
    invalid = _problem("score_invalid", crit.code, f"{label}: điểm không phải là số.")
    if isinstance(value, bool):
        return invalid
    try:
        points = Decimal(str(value))
    except InvalidOperation:
        return invalid
    if not points.is_finite():
        return invalid
    if points < 0:
        return _problem(
            "score_negative",
            crit.code,
            f"{label}: điểm không được âm ({format_points(points)}).",
            points=str(points),
        )
    if points > crit.max_points:
        return _problem(
            "score_above_max",
            crit.code,
            f"{label}: điểm {format_points(points)} vượt điểm tối đa {format_points(crit.max_points)}.",
            points=str(points),
            max_points=str(crit.max_points),
        )
    return points


def _unknown_code_problem(cs: CriteriaSet, code: str) -> dict[str, str]:
    if code in cs.all_codes:
        message = f"Mã {code} là lĩnh vực hoặc tiêu chí; chỉ chấm điểm tiêu chí thành phần."
    else:
        message = f"Mã tiêu chí thành phần {code} không có trong bộ tiêu chí {cs.code}."
    return _problem("unknown_criterion", code, message)


def _refuse(problems: list[dict[str, str]], what: str) -> ScoreRefused:
    codes = {problem["code"] for problem in problems}
    code = codes.pop() if len(codes) == 1 else f"{what}_invalid"
    if len(problems) == 1:
        message = problems[0]["message"]
    else:
        message = f"Bảng điểm có {len(problems)} lỗi; xem chi tiết từng tiêu chí thành phần."
    return ScoreRefused(code, message, {"problems": problems})


def validate_self_assessment(cs: CriteriaSet, entries: Mapping[str, Mapping[str, Any]]) -> ScoreSheet:
    """Check a unit's self-assessment against the criteria set; refuse listing every problem."""
    problems = [_unknown_code_problem(cs, code) for code in entries if code not in cs.sub_criteria]
    sheet = ScoreSheet()
    for code, crit in cs.sub_criteria.items():
        label = f"Tiêu chí thành phần {code}"
        entry = entries.get(code)
        if entry is None:
            message = f"{label} ({crit.name}) chưa được chấm điểm."
            problems.append(_problem("criterion_missing", code, message))
            continue
        points_raw = entry.get("points")
        if entry.get("not_assessed"):
            if not crit.allow_not_assessed:
                problems.append(
                    _problem("not_assessed_not_allowed", code, f"{label} không được đánh dấu “không đánh giá”.")
                )
            elif points_raw is not None:
                problems.append(
                    _problem(
                        "not_assessed_with_points",
                        code,
                        f"{label} đã đánh dấu “không đánh giá” nên không được có điểm.",
                    )
                )
            else:
                sheet[code] = None
            continue
        if points_raw is None:
            problems.append(_problem("score_missing", code, f"{label} chưa có điểm tự đánh giá."))
            continue
        points = _check_points(crit, points_raw)
        if isinstance(points, dict):
            problems.append(points)
            continue
        evidence = [item for item in entry.get("evidence") or () if str(item).strip()]
        explanation = str(entry.get("explanation") or "").strip()
        # Zero points claim nothing, so nothing needs proving.
        if crit.evidence_required and points > 0 and not evidence:
            if not explanation:
                problems.append(
                    _problem(
                        "evidence_missing",
                        code,
                        f"{label} cần tài liệu kiểm chứng: hãy đính kèm minh chứng hoặc ghi giải trình.",
                    )
                )
                continue
            sheet.flags[code] = "explained_without_evidence"
        sheet[code] = points
    if problems:
        raise _refuse(problems, "self_assessment")
    return sheet


# ---------------------------------------------------------------- index, groups, ranking


def group_for(index_percent: Decimal | float | str, thresholds: Sequence[GroupThreshold]) -> tuple[str, str]:
    """Return (group, label) of the first threshold the index reaches."""
    value = Decimal(str(index_percent))
    for row in sorted(thresholds, key=lambda row: row.min_percent, reverse=True):
        if value >= row.min_percent:
            return row.group, row.label
    raise ValueError(f"Chỉ số {format_points(value)} % nằm ngoài mọi ngưỡng xếp nhóm.")


def compute_index(
    cs: CriteriaSet,
    points: Mapping[str, Decimal | None],
    *,
    exclude_not_assessed: bool = False,
    survey_points: Decimal | None = None,
) -> IndexResult:
    """Compute achieved/max, the index percentage (2 decimals, half-up) and per-area subtotals.

    None marks a sub-criterion "không đánh giá": with `exclude_not_assessed` its max leaves the
    denominator, otherwise it counts as 0 of its max. Without `survey_points` the survey share is left
    out of both sides (a provisional index before the sociological survey).
    """
    problems = [_unknown_code_problem(cs, code) for code in points if code not in cs.sub_criteria]
    per_area: dict[str, list[Decimal]] = {area.code: [_ZERO, _ZERO] for area in cs.areas}
    not_assessed: list[str] = []
    for code, crit in cs.sub_criteria.items():
        if code not in points:
            problems.append(_problem("criterion_missing", code, f"Tiêu chí thành phần {code} chưa có điểm."))
            continue
        totals = per_area[cs.area_of[code]]
        value = points[code]
        if value is None:
            if not crit.allow_not_assessed:
                problems.append(
                    _problem(
                        "not_assessed_not_allowed",
                        code,
                        f"Tiêu chí thành phần {code} không được đánh dấu “không đánh giá”.",
                    )
                )
                continue
            not_assessed.append(code)
            if not exclude_not_assessed:
                totals[1] += crit.max_points
            continue
        checked = _check_points(crit, value)
        if isinstance(checked, dict):
            problems.append(checked)
            continue
        totals[0] += checked
        totals[1] += crit.max_points
    survey: Decimal | None = None
    if survey_points is not None:
        if cs.survey_max_points == 0:
            problems.append(
                _problem(
                    "survey_not_configured",
                    "survey",
                    f"Bộ tiêu chí {cs.code} không có phần điều tra xã hội học.",
                )
            )
        else:
            survey_crit = Criterion("survey", cs.survey_name, cs.survey_max_points)
            checked_survey = _check_points(survey_crit, survey_points, "Điều tra xã hội học")
            if isinstance(checked_survey, dict):
                problems.append(checked_survey)
            else:
                survey = checked_survey
    if problems:
        raise _refuse(problems, "scores")
    achieved = sum((totals[0] for totals in per_area.values()), _ZERO)
    maximum = sum((totals[1] for totals in per_area.values()), _ZERO)
    if survey is not None:
        achieved += survey
        maximum += cs.survey_max_points
    if maximum == 0:
        raise ScoreRefused("nothing_assessed", "Không có tiêu chí thành phần nào được đánh giá.", {})
    index_percent = score_round(achieved * HUNDRED / maximum)
    group, label = group_for(index_percent, cs.thresholds)
    return IndexResult(
        achieved=achieved,
        max=maximum,
        index_percent=index_percent,
        per_area={code: (totals[0], totals[1]) for code, totals in per_area.items()},
        group=group,
        group_label=label,
        not_assessed=tuple(not_assessed),
        survey_points=survey,
    )


def rank_units(
    results: Mapping[str, IndexResult],
    *,
    thresholds: Sequence[GroupThreshold] | None = None,
) -> list[RankedUnit]:
    """Rank units by published index (ties share a rank: 1, 2, 2, 4; tied units listed by unit code).

    Groups come from each result unless `thresholds` is given.
    """
    ordered = sorted(results.items(), key=lambda item: (-item[1].index_percent, item[0]))
    ranked: list[RankedUnit] = []
    for position, (unit_code, result) in enumerate(ordered, start=1):
        tied = bool(ranked) and ranked[-1].index_percent == result.index_percent
        rank = ranked[-1].rank if tied else position
        if thresholds is None:
            group, label = result.group, result.group_label
        else:
            group, label = group_for(result.index_percent, thresholds)
        ranked.append(RankedUnit(unit_code, result.index_percent, rank, group, label))
    return ranked
