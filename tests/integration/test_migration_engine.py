"""Engine.migrate_instance on its own: what a moved step keeps (a gia hạn, a claim) and what it loses (the claim,
when the step changes lane); a preview writes nothing; a refusal is an exception that writes nothing either."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import rows
from engine.definitions import read_bundle
from engine.migration import MigrationRefused
from engine.models import HumanTask
from tests import migration_support as ms
from tests.engine_support import (
    CITY_PARENTS,
    PROCESSES,
    DictUnits,
    EngineRig,
    actor,
    at,
    city_round_rig,
    complete,
    deploy_process,
    make_rig,
    process_folder,
    sample_start,
)
from tests.engine_support import start as start_process
from workflows.script_helpers import domain_helpers

ADMIN = actor("admin", "admin", unit=None)
STAFF = actor("cv", "staff")
MAPPING = {"Task_review": "Task_review2"}
COORDINATOR = actor("cv.pnv", "coordinator", unit="PNV")
EVERYONE = actor("cv.pnv", "coordinator", "staff", "head", "leader", "admin", unit="PNV")


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


def test_an_instance_inside_a_subprocess_is_refused(tmp_path: Path) -> None:
    """index_scoring's self-assessment runs in a multi-instance subprocess: such an instance stays; one still at
    its opening step moves (version 2 differs only by its process name)."""
    with city_round_rig(tmp_path) as rig:
        key = "index_scoring"
        deploy_process(rig, key)
        waiting = start_process(rig, key, COORDINATOR, sample_start(key))
        inside = start_process(rig, key, COORDINATOR, sample_start(key))
        opening_data = {
            "year": 2024,
            "criteria_code": "par-index-2024-xa",
            "units": ["P1", "P2"],
            "self_assessment_deadline": "2024-03-29",
        }
        complete(rig, inside.open_tasks[0], COORDINATOR, opening_data)
        bpmn, files = read_bundle(process_folder(key) / f"{key}.bpmn")
        rig.deploy_bytes(bpmn.replace(b'name="', b'name="v2 ', 1), files)
        with rig.sessions() as session:
            plan = rig.engine.migration_plan(session, key, 1, 2, {})
            refused = rig.engine.preview_migration(session, plan, inside.id)
            moved = rig.engine.preview_migration(session, plan, waiting.id)
        assert (refused.movable, refused.code) == (False, "subprocess_unsupported")
        assert moved.movable, moved.reason


SAMPLES = sorted(p.parent.name for p in PROCESSES.glob("*/sample-start.json"))


@pytest.mark.parametrize("key", SAMPLES)
def test_every_process_moves_to_an_identical_version(tmp_path: Path, key: str) -> None:
    """No false alarm: a just-started instance of each process of processes/ can move to a version that differs
    only by its name (the variable check finds everything the steps ahead read)."""
    helpers = {**domain_helpers(), "next_document_number": lambda unit, year, kind="KH": f"1/{kind}-{unit}"}
    rig = make_rig(f"sqlite:///{tmp_path / 'e.db'}", at("2024-03-01"), helpers=helpers, units=DictUnits(CITY_PARENTS))
    try:
        deploy_process(rig, key)
        instance = start_process(rig, key, EVERYONE, sample_start(key))
        bpmn, files = read_bundle(process_folder(key) / f"{key}.bpmn")
        rig.deploy_bytes(bpmn.replace(b'name="', b'name="v2 ', 1), files)
        with rig.sessions() as session:
            plan = rig.engine.migration_plan(session, key, 1, 2, {})
            outcome = rig.engine.preview_migration(session, plan, instance.id)
        assert outcome.movable, outcome.reason
        assert [s.after_element_id for s in outcome.steps] == [t.element_id for t in instance.open_tasks]
    finally:
        rig.sql.dispose()


def test_what_a_step_taken_out_of_history_set_stays(tmp_path: Path) -> None:
    """The removed signing step changed ``status`` (set by the receiving step); an instance past it moves and its
    next step still reads the signing step's value, not the one before it."""
    rig = make_rig(f"sqlite:///{tmp_path / 'engine.db'}")
    first = ms.diagram(1).decode()
    for step, value in (("Task_receive", "draft"), ("Task_sign", "signed")):
        head = f'id="{step}" name="'
        at_step = first.index(head)
        cut = first.index("<bpmn:extensionElements>", at_step) + len("<bpmn:extensionElements>")
        post = f"<spiffworkflow:postScript>status = '{value}'</spiffworkflow:postScript>"
        first = first[:cut] + post + first[cut:]
    rig.deploy_bytes(first.encode(), ms.files())
    rig.deploy_bytes(ms.diagram(2), ms.files())
    instance_id = start_v1(rig, completions=3)
    migrate(rig, instance_id)
    row = open_row(rig, instance_id)
    with rig.sessions() as session:
        assert rig.engine.task_data(session, row.id)["status"] == "signed"
