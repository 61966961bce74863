"""The caller's database session, for diagram helpers that read or write in the same transaction.

``Services.uow()`` and ``Services.read()`` bind it for the length of a unit of work; outside one (an engine test
without services) it is None and such helpers fall back to what needs no database.
"""

from __future__ import annotations

import contextvars

from sqlalchemy.orm import Session

current_session: contextvars.ContextVar[Session | None] = contextvars.ContextVar("cchc_session", default=None)
