"""The same migrations on PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text

from engine.db import make_engine
from tests.integration.test_calendar_migration import check_calendar_migration
from tests.integration.test_organisation_migration import check_default_backfill
from tests.pg.conftest import pg_url
from workflows.schema import alembic_config, upgrade

pytestmark = pytest.mark.pg


def test_upgrade_matches_models_on_postgresql() -> None:
    url = pg_url()
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(url)
    command.check(alembic_config(url))


def test_organisation_backfill_on_postgresql() -> None:
    url = pg_url()
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    check_default_backfill(url)


def test_calendar_per_organisation_on_postgresql() -> None:
    """0008 on PostgreSQL: rows kept, the partial unique index on the shared days, and back."""
    url = pg_url()
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    check_calendar_migration(url)
