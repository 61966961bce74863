"""Working-day calendar against the officially announced civil-service schedules."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest

from engine.calendar import OVERRIDE_DAY_OFF_REASON, WorkingCalendar


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar()


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# --- Official schedules --------------------------------------------------------------------------

# Tết Giáp Thìn 2024: off Thu 08/02 – Wed 14/02/2024 (7 days).
# Tết Ất Tỵ 2025: off Sat 25/01 – Sun 02/02/2025 (9 days, no make-up day; Công văn 8726/VPCP-KGVX).
# Tết Bính Ngọ 2026: off Sat 14/02 – Sun 22/02/2026 (9 days: Mon 16/02 – Fri 20/02 plus weekends).
TET_DAYS_OFF = [
    *_days(date(2024, 2, 8), date(2024, 2, 14)),
    *_days(date(2025, 1, 25), date(2025, 2, 2)),
    *_days(date(2026, 2, 14), date(2026, 2, 22)),
]
TET_WORKING_EDGES = [
    date(2024, 2, 7),
    date(2024, 2, 15),
    date(2025, 1, 24),
    date(2025, 2, 3),
    date(2026, 2, 13),
    date(2026, 2, 23),
]


@pytest.mark.parametrize("d", TET_DAYS_OFF, ids=str)
def test_tet_days_are_off(cal: WorkingCalendar, d: date) -> None:
    assert not cal.is_working_day(d)
    assert cal.day_off_reason(d) is not None


@pytest.mark.parametrize("d", TET_WORKING_EDGES, ids=str)
def test_days_around_tet_are_working(cal: WorkingCalendar, d: date) -> None:
    assert cal.is_working_day(d)
    assert cal.day_off_reason(d) is None


def test_tet_reasons_are_vietnamese_holiday_names(cal: WorkingCalendar) -> None:
    assert cal.day_off_reason(date(2024, 2, 10)) == "Tết Nguyên Đán"
    assert cal.day_off_reason(date(2024, 2, 9)) == "Giao thừa Tết Nguyên Đán"
    assert cal.day_off_reason(date(2024, 2, 8)) == "29 Tết"
    assert cal.day_off_reason(date(2024, 2, 14)) == "Mùng năm Tết Nguyên Đán"
    assert cal.day_off_reason(date(2026, 2, 20)) == "Mùng bốn Tết Nguyên Đán"
    # A Tết day on a Saturday is named after the holiday, not the weekend.
    assert cal.day_off_reason(date(2025, 2, 1)) == "Mùng bốn Tết Nguyên Đán"
    assert cal.day_off_reason(date(2026, 2, 14)) == "Thứ Bảy"
    assert cal.day_off_reason(date(2026, 2, 22)) == "Chủ nhật"


# 30/4–1/5/2024 (Công văn 2450/VPCP-KGVX of 12/04/2024): Mon 29/04 is swapped with Sat 04/05, so
# the break runs Sat 27/04 – Wed 01/05 and the make-up Saturday is 04/05/2024. 27/04/2024 is NOT a
# make-up day (it is the first day of the break); the library agrees with the official schedule.
@pytest.mark.parametrize("d", _days(date(2024, 4, 27), date(2024, 5, 1)), ids=str)
def test_reunification_break_2024_is_off(cal: WorkingCalendar, d: date) -> None:
    assert not cal.is_working_day(d)


def test_reunification_2024_swap(cal: WorkingCalendar) -> None:
    assert cal.day_off_reason(date(2024, 4, 27)) == "Thứ Bảy"
    assert cal.day_off_reason(date(2024, 4, 29)) == "Ngày nghỉ (thay cho ngày 04/05/2024)"
    assert cal.day_off_reason(date(2024, 4, 30)) == "Ngày Chiến thắng"
    assert cal.day_off_reason(date(2024, 5, 1)) == "Ngày Quốc tế Lao động"
    assert cal.is_working_day(date(2024, 5, 2))
    assert cal.is_working_day(date(2024, 5, 4))  # make-up Saturday
    assert not cal.is_working_day(date(2024, 5, 5))


# 30/4–1/5/2025 (Công văn 8726/VPCP-KGVX): Fri 02/05 is swapped with Sat 26/04; off Wed 30/04 – Sun 04/05.
@pytest.mark.parametrize("d", _days(date(2025, 4, 30), date(2025, 5, 4)), ids=str)
def test_reunification_break_2025_is_off(cal: WorkingCalendar, d: date) -> None:
    assert not cal.is_working_day(d)


def test_reunification_2025_swap(cal: WorkingCalendar) -> None:
    assert cal.is_working_day(date(2025, 4, 26))  # make-up Saturday
    assert cal.day_off_reason(date(2025, 4, 26)) is None
    assert not cal.is_working_day(date(2025, 4, 27))
    assert cal.is_working_day(date(2025, 4, 29))
    assert cal.day_off_reason(date(2025, 5, 2)) == "Ngày nghỉ (thay cho ngày 26/04/2025)"
    assert cal.is_working_day(date(2025, 5, 5))


@pytest.mark.parametrize(
    ("d", "working_before", "working_after"),
    [
        (date(2024, 4, 18), date(2024, 4, 17), date(2024, 4, 19)),  # Thursday
        (date(2025, 4, 7), date(2025, 4, 4), date(2025, 4, 8)),  # Monday
    ],
    ids=str,
)
def test_hung_kings_day(cal: WorkingCalendar, d: date, working_before: date, working_after: date) -> None:
    assert not cal.is_working_day(d)
    assert cal.day_off_reason(d) == "Ngày Giỗ Tổ Hùng Vương"
    assert cal.add_working_days(d, -1) == working_before
    assert cal.add_working_days(d, 1) == working_after


# Quốc khánh: 2024 off Sat 31/08 – Tue 03/09; 2025 off Sat 30/08 – Tue 02/09.
@pytest.mark.parametrize("d", [date(2024, 9, 2), date(2024, 9, 3), date(2025, 9, 1), date(2025, 9, 2)], ids=str)
def test_national_day_two_days_off(cal: WorkingCalendar, d: date) -> None:
    assert cal.day_off_reason(d) == "Quốc khánh"


@pytest.mark.parametrize("d", [date(2024, 8, 30), date(2024, 9, 4), date(2025, 8, 29), date(2025, 9, 3)], ids=str)
def test_days_around_national_day_are_working(cal: WorkingCalendar, d: date) -> None:
    assert cal.is_working_day(d)


def test_ordinary_weekend_and_weekday(cal: WorkingCalendar) -> None:
    assert cal.is_working_day(date(2024, 3, 13))
    assert cal.day_off_reason(date(2024, 3, 16)) == "Thứ Bảy"
    assert cal.day_off_reason(date(2024, 3, 17)) == "Chủ nhật"
    assert cal.day_off_reason(date(2025, 1, 1)) == "Tết Dương lịch"


def test_make_up_saturday_declared_in_the_following_year() -> None:
    # The 02/01/2015 day off was worked on Sat 27/12/2014: the swap is filed under 2015.
    cal = WorkingCalendar()
    assert cal.is_working_day(date(2014, 12, 27))
    assert not cal.is_working_day(date(2015, 1, 2))


# --- Overrides ------------------------------------------------------------------------------------


def test_override_extra_day_off_on_a_weekday() -> None:
    cal = WorkingCalendar({date(2024, 3, 13): False})
    assert not cal.is_working_day(date(2024, 3, 13))
    assert cal.day_off_reason(date(2024, 3, 13)) == OVERRIDE_DAY_OFF_REASON == "Ngày nghỉ bổ sung"
    assert cal.add_working_days(date(2024, 3, 12), 1) == date(2024, 3, 14)


def test_override_extra_working_day_on_a_sunday() -> None:
    cal = WorkingCalendar({date(2024, 3, 17): True})
    assert cal.is_working_day(date(2024, 3, 17))
    assert cal.day_off_reason(date(2024, 3, 17)) is None
    assert cal.add_working_days(date(2024, 3, 15), 1) == date(2024, 3, 17)
    assert cal.working_days_between(date(2024, 3, 15), date(2024, 3, 18)) == 2


def test_overrides_win_over_holidays_and_make_up_days() -> None:
    cal = WorkingCalendar({date(2024, 4, 30): True, date(2024, 5, 4): False})
    assert cal.is_working_day(date(2024, 4, 30))
    assert not cal.is_working_day(date(2024, 5, 4))
    assert cal.day_off_reason(date(2024, 5, 4)) == OVERRIDE_DAY_OFF_REASON


def test_overrides_are_per_instance_and_copied() -> None:
    overrides = {date(2024, 3, 13): False}
    cal = WorkingCalendar(overrides)
    overrides[date(2024, 3, 14)] = False
    assert cal.is_working_day(date(2024, 3, 14))
    assert WorkingCalendar().is_working_day(date(2024, 3, 13))


def test_overrides_express_a_schedule_the_library_does_not_know() -> None:
    # Swaps announced after the library release come from the admin table. Illustrative swap (not
    # asserted to be the official 2026 decision): Fri 02/01/2026 off, made up on Sat 10/01/2026.
    official = WorkingCalendar({date(2026, 1, 2): False, date(2026, 1, 10): True})
    library_only = WorkingCalendar()
    assert library_only.is_working_day(date(2026, 1, 2))
    assert not official.is_working_day(date(2026, 1, 2))
    assert official.is_working_day(date(2026, 1, 10))
    assert official.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)


# --- add_working_days / next_working_day ----------------------------------------------------------


def test_add_across_a_weekend(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2024, 3, 15), 1) == date(2024, 3, 18)
    assert cal.add_working_days(date(2024, 3, 16), 1) == date(2024, 3, 18)
    assert cal.add_working_days(date(2024, 3, 14), 5) == date(2024, 3, 21)


def test_add_across_tet(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2024, 2, 7), 1) == date(2024, 2, 15)
    assert cal.add_working_days(date(2025, 1, 24), 1) == date(2025, 2, 3)
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert cal.add_working_days(date(2024, 2, 10), 1) == date(2024, 2, 15)


def test_add_lands_on_make_up_saturday(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2024, 5, 3), 1) == date(2024, 5, 4)
    assert cal.add_working_days(date(2024, 4, 26), 1) == date(2024, 5, 2)


def test_add_zero(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2024, 3, 13), 0) == date(2024, 3, 13)
    assert cal.add_working_days(date(2024, 3, 16), 0) == date(2024, 3, 18)
    assert cal.add_working_days(date(2024, 2, 8), 0) == date(2024, 2, 15)


def test_add_negative(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2024, 2, 15), -1) == date(2024, 2, 7)
    assert cal.add_working_days(date(2024, 3, 18), -1) == date(2024, 3, 15)
    assert cal.add_working_days(date(2024, 3, 17), -1) == date(2024, 3, 15)
    assert cal.add_working_days(date(2024, 5, 6), -1) == date(2024, 5, 4)
    assert cal.add_working_days(date(2024, 3, 21), -5) == date(2024, 3, 14)


def test_add_across_year_boundaries(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2024, 12, 31), 1) == date(2025, 1, 2)
    assert cal.add_working_days(date(2025, 1, 2), -1) == date(2024, 12, 31)
    # 2024: 262 weekdays - 12 weekday holidays + 1 make-up Saturday (04/05) = 251 working days.
    assert cal.working_days_between(date(2023, 12, 31), date(2024, 12, 31)) == 251
    assert cal.add_working_days(date(2023, 12, 31), 251) == date(2024, 12, 31)
    assert cal.add_working_days(date(2023, 12, 31), 252) == date(2025, 1, 2)
    assert cal.add_working_days(date(2025, 1, 1), -252) == date(2023, 12, 29)


def test_next_working_day(cal: WorkingCalendar) -> None:
    assert cal.next_working_day(date(2024, 3, 13)) == date(2024, 3, 13)
    assert cal.next_working_day(date(2024, 3, 16)) == date(2024, 3, 18)
    assert cal.next_working_day(date(2024, 2, 8)) == date(2024, 2, 15)
    assert cal.next_working_day(date(2024, 5, 4)) == date(2024, 5, 4)
    assert cal.next_working_day(date(2025, 8, 30)) == date(2025, 9, 3)


# --- working_days_between -------------------------------------------------------------------------


def test_between_basic(cal: WorkingCalendar) -> None:
    assert cal.working_days_between(date(2024, 3, 15), date(2024, 3, 18)) == 1
    assert cal.working_days_between(date(2024, 3, 16), date(2024, 3, 17)) == 0
    assert cal.working_days_between(date(2024, 3, 13), date(2024, 3, 13)) == 0
    assert cal.working_days_between(date(2024, 2, 7), date(2024, 2, 15)) == 1
    assert cal.working_days_between(date(2024, 4, 26), date(2024, 5, 4)) == 3


def test_between_is_antisymmetric(cal: WorkingCalendar) -> None:
    pairs = [
        (date(2024, 2, 7), date(2024, 2, 15)),
        (date(2024, 3, 16), date(2024, 3, 25)),
        (date(2024, 12, 20), date(2025, 2, 10)),
        (date(2025, 4, 25), date(2025, 5, 6)),
    ]
    for a, b in pairs:
        forward = cal.working_days_between(a, b)
        assert forward > 0
        assert cal.working_days_between(b, a) == -forward


def test_between_is_additive(cal: WorkingCalendar) -> None:
    a, m, b = date(2024, 1, 15), date(2024, 2, 10), date(2025, 3, 3)
    assert cal.working_days_between(a, b) == cal.working_days_between(a, m) + cal.working_days_between(m, b)


def _on_or_before(cal: WorkingCalendar, x: date) -> date:
    while not cal.is_working_day(x):
        x -= timedelta(days=1)
    return x


# From a working start d, n = working_days_between(d, x) working days lead back to x when x is a
# working day, else to the last working day before x (the days off after it are not counted).
@pytest.mark.parametrize("start", [date(2024, 1, 3), date(2024, 2, 15), date(2025, 4, 26)], ids=str)
def test_add_inverts_between_for_many_dates(cal: WorkingCalendar, start: date) -> None:
    assert cal.is_working_day(start)
    for x in _days(date(2023, 10, 1), date(2026, 12, 31)):
        landed = cal.add_working_days(start, cal.working_days_between(start, x))
        assert landed == _on_or_before(cal, x), x
        if cal.is_working_day(x):
            assert landed == x == cal.next_working_day(x)


def test_add_inverts_between_forward_from_a_day_off(cal: WorkingCalendar) -> None:
    start = date(2024, 2, 10)  # Tết
    for x in _days(start, date(2025, 12, 31)):
        n = cal.working_days_between(start, x)
        expected = cal.next_working_day(start) if n == 0 else _on_or_before(cal, x)
        assert cal.add_working_days(start, n) == expected, x


def test_agrees_with_the_library_without_overrides(cal: WorkingCalendar) -> None:
    vn = holidays.country_holidays("VN", years=range(2023, 2028))
    start = date(2023, 6, 1)
    for d in _days(start, date(2027, 6, 30)):
        assert cal.is_working_day(d) == vn.is_working_day(d), d
    for n in (-40, -1, 0, 1, 5, 20, 250):
        assert cal.add_working_days(date(2025, 1, 24), n) == vn.get_nth_working_day(date(2025, 1, 24), n)
    # The library counts the closed interval [start, end].
    end = date(2026, 6, 30)
    assert cal.working_days_between(start, end) == vn.get_working_days_count(start, end) - 1
