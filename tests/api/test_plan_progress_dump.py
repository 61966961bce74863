"""``GET /plans/{id}/progress`` answers with the plan's roll-ups as plain JSON: exactly what ``ProgressSchema``
would dump (the route skips the copy; issue #16)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update

from api.plan_schemas import ProgressSchema
from engine.clock import LOCAL_TZ, ManualClock
from engine.models import ProcessInstance
from tests.api.conftest import Api
from tests.api.test_api_plans import launch, plan_id
from tests.engine_support import at
from workflows.deadline_rules import local_day
from workflows.models import PlanOccurrence
from workflows.plan import queries
from workflows.plan.progress import OccurrenceFacts, combine, counts, occurrence_status, quarter_of


def test_progress_is_what_the_schema_dumps(api: Api, clock: ManualClock) -> None:
    pid = plan_id(api)
    assert launch(api, pid, "2024-03-31").status_code == 200
    clock.set(at(date(2024, 2, 20), 9))  # some occurrences overdue, others in progress or not started
    served = api.get(f"/api/v1/plans/{pid}/progress", "cv.pnv")
    assert served.status_code == 200
    services = api.app.extensions["cchc"]
    with services.read() as uow:
        expected = ProgressSchema().dump(
            queries.plan_progress(uow.session, queries.get_plan(uow.session, pid), local_day(clock.now()))
        )
    assert served.json == expected
    assert served.json["today"] == "2024-02-20" and served.json["overall"]["overdue"] > 0
    assert len(served.json["by_unit"]) > 5 and served.json["by_unit"][0]["counts"]["overdue"] > 0


def _reference_progress(session: Any, plan_id_: int, today: date) -> dict[str, Any]:
    """The roll-ups worked out the plain way, one occurrence at a time from ORM rows (what ``plan_progress``
    computed before it counted as it went and read the end moments without their column type; issue #16)."""
    plan = queries.get_plan(session, plan_id_)
    states: dict[int, list[str]] = defaultdict(list)
    per_unit: dict[str, list[str]] = defaultdict(list)
    per_quarter: dict[str, list[str]] = defaultdict(list)
    for activity in plan.activities:
        for occ in activity.occurrences:
            instance = session.get(ProcessInstance, occ.instance_id) if occ.instance_id else None
            status = None if instance is None or instance.status == "cancelled" else instance.status
            ended = instance.ended_at.astimezone(LOCAL_TZ).date() if instance and instance.ended_at else None
            state = occurrence_status(OccurrenceFacts(activity.id, occ.unit_code, occ.due_date, status, ended), today)
            states[activity.id].append(state)
            per_unit[occ.unit_code].append(state)
            per_quarter[quarter_of(occ.due_date) if occ.due_date else "manual"].append(state)
    activities = sorted(plan.activities, key=lambda a: a.position)
    status_of = {a.id: combine(states[a.id]) for a in activities}
    per_area: dict[str, list[str]] = defaultdict(list)
    for a in activities:
        per_area[a.area.code if a.area else queries.DUTY_AREA["code"]].append(status_of[a.id])
    return {
        "overall": counts(status_of.values()),
        "by_area": {code: counts(found) for code, found in per_area.items()},
        "by_unit": {code: (counts(found), len(found), found.count("overdue")) for code, found in per_unit.items()},
        "by_quarter": {q: (counts(found), len(found)) for q, found in per_quarter.items()},
    }


def test_progress_counts_what_each_occurrence_says(api: Api, clock: ManualClock) -> None:
    """Finished instances early, on the day (early in the local morning: a UTC date behind), late; overdue, running
    and not started ones: the served roll-ups are those of every occurrence worked out on its own."""
    check_progress_counts_each_occurrence(api, clock)


def check_progress_counts_each_occurrence(api: Api, clock: ManualClock) -> None:
    """The scenario of ``test_progress_counts_what_each_occurrence_says`` on ``api``'s database (SQLite or
    PostgreSQL: the database counts, tests/pg/test_plan_progress_pg.py)."""
    pid = plan_id(api)
    assert launch(api, pid, "2024-03-31").status_code == 200
    clock.set(at(date(2024, 2, 20), 9))
    services = api.app.extensions["cchc"]
    with services.uow() as uow:
        occurrences = [
            o for o in uow.session.scalars(select(PlanOccurrence).where(PlanOccurrence.instance_id.is_not(None)))
        ]
        assert len(occurrences) > 12
        for n, occ in enumerate(occurrences[:12]):
            assert occ.due_date is not None
            ended = at(occ.due_date + timedelta(days=(-3, 0, 4)[n % 3]), 3)  # 20:00 UTC: the day before in UTC
            uow.session.execute(
                update(ProcessInstance)
                .where(ProcessInstance.id == occ.instance_id)
                .values(status="completed" if n < 10 else "cancelled", ended_at=ended)
            )
        uow.commit()
    served = api.get(f"/api/v1/plans/{pid}/progress", "cv.pnv").json
    with services.read() as uow:
        expected = _reference_progress(uow.session, pid, local_day(clock.now()))
    assert served["overall"] == expected["overall"]
    assert {a["code"]: a["counts"] for a in served["by_area"]} == expected["by_area"]
    assert {u["code"]: (u["counts"], u["total"], u["overdue"]) for u in served["by_unit"]} == expected["by_unit"]
    assert {q["quarter"]: (q["counts"], q["total"]) for q in served["by_quarter"]} == expected["by_quarter"]
    assert [(u["overdue"], u["code"]) for u in served["by_unit"]] == sorted(
        ((u["overdue"], u["code"]) for u in served["by_unit"]), key=lambda row: (-row[0], row[1])
    )
    done = {s: sum(u["counts"][s] for u in served["by_unit"]) for s in ("done_early", "done_on_time", "done_late")}
    assert all(done.values()), done
    with services.read() as uow:  # the exports count the facts they read (in Python): the same roll-ups
        plan = queries.get_plan(uow.session, pid)
        exported = queries.plan_export(uow.session, plan, local_day(clock.now()))["progress"]
        assert exported == queries.plan_progress(uow.session, plan, local_day(clock.now()))
    assert {**exported, "today": exported["today"].isoformat()} == served
