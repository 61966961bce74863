"""Small factories for engine tests: a database, an engine with a manual clock, actors, bundles."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine as SqlEngine
from sqlalchemy.orm import Session, sessionmaker

from engine.calendar import WorkingCalendar
from engine.clock import LOCAL_TZ, ManualClock
from engine.db import Base, UnitOfWork, make_engine, make_session_factory
from engine.definitions import DeployResult, deploy, read_bundle
from engine.helpers import standard_helpers
from engine.runtime import Engine
from engine.views import Actor

FIXTURES = Path(__file__).parent / "fixtures"
ROLES = {"admin", "leader", "head", "staff", "clerk", "coordinator", "appraiser"}
PARENTS = {"PNV": "UBND", "PTP": "UBND", "VP": "UBND", "P1": "UBND", "P2": "UBND"}


class DictUnits:
    """Unit hierarchy for tests."""

    def parent_of(self, unit_code: str) -> str | None:
        return PARENTS.get(unit_code)


def actor(username: str, *roles: str, unit: str | None = "PNV") -> Actor:
    return Actor(username, frozenset(roles), unit)


@dataclass
class EngineRig:
    sql: SqlEngine
    sessions: sessionmaker[Session]
    engine: Engine
    clock: ManualClock

    @contextmanager
    def uow(self) -> Iterator[UnitOfWork]:
        with UnitOfWork(self.sessions) as uow:
            yield uow

    def deploy_fixture(self, name: str, **kwargs: Any) -> DeployResult:
        bpmn, files = read_bundle(FIXTURES / name / f"{name}.bpmn")
        return self.deploy_bytes(bpmn, files, **kwargs)

    def deploy_bytes(self, bpmn: bytes, files: dict[str, bytes] | None = None, **kwargs: Any) -> DeployResult:
        with self.uow() as uow:
            result = deploy(
                uow.session, bpmn, files or {}, known_roles=ROLES, actor="admin", now=self.clock.now(), **kwargs
            )
            uow.commit()
            return result


def make_rig(url: str, start: datetime | None = None, create: bool = True) -> EngineRig:
    sql = make_engine(url)
    if create:
        Base.metadata.create_all(sql)
    clock = ManualClock(start or datetime(2024, 1, 2, 8, 0, tzinfo=LOCAL_TZ))
    calendar = WorkingCalendar()
    engine = Engine(clock=clock, helpers=standard_helpers(lambda: calendar), units=DictUnits())
    return EngineRig(sql, make_session_factory(sql), engine, clock)
