"""SQLite WAL checkpoints in a thread of their own, so that no committing request pays for one.

By default SQLite checkpoints inside the commit that takes the write-ahead log past 1,000 pages: that commit copies
the log into the database file and syncs it, tens of milliseconds on a request that happened to be the one
(docs/benchmarks.md, "A completion over HTTP, fourth pass"). A served app turns that off on its connections
(``PRAGMA wal_autocheckpoint=0``) and this thread does the same work beside the requests: a ``PASSIVE`` checkpoint
every ``interval`` seconds when the log has been written since the last one. ``PASSIVE`` never waits for readers
or writers. Durability is unchanged: a commit is as durable in the log as it was (``synchronous`` is untouched);
a checkpoint only moves committed pages into the database file.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 0.5  # at a few hundred commits a second, about the 1,000 pages SQLite's own default waits for


class WalCheckpointer:
    """Checkpoints the database at ``path`` every ``interval`` seconds its log was written in, until ``stop()``."""

    def __init__(self, path: str, *, interval: float = INTERVAL_SECONDS) -> None:
        self.path = path
        self.interval = interval
        self.checkpoints = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cchc-wal-checkpoint", daemon=True)
        self._connection: sqlite3.Connection | None = None
        self._seen: tuple[int, int] | None = None

    def start(self) -> WalCheckpointer:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread after a last checkpoint (the log is left as small as the readers allow)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.turn()
        self.turn(force=True)
        self._close()

    def turn(self, *, force: bool = False) -> bool:
        """One turn: checkpoint if the log was written since the last turn (or ``force``). True if it did."""
        written = self._log_written()
        if written is None or (written == self._seen and not force):
            return False
        try:
            if self._connection is None:
                self._connection = sqlite3.connect(
                    self.path, timeout=1.0, isolation_level=None, check_same_thread=False
                )
            self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error:  # busy, locked, or the file gone: the next turn tries again; nothing is lost meanwhile
            log.warning("WAL checkpoint of %s failed; tried again on the next turn", self.path, exc_info=True)
            self._close()
            return False
        self._seen = written
        self.checkpoints += 1
        return True

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _log_written(self) -> tuple[int, int] | None:
        """When and how far the log was last written (None: no log file)."""
        try:
            found = os.stat(self.path + "-wal")
        except OSError:
            return None
        return found.st_mtime_ns, found.st_size
