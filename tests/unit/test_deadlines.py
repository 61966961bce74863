"""Deadline classification on working days (no database)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from engine.calendar import WorkingCalendar
from tests.engine_support import at, due
from workflows.deadline_rules import (
    classify_finished,
    classify_open,
    due_soon_horizon,
    format_due,
    overdue_working_days,
)

CAL = WorkingCalendar()


@pytest.mark.parametrize(
    ("now", "due_day", "expected"),
    [
        (at("2024-01-03", 9), "2024-01-08", "on_track"),  # Wed → Mon: Thu, Fri, Mon
        (at("2024-01-04", 0, 1), "2024-01-08", "due_soon"),  # Thu: Fri, Mon
        (at("2024-01-06", 12), "2024-01-08", "due_soon"),  # Saturday
        (at("2024-01-08", 16, 59), "2024-01-08", "due_soon"),  # the due day itself
        (at("2024-01-08", 17, 0), "2024-01-08", "due_soon"),  # due at 17:00 sharp: not yet late
        (at("2024-01-08", 17, 1), "2024-01-08", "overdue"),
        (at("2025-01-22", 9), "2025-02-03", "on_track"),  # 23, 24/01 and 03/02 (Tết between)
        (at("2025-01-23", 9), "2025-02-03", "due_soon"),  # 24/01, 03/02
        (at("2025-04-24", 9), "2025-04-26", "due_soon"),  # Fri 25 and the make-up Saturday 26/04/2025
        (at("2025-04-23", 9), "2025-04-26", "on_track"),
        (at("2025-04-25", 9), "2025-05-05", "on_track"),  # Sat 26, Mon 28, Tue 29, Mon 05/05
        (at("2025-04-28", 9), "2025-05-05", "due_soon"),  # 29/04, then the 30/04–02/05 holidays, 05/05
    ],
)
def test_open_steps(now: datetime, due_day: str, expected: str) -> None:
    assert classify_open(due(due_day), now, CAL, 2) == expected


def test_window_is_configuration() -> None:
    assert classify_open(due("2024-01-08"), at("2024-01-03", 9), CAL, 3) == "due_soon"
    assert classify_open(due("2024-01-08"), at("2024-01-05", 9), CAL, 0) == "on_track"
    assert classify_open(due("2024-01-08"), at("2024-01-08", 9), CAL, 0) == "due_soon"
    assert classify_open(None, at("2024-01-08", 9), CAL, 2) is None


@pytest.mark.parametrize(
    ("completed", "expected"),
    [
        (at("2024-01-05", 16), "early"),
        (at("2024-01-08", 8), "on_time"),
        (at("2024-01-08", 17), "on_time"),
        (at("2024-01-08", 17, 1), "late"),
        (at("2024-01-09", 8), "late"),
    ],
)
def test_finished_steps(completed: datetime, expected: str) -> None:
    assert classify_finished(due("2024-01-08"), completed) == expected
    assert classify_finished(None, completed) is None


@pytest.mark.parametrize("window", [0, 1, 2, 5])
def test_horizon_agrees_with_the_classification(window: int) -> None:
    """Every step due before the horizon is due soon or overdue, every later one on track (a year of days)."""
    for offset in range(0, 400, 3):
        now = at(date(2024, 12, 1) + timedelta(days=offset), 10)
        horizon = due_soon_horizon(now, CAL, window)
        for ahead in range(0, 20):
            due_at = due(now.date() + timedelta(days=ahead))
            state = classify_open(due_at, now, CAL, window)
            assert (state != "on_track") == (due_at < horizon), (now, due_at, window)


def test_overdue_days_count_working_days_only() -> None:
    assert overdue_working_days(due("2025-01-24"), at("2025-01-24", 18), CAL) == 0
    assert overdue_working_days(due("2025-01-24"), at("2025-02-02", 18), CAL) == 0  # all of Tết
    assert overdue_working_days(due("2025-01-24"), at("2025-02-03", 8), CAL) == 1
    assert overdue_working_days(due("2025-04-25"), at("2025-04-26", 9), CAL) == 1  # make-up Saturday counts
    assert format_due(due("2024-03-11")) == "17:00 ngày 11/03/2024"
