"""Satisfaction survey (SIPAS): sample size, questionnaire checks and satisfaction summary."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import yaml

# [confirm] Element wording follows the national SIPAS questionnaire as summarised in the domain notes;
# replace it through load_elements() with the province's approved questionnaire.
SIPAS_ELEMENTS: tuple[tuple[str, str], ...] = (
    ("access", "Tiếp cận dịch vụ"),
    ("procedure", "Thủ tục hành chính"),
    ("civil_servant", "Công chức trực tiếp giải quyết công việc"),
    ("result", "Kết quả cung ứng dịch vụ"),
    ("feedback", "Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị"),
)

LIKERT: Mapping[int, str] = MappingProxyType(
    {
        1: "Rất không hài lòng",
        2: "Không hài lòng",
        3: "Bình thường",
        4: "Hài lòng",
        5: "Rất hài lòng",
    }
)
SATISFIED_LEVELS = frozenset({4, 5})

# How the satisfaction index is aggregated [confirm]:
#   mean_of_elements — mean of the element percentages (elements nobody answered are left out); default;
#   overall          — the share of satisfied answers to the overall question;
#   pooled           — satisfied answers over all element answers, every answer weighing the same.
IndexMethod = Literal["mean_of_elements", "overall", "pooled"]
INDEX_METHODS: tuple[str, ...] = ("mean_of_elements", "overall", "pooled")

_CENT = Decimal("0.01")


class ResponseInvalid(ValueError):
    """A questionnaire (phiếu khảo sát) was refused; `details` maps each field to a Vietnamese message."""

    code = "response_invalid"

    def __init__(self, message: str, details: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


def yamane_sample_size(
    population: int,
    margin: float = 0.05,
    *,
    rounding: Literal["up", "nearest"] = "up",
) -> int:
    """Yamane sample size n = N / (1 + N·e²), rounded up (or to nearest, as in published tables)."""
    if isinstance(population, bool) or not isinstance(population, int):
        raise ValueError("Tổng số giao dịch (N) phải là số nguyên.")
    if population < 0:
        raise ValueError("Tổng số giao dịch (N) không được âm.")
    if isinstance(margin, bool) or not isinstance(margin, int | float | Decimal):
        raise ValueError("Sai số cho phép (e) phải là một số.")
    if not 0 < margin < 1:
        raise ValueError("Sai số cho phép (e) phải lớn hơn 0 và nhỏ hơn 1 (ví dụ 0,05).")
    if rounding not in ("up", "nearest"):
        raise ValueError("Cách làm tròn phải là “up” hoặc “nearest”.")
    if population == 0:
        return 0
    # Exact arithmetic: 0.05 as a float squares to 0.0025000000000000005 and would bend exact results.
    e = Fraction(str(margin))
    n = Fraction(population) / (1 + population * e * e)
    if rounding == "up":
        return math.ceil(n)
    return math.floor(n + Fraction(1, 2))


def load_elements(source: str | Path | Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Load the survey elements from configuration: {"elements": [{"code", "label"}, ...]}."""
    if isinstance(source, Mapping):
        data: Any = source
    else:
        with open(source, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    raw = data.get("elements") if isinstance(data, Mapping) else None
    if not isinstance(raw, Sequence) or not raw:
        raise ValueError("Cấu hình khảo sát chưa có danh sách yếu tố (elements).")
    elements: list[tuple[str, str]] = []
    for item in raw:
        if not isinstance(item, Mapping) or not item.get("code") or not item.get("label"):
            raise ValueError("Mỗi yếu tố khảo sát cần có mã (code) và tên (label).")
        elements.append((str(item["code"]), str(item["label"])))
    if len({code for code, _ in elements}) != len(elements):
        raise ValueError("Mã yếu tố khảo sát bị trùng.")
    return tuple(elements)


def _likert(value: Any) -> int | None:
    """Return the Likert level 1..5 for an int or digit string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and value in LIKERT:
        return value
    return None


_LIKERT_HINT = "phải là mức từ 1 (Rất không hài lòng) đến 5 (Rất hài lòng)"


def validate_response(
    resp: Mapping[str, Any],
    *,
    elements: Sequence[tuple[str, str]] = SIPAS_ELEMENTS,
) -> dict[str, Any]:
    """Check one questionnaire; an element left out or None means the respondent skipped it."""
    if not isinstance(resp, Mapping):
        raise ResponseInvalid("Phiếu khảo sát không đúng định dạng.", {"": "Phiếu khảo sát phải là một đối tượng."})
    labels = dict(elements)
    details: dict[str, str] = {}
    unit_code = resp.get("unit_code")
    if not isinstance(unit_code, str) or not unit_code.strip():
        details["unit_code"] = "Chưa chọn đơn vị (Bộ phận Một cửa) được khảo sát."
    raw_answers = resp.get("answers") or {}
    answers: dict[str, int] = {}
    if not isinstance(raw_answers, Mapping):
        details["answers"] = "Phần trả lời các yếu tố không đúng định dạng."
        raw_answers = {}
    for code, value in raw_answers.items():
        if code not in labels:
            details[f"answers.{code}"] = f"Yếu tố “{code}” không có trong phiếu khảo sát."
        elif value is not None:
            level = _likert(value)
            if level is None:
                details[f"answers.{code}"] = f"Câu trả lời cho yếu tố “{labels[code]}” {_LIKERT_HINT}."
            else:
                answers[code] = level
    overall = _likert(resp.get("overall"))
    if resp.get("overall") is None:
        details["overall"] = "Chưa trả lời câu hỏi về mức độ hài lòng chung."
    elif overall is None:
        details["overall"] = f"Câu trả lời về mức độ hài lòng chung {_LIKERT_HINT}."
    if details:
        raise ResponseInvalid("Phiếu khảo sát chưa hợp lệ; xem chi tiết từng câu.", details)
    return {"unit_code": str(unit_code).strip(), "answers": answers, "overall": overall}


def _percent(share: Fraction) -> Decimal:
    """Turn a share into a percentage with 2 decimals, rounded half-up."""
    return (Decimal(share.numerator) * 100 / Decimal(share.denominator)).quantize(_CENT, ROUND_HALF_UP)


def _tally(
    responses: Sequence[Mapping[str, Any]],
    elements: Sequence[tuple[str, str]],
    index_method: str,
) -> dict[str, Any]:
    counts = {code: [0, 0] for code, _ in elements}  # [answered, satisfied]
    overall = [0, 0]
    for resp in responses:
        for code, level in resp["answers"].items():
            counts[code][0] += 1
            counts[code][1] += level in SATISFIED_LEVELS
        overall[0] += 1
        overall[1] += resp["overall"] in SATISFIED_LEVELS
    shares = {code: Fraction(sat, n) if n else None for code, (n, sat) in counts.items()}
    answered = [share for share in shares.values() if share is not None]
    index: Fraction | None
    if index_method == "overall":
        index = Fraction(overall[1], overall[0]) if overall[0] else None
    elif index_method == "pooled":
        total = sum(n for n, _ in counts.values())
        index = Fraction(sum(sat for _, sat in counts.values()), total) if total else None
    else:
        # Mean of the exact shares, rounded once, so the index does not inherit rounding errors.
        index = sum(answered, Fraction(0)) / len(answered) if answered else None
    return {
        "n": len(responses),
        "elements": {
            code: {
                "label": label,
                "n": counts[code][0],
                "satisfied": counts[code][1],
                "percent": _percent(share) if (share := shares[code]) is not None else None,
            }
            for code, label in elements
        },
        "overall": {
            "n": overall[0],
            "satisfied": overall[1],
            "percent": _percent(Fraction(overall[1], overall[0])) if overall[0] else None,
        },
        "index": _percent(index) if index is not None else None,
    }


def sipas_summary(
    responses: Sequence[Mapping[str, Any]],
    *,
    elements: Sequence[tuple[str, str]] = SIPAS_ELEMENTS,
    index_method: IndexMethod = "mean_of_elements",
) -> dict[str, Any]:
    """Summarise responses: per element and overall satisfaction (share of 4–5), index, per-unit breakdown.

    Percentages have 2 decimals (half-up). See INDEX_METHODS for how the index is aggregated.
    """
    if index_method not in INDEX_METHODS:
        raise ValueError(f"Cách tính chỉ số hài lòng “{index_method}” không được hỗ trợ.")
    checked: list[dict[str, Any]] = []
    details: dict[str, str] = {}
    for position, resp in enumerate(responses):
        try:
            checked.append(validate_response(resp, elements=elements))
        except ResponseInvalid as exc:
            details.update({f"responses[{position}].{key}": text for key, text in exc.details.items()})
    if details:
        raise ResponseInvalid("Có phiếu khảo sát chưa hợp lệ; xem chi tiết từng phiếu.", details)
    summary = _tally(checked, elements, index_method)
    summary["index_method"] = index_method
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for resp in checked:
        by_unit.setdefault(resp["unit_code"], []).append(resp)
    summary["units"] = {
        unit: _tally(unit_responses, elements, index_method) for unit, unit_responses in sorted(by_unit.items())
    }
    return summary
