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
        context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
