"""Bring a database to the newest schema with Alembic (engine and domain tables alike); whether it is there."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from engine.db import make_engine

ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT = 2.0  # seconds the readiness check waits for the database (CCHC_READY_TIMEOUT)


def alembic_config(url: str) -> Config:
    """Alembic configuration for ``url`` (the project's migrations folder)."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["url"] = url
    return config


def upgrade(url: str) -> None:
    """Apply every migration to ``url``."""
    command.upgrade(alembic_config(url), "head")


@functools.cache
def head_revisions() -> frozenset[str]:
    """The newest migration(s) this code knows (read once per process: the files do not change under it)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("")).get_heads())


@functools.cache
def known_revisions() -> frozenset[str]:
    """Every migration this code knows."""
    return frozenset(r.revision for r in ScriptDirectory.from_config(alembic_config("")).walk_revisions())


@dataclass(frozen=True)
class NotReady:
    """Why this process should not be sent requests: a stable code and a Vietnamese message."""

    code: str
    message: str
    details: dict[str, list[str]] | None = None


def ready_timeout() -> float:
    return float(os.environ.get("CCHC_READY_TIMEOUT") or READY_TIMEOUT)


@functools.cache
def _probe_engine(url: str, timeout: float) -> Engine:
    """A one-connection pool of its own: a probe neither waits behind busy requests nor longer than ``timeout``."""
    if url.startswith("sqlite"):
        return make_engine(url, busy_timeout=timeout)
    return make_engine(
        url, pool_size=1, max_overflow=0, pool_timeout=timeout, connect_args={"connect_timeout": max(1, round(timeout))}
    )


def readiness(url: str) -> NotReady | None:
    """None when the database answers within ``CCHC_READY_TIMEOUT`` seconds and its schema is at this code's head, or
    ahead of it (a revision this code does not know: a release's migrations ran before its web processes restart,
    and they are written to keep the previous code working)."""
    timeout = ready_timeout()
    try:
        with _probe_engine(url, timeout).connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout * 1000)}")
            found: frozenset[str] = frozenset()
            if conn.dialect.has_table(conn, "alembic_version"):
                found = frozenset(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except SQLAlchemyError:
        return NotReady("database_unavailable", "Không kết nối được cơ sở dữ liệu; máy chủ chưa sẵn sàng.")
    expected = head_revisions()
    behind = not found or any(rev in known_revisions() and rev not in expected for rev in found)
    if behind:
        return NotReady(
            "schema_outdated",
            "Cơ sở dữ liệu chưa ở phiên bản mới nhất; hãy chạy “cchc migrate”.",
            {"database": sorted(found), "code": sorted(expected)},
        )
    return None
