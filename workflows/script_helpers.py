"""The CCHC domain helpers that diagram scripts may call: JSON in, JSON out, the math stays in scoring/survey.

Task data is JSON, so every Decimal leaves as a float and every refusal leaves as a ``HelperRefused``
(a ``ValueError``) whose Vietnamese message lists each problem: in a script it becomes the incident
an administrator reads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import scoring, survey
from .models import CriteriaSetRow, Unit
from .session_context import current_session

CRITERIA_DIR = Path(__file__).resolve().parents[1] / "processes" / "criteria"
STORED_PREFIX = "set:"  # a stored criteria set's reference in a round's data: ``set:<id>``


class HelperRefused(ValueError):
    """A domain helper refused its input; ``code`` and ``details`` keep what the domain function said."""

    def __init__(self, code: str, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = dict(details or {})


def to_json(value: Any) -> Any:
    """Decimals → float, tuples → lists, recursively (task data must be plain JSON)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value


def _with_problems(message: str, problems: Sequence[str]) -> str:
    """The message, followed by each problem when there are several (the incident shows one string)."""
    if len(problems) <= 1:
        return message
    return f"{message} " + " ".join(f"({n}) {text}" for n, text in enumerate(problems, start=1))


def _refused(exc: scoring.ScoreRefused) -> HelperRefused:
    problems = [str(p.get("message", "")) for p in exc.details.get("problems", [])]
    return HelperRefused(exc.code, _with_problems(exc.message, problems), exc.details)


def _response_refused(exc: survey.ResponseInvalid) -> HelperRefused:
    problems = [f"{field}: {text}" if field else text for field, text in exc.details.items()]
    return HelperRefused(exc.code, _with_problems(exc.message, problems), {"fields": exc.details})


def _criterion_json(node: scoring.Criterion, area: str) -> dict[str, Any]:
    out: dict[str, Any] = {"code": node.code, "name": node.name, "max_points": float(node.max_points)}
    if node.is_leaf:
        out.update(evidence_required=node.evidence_required, allow_not_assessed=node.allow_not_assessed, area=area)
    else:
        out["children"] = [_criterion_json(child, area) for child in node.children]
    return out


def criteria_json(cs: scoring.CriteriaSet, file_code: str) -> dict[str, Any]:
    """A criteria set as JSON: the tree, a flat index of sub-criteria, survey share and grouping."""
    areas = [_criterion_json(area, area.code) for area in cs.areas]
    return {
        "code": file_code,
        "set_code": cs.code,
        "name": cs.name,
        "year": cs.year,
        "unit_kind": cs.unit_kind,
        "version": cs.version,
        "total_max_points": float(cs.total_max_points),
        "survey": {"name": cs.survey_name, "max_points": float(cs.survey_max_points)},
        "grouping": [{"group": t.group, "label": t.label, "min_percent": float(t.min_percent)} for t in cs.thresholds],
        "areas": areas,
        "sub_criteria": {
            code: {
                "name": crit.name,
                "max_points": float(crit.max_points),
                "evidence_required": crit.evidence_required,
                "allow_not_assessed": crit.allow_not_assessed,
                "area": cs.area_of[code],
            }
            for code, crit in cs.sub_criteria.items()
        },
    }


def _index_json(result: scoring.IndexResult) -> dict[str, Any]:
    return {
        "achieved": float(result.achieved),
        "max": float(result.max),
        "index_percent": float(result.index_percent),
        "group": result.group,
        "group_label": result.group_label,
        "per_area": {code: {"achieved": float(a), "max": float(m)} for code, (a, m) in result.per_area.items()},
        "not_assessed": list(result.not_assessed),
        "survey_points": None if result.survey_points is None else float(result.survey_points),
    }


def _index_from_json(unit_code: str, raw: Any) -> scoring.IndexResult:
    """Rebuild what ranking needs (index, group) from a ``compute_index`` result found in task data."""
    if not isinstance(raw, Mapping) or raw.get("index_percent") is None:
        raise HelperRefused(
            "index_missing", f"Kết quả Chỉ số CCHC của đơn vị {unit_code} không có tỷ lệ phần trăm (index_percent)."
        )
    return scoring.IndexResult(
        achieved=Decimal(str(raw.get("achieved", 0))),
        max=Decimal(str(raw.get("max", 0))),
        index_percent=scoring.score_round(Decimal(str(raw["index_percent"]))),
        per_area={},
        group=str(raw.get("group") or ""),
        group_label=str(raw.get("group_label") or ""),
    )


def _points(raw: Any) -> dict[str, Decimal | None]:
    if not isinstance(raw, Mapping):
        raise HelperRefused("scores_invalid", "Bảng điểm phải là một đối tượng {mã tiêu chí thành phần: điểm}.")
    # Numbers pass through str() so 0.1 stays 0.1; anything else is left for scoring to refuse by name.
    return {str(code): value if value is None else _decimal_or_raw(value) for code, value in raw.items()}


