"""The pure rules of Chuyển phiên bản: what code reads, what is missing ahead, a timer's kept start, the label."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from engine.migration_checks import missing_variables, read_names
from engine.views import EventView
from workflows.records import event_label


def spec(name: str, *, outputs: list[Any] | None = None, **attrs: Any) -> Any:
    return SimpleNamespace(name=name, bpmn_id=name, outputs=outputs or [], lane=None, **attrs)


def test_read_names_skips_what_the_code_binds_and_unparsable_text() -> None:
    assert read_names("total = a + b\nresult = total * rate") == {"a", "b", "rate"}
    assert read_names("x > limit and ok", "eval") == {"x", "limit", "ok"}
    assert read_names("def (:") == set()
    assert read_names("sum(r['p'] for r in rows if r) + max(map(lambda u: u.n, units))", "eval") == {
        "sum",
        "rows",
        "max",
        "map",
        "units",
    }


def test_missing_variables_ahead() -> None:
    form = {"review.schema.json": frozenset({"approved"})}
    review = spec("Task_review", extensions={"properties": {"formJsonSchemaFilename": "review.schema.json"}})
    gateway = spec("Gateway", cond_task_specs=[("approved and fee > 0", "Task_pay")])
    due = spec("Task_pay", extensions={"properties": {"dueDate": "add_working_days(pay_from, days)"}})
    script = spec("Script_fee", script="fee = base * 2")
    ahead = [review, gateway, due, script]
    found = missing_variables(ahead, {}, form, (), present={"pay_from"}, helpers={"add_working_days"})
    assert found == {"base": ["Script_fee"], "days": ["Task_pay"]}
    assert (
        missing_variables(ahead, {}, form, ("base",), present={"pay_from", "days"}, helpers={"add_working_days"}) == {}
    )


def test_the_migration_event_reads_in_vietnamese() -> None:
    event = EventView(
        1, "instance_migrated", 1, None, None, "admin", datetime(2024, 1, 1), {"from_version": 1, "to_version": 2}
    )
    assert event_label(event) == ("Chuyển từ phiên bản 1 sang phiên bản 2", None)
