"""The application's services: database, engine, calendar and organisation wired once per app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from engine.clock import Clock, SystemClock
from engine.db import UnitOfWork, make_engine, make_session_factory
from engine.helpers import CalendarSource, standard_helpers
from engine.runtime import Engine

from .documents import document_helpers
from .organisation import DbUnitDirectory
from .script_helpers import domain_helpers


class Services:
    """Everything a request needs, created by the app factory (nothing at import time)."""

    def __init__(self, database_url: str, clock: Clock | None = None, **engine_options: Any) -> None:
        self.database_url = database_url
        self.clock = clock or SystemClock()
        self.sql = make_engine(database_url, **engine_options)
        self.sessions = make_session_factory(self.sql)
        self.calendar = CalendarSource(self.sessions)
        self.units = DbUnitDirectory(self.sessions)
        helpers = standard_helpers(self.calendar.get) | domain_helpers() | document_helpers()
        self.engine = Engine(clock=self.clock, helpers=helpers, units=self.units)
        from .alerts import StepObserver  # imports the use cases, which import this module
        from .deadlines import DeadlineSettings
        from .notifications import MailSettings

        self.deadlines = DeadlineSettings.from_env()
        self.mail = MailSettings.from_env()
        self.engine.observers.append(StepObserver(self))

    @contextmanager
    def uow(self) -> Iterator[UnitOfWork]:
        """One transaction: commit explicitly, anything else rolls back."""
        with UnitOfWork(self.sessions) as uow, bound_session(uow):
            yield uow

    def close(self) -> None:
        self.sql.dispose()


@contextmanager
def bound_session(uow: UnitOfWork) -> Iterator[None]:
    """Let diagram helpers that write (document numbers) use the caller's transaction."""
    from .documents import current_session

    token = current_session.set(uow.session)
    try:
        yield
    finally:
        current_session.reset(token)
