"""Reminders and escalations land on the right working day: weekends, Tết 2025, a make-up Saturday.

The clock is a ManualClock; each ``tick_at`` runs one worker pass at that moment.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask

from engine.clock import ManualClock
from tests.api.conftest import Api
from tests.engine_support import at, due
from tests.worker_support import kinds_of, notifications_of, tick_at
from workflows.services import Services

PERIODIC = {
    "activity_code": "VII.3.2",
    "activity_title": "Báo cáo CCHC quý I/2025",
    "deadline": "2025-03-31",
    "period_label": "Quý I/2025",
    "period_kind": "quarter",
}


def services_of(app: Flask) -> Services:
    return app.extensions["cchc"]  # type: ignore[no-any-return]


def start(api: Api, clock: ManualClock, day: date, **kw: Any) -> dict[str, Any]:
    clock.set(at(day))
    return api.start(**kw)  # type: ignore[no-any-return]


def state_of(api: Api, task_id: int, user: str) -> str | None:
    return api.get(f"/api/v1/tasks/{task_id}", user).json["deadline_state"]  # type: ignore[no-any-return]


def test_weekend_is_skipped_for_reminders_and_the_coordinator(app: Flask, api: Api, clock: ManualClock) -> None:
    services = services_of(app)
    view = start(api, clock, date(2024, 1, 2))  # Tuesday; draft due Friday 05/01 (3 working days)
    [draft] = view["open_tasks"]
    assert datetime.fromisoformat(draft["due_at"]) == due(date(2024, 1, 5))
    assert state_of(api, draft["id"], "cv.pnv") == "on_track"  # Wed, Thu, Fri left

    assert not tick_at(services, clock, at("2024-01-02", 23, 59)).reminders
    report = tick_at(services, clock, at("2024-01-03", 0, 5))  # Thu, Fri left: due soon
    assert (report.classified, report.reminders) == (1, 1)
    assert kinds_of(services, "cv.pnv") == ["due_soon"]
    assert notifications_of(services, "cv.pnv")[0].title == "Sắp đến hạn: Soạn thảo dự thảo"
    assert state_of(api, draft["id"], "cv.pnv") == "due_soon"

    assert not tick_at(services, clock, at("2024-01-05", 16, 59))
    report = tick_at(services, clock, at("2024-01-05", 17, 1))
    assert (report.reminders, report.escalations) == (1, 1)
    assert kinds_of(services, "cv.pnv") == ["due_soon", "overdue"]
    assert notifications_of(services, "cv.pnv")[-1].title == "Quá hạn: Soạn thảo dự thảo"
    assert kinds_of(services, "tp.pnv") == ["escalated"]  # the unit head first
    assert kinds_of(services, "cchc.pnv") == []

    for moment in (at("2024-01-06", 9), at("2024-01-07", 18), at("2024-01-08", 16)):  # Sat, Sun, Mon (1 day late)
        assert not tick_at(services, clock, moment), moment
    assert kinds_of(services, "cchc.pnv") == []
    report = tick_at(services, clock, at("2024-01-09", 7, 30))  # Tuesday: two working days late
    assert report.escalations == 1
    [notice] = notifications_of(services, "cchc.pnv")
    assert notice.kind == "escalated" and "quá hạn 2 ngày làm việc" in notice.message
    assert not tick_at(services, clock, at("2024-01-10", 9))  # each notice once
    assert state_of(api, draft["id"], "cv.pnv") == "overdue"


def test_tet_2025_holidays_delay_nothing_and_the_process_escalation_reaches_the_head(
    app: Flask, api: Api, clock: ManualClock
) -> None:
    services = services_of(app)
    view = start(api, clock, date(2025, 1, 20), user="cv.p1", unit="P1", key="periodic_report", **PERIODIC)
    [draft] = view["open_tasks"]
    # Mon 20/01 + 5 working days: 21, 22, 23, 24 January, then Tết (25/01–02/02), then Monday 03/02.
    assert datetime.fromisoformat(draft["due_at"]) == due(date(2025, 2, 3))

    assert not tick_at(services, clock, at("2025-01-22", 12))  # 23, 24/01 and 03/02 left
    report = tick_at(services, clock, at("2025-01-23", 0, 5))  # 24/01 and 03/02 left
    assert report.reminders == 1 and kinds_of(services, "cv.p1") == ["due_soon"]
    for moment in (at("2025-01-27"), at("2025-01-29", 17, 30), at("2025-01-31", 18), at("2025-02-03", 16, 59)):
        assert not tick_at(services, clock, moment), moment  # nothing happens during Tết

    report = tick_at(services, clock, at("2025-02-03", 17, 1))
    assert report.timers_fired == 1  # the boundary timer recorded the escalation in the data object
    assert report.reminders == 1 and report.escalations == 0  # the head was told by the process record
    assert kinds_of(services, "cv.p1") == ["due_soon", "overdue"]
    [head] = notifications_of(services, "ct.p1")
    assert (head.kind, head.title) == ("escalated", "Cảnh báo quá hạn: Soạn báo cáo")
    assert kinds_of(services, "cchc.pnv") == []
    instance = api.get(f"/api/v1/process-instances/{view['id']}", "cv.p1").json
    assert [e["step"] for e in instance["data"]["data_objects"]["escalations"]] == ["draft"]

    assert not tick_at(services, clock, at("2025-02-04", 9))  # one working day late
    report = tick_at(services, clock, at("2025-02-05", 8))  # two working days late
    assert report.escalations == 1 and kinds_of(services, "cchc.pnv") == ["escalated"]
    assert kinds_of(services, "ct.p1") == ["escalated"]


def test_make_up_saturday_counts_as_a_working_day(app: Flask, api: Api, clock: ManualClock) -> None:
    services = services_of(app)
    view = start(api, clock, date(2025, 4, 23))  # Wednesday; Saturday 26/04/2025 is worked (for Friday 02/05)
    [draft] = view["open_tasks"]
    assert datetime.fromisoformat(draft["due_at"]) == due(date(2025, 4, 26))  # 24, 25 and Saturday 26 April

    assert not tick_at(services, clock, at("2025-04-23", 23))
    assert tick_at(services, clock, at("2025-04-24", 0, 5)).reminders == 1  # Friday and Saturday left
    assert not tick_at(services, clock, at("2025-04-26", 16, 59))
    report = tick_at(services, clock, at("2025-04-26", 17, 1))  # late on the make-up Saturday itself
    assert (report.reminders, report.escalations) == (1, 1)
    assert kinds_of(services, "tp.pnv") == ["escalated"]
    assert not tick_at(services, clock, at("2025-04-28", 10))  # Monday: one working day late
    report = tick_at(services, clock, at("2025-04-29", 10))  # Tuesday: two
    assert report.escalations == 1 and kinds_of(services, "cchc.pnv") == ["escalated"]
    assert not tick_at(services, clock, at("2025-05-02", 10))  # holidays 30/04–02/05: nothing more
