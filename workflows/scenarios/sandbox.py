"""The isolated engine a draft's scenarios run in: its own in-memory SQLite database, a manual clock, bounded
diagram code. Never the live data: nothing here is given the live services.

The demo data set (organisations, accounts, every process of ``processes/``, the demo plans) is built once per
server process into an in-memory template; each scenario gets a fresh copy (SQLite's backup API, a few
milliseconds) with the draft deployed on it, as the BDD tests copy their template database.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from alembic import command
from argon2 import PasswordHasher
from sqlalchemy import event
from sqlalchemy.pool import QueuePool

from engine.clock import LOCAL_TZ, ManualClock
from engine.script_limits import ScriptLimits
from engine.views import SYSTEM_ACTOR

from ..bootstrap import create_services
from ..definitions import deploy_definition
from ..demo import load_demo
from ..schema import alembic_config
from ..services import Services

START = datetime(2024, 1, 2, 8, 0, tzinfo=LOCAL_TZ)  # a Tuesday, the day the features' Background sets anyway
# Passwords of the copies: argon2id at its cheapest (each scenario logs its users in; nothing here is secret).
_CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _memory_url(name: str) -> str:
    return f"sqlite:///file:{name}?mode=memory&cache=shared&uri=true"


def _keeper(name: str) -> sqlite3.Connection:
    """A connection that keeps the named in-memory database alive (it disappears with its last connection)."""
    return sqlite3.connect(f"file:{name}?mode=memory&cache=shared", uri=True, check_same_thread=False)


def _services(name: str, clock: ManualClock, limits: ScriptLimits | None = None) -> Services:
    """Services on the named in-memory database. A pool of connections as on a file: SQLAlchemy would give a
    memory database one connection per thread, and a reader opened inside a writer's unit of work (the
    calendar, the unit directory) would then share the writer's transaction."""
    services = create_services(_memory_url(name), clock=clock, limits=limits, poolclass=QueuePool)
    _read_uncommitted(services)
    return services


def _read_uncommitted(services: Services) -> None:
    # Connections of one shared-cache database lock each other's tables; a reader opened while a writer works
    # (the calendar, the unit directory) must not wait for it: on a file it would read its WAL snapshot.
    @event.listens_for(services.sql, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute("PRAGMA read_uncommitted=1")


def _upgrade(services: Services) -> None:
    """Every migration, on a connection of ``services`` (Alembic's own engine would not know the pool to use)."""
    config = alembic_config(services.database_url)
    with services.sql.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@dataclass
class IsolatedEngine:
    """One scenario's services on a fresh copy of the template, with the draft deployed."""

    services: Services
    clock: ManualClock
    keeper: sqlite3.Connection

    def close(self) -> None:
        self.services.close()
        self.keeper.close()


class Template:
    """The demo data set in memory, built once (thread-safe), copied per scenario."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keeper: sqlite3.Connection | None = None

    def keeper(self) -> sqlite3.Connection:
        with self._lock:
            if self._keeper is None:
                self._keeper = self._build()
            return self._keeper

    def _build(self) -> sqlite3.Connection:
        name = f"cchc-scenarios-template-{uuid.uuid4().hex}"
        keeper = _keeper(name)
        services = _services(name, ManualClock(START))
        try:
            _upgrade(services)
            load_demo(services, hasher=_CHEAP_HASHER)
        finally:
            services.close()
        return keeper

    def with_draft(self, bpmn: bytes, files: Mapping[str, bytes]) -> DraftTemplate:
        """A copy of the template with the draft deployed (its newest version), for the scenarios of one run."""
        name = f"cchc-scenarios-draft-{uuid.uuid4().hex}"
        keeper = _keeper(name)
        source = self.keeper()
        with self._lock:
            source.backup(keeper)
        services = _services(name, ManualClock(START))
        try:
            with services.uow() as uow:
                deploy_definition(services, uow, bpmn, files, SYSTEM_ACTOR)
                uow.commit()
        except BaseException:
            keeper.close()
            raise
        finally:
            services.close()
        return DraftTemplate(keeper)


@dataclass
class DraftTemplate:
    """The demo data set with one draft deployed; each scenario runs on its own copy."""

    keeper: sqlite3.Connection

    def copy(self, limits: ScriptLimits) -> IsolatedEngine:
        """A fresh database from this template, with its own clock and an engine under ``limits``."""
        name = f"cchc-scenario-{uuid.uuid4().hex}"
        keeper = _keeper(name)
        self.keeper.backup(keeper)
        clock = ManualClock(START)
        services = _services(name, clock, limits)
        return IsolatedEngine(services, clock, keeper)

    def close(self) -> None:
        self.keeper.close()


TEMPLATE = Template()
