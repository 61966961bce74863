"""The Alembic migrations build exactly the schema the models declare; SQLite runs in WAL with FKs."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from engine.db import make_engine
from workflows.schema import alembic_config, upgrade


def test_upgrade_matches_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    upgrade(url)
    command.check(alembic_config(url))  # raises when models and migrations disagree


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'pragmas.db'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
