"""``GET /plans/{id}/progress`` answers with the plan's roll-ups as plain JSON: exactly what ``ProgressSchema``
would dump (the route skips the copy; issue #16)."""

from __future__ import annotations

from datetime import date

from api.plan_schemas import ProgressSchema
from engine.clock import ManualClock
from tests.api.conftest import Api
from tests.api.test_api_plans import launch, plan_id
from tests.engine_support import at
from workflows.deadline_rules import local_day
from workflows.plan import queries


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
