"""The results of an index-scoring round (Chỉ số CCHC): units × criteria, total, index, rank, xếp loại; its .xlsx.

The numbers are those the round computed and stored in its data (``processes/index_scoring``: ``final_points``
after appraisal and explanations, ``index_results`` and ``ranking`` from ``Script_index``), never recomputed
here, so the file shows what the leaders approved. The criteria tree (names, maxima) comes from the criteria set
the round recorded when it opened (``round_criteria_code``: a shipped ``processes/criteria/<code>.yaml`` or the
organisation's stored ``set:<id>``). Who may read them: ``access.visible_scoring_results``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from engine.db import UnitOfWork
from engine.errors import Conflict
from engine.models import HumanTask
from engine.views import Actor

from . import access
from .models import Unit
from .scoring import CriteriaSet, Criterion, score_round
from .script_helpers import CRITERIA_DIR, CriteriaLibrary, HelperRefused
from .xlsx_style import AREA_FILL, BOLD, bordered_row, fill, finish, header, workbook_bytes

SHEET_RANKING = "Xếp hạng"
SHEET_CRITERIA = "Điểm theo tiêu chí"
NOT_ASSESSED = "KĐG"  # không đánh giá
GROUP_FILLS = {"A": "BBF7D0", "B": "DCFCE7", "C": "DBEAFE", "D": "FEF3C7", "E": "FECACA"}
STAGE_LABELS = {
    "published": "Đã công bố",
    "approved": "Đã phê duyệt, chờ công bố",
    "provisional": "Kết quả tạm, chờ phê duyệt",
}
_LIBRARY = CriteriaLibrary(CRITERIA_DIR)


@dataclass(frozen=True)
class UnitResult:
    """One scored unit: its rank, index and xếp loại, its points per area and per sub-criterion."""

    rank: int
    unit_code: str
    unit_name: str
    achieved: float
    max: float
    index_percent: float
    group: str
    group_label: str
    area_points: dict[str, float]
    survey_points: float | None
    points: dict[str, float | None]  # sub-criterion code → points, None = không đánh giá
    not_assessed: list[str]


@dataclass(frozen=True)
class ScoringResults:
    instance_id: int
    title: str
    year: int | None
    criteria: CriteriaSet
    criteria_ref: str
    criteria_set_id: int | None
    stage: str
    decision_number: str | None
    published_on: str | None
    units: list[UnitResult]

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS[self.stage]


def scoring_results(uow: UnitOfWork, actor: Actor, instance_id: int) -> ScoringResults:
    """The ranked results of a round; 409 ``scoring_results_not_ready`` before the index is computed."""
    instance = access.visible_scoring_results(uow, actor, instance_id)
    data: Mapping[str, Any] = instance.data or {}
    session = uow.session
    names = {
        code: short or name for code, name, short in session.execute(select(Unit.code, Unit.name, Unit.short_name))
    }
    units = ranked_units(data, names)
    if units is None:
        raise Conflict(
            "Đợt chấm điểm chưa có kết quả: Chỉ số CCHC được tính sau khi nhập điểm điều tra xã hội học.",
            code="scoring_results_not_ready",
        )
    try:
        # the set the round recorded when it opened (an organisation's own: ``set:<id>``), even if newer exist
        criteria = _LIBRARY.get(data.get("round_criteria_code") or data.get("criteria_code"), session)
    except HelperRefused as exc:
        raise Conflict(exc.message, code=exc.code) from exc
    published = instance.status == "completed"
    publishing = session.scalar(
        select(HumanTask.id).where(
            HumanTask.instance_id == instance.id, HumanTask.status == "ready", HumanTask.element_id == "Task_publish"
        )
    )
    stage = "published" if published else "approved" if publishing else "provisional"
    year = data.get("year")
    return ScoringResults(
        instance_id=instance.id,
        title=instance.title or criteria.name,
        year=year if isinstance(year, int) else None,
        criteria=criteria,
        criteria_ref=str(data.get("round_criteria_code") or data.get("criteria_code")),
        criteria_set_id=_set_id(data.get("round_criteria")),
        stage=stage,
        decision_number=data.get("decision_number") if published else None,
        published_on=data.get("published_on") if published else None,
        units=units,
    )


def _set_id(choice: Any) -> int | None:
    value = choice.get("id") if isinstance(choice, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def ranked_units(data: Mapping[str, Any], names: Mapping[str, str]) -> list[UnitResult] | None:
    """The units a round ranked, in rank order, as its data stores them; None before the index is computed."""
    ranking, results, points = data.get("ranking"), data.get("index_results"), data.get("final_points")
    if not (isinstance(ranking, list) and isinstance(results, Mapping) and isinstance(points, Mapping)):
        return None
    return [
        _unit(row, results.get(row["unit_code"]) or {}, points.get(row["unit_code"]) or {}, names) for row in ranking
    ]


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _unit(
    row: Mapping[str, Any], result: Mapping[str, Any], points: Mapping[str, Any], names: Mapping[str, str]
) -> UnitResult:
    code = str(row["unit_code"])
    per_area = result.get("per_area") or {}
    survey = result.get("survey_points")
    return UnitResult(
        rank=int(row["rank"]),
        unit_code=code,
        unit_name=names.get(code, code),
        achieved=_number(result.get("achieved")),
        max=_number(result.get("max")),
        index_percent=_number(row.get("index_percent")),
        group=str(row.get("group") or ""),
        group_label=str(row.get("group_label") or ""),
        area_points={area: _number(v.get("achieved")) for area, v in per_area.items() if isinstance(v, Mapping)},
        survey_points=None if survey is None else _number(survey),
        points={str(k): None if v is None else _number(v) for k, v in points.items()},
        not_assessed=[str(c) for c in result.get("not_assessed") or []],
    )


def to_json(results: ScoringResults) -> dict[str, Any]:
    """The API's JSON of a round's results (``GET /process-instances/{id}/scoring-results``)."""
    cs = results.criteria
    return {
        "instance_id": results.instance_id,
        "title": results.title,
        "year": results.year,
        "criteria_code": cs.code,
        "criteria_name": cs.name,
        "criteria_ref": results.criteria_ref,
        "criteria_set_id": results.criteria_set_id,
        "stage": results.stage,
        "stage_label": results.stage_label,
        "decision_number": results.decision_number,
        "published_on": results.published_on,
        "areas": [{"code": a.code, "name": a.name, "max_points": float(a.max_points)} for a in cs.areas],
        "survey_max_points": float(cs.survey_max_points),
        "units": [vars(u) for u in results.units],
    }


# --------------------------------------------------------------------------- the workbook


def build_scoring_workbook(results: ScoringResults) -> bytes:
    """The .xlsx of a round: the ranking (one row per unit) and the points per criterion (one column per unit)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_RANKING
    _ranking_sheet(sheet, results)
    _criteria_sheet(book.create_sheet(SHEET_CRITERIA), results)
    title = f"KẾT QUẢ CHỈ SỐ CCHC {results.year or ''} — {results.stage_label.upper()}".replace("  ", " ")
    for ws in book.worksheets:
        ws.oddHeader.center.text = title
        ws.oddFooter.left.text = _footnote(results)
    book.properties.title = f"Kết quả Chỉ số CCHC {results.year or ''}".strip()
    return workbook_bytes(book)


