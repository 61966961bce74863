"""Migration 0004 fills the search text and deadline of instances started before it, as a start stores them."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import select

from api import create_app
from engine.models import ProcessInstance
from workflows import processes
from workflows.accounts import get_user
from workflows.demo import load_demo
from workflows.schema import alembic_config, upgrade


def test_backfill_matches_what_a_start_stores(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'backfill.db'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test"})
    services = app.extensions["cchc"]
    load_demo(services)
    data = {"activity_code": "VII.3.2", "activity_title": "Báo cáo CCHC", "period_label": "Quý I/2024"}
    with services.uow() as uow:
        actor = get_user(uow.session, "cv.pnv").actor
        started = [
            processes.start_instance(
                services,
                uow,
                actor,
                process_key="periodic_report",
                unit_code="PNV",
                data={**data, "deadline": "2024-03-15", "period_kind": "quarter"},
            ),
            processes.start_instance(
                services,
                uow,
                actor,
                process_key="generic_activity",
                unit_code="PNV",
                data={"activity_title": "Hoạt động không hạn"},
            ),
        ]
        uow.commit()
    with services.read() as uow:
        stored = dict(uow.session.execute(select(ProcessInstance.id, ProcessInstance.search_text)).all())
        due = dict(uow.session.execute(select(ProcessInstance.id, ProcessInstance.due_at)).all())
    services.close()
    assert " vii.3.2 " in stored[started[0].id] and " phong " in stored[started[0].id]
    assert due[started[0].id] is not None and due[started[1].id] is None

    config = alembic_config(url)
    command.downgrade(config, "0003")
    command.upgrade(config, "head")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test"})
    services = app.extensions["cchc"]
    with services.read() as uow:
        assert dict(uow.session.execute(select(ProcessInstance.id, ProcessInstance.search_text)).all()) == stored
        assert dict(uow.session.execute(select(ProcessInstance.id, ProcessInstance.due_at)).all()) == due
    services.close()
