"""The engine's directory of the unit hierarchy (lane rules ``parent``), read from the unit table and cached."""

from __future__ import annotations

import threading

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from .models import Unit


class DbUnitDirectory:
    """The engine's view of the hierarchy, read from the unit table and cached."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory
        self._parents: dict[str, str | None] | None = None
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        with self._lock:
            self._parents = None

    def parent_of(self, unit_code: str) -> str | None:
        parents = self._parents
        if parents is None:
            with self._factory() as session:
                parents = {code: parent for code, parent in session.execute(select(Unit.code, Unit.parent_code))}
            with self._lock:
                self._parents = parents
        return parents.get(unit_code)
