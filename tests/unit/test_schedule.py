"""Reading the plan's Vietnamese time texts (appendix column "7- Thời gian") into schedules."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml

from workflows.plan.schedule import Schedule, ScheduleConfig, parse_time_text

SEED = Path(__file__).parents[2] / "processes/plans/ke-hoach-cchc-2024.md"  # copy of ../shared/seed


def dates(text: str) -> tuple[date, ...]:
    """Dates written "dd/mm/yyyy dd/mm/yyyy …"."""
    return tuple(date(int(y), int(m), int(d)) for d, m, y in (t.split("/") for t in text.split()))


def dues(schedule: Schedule) -> tuple[date, ...]:
    """The due dates of a schedule's occurrences, in order."""
    return tuple(o.due for o in schedule.occurrences)


class Expected(NamedTuple):
    kind: str
    dues: str = ""
    reference: str | None = None
    remark: str | None = None
    on_demand: bool = False


QUARTER_REPORTS = "15/03/2024 15/06/2024 15/09/2024 15/12/2024"
TWICE_A_MONTH_2024 = " ".join(
    f"15/{m}/2024 {last}/{m}/2024"
    for m, last in zip(
        ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"],
        [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
        strict=True,
    )
)

# The complete list of distinct texts in column "7- Thời gian" of the seed plan's appendix, exactly as
# written, with what they mean under the default ScheduleConfig (plan year 2024). "Mỗi tháng 02 kỳ",
# "02 tháng 01 kỳ", "Tháng 11/2024" and "Quý I/2025" sit one cell to the left in the converted seed
# (merged cells), see `seed_time_texts`.
SEED_TIME_TEXTS: dict[str, Expected] = {
    "Quý IV/2023": Expected("deadline", "31/12/2023"),
    "Quý I/2024": Expected("deadline", "31/03/2024"),
    "Trong tháng 01/2024": Expected("deadline", "31/01/2024"),
    "Tháng 11/2024": Expected("deadline", "30/11/2024"),
    "Quý IV/2024": Expected("deadline", "31/12/2024"),
    "Quý I/2025": Expected("deadline", "31/03/2025"),
    "Trong năm 2024": Expected("deadline", "31/12/2024"),
    "Trong năm 2024 (Căn cứ tình hình thực tế)": Expected("deadline", "31/12/2024", remark="Căn cứ tình hình thực tế"),
    "Hàng quý và năm 2024": Expected("recurring", QUARTER_REPORTS),
    "Định kỳ hằng quý, 6 tháng và năm 2024": Expected("recurring", QUARTER_REPORTS),
    "Mỗi tháng 02 kỳ": Expected("recurring", TWICE_A_MONTH_2024),
    "02 tháng 01 kỳ": Expected("recurring", "29/02/2024 30/04/2024 30/06/2024 31/08/2024 31/10/2024 31/12/2024"),
    "Thường xuyên": Expected("ongoing", QUARTER_REPORTS),
    "Thực hiện thường xuyên": Expected("ongoing", QUARTER_REPORTS),
    "Thường xuyên trong năm": Expected("ongoing", QUARTER_REPORTS),
    "Theo Kế hoạch": Expected("relative", reference="plan"),
    "Theo Quyết định": Expected("relative", reference="decision"),
    "Theo Kế hoạch của Tỉnh": Expected("relative", reference="provincial_plan"),
    "Sau khi kiểm tra": Expected("relative", reference="after_inspection"),
    "Theo Kế hoạch và đột xuất theo yêu cầu": Expected("relative", reference="plan", on_demand=True),
}
# Seed texts that truly cannot be scheduled (they would give "manual"): none.
NOT_SCHEDULABLE: frozenset[str] = frozenset()


def seed_time_texts(markdown: str) -> set[str]:
    """Every non-empty text of column "7- Thời gian" in the appendix tables, as written."""
    texts: set[str] = set()
    time_column = activity_column = -1
    for line in markdown.splitlines():
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if "7- Thời gian" in cells:
            time_column, activity_column = cells.index("7- Thời gian"), cells.index("3- Hoạt động")
            continue
        if time_column < 0 or all(cell and set(cell) <= set("-:") for cell in cells):
            continue
        # In a few rows the conversion merged two cells: the activity ("3.x.") sits left of its column
        # and every later cell, the time included, is one to the left.
        shift = 1 if any(re.match(r"3\.\d+", cell) for cell in cells[:activity_column]) else 0
        if cells[time_column - shift]:
            texts.add(cells[time_column - shift])
    return texts


@pytest.fixture(scope="module")
def seed_markdown() -> str:
    return SEED.read_text(encoding="utf-8")


def test_hard_coded_list_is_exactly_the_seed_time_column(seed_markdown: str) -> None:
    assert seed_time_texts(seed_markdown) == set(SEED_TIME_TEXTS)


def test_no_seed_time_text_needs_a_manual_deadline(seed_markdown: str) -> None:
    manual = {t for t in seed_time_texts(seed_markdown) if parse_time_text(t, 2024).kind == "manual"}
    assert manual == NOT_SCHEDULABLE


@pytest.mark.parametrize(("text", "expected"), SEED_TIME_TEXTS.items(), ids=list(SEED_TIME_TEXTS))
def test_seed_time_text(text: str, expected: Expected) -> None:
    schedule = parse_time_text(text, 2024)
    assert schedule.kind == expected.kind
    assert schedule.text == text
    assert dues(schedule) == dates(expected.dues)
    assert schedule.reference == expected.reference
    assert schedule.remark == expected.remark
    assert schedule.on_demand == expected.on_demand
    assert schedule.warnings == ()


def test_quarter_half_and_year_reports_do_not_duplicate_periods() -> None:
    schedule = parse_time_text("Định kỳ hằng quý, 6 tháng và năm 2024", 2024)
    assert [o.period for o in schedule.occurrences] == ["2024-Q1", "2024-H1", "2024-Q3", "2024"]
    assert [o.label for o in schedule.occurrences] == [
        "Quý I/2024",
        "6 tháng đầu năm 2024",
        "Quý III/2024",
        "Năm 2024",
    ]
    half = schedule.occurrences[1]
    assert (half.period_start, half.period_end) == (date(2024, 1, 1), date(2024, 6, 30))
    quarterly = parse_time_text("Hàng quý và năm 2024", 2024)
    assert [o.period for o in quarterly.occurrences] == ["2024-Q1", "2024-Q2", "2024-Q3", "2024"]


def test_twice_a_month_periods() -> None:
    occurrences = parse_time_text("Mỗi tháng 02 kỳ", 2024).occurrences
    assert len(occurrences) == 24
    first, second = occurrences[:2]
    assert (first.label, first.period, first.period_start, first.period_end) == (
        "Kỳ 1 tháng 01/2024",
        "2024-01-a",
        date(2024, 1, 1),
        date(2024, 1, 15),
    )
    assert (second.label, second.period, second.period_start, second.period_end) == (
        "Kỳ 2 tháng 01/2024",
        "2024-01-b",
        date(2024, 1, 16),
        date(2024, 1, 31),
    )
    assert len({o.period for o in occurrences}) == 24


def test_every_two_months_periods() -> None:
    occurrences = parse_time_text("02 tháng 01 kỳ", 2024).occurrences
    assert [(o.label, o.period_start, o.period_end) for o in occurrences[:2]] == [
        ("Tháng 01-02/2024", date(2024, 1, 1), date(2024, 2, 29)),
        ("Tháng 03-04/2024", date(2024, 3, 1), date(2024, 4, 30)),
    ]


def test_deadline_occurrence_spans_its_period() -> None:
    (occurrence,) = parse_time_text("Quý I/2024", 2024).occurrences
    assert occurrence == dataclasses.replace(
        occurrence,
        label="Quý I/2024",
        period="2024-Q1",
        period_start=date(2024, 1, 1),
        period_end=date(2024, 3, 31),
    )


MONTH_15THS = " ".join(f"15/{m:02d}/2024" for m in range(1, 13))
MONTH_ENDS = (
    "31/01/2024 29/02/2024 31/03/2024 30/04/2024 31/05/2024 30/06/2024 "
    "31/07/2024 31/08/2024 30/09/2024 31/10/2024 30/11/2024 31/12/2024"
)


@pytest.mark.parametrize(
    ("text", "kind", "expected_dues"),
    [
        ("Trong tháng 01/2024", "deadline", "31/01/2024"),
        ("Tháng 3 năm 2024", "deadline", "31/03/2024"),
        ("tháng 3", "deadline", "31/03/2024"),
        ("Tháng 12-2024", "deadline", "31/12/2024"),
        ("quý 2/2024", "deadline", "30/06/2024"),
        ("Quý II năm 2024", "deadline", "30/06/2024"),
        ("Quý III", "deadline", "30/09/2024"),
        ("QUÝ IV – 2024", "deadline", "31/12/2024"),
        ("Quý I/24", "deadline", "31/03/2024"),
        ("  Quý   I / 2024 . ", "deadline", "31/03/2024"),
        ("Quý I/2024.", "deadline", "31/03/2024"),
        ("Qúy I/2024", "deadline", "31/03/2024"),
        (unicodedata.normalize("NFD", "Quý I/2024"), "deadline", "31/03/2024"),
        ("Cuối quý II/2024", "deadline", "30/06/2024"),
        ("6 tháng đầu năm 2024", "deadline", "30/06/2024"),
        ("06 tháng cuối năm 2024", "deadline", "31/12/2024"),
        ("6 tháng đầu năm", "deadline", "30/06/2024"),
        ("Trước ngày 15/01/2024", "deadline", "15/01/2024"),
        ("Chậm nhất ngày 15 tháng 01 năm 2024", "deadline", "15/01/2024"),
        ("trước ngày 15/01", "deadline", "15/01/2024"),
        ("Ngày 05-02-2024", "deadline", "05/02/2024"),
        ("Năm 2024", "deadline", "31/12/2024"),
        ("Trong năm", "deadline", "31/12/2024"),
        ("Cả năm 2024", "deadline", "31/12/2024"),
        ("trong  NĂM  2024;", "deadline", "31/12/2024"),
        ("Hằng tháng", "recurring", MONTH_15THS),
        ("Hàng tháng", "recurring", MONTH_15THS),
        ("Định kỳ hằng tháng", "recurring", MONTH_15THS),
        ("hàng tháng.", "recurring", MONTH_15THS),
        ("Mỗi tháng 01 kỳ", "recurring", MONTH_ENDS),
        ("Hằng năm", "recurring", "15/12/2024"),
        ("Hàng năm", "recurring", "15/12/2024"),
        ("Định kỳ 6 tháng", "recurring", "15/06/2024 15/12/2024"),
        ("Hằng quý", "recurring", QUARTER_REPORTS),
        ("HÀNG QUÝ", "recurring", QUARTER_REPORTS),
        ("Hằng quý năm 2024", "recurring", QUARTER_REPORTS),
        ("Định kỳ quý, 6 tháng và năm 2024", "recurring", QUARTER_REPORTS),
        ("Định kỳ hàng quý, 6 tháng, năm", "recurring", QUARTER_REPORTS),
        ("hằng quý và năm 2023", "recurring", "15/03/2023 15/06/2023 15/09/2023 15/12/2023"),
        ("Hằng tháng, quý, 06 tháng và năm 2024", "recurring", MONTH_15THS),
        ("Mỗi tháng 2 kỳ", "recurring", TWICE_A_MONTH_2024),
        ("mỗi tháng hai kỳ", "recurring", TWICE_A_MONTH_2024),
        ("03 tháng 01 kỳ", "recurring", "31/03/2024 30/06/2024 30/09/2024 31/12/2024"),
        ("Thường xuyên trong năm 2024", "ongoing", QUARTER_REPORTS),
        ("thường xuyên.", "ongoing", QUARTER_REPORTS),
        ("Thực hiện thường xuyên, liên tục", "ongoing", QUARTER_REPORTS),
        ("Thường xuyên và đột xuất theo yêu cầu", "ongoing", QUARTER_REPORTS),
    ],
)
def test_variant(text: str, kind: str, expected_dues: str) -> None:
    schedule = parse_time_text(text, 2024)
    assert (schedule.kind, dues(schedule), schedule.warnings) == (kind, dates(expected_dues), ())


def test_bigger_report_replaces_the_smaller_one_closing_the_same_month() -> None:
    schedule = parse_time_text("Hằng tháng, quý, 06 tháng và năm 2024", 2024)
    assert [o.period for o in schedule.occurrences] == [
        "2024-01", "2024-02", "2024-Q1", "2024-04", "2024-05", "2024-H1",
        "2024-07", "2024-08", "2024-Q3", "2024-10", "2024-11", "2024",
    ]  # fmt: skip
    assert [o.period for o in parse_time_text("Định kỳ 6 tháng", 2024).occurrences] == ["2024-H1", "2024-H2"]


@pytest.mark.parametrize(
    ("text", "reference", "on_demand"),
    [
        ("Theo kế hoạch", "plan", False),
        ("theo  Kế hoạch.", "plan", False),
        ("Thực hiện theo Kế hoạch", "plan", False),
        ("THEO KẾ HOẠCH CỦA UBND TỈNH", "provincial_plan", False),
        ("Theo kế hoạch của tỉnh", "provincial_plan", False),
        ("Theo Quyết định số 123/QĐ-UBND", "decision", False),
        ("Sau kiểm tra", "after_inspection", False),
        ("Sau khi có kết luận kiểm tra", "after_inspection", False),
        ("Theo Kế hoạch hoặc đột xuất", "plan", True),
        ("Theo Kế hoạch, và đột xuất theo yêu cầu.", "plan", True),
    ],
)
def test_relative_variant(text: str, reference: str, on_demand: bool) -> None:
    schedule = parse_time_text(text, 2024)
    assert (schedule.kind, schedule.occurrences, schedule.reference) == ("relative", (), reference)
    assert schedule.on_demand is on_demand


def test_remark_is_kept_and_the_rest_parsed() -> None:
    schedule = parse_time_text("Quý I/2024 ( họp trực tuyến. )", 2024)
    assert (schedule.kind, schedule.remark, dues(schedule)) == (
        "deadline",
        "họp trực tuyến",
        dates("31/03/2024"),
    )


def test_year_defaults_to_plan_year() -> None:
    assert dues(parse_time_text("Quý I", 2025)) == dates("31/03/2025")
    assert dues(parse_time_text("Mỗi tháng 02 kỳ", 2025))[-1] == date(2025, 12, 31)
    assert dues(parse_time_text("Thường xuyên", 2025))[0] == date(2025, 3, 15)
    # an explicit year wins over the plan year
    assert dues(parse_time_text("Quý IV/2023", 2024)) == dates("31/12/2023")


def test_year_far_from_plan_year_is_parsed_with_a_warning() -> None:
    schedule = parse_time_text("Quý I/2042", 2024)
    assert (schedule.kind, dues(schedule)) == ("deadline", dates("31/03/2042"))
    assert schedule.warnings == ('Năm 2042 trong thời gian "Quý I/2042" cách xa năm kế hoạch 2024: cần kiểm tra lại',)


# Config


def test_config_moves_report_deadlines_but_not_period_deadlines() -> None:
    config = ScheduleConfig(quarter_report_day=20, half_year_report_day=10, year_report_day=None)
    schedule = parse_time_text("Định kỳ hằng quý, 6 tháng và năm 2024", 2024, config)
    assert dues(schedule) == dates("20/03/2024 10/06/2024 20/09/2024 31/12/2024")
    assert dues(parse_time_text("Hàng quý và năm 2024", 2024, config)) == dates(
        "20/03/2024 20/06/2024 20/09/2024 31/12/2024"
    )
    assert dues(parse_time_text("Quý I/2024", 2024, config)) == dates("31/03/2024")


def test_config_year_report_month() -> None:
    config = ScheduleConfig(year_report_month=11, year_report_day=30)
    assert dues(parse_time_text("Hằng năm", 2024, config)) == dates("30/11/2024")


def test_config_monthly_ongoing_checkins() -> None:
    config = ScheduleConfig(ongoing_checkin="month", month_report_day=None)
    schedule = parse_time_text("Thường xuyên", 2024, config)
    assert [o.period for o in schedule.occurrences] == [f"2024-{m:02d}" for m in range(1, 13)]
    assert dues(schedule)[:3] == dates("31/01/2024 29/02/2024 31/03/2024")


def test_config_twice_monthly_days() -> None:
    occurrences = parse_time_text("Mỗi tháng 02 kỳ", 2024, ScheduleConfig(twice_monthly_days=(10, 25))).occurrences
    assert [o.due for o in occurrences[:4]] == list(dates("10/01/2024 25/01/2024 10/02/2024 25/02/2024"))
    assert (occurrences[3].period_start, occurrences[3].period_end) == (date(2024, 2, 11), date(2024, 2, 29))


def test_config_issue_day() -> None:
    schedule = parse_time_text("02 tháng 01 kỳ", 2024, ScheduleConfig(issue_day=20))
    assert dues(schedule) == dates("20/02/2024 20/04/2024 20/06/2024 20/08/2024 20/10/2024 20/12/2024")


def test_config_day_past_month_end_is_clamped() -> None:
    schedule = parse_time_text("Hằng tháng", 2024, ScheduleConfig(month_report_day=31))
    assert dues(schedule)[1:4] == dates("29/02/2024 31/03/2024 30/04/2024")


def test_config_from_yaml_mapping() -> None:
    data = yaml.safe_load(
        """
        quarter_report_day: 20
        half_year_report_day: "18"
        year_report_month: 12
        year_report_day: last
        ongoing_checkin: month
        twice_monthly_days: [10, null]
        """
    )
    assert ScheduleConfig.from_mapping(data) == ScheduleConfig(
        quarter_report_day=20,
        half_year_report_day=18,
        year_report_day=None,
        ongoing_checkin="month",
        twice_monthly_days=(10, None),
    )
    assert ScheduleConfig.from_mapping({}) == ScheduleConfig()


@pytest.mark.parametrize(
    "data",
    [
        {"quarter_day": 15},
        {"quarter_report_day": 0},
        {"quarter_report_day": 32},
        {"quarter_report_day": True},
        {"month_report_day": "mười lăm"},
        {"year_report_month": 13},
        {"year_report_month": None},
        {"ongoing_checkin": "week"},
        {"twice_monthly_days": [20, 10]},
        {"twice_monthly_days": [28, None]},
        {"twice_monthly_days": [15]},
        {"twice_monthly_days": 15},
    ],
)
def test_invalid_config_is_refused(data: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="Cấu hình lịch"):
        ScheduleConfig.from_mapping(data)


# Leap years


@pytest.mark.parametrize(
    ("text", "plan_year", "due"),
    [
        ("Tháng 2/2024", 2024, date(2024, 2, 29)),
        ("Tháng 02/2023", 2024, date(2023, 2, 28)),
        ("Tháng 2", 2100, date(2100, 2, 28)),
        ("Tháng 2", 2000, date(2000, 2, 29)),
        ("Ngày 29/02/2024", 2024, date(2024, 2, 29)),
    ],
)
def test_february(text: str, plan_year: int, due: date) -> None:
    assert dues(parse_time_text(text, plan_year)) == (due,)


def test_twice_a_month_in_a_common_year() -> None:
    assert dues(parse_time_text("Mỗi tháng 02 kỳ", 2023))[2:4] == dates("15/02/2023 28/02/2023")


# Unknown text


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        ("", "Chưa ghi thời gian thực hiện: cần đặt hạn thủ công"),
        ("   ", "Chưa ghi thời gian thực hiện: cần đặt hạn thủ công"),
        ("abc", 'Không hiểu thời gian "abc": cần đặt hạn thủ công'),
        ("Theo quy định", 'Không hiểu thời gian "Theo quy định": cần đặt hạn thủ công'),
        ("Quý V/2024", 'Không hiểu thời gian "Quý V/2024": cần đặt hạn thủ công'),
        ("Trước tháng 6/2024", 'Không hiểu thời gian "Trước tháng 6/2024": cần đặt hạn thủ công'),
        ("Định kỳ", 'Không hiểu thời gian "Định kỳ": cần đặt hạn thủ công'),
        (
            "(Căn cứ tình hình thực tế)",
            'Không hiểu thời gian "(Căn cứ tình hình thực tế)": cần đặt hạn thủ công',
        ),
        ("Tháng 13/2024", 'Thời gian "Tháng 13/2024" không hợp lệ (không có tháng 13): cần đặt hạn thủ công'),
        (
            "Ngày 29/02/2023",
            'Thời gian "Ngày 29/02/2023" không hợp lệ (không có ngày 29/02/2023): cần đặt hạn thủ công',
        ),
        ("Quý I/0000", 'Thời gian "Quý I/0000" không hợp lệ (năm 0000 không hợp lệ): cần đặt hạn thủ công'),
        (
            "Mỗi tháng 03 kỳ",
            'Thời gian "Mỗi tháng 03 kỳ" không hợp lệ (chỉ hỗ trợ 1 hoặc 2 kỳ mỗi tháng, không phải 3): '
            "cần đặt hạn thủ công",
        ),
        (
            "05 tháng 01 kỳ",
            'Thời gian "05 tháng 01 kỳ" không hợp lệ (5 tháng không chia đều một năm): cần đặt hạn thủ công',
        ),
    ],
)
def test_unknown_text_is_manual_with_a_warning(text: str, warning: str) -> None:
    schedule = parse_time_text(text, 2024)
    assert (schedule.kind, schedule.occurrences, schedule.reference) == ("manual", (), None)
    assert schedule.warnings == (warning,)
    assert schedule.text == text


def test_on_demand_only_is_manual() -> None:
    schedule = parse_time_text("Đột xuất theo yêu cầu", 2024)
    assert (schedule.kind, schedule.on_demand) == ("manual", True)
    assert len(schedule.warnings) == 1


@pytest.mark.parametrize(
    "text",
    ["Quý", "Tháng", "/", "9999999999", "Quý I/99999", "Ngày 99/99", "\x00", "((", "Hằng , và", "Năm 1"],
)
def test_odd_text_never_raises(text: str) -> None:
    assert parse_time_text(text, 2024).kind == "manual"


def test_schedules_are_frozen() -> None:
    schedule = parse_time_text("Quý I/2024", 2024)
    with pytest.raises(dataclasses.FrozenInstanceError):
        schedule.kind = "manual"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        schedule.occurrences[0].due = date(2024, 1, 1)  # type: ignore[misc]
