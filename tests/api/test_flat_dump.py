"""The inbox rows dumped without marshmallow's per-field machinery are exactly what ``TaskRowSchema`` dumps."""

from __future__ import annotations

import pytest

from api.flat_dump import FlatDump
from api.schemas import InstanceSchema, TaskRowSchema
from tests.api.conftest import Api
from workflows import accounts, lists
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