def _footnote(results: ScoringResults) -> str:
    note = f"Bộ tiêu chí: {results.criteria.name} (mã {results.criteria.code})"
    if results.decision_number:
        note += f". Quyết định công bố số {results.decision_number}"
    return note


def _points(value: float | Decimal) -> float:
    return float(score_round(Decimal(str(value))))


def _ranking_sheet(sheet: Worksheet, results: ScoringResults) -> None:
    cs = results.criteria
    areas = [f"{a.code}. {a.name} (tối đa {_points(a.max_points):g})" for a in cs.areas]
    survey = [f"Điều tra xã hội học (tối đa {_points(cs.survey_max_points):g})"] if cs.survey_max_points else []
    names = [
        "Xếp hạng",
        "Mã đơn vị",
        "Đơn vị",
        *areas,
        *survey,
        "Tổng điểm",
        "Điểm tối đa",
        "Chỉ số CCHC (%)",
        "Xếp loại",
    ]
    header(sheet, names, [9, 11, 30, *([16] * (len(areas) + len(survey))), 11, 11, 12, 14])
    for unit in results.units:
        row = bordered_row(
            sheet,
            [
                unit.rank,
                unit.unit_code,
                unit.unit_name,
                *(_points(unit.area_points.get(a.code, 0.0)) for a in cs.areas),
                *([unit.survey_points] if survey else []),
                _points(unit.achieved),
                _points(unit.max),
                unit.index_percent,
                unit.group_label,
            ],
        )
        sheet.cell(row, len(names)).fill = fill(GROUP_FILLS.get(unit.group, "FFFFFF"))
        sheet.cell(row, len(names) - 1).number_format = "0.00"
    sheet.row_dimensions[1].height = 75
    finish(sheet, len(names))


def _criteria_sheet(sheet: Worksheet, results: ScoringResults) -> None:
    units = results.units
    names = ["Mã", "Tiêu chí", "Điểm tối đa", *(u.unit_name for u in units)]
    header(sheet, names, [9, 60, 10, *([14] * len(units))])

    def node_points(node: Criterion, unit: UnitResult) -> float | str | None:
        if node.is_leaf:
            if node.code in unit.not_assessed or (node.code in unit.points and unit.points[node.code] is None):
                return NOT_ASSESSED
            value = unit.points.get(node.code)
            return None if value is None else _points(value)
        return _points(sum((unit.points.get(leaf.code) or 0.0 for leaf in node.leaves()), 0.0))

    def walk(node: Criterion, depth: int) -> None:
        row = bordered_row(
            sheet, [node.code, node.name, _points(node.max_points), *(node_points(node, u) for u in units)]
        )
        if depth < 2:
            for cell in sheet[row]:
                cell.font = BOLD
                if depth == 0:
                    cell.fill = AREA_FILL
        for child in node.children:
            walk(child, depth + 1)

    for area in results.criteria.areas:
        walk(area, 0)
    cs = results.criteria
    if cs.survey_max_points:
        bordered_row(
            sheet, ["ĐTXHH", cs.survey_name or "Điều tra xã hội học", _points(cs.survey_max_points),
                    *(u.survey_points for u in units)]
        )  # fmt: skip
    for label, values in (
        ("Tổng điểm", [_points(u.achieved) for u in units]),
        ("Chỉ số CCHC (%)", [u.index_percent for u in units]),
        ("Xếp hạng", [u.rank for u in units]),
        ("Xếp loại", [u.group_label for u in units]),
    ):
        row = bordered_row(sheet, ["", label, None, *values])
        for cell in sheet[row]:
            cell.font = BOLD
    finish(sheet, len(names))
