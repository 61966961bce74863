"""The tenant whose instance the engine is running, for the diagram helpers that depend on it.

The runner sets it around every run of an instance's code (scripts, expressions, timer values, deadlines), so a
helper such as ``add_working_days`` counts on that tenant's working-day calendar, never another's.
"""

from __future__ import annotations

import contextvars

__all__ = ["current_tenant", "running_for"]

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("cchc_tenant", default=None)


def current_tenant() -> str | None:
    """The tenant of the instance being run (None: outside a run, or an instance without a tenant)."""
    return _current.get()


class running_for:
    """Run a block (engine steps, a save's projection, a timer batch's instance) for ``tenant``.

    A class rather than a generator context manager: it is entered several times per completion.
    """

    __slots__ = ("tenant", "token")

    def __init__(self, tenant: str | None) -> None:
        self.tenant = tenant

    def __enter__(self) -> None:
        self.token = _current.set(self.tenant)

    def __exit__(self, *_: object) -> None:
        _current.reset(self.token)
