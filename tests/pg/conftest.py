"""PostgreSQL suite: real server, never skipped. ``.ci/run`` sets CCHC_TEST_PG_URL."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from engine.db import Base, make_engine
from tests.engine_support import EngineRig, make_rig
from workflows import models as _domain  # noqa: F401 - every table, as in production

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def pg_url() -> str:
    return os.environ.get("CCHC_TEST_PG_URL", DEFAULT_URL)


def reset_schema(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
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
