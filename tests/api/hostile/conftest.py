"""One app per module for the refusal cases (each asserts that nothing was stored, so they can share it)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from api import create_app
from engine.clock import ManualClock
from tests.api.conftest import START, Api


@pytest.fixture(scope="module")
def shared_app(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    path = tmp_path_factory.mktemp("hostile") / "test.db"
    shutil.copy(template_db, path)
    application = create_app(
        {
            "DATABASE_URL": f"sqlite:///{path}",
            "SECRET_KEY": "test",
            "CLOCK": ManualClock(START),
            "TESTING": True,
            "LOGIN_RATE_LIMIT": "1000 per minute",
            "LOGIN_ADDRESS_RATE_LIMIT": "1000 per minute",
        }
    )
    yield application
    application.extensions["cchc"].close()


@pytest.fixture(scope="module")
def shared(shared_app: Flask) -> Api:
    return Api(shared_app)
