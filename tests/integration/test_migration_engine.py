"""Engine.migrate_instance on its own: what a moved step keeps (a gia hạn, a claim) and what it loses (the claim,
when the step changes lane); a preview writes nothing; a refusal is an exception that writes nothing either."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import rows
from engine.migration import MigrationRefused
from engine.models import HumanTask
from tests import migration_support as ms
from tests.engine_support import EngineRig, actor, make_rig

ADMIN = actor("admin", "admin", unit=None)
STAFF = actor("cv", "staff")
MAPPING = {"Task_review": "Task_review2"}


def rig_with(tmp_path: Path, variant: str = "") -> EngineRig:
    rig = make_rig(f"sqlite:///{tmp_path / 'engine.db'}")
    rig.deploy_bytes(ms.diagram(1), ms.files())
    rig.deploy_bytes(ms.diagram(2, variant), ms.files())
    return rig


def start_v1(rig: EngineRig, completions: int = 0) -> int:
    with rig.uow() as uow:
        view = rig.engine.start(uow, ms.KEY, unit_code="PNV", data=ms.start_data(1), actor=STAFF, version=1)
        for _ in range(completions):
            view = rig.engine.complete(uow, view.open_tasks[0].id, STAFF, {}).instance
        uow.commit()
    return view.id


def open_row(rig: EngineRig, instance_id: int) -> HumanTask:
    with rig.sessions() as session:
        row = session.scalars(
            select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "ready")
        ).one()
        session.expunge(row)
        return row


def migrate(rig: EngineRig, instance_id: int) -> None:
    with rig.uow() as uow:
        plan = rig.engine.migration_plan(uow.session, ms.KEY, 1, 2, MAPPING)
        rig.engine.migrate_instance(uow, plan, instance_id, ADMIN)
        uow.commit()


def test_an_extended_deadline_and_a_claim_are_kept(tmp_path: Path) -> None:
    rig = rig_with(tmp_path)
    instance_id = start_v1(rig)
    row = open_row(rig, instance_id)
    extended = row.due_at + timedelta(days=3)
    with rig.uow() as uow:
        rig.engine.claim(uow, row.id, STAFF)
        uow.commit()
    with rig.uow() as uow:
        step = uow.session.get(HumanTask, row.id)
        rows.update_open_step(uow.session, step, due_at=extended)  # a gia hạn
        uow.commit()
    migrate(rig, instance_id)
    after = open_row(rig, instance_id)
    assert (after.id, after.assignee, after.due_at) == (row.id, "cv", extended)


def test_a_step_that_changes_lane_goes_back_to_the_queue(tmp_path: Path) -> None:
    rig = rig_with(tmp_path, "head_lane")
    instance_id = start_v1(rig)
    row = open_row(rig, instance_id)
    with rig.uow() as uow:
        rig.engine.claim(uow, row.id, STAFF)
        uow.commit()
    with rig.sessions() as session:
        plan = rig.engine.migration_plan(session, ms.KEY, 1, 2, MAPPING)
        preview = rig.engine.preview_migration(session, plan, instance_id)
    assert preview.movable and preview.steps[0].assignee_kept is False
    assert open_row(rig, instance_id).assignee == "cv"  # the preview wrote nothing
    migrate(rig, instance_id)
    after = open_row(rig, instance_id)
    assert (after.id, after.lane, after.role, after.assignee) == (row.id, "Lãnh đạo phòng", "head", None)


def test_a_refused_instance_is_left_as_it_was(tmp_path: Path) -> None:
    rig = rig_with(tmp_path)
    instance_id = start_v1(rig, completions=2)  # at the signing step, gone in version 2
    before = open_row(rig, instance_id)
    with pytest.raises(MigrationRefused) as refused, rig.uow() as uow:
        plan = rig.engine.migration_plan(uow.session, ms.KEY, 1, 2, MAPPING)
        rig.engine.migrate_instance(uow, plan, instance_id, ADMIN)
    assert refused.value.code == "step_removed"
    after = open_row(rig, instance_id)
    assert (after.id, after.element_id, after.due_at) == (before.id, "Task_sign", before.due_at)
