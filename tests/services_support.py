"""The whole app's services (every table) on a SQLite file, with the approval5 diagram deployed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from engine.clock import ManualClock
from engine.db import Base
from engine.definitions import deploy, read_bundle
from tests.engine_support import FIXTURES, ROLES
from workflows import models as _domain  # noqa: F401 - every table, as in production
from workflows.bootstrap import create_services
from workflows.services import Services


def approval5_services(path: Path, start: datetime, **engine_options: float) -> Services:
    """Services on ``path`` (SQLite), the clock at ``start``, approval5 deployed; the caller closes them."""
    services = create_services(f"sqlite:///{path}", clock=ManualClock(start), **engine_options)
    Base.metadata.create_all(services.sql)
    with services.uow() as uow:
        bpmn, files = read_bundle(FIXTURES / "approval5" / "approval5.bpmn")
        deploy(uow.session, bpmn, files, known_roles=ROLES, actor="admin", now=start)
        uow.commit()
    return services
