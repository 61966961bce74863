"""SQLite's WAL checkpointed in a thread of its own (engine/wal_checkpoint.py), not in requests' commits."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, text

from engine.db import make_engine, start_wal_checkpointer, stop_wal_checkpointer
from engine.wal_checkpoint import WalCheckpointer


def _autocheckpoint(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("PRAGMA wal_autocheckpoint")).scalar_one())


def _write(engine: Engine, rows: int) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)"))
        for _ in range(rows):
            connection.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": "x" * 2000})


def test_a_turn_checkpoints_only_what_was_written_since_the_last(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:  # no checkpoint inside commits here, so the log keeps every page
        connection.execute(text("PRAGMA wal_autocheckpoint=0"))
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
        connection.commit()
        for _ in range(200):
            connection.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": "x" * 2000})
        connection.commit()
        before = os.path.getsize(path)
        checkpointer = WalCheckpointer(str(path))  # not started: turns by hand
        assert checkpointer.turn() is True
        assert os.path.getsize(path) > before + 200 * 2000  # the pages moved from the log into the database file
        assert checkpointer.turn() is False  # nothing written since
        connection.execute(text("INSERT INTO t (v) VALUES ('y')"))
        connection.commit()
        assert checkpointer.turn() is True
        assert checkpointer.checkpoints == 2
        assert connection.execute(text("SELECT count(*) FROM t")).scalar_one() == 201
    engine.dispose()


def test_started_on_a_file_database_connections_leave_checkpoints_to_it(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert _autocheckpoint(engine) == 1000  # SQLite's default: checkpoints inside commits
    checkpointer = start_wal_checkpointer(engine)
    assert checkpointer is not None and checkpointer.running
    assert start_wal_checkpointer(engine) is checkpointer  # once per engine
    assert _autocheckpoint(engine) == 0
    _write(engine, 50)
    stop_wal_checkpointer(engine)  # its last turn checkpoints what the requests wrote
    assert not checkpointer.running
    assert checkpointer.checkpoints >= 1
    assert _autocheckpoint(engine) == 1000
    engine.dispose()


def test_nothing_is_started_for_a_database_in_memory() -> None:
    engine = make_engine("sqlite://")
    assert start_wal_checkpointer(engine) is None
    stop_wal_checkpointer(engine)  # a no-op
    engine.dispose()


def test_a_missing_log_or_a_failing_checkpoint_is_tried_again(tmp_path: Path) -> None:
    checkpointer = WalCheckpointer(str(tmp_path / "absent.sqlite"))
    assert checkpointer.turn() is False  # no log file: nothing to do
    (tmp_path / "broken.sqlite").write_bytes(b"not a database" * 100)
    (tmp_path / "broken.sqlite-wal").write_bytes(b"x")
    broken = WalCheckpointer(str(tmp_path / "broken.sqlite"))
    assert broken.turn() is False  # the error is logged, not raised; the next turn tries again
    assert broken.checkpoints == 0
