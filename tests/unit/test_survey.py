"""Tests for the satisfaction survey (SIPAS): Yamane sample size, questionnaire checks, summary."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from workflows.survey import (
    LIKERT,
    SIPAS_ELEMENTS,
    ResponseInvalid,
    load_elements,
    sipas_summary,
    validate_response,
    yamane_sample_size,
)

D = Decimal


# ---------------------------------------------------------------- Yamane


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        (1000, 286),  # 1000 / 3.5 = 285.71 → 286
        (500, 223),  # 500 / 2.25 = 222.22 → 223 when rounded up
        (100, 80),  # 100 / 1.25 = 80 exactly
        (400, 200),  # 400 / 2 = 200 exactly (a float e² would give 199.999… — must not become 201)
        (1, 1),
        (0, 0),
    ],
)
def test_yamane_rounds_up(population: int, expected: int) -> None:
    assert yamane_sample_size(population) == expected


@pytest.mark.parametrize(("population", "expected"), [(1000, 286), (500, 222), (100, 80), (0, 0)])
def test_yamane_nearest_reproduces_the_published_table(population: int, expected: int) -> None:
    assert yamane_sample_size(population, rounding="nearest") == expected


def test_yamane_other_margin() -> None:
    assert yamane_sample_size(1000, 0.1) == 91  # 1000 / 11 = 90.9


@pytest.mark.parametrize(
    ("population", "margin"),
    [(-1, 0.05), (10.5, 0.05), ("100", 0.05), (True, 0.05), (100, 0), (100, 1), (100, -0.05), (100, "0.05")],
)
def test_yamane_refuses_bad_inputs_in_vietnamese(population: Any, margin: Any) -> None:
    with pytest.raises(ValueError, match=r"phải|không được"):
        yamane_sample_size(population, margin)


# ---------------------------------------------------------------- configuration


def test_elements_and_likert_labels() -> None:
    assert [label for _, label in SIPAS_ELEMENTS] == [
        "Tiếp cận dịch vụ",
        "Thủ tục hành chính",
        "Công chức trực tiếp giải quyết công việc",
        "Kết quả cung ứng dịch vụ",
        "Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị",
    ]
    assert dict(LIKERT) == {
        1: "Rất không hài lòng",
        2: "Không hài lòng",
        3: "Bình thường",
        4: "Hài lòng",
        5: "Rất hài lòng",
    }


def test_load_elements_from_configuration() -> None:
    elements = load_elements({"elements": [{"code": "a", "label": "Yếu tố A"}, {"code": "b", "label": "B"}]})
    assert elements == (("a", "Yếu tố A"), ("b", "B"))
    with pytest.raises(ValueError, match="bị trùng"):
        load_elements({"elements": [{"code": "a", "label": "A"}, {"code": "a", "label": "A"}]})


# ---------------------------------------------------------------- questionnaire


def test_valid_response_is_normalised_and_skipped_elements_dropped() -> None:
    resp = {"unit_code": " P1 ", "answers": {"access": 5, "procedure": "4", "feedback": None}, "overall": 4}
    assert validate_response(resp) == {
        "unit_code": "P1",
        "answers": {"access": 5, "procedure": 4},
        "overall": 4,
    }


def test_invalid_response_lists_every_field() -> None:
    resp = {"unit_code": "", "answers": {"access": 0, "procedure": 6, "result": True, "bogus": 3}}
    with pytest.raises(ResponseInvalid) as caught:
        validate_response(resp)
    assert caught.value.message == "Phiếu khảo sát chưa hợp lệ; xem chi tiết từng câu."
    assert set(caught.value.details) == {
        "unit_code",
        "answers.access",
        "answers.procedure",
        "answers.result",
        "answers.bogus",
        "overall",
    }
    assert caught.value.details["answers.access"] == (
        "Câu trả lời cho yếu tố “Tiếp cận dịch vụ” phải là mức từ 1 (Rất không hài lòng) đến 5 (Rất hài lòng)."
    )


# ---------------------------------------------------------------- summary


def response(
    unit: str, access: int, procedure: int, civil: int, result: int, feedback: int | None, overall: int
) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "access": access,
        "procedure": procedure,
        "civil_servant": civil,
        "result": result,
    }
    if feedback is not None:
        answers["feedback"] = feedback
    return {"unit_code": unit, "answers": answers, "overall": overall}


#                  access proc civil result feedback overall   (feedback None = skipped)
RESPONSES = [
    response("P1", 5, 4, 5, 4, None, 5),
    response("P1", 4, 3, 4, 4, 4, 4),
    response("P1", 3, 2, 4, 5, None, 3),
    response("P1", 5, 4, 5, 4, 2, 4),
    response("P1", 4, 4, 3, 4, None, 4),
    response("P1", 2, 3, 3, 3, 5, 2),
    response("XTQT", 4, 4, 4, 4, None, 4),
    response("XTQT", 5, 5, 5, 5, 5, 5),
    response("XTQT", 3, 4, 2, 4, None, 3),
    response("XTQT", 4, 1, 4, 2, 4, 4),
]
RESPONSES[6]["answers"]["feedback"] = None  # explicit "no answer" counts as skipped too

# By hand (satisfied = 4 or 5):
#   access   P1 5,4,3,5,4,2 → 4/6 = 66.67   XTQT 4,5,3,4 → 3/4 = 75.00   all 7/10 = 70.00
#   proc     P1 4,3,2,4,4,3 → 3/6 = 50.00   XTQT 4,5,4,1 → 3/4 = 75.00   all 6/10 = 60.00
#   civil    P1 5,4,4,5,3,3 → 4/6 = 66.67   XTQT 4,5,2,4 → 3/4 = 75.00   all 7/10 = 70.00
#   result   P1 4,4,5,4,4,3 → 5/6 = 83.33   XTQT 4,5,4,2 → 3/4 = 75.00   all 8/10 = 80.00
#   feedback P1 4,2,5       → 2/3 = 66.67   XTQT 5,4     → 2/2 = 100.00  all 4/5  = 80.00
#   overall  P1 5,4,3,4,4,2 → 4/6 = 66.67   XTQT 4,5,3,4 → 3/4 = 75.00   all 7/10 = 70.00
#   index (mean of elements): all (70+60+70+80+80)/5 = 72.00; P1 (4+3+4+5+4)/6/5 = 20/30 = 66.67;
#                             XTQT (75·4 + 100)/5 = 80.00
#   pooled: (7+6+7+8+4)/(10+10+10+10+5) = 32/45 = 71.11


def test_sipas_summary_matches_hand_computation() -> None:
    summary = sipas_summary(RESPONSES)

    assert summary["n"] == 10
    percents = {code: element["percent"] for code, element in summary["elements"].items()}
    assert percents == {
        "access": D("70.00"),
        "procedure": D("60.00"),
        "civil_servant": D("70.00"),
        "result": D("80.00"),
        "feedback": D("80.00"),
    }
    assert summary["elements"]["feedback"] == {
        "label": "Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị",
        "n": 5,
        "satisfied": 4,
        "percent": D("80.00"),
    }
    assert summary["overall"] == {"n": 10, "satisfied": 7, "percent": D("70.00")}
    assert summary["index"] == D("72.00")
    assert summary["index_method"] == "mean_of_elements"

    assert list(summary["units"]) == ["P1", "XTQT"]
    p1 = summary["units"]["P1"]
    assert [p1["elements"][code]["percent"] for code, _ in SIPAS_ELEMENTS] == [
        D("66.67"),
        D("50.00"),
        D("66.67"),
        D("83.33"),
        D("66.67"),
    ]
    assert (p1["n"], p1["overall"]["percent"], p1["index"]) == (6, D("66.67"), D("66.67"))
    xtqt = summary["units"]["XTQT"]
    assert xtqt["elements"]["feedback"]["percent"] == D("100.00")
    assert (xtqt["n"], xtqt["overall"]["percent"], xtqt["index"]) == (4, D("75.00"), D("80.00"))


def test_sipas_index_methods_are_configurable() -> None:
    assert sipas_summary(RESPONSES, index_method="overall")["index"] == D("70.00")
    assert sipas_summary(RESPONSES, index_method="pooled")["index"] == D("71.11")
    with pytest.raises(ValueError, match="không được hỗ trợ"):
        sipas_summary(RESPONSES, index_method="median")  # type: ignore[arg-type]


def test_sipas_summary_of_nothing_has_no_percentages() -> None:
    summary = sipas_summary([])
    assert summary["n"] == 0 and summary["index"] is None and summary["units"] == {}
    assert summary["elements"]["access"] == {
        "label": "Tiếp cận dịch vụ",
        "n": 0,
        "satisfied": 0,
        "percent": None,
    }


def test_sipas_summary_refuses_invalid_responses_with_their_position() -> None:
    bad = [RESPONSES[0], {"unit_code": "P1", "answers": {"access": 9}, "overall": None}]
    with pytest.raises(ResponseInvalid) as caught:
        sipas_summary(bad)
    assert set(caught.value.details) == {"responses[1].answers.access", "responses[1].overall"}
