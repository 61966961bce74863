"""The inbox rows and a completion's answer dumped without marshmallow's per-field machinery are exactly what
``TaskRowSchema`` and ``CompletionSchema`` dump."""

from __future__ import annotations

import json

import pytest
from marshmallow import Schema, fields

from api.flat_dump import FlatDump, TreeDump
from api.schemas import CompletionSchema, InstanceSchema, TaskRowSchema, TaskSchema
from tests.api.conftest import Api
from workflows import accounts, deadlines, lists
from workflows.lists import Page, StepFilter


def test_flat_dump_equals_the_schema_dump(api: Api) -> None:
    for n in range(3):
        body = {"process_key": "approval5", "unit_code": "PNV", "title": f"Hồ sơ {n}", "data": {}}
        assert api.post("/api/v1/process-instances", "cv.pnv", json=body).status_code == 201
    services = api.app.extensions["cchc"]
    with services.read() as uow:
        head = accounts.get_user(uow.session, "tp.pnv").actor
        mine = lists.inbox(services, uow, head, StepFilter(), Page())
        unit = lists.unit_tasks(services, uow, head, StepFilter(), Page())
    rows = [*mine.items, *unit.items]
    assert len(unit.items) == 3 and any(r.may_assign for r in rows) and any(r.due_at for r in rows)
    assert FlatDump(TaskRowSchema()).dump(rows) == TaskRowSchema(many=True).dump(rows)
    served = api.get("/api/v1/tasks", "tp.pnv", query_string={"scope": "unit"}).json
    assert served == TaskRowSchema(many=True).dump(unit.items)


def test_only_flat_schemas() -> None:
    with pytest.raises(TypeError, match="not a flat field"):
        FlatDump(InstanceSchema())


def test_tree_dump_equals_the_schema_dump(api: Api) -> None:
    """A completion's answer (an instance with its data and open steps, the next steps) as CompletionSchema dumps
    it, and what the endpoint answers."""
    started = api.start(topic="Cây")
    task = started["open_tasks"][0]["id"]
    services = api.app.extensions["cchc"]
    with services.uow() as uow:
        actor = accounts.get_user(uow.session, "cv.pnv").actor
        result = deadlines.complete_step(services, uow, actor, task, {"title": "Dự thảo"}, None)
        uow.rollback()
    assert result.next_tasks and result.instance.data and result.next_tasks[0].due_at
    assert TreeDump(CompletionSchema()).dump(result) == CompletionSchema().dump(result)
    # the same completion again, committed this time (the clock stands still: the same answer)
    served = api.post(f"/api/v1/tasks/{task}/complete", "cv.pnv", json={"data": {"title": "Dự thảo"}}).json
    assert served == json.loads(json.dumps(CompletionSchema().dump(result)))


def test_only_plain_trees() -> None:
    class Many(Schema):
        tasks = fields.Nested(TaskSchema, many=True)

    class Partial(Schema):
        task = fields.Nested(TaskSchema, only=("id",))

    class Typed(Schema):
        data = fields.Dict(keys=fields.String())

    for schema in (Many(), Partial(), Typed()):
        with pytest.raises(TypeError, match="not a flat field"):
            TreeDump(schema)
    TreeDump(InstanceSchema())  # nested lists of steps, plain dicts
