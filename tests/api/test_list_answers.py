"""The lists built from plain rows (issue #16 item 5, fourth pass) answer byte for byte what they answered when
built from ORM objects and dumped by marshmallow: the steps with their instructions filled in from their
instances' data, and the instances with their open steps."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from flask import Flask, jsonify
from sqlalchemy import select

from api.schemas import InstanceSchema, TaskRowSchema
from engine import instructions, queries
from engine.clock import ManualClock
from engine.driver import driver
from engine.models import HumanTask, ProcessDefinition, ProcessInstance
from engine.queries import render_cache
from engine.views import InstanceView, TaskView
from tests.api.conftest import Api
from tests.api.test_api_plans import launch, plan_id
from tests.engine_support import at
from workflows import access, accounts
from workflows.lists import StepRow
from workflows.models import Unit, User


def _json(app: Flask, value: Any) -> bytes:
    """What the app's ``jsonify`` (and flask-smorest's response) makes of ``value``."""
    with app.test_request_context():
        return jsonify(value).data  # type: ignore[no-any-return]


def _launched(api: Api, clock: ManualClock) -> None:
    """A plan launched: its steps' instructions are templates naming the instance's data."""
    assert launch(api, plan_id(api), "2024-03-31").status_code == 200
    clock.set(at(date(2024, 2, 20), 9))  # some instances past their deadline


def _old_step_rows(api: Api, user: str, ids: list[int], *, unit_scope: bool) -> list[StepRow]:
    """The rows as the lists built them before: ORM rows, their instructions rendered with the instance's data."""
    services = api.app.extensions["cchc"]
    with services.read() as uow:
        session = uow.session
        actor = accounts.get_user(session, user).actor
        now = services.clock.now()
        rows = []
        for task_id in ids:
            step = session.get(HumanTask, task_id)
            assert step is not None
            instance = session.get(ProcessInstance, step.instance_id)
            assert instance is not None
            definition = session.get(ProcessDefinition, instance.definition_id)
            view = TaskView.of(step)
            view = replace(view, instructions=instructions.render(view.instructions, instance.data or {}))
            unit = session.get(Unit, step.unit_code) if step.unit_code else None
            holder = session.get(User, step.assignee) if step.assignee else None
            rows.append(
                StepRow(
                    **vars(view),
                    instance_title=instance.title,
                    process_name=definition.name if definition else None,
                    instance_due_at=instance.due_at,
                    unit_name=(unit.short_name or unit.name) if unit else None,
                    assignee_name=holder.full_name if holder else None,
                    activity_overdue=instance.due_at is not None and instance.due_at < now,
                    may_assign=unit_scope and access.may_assign(view, actor),
                )
            )
        return rows


def test_steps_with_filled_in_instructions_are_the_old_answer(api: Api, clock: ManualClock) -> None:
    _launched(api, clock)
    for user, query in (("cchc.pnv", {"scope": "unit", "limit": 200}), ("cchc.pnv", {"scope": "unit", "offset": 7})):
        served = api.get("/api/v1/tasks", user, query_string=query)
        assert served.status_code == 200
        ids = [row["id"] for row in served.json]
        assert len(ids) > 7
        old = _old_step_rows(api, user, ids, unit_scope=True)
        assert served.data == _json(api.app, TaskRowSchema(many=True).dump(old))
    with api.app.extensions["cchc"].read() as uow:
        templates = {t for (t,) in uow.session.execute(select(HumanTask.instructions).where(HumanTask.id.in_(ids)))}
    filled = {row["instructions"] for row in served.json}
    assert any(instructions.is_template(t) for t in templates) and not any(instructions.is_template(t) for t in filled)


def test_instances_are_the_old_answer(api: Api, clock: ManualClock) -> None:
    _launched(api, clock)
    services = api.app.extensions["cchc"]
    for user, query in (("admin", {"limit": 200}), ("cchc.pnv", {"offset": 3, "sort": "due_at"})):
        served = api.get("/api/v1/process-instances", user, query_string=query)
        assert served.status_code == 200 and len(served.json) > 3
        with services.read() as uow:
            session = uow.session
            views = []
            for item in served.json:
                instance = session.get(ProcessInstance, item["id"])
                assert instance is not None
                definition = session.get(ProcessDefinition, instance.definition_id)
                assert definition is not None
                steps = session.scalars(
                    select(HumanTask)
                    .where(HumanTask.instance_id == instance.id, HumanTask.status == "ready")
                    .order_by(HumanTask.id)
                )
                views.append(InstanceView.of(instance, definition.version, [TaskView.of(t) for t in steps]))
        assert any(v.open_tasks for v in views) and any(v.data for v in views)
        assert served.data == _json(api.app, InstanceSchema(many=True).dump(views))


def test_a_cached_instruction_follows_its_instance_data(api: Api, clock: ManualClock) -> None:
    """The lists keep rendered instructions by (template, instance, version): a write of the instance's data takes a
    new version, and the next list shows the text filled in from the new data (never the one kept)."""
    _launched(api, clock)
    query = {"scope": "unit", "limit": 200}
    first = api.get("/api/v1/tasks", "cchc.pnv", query_string=query)
    assert api.get("/api/v1/tasks", "cchc.pnv", query_string=query).data == first.data  # now from the cache
    services = api.app.extensions["cchc"]
    with services.read() as uow:
        step = next(
            s
            for s in uow.session.scalars(select(HumanTask).where(HumanTask.id.in_([r["id"] for r in first.json])))
            if instructions.is_template(s.instructions) and instructions.names(s.instructions or "")
        )
    with services.uow() as uow:
        instance = uow.session.get(ProcessInstance, step.instance_id)
        assert instance is not None
        names = instructions.names(step.instructions or "")
        instance.data = {**instance.data, **{name: "Giá trị mới đã sửa" for name in names}}
        uow.commit()
    again = api.get("/api/v1/tasks", "cchc.pnv", query_string=query)
    row = next(r for r in again.json if r["id"] == step.id)
    assert "Giá trị mới đã sửa" in row["instructions"]
    old = _old_step_rows(api, "cchc.pnv", [r["id"] for r in again.json], unit_scope=True)
    assert again.data == _json(api.app, TaskRowSchema(many=True).dump(old))


def test_a_list_read_in_a_writing_transaction_keeps_nothing(api: Api, clock: ManualClock) -> None:
    """Only committed data fills the render cache: a write's own version of an instance could be rolled back."""
    _launched(api, clock)
    services = api.app.extensions["cchc"]
    with services.uow() as uow:
        listed = queries.unit_steps(uow.session, queries.InboxFilter(), queries.PageRequest(limit=200))
        assert any(instructions.is_template(t) for t in _templates(uow.session, listed.items))
        assert len(render_cache(driver(uow.session))) == 0
    api.get("/api/v1/tasks", "cchc.pnv", query_string={"scope": "unit", "limit": 200})
    with services.read() as uow:
        assert len(render_cache(driver(uow.session))) > 0


def _templates(session: Any, rows: list[Any]) -> list[str | None]:
    return [s.instructions for s in session.scalars(select(HumanTask).where(HumanTask.id.in_([r.id for r in rows])))]
