"""The engine's directory of the unit hierarchy (lane rules ``parent``, ``code:X``, ``var:…``), read from the unit
table and cached.

Process definitions are shared by every organisation, so a lane that names a unit (``code:PNV``, "Phòng Nội vụ")
names it as one organisation wrote it; ``within`` finds the unit that stands for it inside the instance's
organisation (the tenant): the unit itself when it is the tenant's, else the tenant's one unit that carries the
named code among its aliases, else the tenant's one unit whose short name, name or an alias is one of the named
unit's (compared folded: no case, no diacritics). Nothing found (or two candidates): no unit, and the step is
open to the lane's role anywhere inside that organisation — never to another organisation's unit.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.freshness import Recheck
from engine.search import fold

from .models import Unit


@dataclass(frozen=True)
class _Entry:
    parent: str | None
    tenant: str | None
    aliases: frozenset[str]  # folded: as written in the aliases column (codes of other tenants' units too)
    names: frozenset[str]  # folded: short name, name and aliases


def _entry(unit: Unit) -> _Entry:
    aliases = frozenset(fold(a) for a in (unit.aliases or []) if isinstance(a, str))
    names = {fold(n) for n in (unit.short_name, unit.name) if n} | set(aliases)
    return _Entry(unit.parent_code, unit.organisation_code, aliases, frozenset(names))


class DbUnitDirectory:
    """The engine's view of the hierarchy, read from the unit table and cached; read again after this process
    changed a unit (``invalidate``) and every few seconds for another process's change (``engine.freshness``)."""

    def __init__(self, session_factory: sessionmaker[Session], recheck: Recheck | None = None) -> None:
        self._factory = session_factory
        self._units: dict[str, _Entry] | None = None
        self._recheck = recheck or Recheck()
        self._generation = 0  # bumped by invalidate: a read that began before it does not count as a check
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        with self._lock:
            self._units = None
            self._generation += 1
        self._recheck.reset()

    def _read(self) -> dict[str, _Entry]:
        units = self._units
        if units is None or self._recheck.due():
            generation = self._generation
            with self._factory() as session:
                units = {u.code: _entry(u) for u in session.scalars(select(Unit))}
            with self._lock:
                self._units = units
                if generation == self._generation:
                    self._recheck.done()
        return units

    def parent_of(self, unit_code: str) -> str | None:
        entry = self._read().get(unit_code)
        return entry.parent if entry else None

    def within(self, unit_code: str, tenant: str | None) -> str | None:
        """The unit of ``tenant`` that stands for ``unit_code`` (None: no tenant given keeps the code as is)."""
        units = self._read()
        named = units.get(unit_code)
        if tenant is None or (named is not None and named.tenant == tenant):
            return unit_code
        own = {code: e for code, e in units.items() if e.tenant == tenant}
        by_code = [code for code, e in own.items() if fold(unit_code) in e.aliases]
        if len(by_code) == 1:
            return by_code[0]
        if named is None:
            return None
        by_name = [code for code, e in own.items() if e.names & named.names]
        return by_name[0] if len(by_name) == 1 else None
