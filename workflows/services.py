"""The application's services: one plain container of what a request needs (built by ``bootstrap``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import Clock
from engine.db import UnitOfWork, start_wal_checkpointer, stop_wal_checkpointer
from engine.helpers import CalendarSource
from engine.runtime import Engine

from .deadline_rules import DeadlineSettings
from .mail import MailSettings
from .session_context import current_session
from .unit_directory import DbUnitDirectory


@dataclass
class Services:
    """Database, engine, calendar, organisation and settings, wired once per app by ``bootstrap.create_services``."""

    database_url: str
    clock: Clock
    sql: SqlEngine
    sessions: sessionmaker[Session]
    calendar: CalendarSource
    units: DbUnitDirectory
    engine: Engine
    deadlines: DeadlineSettings
    mail: MailSettings
    # What use cases derive from a deployed definition, by (definition id, what): a deployed definition never
    # changes, so neither does this (the engine keeps the definitions themselves likewise).
    definition_memo: dict[tuple[int, str], Any] = field(default_factory=dict, repr=False)

    @contextmanager
    def uow(self) -> Iterator[UnitOfWork]:
        """One writing transaction (on SQLite it queues for the write lock): commit, or it rolls back."""
        with UnitOfWork(self.sessions, write=True) as uow, bound_session(uow):
            yield uow

    @contextmanager
    def read(self) -> Iterator[UnitOfWork]:
        """One read-only transaction for views and lists: it never holds back a writer, and a write in it fails."""
        with UnitOfWork(self.sessions, write=False) as uow, bound_session(uow):
            yield uow

    def start_wal_checkpoints(self) -> bool:
        """A served app on SQLite: checkpoints in a thread, not in requests' commits (False: not SQLite in a file)."""
        return start_wal_checkpointer(self.sql) is not None

    def close(self) -> None:
        stop_wal_checkpointer(self.sql)
        self.sql.dispose()


@contextmanager
def bound_session(uow: UnitOfWork) -> Iterator[None]:
    """Let diagram helpers that write (document numbers) use the caller's transaction."""
    token = current_session.set(uow.session)
    try:
        yield
    finally:
        current_session.reset(token)
