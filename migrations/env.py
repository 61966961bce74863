"""Alembic environment: the URL comes from the caller (``config.attributes['url']``) or CCHC_DATABASE_URL."""

from __future__ import annotations

from pathlib import Path

from alembic import context

from engine import models as _engine_models  # noqa: F401 - registers the engine tables
from engine.db import Base, default_database_url, make_engine
from workflows import models as _workflow_models  # noqa: F401 - registers the domain tables

config = context.config
url = config.attributes.get("url") or default_database_url(Path(__file__).resolve().parents[1] / "instance")
connection = config.attributes.get("connection")


def run() -> None:
    if connection is not None:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # batch migrations rebuild referenced tables (copy, drop, rename): keys checked at the end
            # (outside a transaction: SQLite ignores the pragma inside one)
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
            if sqlite and (broken := conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()):
                raise RuntimeError(f"Foreign keys broken by the migration: {broken[:10]}")
        if sqlite:
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
    engine.dispose()


run()
