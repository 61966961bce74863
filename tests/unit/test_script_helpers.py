"""The domain helpers diagrams call: JSON in, JSON out, Vietnamese refusals, and usable inside the sandbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.sandbox import RestrictedEnvironment
from workflows.script_helpers import HelperRefused, domain_helpers

XA = "par-index-2024-xa"


@pytest.fixture(scope="module")
def helpers() -> dict[str, Any]:
    return domain_helpers()


def full_entries(helpers: dict[str, Any], share: float = 1.0) -> dict[str, dict[str, Any]]:
    return {
        code: {"points": round(c["max_points"] * share, 2), "evidence": [f"minh-chung/{code}.pdf"]}
        for code, c in helpers["criteria_set"](XA)["sub_criteria"].items()
    }


def is_json(value: Any) -> bool:
    return json.loads(json.dumps(value)) == value


# ---------------------------------------------------------------- survey


def test_yamane_sample_size_accepts_json_numbers(helpers: dict[str, Any]) -> None:
    assert helpers["yamane_sample_size"](1000) == 286
    assert helpers["yamane_sample_size"](1000.0, 0.05) == 286  # JSON may carry a whole number as float
    assert helpers["yamane_sample_size"](500, e=0.1) == 84


@pytest.mark.parametrize("bad", [12.5, "1000", True, None])
def test_yamane_sample_size_refuses_non_integers(helpers: dict[str, Any], bad: Any) -> None:
    with pytest.raises(ValueError, match="Tổng số giao dịch"):
        helpers["yamane_sample_size"](bad)


def test_yamane_sample_size_refuses_a_bad_margin(helpers: dict[str, Any]) -> None:
    with pytest.raises(HelperRefused, match="Sai số cho phép"):
        helpers["yamane_sample_size"](1000, 1.5)


def test_sipas_validate_response_normalises_and_refuses_in_vietnamese(helpers: dict[str, Any]) -> None:
    checked = helpers["sipas_validate_response"]({"unit_code": "P1", "answers": {"access": "4"}, "overall": 5})
    assert checked == {"unit_code": "P1", "answers": {"access": 4}, "overall": 5}
    with pytest.raises(ValueError) as refused:
        helpers["sipas_validate_response"]({"unit_code": "P1", "answers": {"access": 7}})
    message = str(refused.value)
    assert message.startswith("Phiếu khảo sát chưa hợp lệ")
    assert "answers.access" in message and "overall" in message  # every faulty answer is named
    assert refused.value.code == "response_invalid"


def test_sipas_summary_is_plain_json(helpers: dict[str, Any]) -> None:
    responses = [
        {"unit_code": "P1", "answers": {"access": 5, "procedure": 2}, "overall": 4},
        {"unit_code": "P2", "answers": {"access": 3, "procedure": 4}, "overall": 2},
    ]
    summary = helpers["sipas_summary"](responses)
    assert is_json(summary)
    assert summary["elements"]["access"]["percent"] == 50.0
    assert summary["overall"] == {"n": 2, "satisfied": 1, "percent": 50.0}
    assert summary["index"] == 50.0  # elements nobody answered are left out of the mean
    assert summary["units"]["P1"]["index"] == 50.0
    assert helpers["sipas_summary"]([])["index"] is None
    with pytest.raises(HelperRefused, match="mảng"):
        helpers["sipas_summary"]({"unit_code": "P1"})


# ---------------------------------------------------------------- criteria and scoring


def test_criteria_set_as_json(helpers: dict[str, Any]) -> None:
    tree = helpers["criteria_set"](XA)
    assert is_json(tree)
    assert (tree["code"], tree["set_code"], tree["total_max_points"]) == (XA, "PAR-2024-XA", 100.0)
    assert tree["survey"]["max_points"] == 20.0
    assert tree["grouping"][0] == {"group": "A", "label": "Xuất sắc", "min_percent": 90.0}
    leaf = tree["areas"][0]["children"][0]["children"][0]
    assert leaf["code"] == "1.1.1" and leaf["max_points"] == 1.0
    assert tree["sub_criteria"]["1.4.2"] == {
        "name": "Xử lý các vấn đề phát hiện qua kiểm tra",
        "max_points": 0.5,
        "evidence_required": True,
        "allow_not_assessed": True,
        "area": "1",
    }


@pytest.mark.parametrize("code", ["khong-co", "../criteria/par-index-2024-xa", "", None])
def test_unknown_criteria_set_is_refused_with_the_known_ones(helpers: dict[str, Any], code: Any) -> None:
    with pytest.raises(HelperRefused) as refused:
        helpers["criteria_set"](code)
    assert refused.value.code == "criteria_not_found"
    assert "par-index-2024-cqcm, par-index-2024-xa" in refused.value.message


def test_criteria_dir_is_configurable(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "processes" / "criteria" / f"{XA}.yaml"
    (tmp_path / "demo.yaml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    assert domain_helpers(tmp_path)["criteria_set"]("demo")["set_code"] == "PAR-2024-XA"


def test_validate_self_assessment_returns_points_and_flags(helpers: dict[str, Any]) -> None:
    entries = full_entries(helpers)
    entries["1.4.2"] = {"not_assessed": True}
    entries["1.5.1"] = {"points": 1.5, "evidence": [], "explanation": "Mô hình đang chờ công nhận"}
    checked = helpers["validate_self_assessment"](XA, entries)
    assert is_json(checked)
    assert checked["points"]["1.1.2"] == 2.0 and checked["points"]["1.4.2"] is None
    assert checked["flags"] == {"1.5.1": "explained_without_evidence"}


def test_validate_self_assessment_lists_every_problem(helpers: dict[str, Any]) -> None:
    entries = full_entries(helpers)
    entries["1.1.1"]["points"] = 1.5
    entries["1.2.1"]["evidence"] = []
    with pytest.raises(ValueError) as refused:
        helpers["validate_self_assessment"](XA, entries)
    message = str(refused.value)
    assert message.startswith("Bảng điểm có 2 lỗi")
    assert "(1) Tiêu chí thành phần 1.1.1: điểm 1,5 vượt điểm tối đa 1." in message
    assert "(2) Tiêu chí thành phần 1.2.1 cần tài liệu kiểm chứng" in message
    assert [p["criterion"] for p in refused.value.details["problems"]] == ["1.1.1", "1.2.1"]


def test_validate_self_assessment_refuses_malformed_entries(helpers: dict[str, Any]) -> None:
    with pytest.raises(HelperRefused, match="đối tượng"):
        helpers["validate_self_assessment"](XA, ["1.1.1"])
    with pytest.raises(HelperRefused, match=r"1\.1\.1: phần chấm điểm"):
        helpers["validate_self_assessment"](XA, {"1.1.1": 1})


def test_compute_index_with_survey_points(helpers: dict[str, Any]) -> None:
    points = {code: entry["points"] for code, entry in full_entries(helpers, 0.8).items()}
    provisional = helpers["compute_index"](XA, points)
    assert (provisional["achieved"], provisional["max"], provisional["index_percent"]) == (64.0, 80.0, 80.0)
    final = helpers["compute_index"](XA, points, survey_points=15)
    assert is_json(final)
    assert (final["achieved"], final["max"], final["index_percent"]) == (79.0, 100.0, 79.0)
    assert (final["group"], final["group_label"], final["survey_points"]) == ("C", "Khá", 15.0)
    assert final["per_area"]["1"] == {"achieved": 8.0, "max": 10.0}


def test_compute_index_without_not_assessed_in_the_denominator(helpers: dict[str, Any]) -> None:
    points: dict[str, Any] = {code: entry["points"] for code, entry in full_entries(helpers).items()}
    points["1.4.2"] = None
    kept = helpers["compute_index"](XA, points)
    dropped = helpers["compute_index"](XA, points, exclude_not_assessed=True)
    assert (kept["max"], dropped["max"]) == (80.0, 79.5)
    assert dropped["index_percent"] == 100.0 and dropped["not_assessed"] == ["1.4.2"]


def test_compute_index_refuses_points_above_the_maximum(helpers: dict[str, Any]) -> None:
    points = {code: entry["points"] for code, entry in full_entries(helpers).items()}
    points["1.1.1"] = 3
    with pytest.raises(ValueError, match=r"1\.1\.1: điểm 3 vượt điểm tối đa 1"):
        helpers["compute_index"](XA, points)
    with pytest.raises(HelperRefused, match="Điều tra xã hội học: điểm 25 vượt điểm tối đa 20"):
        helpers["compute_index"](XA, {c: e["points"] for c, e in full_entries(helpers).items()}, survey_points=25)


def test_rank_units_from_compute_index_results(helpers: dict[str, Any]) -> None:
    results = {
        "P2": {"index_percent": 79.0, "group": "C", "group_label": "Khá"},
        "P1": {"index_percent": 97.75, "group": "A", "group_label": "Xuất sắc"},
        "P3": {"index_percent": 79.0, "group": "C", "group_label": "Khá"},
    }
    assert helpers["rank_units"](results) == [
        {"unit_code": "P1", "index_percent": 97.75, "rank": 1, "group": "A", "group_label": "Xuất sắc"},
        {"unit_code": "P2", "index_percent": 79.0, "rank": 2, "group": "C", "group_label": "Khá"},
        {"unit_code": "P3", "index_percent": 79.0, "rank": 2, "group": "C", "group_label": "Khá"},
    ]
    with pytest.raises(HelperRefused, match="P9"):
        helpers["rank_units"]({"P9": {"group": "A"}})


# ---------------------------------------------------------------- inside the sandbox


def test_helpers_run_in_the_restricted_sandbox(helpers: dict[str, Any]) -> None:
    env = RestrictedEnvironment(helpers)
    data: dict[str, Any] = {"points": {c: e["points"] for c, e in full_entries(helpers).items()}}
    env.execute(
        "result = compute_index('par-index-2024-xa', points, survey_points=18)\n"
        "ranking = rank_units({'P1': result})\n"
        "n = yamane_sample_size(1000)\n",
        data,
    )
    assert data["result"]["index_percent"] == 98.0
    assert data["ranking"][0]["rank"] == 1 and data["n"] == 286
    assert "compute_index" not in data  # helpers never land in the task data


def test_a_refusal_leaves_the_sandbox_as_the_same_vietnamese_error(helpers: dict[str, Any]) -> None:
    env = RestrictedEnvironment(helpers)
    with pytest.raises(HelperRefused, match=r"1\.1\.1: điểm 9 vượt điểm tối đa 1"):
        env.execute(
            "checked = validate_self_assessment('par-index-2024-xa', entries)", {"entries": {"1.1.1": {"points": 9}}}
        )
