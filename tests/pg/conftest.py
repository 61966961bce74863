"""PostgreSQL suite: real server, never skipped. ``.ci/run`` sets CCHC_TEST_PG_URL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import text

from api import create_app
from engine.db import Base, make_engine
from engine.definitions import read_bundle
from engine.views import SYSTEM_ACTOR
from tests.api.conftest import Api
from tests.engine_support import FIXTURES, EngineRig, make_rig
from workflows import models as _domain  # noqa: F401 - every table, as in production
from workflows.definitions import deploy_definition
from workflows.demo import load_demo
from workflows.schema import upgrade

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def pg_url() -> str:
    return os.environ.get("CCHC_TEST_PG_URL", DEFAULT_URL)


def reset_schema(url: str, *, migrated: bool = False) -> None:
    """An empty schema: the models' tables, or (``migrated``) the tables the migrations make, as a server's."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        if migrated:
            upgrade(url)
        else:
            Base.metadata.create_all(engine)
    except Exception as exc:  # noqa: BLE001 - turn any connection problem into a failure, not a skip
        pytest.fail(f"PostgreSQL suite cannot reach {url}: {exc}")
    finally:
        engine.dispose()


@pytest.fixture
def pg_rig() -> Iterator[EngineRig]:
    url = pg_url()
    reset_schema(url)
    rig = make_rig(url, create=False)
    yield rig
    rig.sql.dispose()


@contextmanager
def approval5_api(*, migrated: bool = False, **config: Any) -> Iterator[Api]:
    """The whole app on a fresh PostgreSQL schema (``reset_schema``) with the demo data and the approval5 fixture
    deployed."""
    url = pg_url()
    reset_schema(url, migrated=migrated)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "TESTING": True, **config})
    services = app.extensions["cchc"]
    load_demo(services)
    with services.uow() as uow:
        bpmn, files = read_bundle(FIXTURES / "approval5" / "approval5.bpmn")
        deploy_definition(services, uow, bpmn, files, SYSTEM_ACTOR)
        uow.commit()
    try:
        yield Api(app)
    finally:
        services.close()