def _decimal_or_raw(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return value
    return Decimal(str(value))


def _whole_number(value: Any, what: str) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise HelperRefused("not_an_integer", f"{what} phải là số nguyên.")
    return value


class CriteriaLibrary:
    """Criteria sets by reference: ``<code>`` is the shipped ``<dir>/<code>.yaml`` (shared by every
    organisation), ``set:<id>`` a stored ``criteria_set`` row (an organisation's own, read in ``session`` or the
    caller's bound one). Each is parsed once: a stored set never changes and its id is never reused."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._sets: dict[str, scoring.CriteriaSet] = {}
        self._lock = threading.Lock()

    def builtin_codes(self) -> list[str]:
        """The codes of the shipped sets (file names without .yaml)."""
        return sorted(p.stem for p in self.directory.glob("*.yaml"))

    def get(self, code: Any, session: Session | None = None) -> scoring.CriteriaSet:
        """The criteria set of ``code``; refuses unknown codes with the list of known ones."""
        key = str(code or "").strip()
        if key.startswith(STORED_PREFIX):
            session = session or current_session.get()
            # one process may serve several databases (tests do): a stored set is cached per database
            bind = session.get_bind() if session is not None else None  # a unit of work's session: its connection
            cache_key = f"{getattr(getattr(bind, 'engine', None), 'url', '')} {key}"
        else:
            cache_key = key
        found = self._sets.get(cache_key)
        if found is not None:
            return found
        loaded = self._stored(key, session) if key.startswith(STORED_PREFIX) else self._file(key)
        with self._lock:
            self._sets[cache_key] = loaded
        return loaded

    def _file(self, key: str) -> scoring.CriteriaSet:
        path = self.directory / f"{key}.yaml"
        if not key or "/" in key or "\\" in key or key.startswith(".") or not path.is_file():
            known = ", ".join(self.builtin_codes()) or "(chưa có)"
            raise HelperRefused(
                "criteria_not_found", f"Không tìm thấy bộ tiêu chí “{key}”. Các bộ tiêu chí hiện có: {known}."
            )
        try:
            return scoring.load_criteria(path)
        except (scoring.CriteriaInvalid, yaml.YAMLError) as exc:
            raise HelperRefused("criteria_invalid", f"Bộ tiêu chí “{key}” không hợp lệ: {exc}") from exc

    def _stored(self, key: str, session: Session | None) -> scoring.CriteriaSet:
        number = key.removeprefix(STORED_PREFIX)
        session = session or current_session.get()
        row = session.get(CriteriaSetRow, int(number)) if number.isdigit() and session is not None else None
        if row is None:
            raise HelperRefused("criteria_not_found", f"Không tìm thấy bộ tiêu chí “{key}” trong cơ sở dữ liệu.")
        try:
            return scoring.load_criteria(row.tree)
        except scoring.CriteriaInvalid as exc:
            raise HelperRefused("criteria_invalid", f"Bộ tiêu chí “{row.code}” không hợp lệ: {exc}") from exc

    def choose(
        self, slot: Any, organisation_code: str | None, year: Any, session: Session | None = None
    ) -> dict[str, Any]:
        """The set a round of ``organisation_code`` scores with when it chose the shipped set ``slot`` for
        ``year``: the organisation's own set for that year and the slot's unit kind (the newest), else a shared
        stored one, else the shipped set itself. What is returned is recorded in the round's data."""
        if str(slot).strip().startswith(STORED_PREFIX):
            raise HelperRefused("criteria_not_found", "Hãy chọn một bộ tiêu chí dùng chung khi mở đợt chấm điểm.")
        shipped = self.get(slot)
        session = session or current_session.get()
        round_year = year if isinstance(year, int) and not isinstance(year, bool) else shipped.year
        owners: list[str | None] = [organisation_code, None] if organisation_code else [None]
        for owner in owners if session is not None else []:
            assert session is not None
            owned = (
                CriteriaSetRow.organisation_code.is_(None)
                if owner is None
                else CriteriaSetRow.organisation_code == owner
            )
            row = session.scalars(
                select(CriteriaSetRow)
                .where(owned, CriteriaSetRow.year == round_year, CriteriaSetRow.unit_kind == shipped.unit_kind)
                .order_by(CriteriaSetRow.id.desc())
                .limit(1)
            ).first()
            if row is not None:
                return {
                    "ref": f"{STORED_PREFIX}{row.id}",
                    "id": row.id,
                    "code": row.code,
                    "name": row.name,
                    "year": row.year,
                    "unit_kind": row.unit_kind,
                    "organisation_code": row.organisation_code,
                    "form_code": row.code,
                }
        key = str(slot).strip()
        return {
            "ref": key,
            "id": None,
            "code": shipped.code,
            "name": shipped.name,
            "year": shipped.year,
            "unit_kind": shipped.unit_kind,
            "organisation_code": None,
            "form_code": key,
        }


def domain_helpers(criteria_dir: Path | None = None) -> dict[str, Callable[..., Any]]:
    """The helpers registered in the script sandbox next to the engine's standard ones."""
    library = CriteriaLibrary(criteria_dir or CRITERIA_DIR)

    def yamane_sample_size(N: Any, e: Any = 0.05) -> int:
        """Sample size per desk: n = N / (1 + N·e²), rounded up."""
        population = _whole_number(N, "Tổng số giao dịch (N)")
        try:
            return survey.yamane_sample_size(population, e)
        except ValueError as exc:
            raise HelperRefused("sample_invalid", str(exc)) from exc

    def sipas_validate_response(resp: Any) -> dict[str, Any]:
        """One questionnaire checked and normalised; refused with a message per faulty answer."""
        try:
            return to_json(survey.validate_response(resp))  # type: ignore[no-any-return]
        except survey.ResponseInvalid as exc:
            raise _response_refused(exc) from exc

    def sipas_summary(responses: Any) -> dict[str, Any]:
        """Satisfaction per element, overall and index (percent), in total and per unit."""
        if not isinstance(responses, list | tuple):
            raise HelperRefused("responses_invalid", "Danh sách phiếu khảo sát phải là một mảng.")
        try:
            return to_json(survey.sipas_summary(responses))  # type: ignore[no-any-return]
        except survey.ResponseInvalid as exc:
            raise _response_refused(exc) from exc

    def criteria_set(code: Any) -> dict[str, Any]:
        """The criteria tree of ``processes/criteria/<code>.yaml`` or of a stored set ``set:<id>`` as JSON."""
        return criteria_json(library.get(code), str(code).strip())

    def choose_criteria_set(criteria_code: Any, unit_code: Any, year: Any = None) -> dict[str, Any]:
        """The set a round started by ``unit_code`` scores with (its organisation's own for ``year`` and the
        unit kind of ``criteria_code``, else the shared one): ``{"ref", "id", "code", "name", "form_code", …}``."""
        session = current_session.get()
        organisation = None
        if session is not None:
            organisation = session.scalar(select(Unit.organisation_code).where(Unit.code == str(unit_code)))
        return library.choose(criteria_code, organisation, year, session)

    def validate_self_assessment(criteria_code: Any, entries: Any) -> dict[str, Any]:
        """Check a unit's self-assessment; returns ``{"points": {code: points|None}, "flags": {...}}``."""
        if not isinstance(entries, Mapping):
            raise HelperRefused(
                "self_assessment_invalid", "Bảng tự đánh giá phải là một đối tượng {mã tiêu chí thành phần: ...}."
            )
        bad = sorted(str(code) for code, entry in entries.items() if not isinstance(entry, Mapping))
        if bad:
            raise HelperRefused(
                "self_assessment_invalid", f"Tiêu chí thành phần {', '.join(bad)}: phần chấm điểm không đúng định dạng."
            )
        cs = library.get(criteria_code)
        try:
            sheet = scoring.validate_self_assessment(cs, entries)
        except scoring.ScoreRefused as exc:
            raise _refused(exc) from exc
        return {"points": to_json(dict(sheet)), "flags": dict(sheet.flags)}

    def compute_index(
        criteria_code: Any, points: Any, exclude_not_assessed: bool = False, survey_points: Any = None
    ) -> dict[str, Any]:
        """The index of one unit (achieved, max, percent, group, per-area subtotals)."""
        cs = library.get(criteria_code)
        survey_value = None if survey_points is None else _decimal_or_raw(survey_points)
        try:
            result = scoring.compute_index(
                cs, _points(points), exclude_not_assessed=bool(exclude_not_assessed), survey_points=survey_value
            )
        except scoring.ScoreRefused as exc:
            raise _refused(exc) from exc
        return _index_json(result)

    def rank_units(results: Any) -> list[dict[str, Any]]:
        """Ranking rows from ``{unit_code: compute_index(...)}``; ties share a rank (1, 2, 2, 4)."""
        if not isinstance(results, Mapping):
            raise HelperRefused("results_invalid", "Kết quả xếp hạng phải là đối tượng {mã đơn vị: kết quả}.")
        rebuilt = {str(unit): _index_from_json(str(unit), raw) for unit, raw in results.items()}
        return [
            {
                "unit_code": row.unit_code,
                "index_percent": float(row.index_percent),
                "rank": row.rank,
                "group": row.group,
                "group_label": row.group_label,
            }
            for row in scoring.rank_units(rebuilt)
        ]

    return {
        "yamane_sample_size": yamane_sample_size,
        "sipas_validate_response": sipas_validate_response,
        "sipas_summary": sipas_summary,
        "criteria_set": criteria_set,
        "choose_criteria_set": choose_criteria_set,
        "validate_self_assessment": validate_self_assessment,
        "compute_index": compute_index,
        "rank_units": rank_units,
    }
