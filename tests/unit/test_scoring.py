"""Tests for CCHC index scoring: criteria files, self-assessment checks, index, ranking, DMN grouping."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from workflows.scoring import (
    CriteriaInvalid,
    CriteriaSet,
    GroupThreshold,
    IndexResult,
    ScoreRefused,
    compute_index,
    group_for,
    load_criteria,
    rank_units,
    validate_self_assessment,
)

ROOT = Path(__file__).resolve().parents[2]
XA_FILE = ROOT / "processes" / "criteria" / "par-index-2024-xa.yaml"
CQCM_FILE = ROOT / "processes" / "criteria" / "par-index-2024-cqcm.yaml"
GROUPING_DMN = ROOT / "processes" / "index_scoring" / "grouping.dmn"
D = Decimal


@pytest.fixture(scope="module")
def xa() -> CriteriaSet:
    return load_criteria(XA_FILE)


def full_marks(cs: CriteriaSet) -> dict[str, dict[str, Any]]:
    """A self-assessment at max points with one evidence file per sub-criterion."""
    return {
        code: {"points": crit.max_points, "evidence": [f"minh-chung/{code}.pdf"], "explanation": ""}
        for code, crit in cs.sub_criteria.items()
    }


def problem_codes(exc: ScoreRefused) -> list[tuple[str, str]]:
    return [(problem["code"], problem["criterion"]) for problem in exc.details["problems"]]


# ---------------------------------------------------------------- criteria files


@pytest.mark.parametrize("path", [XA_FILE, CQCM_FILE], ids=["xa", "cqcm"])
def test_criteria_files_load_with_at_least_30_sub_criteria_and_100_points(path: Path) -> None:
    cs = load_criteria(path)
    assert cs.year == 2024
    assert cs.total_max_points == 100
    assert len(cs.sub_criteria) >= 30
    assert len(cs.areas) == 8
    tree = sum((area.max_points for area in cs.areas), D(0))
    assert tree + cs.survey_max_points == 100
    assert "[confirm]" in path.read_text(encoding="utf-8").split("\ncode:")[0]
    assert [row.group for row in cs.thresholds] == ["A", "B", "C", "D"]


def test_load_criteria_refuses_parent_max_that_is_not_the_sum_of_children() -> None:
    data = {
        "code": "T",
        "name": "Thử",
        "year": 2024,
        "unit_kind": "xa",
        "version": 1,
        "total_max_points": 3,
        "grouping": [{"group": "A", "label": "Xuất sắc", "min_percent": 0}],
        "areas": [
            {
                "code": "1",
                "name": "Lĩnh vực",
                "max_points": 3,
                "criteria": [{"code": "1.1", "name": "Tiêu chí", "max_points": 2}],
            }
        ],
    }
    with pytest.raises(CriteriaInvalid, match="khác tổng điểm tối đa"):
        load_criteria(data)


# ---------------------------------------------------------------- self-assessment


def test_full_marks_with_evidence_is_accepted(xa: CriteriaSet) -> None:
    sheet = validate_self_assessment(xa, full_marks(xa))
    assert sum(value for value in sheet.values() if value is not None) == 80
    assert sheet.flags == {}


def test_score_above_max_is_refused(xa: CriteriaSet) -> None:
    entries = full_marks(xa)
    entries["1.1.2"]["points"] = "2.5"  # max 2
    with pytest.raises(ScoreRefused) as caught:
        validate_self_assessment(xa, entries)
    assert caught.value.code == "score_above_max"
    assert caught.value.message == "Tiêu chí thành phần 1.1.2: điểm 2,5 vượt điểm tối đa 2."
    assert problem_codes(caught.value) == [("score_above_max", "1.1.2")]


def test_negative_score_is_refused(xa: CriteriaSet) -> None:
    entries = full_marks(xa)
    entries["3.2.2"]["points"] = -1
    with pytest.raises(ScoreRefused) as caught:
        validate_self_assessment(xa, entries)
    assert caught.value.code == "score_negative"


def test_missing_evidence_is_refused_without_explanation(xa: CriteriaSet) -> None:
    entries = full_marks(xa)
    entries["7.2.1"]["evidence"] = []
    with pytest.raises(ScoreRefused) as caught:
        validate_self_assessment(xa, entries)
    assert caught.value.code == "evidence_missing"
    assert "tài liệu kiểm chứng" in caught.value.message


def test_explanation_without_evidence_is_allowed_but_flagged(xa: CriteriaSet) -> None:
    entries = full_marks(xa)
    entries["7.2.1"].update(evidence=[], explanation="Hệ thống báo cáo bị lỗi, sẽ bổ sung trích xuất.")
    sheet = validate_self_assessment(xa, entries)
    assert sheet["7.2.1"] == 2
    assert sheet.flags == {"7.2.1": "explained_without_evidence"}


def test_zero_points_and_criteria_without_evidence_requirement_need_no_evidence(xa: CriteriaSet) -> None:
    entries = full_marks(xa)
    entries["1.5.1"].update(points=0, evidence=[])  # evidence required, but nothing claimed
    entries["5.4.2"].update(evidence=[])  # evidence not required
    sheet = validate_self_assessment(xa, entries)
    assert sheet["1.5.1"] == 0 and sheet["5.4.2"] == 1


def test_all_problems_are_listed_at_once(xa: CriteriaSet) -> None:
    entries = full_marks(xa)
    entries["1.1.2"]["points"] = 3
    entries["7.2.1"]["evidence"] = []
    entries["9.9.9"] = {"points": 1, "evidence": ["x.pdf"]}
    entries["1.1"] = {"points": 1, "evidence": ["x.pdf"]}
    entries["1.1.1"] = {"points": None, "not_assessed": True}  # not allowed on 1.1.1
    del entries["8.2.3"]
    entries["2.1.1"] = {"points": None}
    with pytest.raises(ScoreRefused) as caught:
        validate_self_assessment(xa, entries)
    assert caught.value.code == "self_assessment_invalid"
    assert caught.value.message == "Bảng điểm có 7 lỗi; xem chi tiết từng tiêu chí thành phần."
    assert sorted(problem_codes(caught.value)) == sorted(
        [
            ("unknown_criterion", "9.9.9"),
            ("unknown_criterion", "1.1"),
            ("not_assessed_not_allowed", "1.1.1"),
            ("score_above_max", "1.1.2"),
            ("score_missing", "2.1.1"),
            ("evidence_missing", "7.2.1"),
            ("criterion_missing", "8.2.3"),
        ]
    )


# ---------------------------------------------------------------- index and "không đánh giá"


def test_not_assessed_leaves_the_denominator_only_when_the_option_is_on(xa: CriteriaSet) -> None:
    entries = full_marks(xa)
    entries["4.2.1"] = {"points": None, "not_assessed": True, "evidence": []}  # max 2
    entries["3.2.2"]["points"] = "1.5"  # max 3
    points = validate_self_assessment(xa, entries)
    assert points["4.2.1"] is None

    # Hand: tree 80 - 2 (4.2.1) - 1.5 (3.2.2) = 76.5 achieved; survey 11 of 20.
    excluded = compute_index(xa, points, exclude_not_assessed=True, survey_points=D(11))
    assert (excluded.achieved, excluded.max) == (D("87.5"), D(98))  # 87.5 / 98 = 89.2857…
    assert excluded.index_percent == D("89.29")
    assert excluded.per_area["4"] == (D(4), D(4))
    assert excluded.not_assessed == ("4.2.1",)

    counted = compute_index(xa, points, exclude_not_assessed=False, survey_points=D(11))
    assert (counted.achieved, counted.max) == (D("87.5"), D(100))
    assert counted.index_percent == D("87.50")
    assert counted.per_area["4"] == (D(4), D(6))


def test_index_without_survey_is_provisional_on_the_tree_only(xa: CriteriaSet) -> None:
    points = dict(validate_self_assessment(xa, full_marks(xa)))
    points["3.2.2"] = D("1.5")
    result = compute_index(xa, points)
    assert (result.achieved, result.max, result.index_percent) == (D("78.5"), D(80), D("98.13"))


def test_compute_index_refuses_bad_points_and_survey(xa: CriteriaSet) -> None:
    points: dict[str, Decimal | None] = {code: c.max_points for code, c in xa.sub_criteria.items()}
    points["1.1.1"] = None  # not allowed
    points["1.2.1"] = D(5)  # max 1
    with pytest.raises(ScoreRefused) as caught:
        compute_index(xa, points, survey_points=D(21))  # survey max 20
    assert sorted(problem_codes(caught.value)) == [
        ("not_assessed_not_allowed", "1.1.1"),
        ("score_above_max", "1.2.1"),
        ("score_above_max", "survey"),
    ]


# ---------------------------------------------------------------- ranking of the nine units

# Points below max that each unit gave itself (every other sub-criterion is at its max, with evidence);
# None = "không đánh giá". Survey points are out of 20. Tree max 80 + survey 20 = 100.
UNIT_POINTS: dict[str, tuple[dict[str, str | None], str]] = {
    "P1": ({"1.1.2": "1.5", "7.2.1": "1.5"}, "18.5"),
    "P2": ({"3.2.2": "2", "5.2.1": "1.5", "7.2.1": "1"}, "17"),
    "P3": ({"1.1.2": "1", "3.2.2": "1.5", "7.2.1": "1", "8.1.1": "1"}, "16"),
    "P4": ({"3.2.2": "1", "7.2.1": "1", "8.1.1": "0.5", "2.3.2": "1"}, "16.5"),
    "PAH": ({"1.1.2": "0", "3.2.2": "0", "7.2.1": "0", "5.2.1": "1", "8.1.1": "0"}, "15"),
    "PTQD": ({"4.2.1": None, "3.2.2": "1.5"}, "11"),
    "XTQT": ({"1.1.2": "1", "3.2.2": "1", "7.2.1": "0", "6.1.2": "0", "5.2.1": "0.5"}, "17.5"),
    "XTPD": (
        {
            "3.2.3": None,
            "1.1.2": "0",
            "3.2.2": "0",
            "7.2.1": "0",
            "8.1.1": "0",
            "5.2.1": "0",
            "6.1.2": "0",
            "2.3.2": "0",
        },
        "14",
    ),
    "XTKD": (
        {
            "1.1.2": "0",
            "3.2.2": "0",
            "7.2.1": "0",
            "8.1.1": "0",
            "5.2.1": "0",
            "6.1.2": "0",
            "2.3.2": "0",
            "1.2.1": "0",
            "3.1.1": "0",
        },
        "6",
    ),
}

# Worked by hand (maxima: 1.1.2=2, 1.2.1=1, 2.3.2=1.5, 3.1.1=1.5, 3.2.2=3, 3.2.3=1, 4.2.1=2, 5.2.1=2,
# 6.1.2=1.5, 7.2.1=2, 8.1.1=2), exclude_not_assessed=True:
#   P1   80 - 0.5 - 0.5 = 79            + 18.5 = 97.5 / 100 = 97.50 %  A  rank 1
#   P2   80 - 1 - 0.5 - 1 = 77.5        + 17   = 94.5 / 100 = 94.50 %  A  rank 2
#   P3   80 - 1 - 1.5 - 1 - 1 = 75.5    + 16   = 91.5 / 100 = 91.50 %  A  rank 3 (tie)
#   P4   80 - 2 - 1 - 1.5 - 0.5 = 75    + 16.5 = 91.5 / 100 = 91.50 %  A  rank 3 (tie)
#   XTQT 80 - 1 - 2 - 2 - 1.5 - 1.5 = 72 + 17.5 = 89.5 / 100 = 89.50 %  B  rank 5
#   PTQD max 78 (4.2.1 out): 78 - 1.5 = 76.5 + 11 = 87.5 / 98 = 89.2857… → 89.29 %  B  rank 6
#   PAH  80 - 2 - 3 - 2 - 1 - 2 = 70    + 15   = 85 / 100   = 85.00 %  B  rank 7
#   XTPD max 79 (3.2.3 out): 79 - 14 = 65 + 14 = 79 / 99 = 79.7979… → 79.80 %  C  rank 8
#   XTKD 80 - 14 - 1 - 1.5 = 63.5       + 6    = 69.5 / 100 = 69.50 %  D  rank 9
EXPECTED_RANKING = [
    ("P1", D("97.50"), 1, "A", "Xuất sắc"),
    ("P2", D("94.50"), 2, "A", "Xuất sắc"),
    ("P3", D("91.50"), 3, "A", "Xuất sắc"),
    ("P4", D("91.50"), 3, "A", "Xuất sắc"),
    ("XTQT", D("89.50"), 5, "B", "Tốt"),
    ("PTQD", D("89.29"), 6, "B", "Tốt"),
    ("PAH", D("85.00"), 7, "B", "Tốt"),
    ("XTPD", D("79.80"), 8, "C", "Khá"),
    ("XTKD", D("69.50"), 9, "D", "Trung bình"),
]


def unit_entries(cs: CriteriaSet, below_max: dict[str, str | None]) -> dict[str, dict[str, Any]]:
    entries = full_marks(cs)
    for code, points in below_max.items():
        if points is None:
            entries[code] = {"points": None, "not_assessed": True, "evidence": [], "explanation": ""}
        else:
            entries[code]["points"] = points
    return entries


def test_nine_units_are_ranked_as_computed_by_hand(xa: CriteriaSet) -> None:
    assert sum((area.max_points for area in xa.areas), D(0)) == 80 and xa.survey_max_points == 20
    results = {}
    for unit, (below_max, survey) in reversed(UNIT_POINTS.items()):  # input order must not matter
        points = validate_self_assessment(xa, unit_entries(xa, below_max))
        results[unit] = compute_index(xa, points, exclude_not_assessed=True, survey_points=D(survey))

    ranking = rank_units(results)

    got = [(r.unit_code, r.index_percent, r.rank, r.group, r.group_label) for r in ranking]
    assert got == EXPECTED_RANKING
    assert (results["XTPD"].achieved, results["XTPD"].max) == (D(79), D(99))
    assert results["P1"].per_area["1"] == (D("9.5"), D(10))
    assert results["P1"].per_area["7"] == (D("11.5"), D(12))


def index_result(percent: str) -> IndexResult:
    """An IndexResult with the given percentage out of 100 points."""
    return IndexResult(achieved=D(percent), max=D(100), index_percent=D(percent), per_area={}, group="?")


def test_ranking_ties_share_a_rank_and_are_ordered_by_unit_code() -> None:
    results = {
        "Z": index_result("80"),
        "B": index_result("90"),
        "A": index_result("90"),
        "C": index_result("70"),
    }
    ranking = rank_units(results)
    assert [(r.unit_code, r.rank) for r in ranking] == [("A", 1), ("B", 1), ("Z", 3), ("C", 4)]


def test_rank_units_can_regroup_with_given_thresholds(xa: CriteriaSet) -> None:
    ranking = rank_units({"P1": index_result("89.99")}, thresholds=xa.thresholds)
    assert (ranking[0].group, ranking[0].group_label) == ("B", "Tốt")


# ---------------------------------------------------------------- grouping: YAML and DMN agree

BOUNDARIES = ["100", "90", "89.99", "80", "79.99", "70", "69.99", "0"]
EXPECTED_GROUPS = ["A", "A", "B", "B", "C", "C", "D", "D"]


@pytest.mark.parametrize(("value", "group"), list(zip(BOUNDARIES, EXPECTED_GROUPS, strict=True)))
def test_group_for_boundaries(xa: CriteriaSet, value: str, group: str) -> None:
    assert group_for(D(value), xa.thresholds)[0] == group


def test_group_for_refuses_values_below_every_threshold() -> None:
    with pytest.raises(ValueError, match="ngoài mọi ngưỡng"):
        group_for(D("-1"), [GroupThreshold("A", "Xuất sắc", D(0))])


GROUPING_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="Definitions_grouping_test" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="Process_grouping_test" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="Task_group" name="Group">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>par_index_grouping</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:endEvent id="EndEvent_1"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Task_group" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_group" targetRef="EndEvent_1" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture(scope="module")
def grouping_spec() -> Any:
    parser = SpiffBpmnParser(validator=BpmnValidator())  # also validates the DMN against the DMN 1.3 XSD
    parser.add_dmn_file(str(GROUPING_DMN))
    parser.add_bpmn_str(GROUPING_BPMN, filename="grouping_test.bpmn")
    return parser.get_spec("Process_grouping_test")


def run_grouping(spec: Any, index_percent: float) -> dict[str, Any]:
    workflow = BpmnWorkflow(spec)
    workflow.get_tasks(state=TaskState.READY)[0].set_data(index_percent=index_percent)
    workflow.do_engine_steps()
    assert workflow.is_completed()
    return dict(workflow.data)


def boundary_values(thresholds: tuple[GroupThreshold, ...]) -> list[Decimal]:
    values = {D(100), D("0")}
    for row in thresholds:
        values.add(row.min_percent)
        if row.min_percent > 0:
            values.add(row.min_percent - D("0.01"))
    return sorted(values)


@pytest.mark.parametrize("path", [XA_FILE, CQCM_FILE], ids=["xa", "cqcm"])
def test_dmn_grouping_agrees_with_yaml_thresholds_on_boundaries(grouping_spec: Any, path: Path) -> None:
    thresholds = load_criteria(path).thresholds
    values = boundary_values(thresholds)
    assert D("89.99") in values and D("79.99") in values
    for value in values:
        data = run_grouping(grouping_spec, float(value))  # task data is JSON: numbers are floats
        assert (data["group"], data["group_label"]) == group_for(value, thresholds), value


@pytest.mark.parametrize("path", [XA_FILE, CQCM_FILE], ids=["xa", "cqcm"])
def test_dmn_rules_carry_the_same_thresholds_and_labels_as_yaml(path: Path) -> None:
    thresholds = load_criteria(path).thresholds
    tree = etree.parse(str(GROUPING_DMN))
    ns = {"dmn": tree.getroot().nsmap[None]}
    rules = []
    for rule in tree.iterfind(".//dmn:rule", ns):
        entry = rule.findtext("dmn:inputEntry/dmn:text", namespaces=ns)
        lower = re.match(r"\s*\?\s*>=\s*([\d.]+)\s*$", entry) or re.match(r"\s*([\d.]+)\s*<=\s*\?", entry)
        assert lower is not None, entry
        group, label = (text.strip('"') for text in rule.xpath("dmn:outputEntry/dmn:text/text()", namespaces=ns))
        rules.append(GroupThreshold(group, label, D(lower.group(1))))
    assert rules == list(thresholds)
