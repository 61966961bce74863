"""When a process's copy of a small table is compared with the database again.

Several web processes (and worker processes) each keep their own copy of the calendar overrides and of the unit
tree. A change commits through one process and clears that process's copy at once; every other process notices it
at its next check, at most ``seconds`` later (``CCHC_CACHE_RECHECK_SECONDS``; 0 checks at every use). The default
is 5 s on PostgreSQL and under gunicorn (several web processes), and no recheck for the single web process of
``cchc serve`` on SQLite (``workflows.bootstrap``).
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable

DEFAULT_RECHECK_SECONDS = 5.0


def recheck_seconds(default: float = DEFAULT_RECHECK_SECONDS) -> float:
    """``CCHC_CACHE_RECHECK_SECONDS``: how stale another process's change may be seen (``default`` when unset)."""
    raw = os.environ.get("CCHC_CACHE_RECHECK_SECONDS")
    if raw is None or not raw.strip():
        return default
    value = float(raw)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"CCHC_CACHE_RECHECK_SECONDS phải là số giây không âm, không phải {raw!r}")
    return value


class Recheck:
    """A timer of re-reads: ``due()`` once ``seconds`` have passed since the last ``done()`` (or never done)."""

    def __init__(self, seconds: float | None = None, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.seconds = recheck_seconds() if seconds is None else seconds
        self._monotonic = monotonic
        self._last = -math.inf
        self._lock = threading.Lock()

    def due(self) -> bool:
        """Whether the copy should be compared with the database now."""
        with self._lock:
            return self._monotonic() - self._last >= self.seconds

    def done(self) -> None:
        """The copy was just compared (or read): the next check is ``seconds`` from now."""
        with self._lock:
            self._last = self._monotonic()

    def reset(self) -> None:
        """Check at the next use (this process changed the table)."""
        with self._lock:
            self._last = -math.inf
