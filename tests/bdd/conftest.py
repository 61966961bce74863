"""BDD fixtures: a demo database built once, copied per scenario; a World that drives the HTTP API as users do.

The step definitions live in ``workflows/scenarios`` (the scenario runner of a draft diagram uses the same ones);
the loop at the bottom of this file hands every one of them to pytest-bdd, so that every feature module of this
folder sees them.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from pytest_bdd import given, parsers, then, when

from api import create_app
from engine.clock import LOCAL_TZ, ManualClock
from workflows.demo import load_demo
from workflows.scenarios.steps import STEPS
from workflows.scenarios.world import World
from workflows.schema import upgrade

START = datetime(2024, 1, 2, 8, 0, tzinfo=LOCAL_TZ)  # a Tuesday


# ---------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrations + the demo organisation, accounts and every process of processes/ (version 1)."""
    path = tmp_path_factory.mktemp("bdd-template") / "demo.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bdd", "CLOCK": ManualClock(START)})
    services = app.extensions["cchc"]
    load_demo(services)
    services.close()
    return path


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def app(template_db: Path, tmp_path: Path, clock: ManualClock) -> Iterator[Flask]:
    path = tmp_path / "scenario.db"
    shutil.copy(template_db, path)
    application = create_app(
        {
            "DATABASE_URL": f"sqlite:///{path}",
            "SECRET_KEY": "bdd",
            "CLOCK": clock,
            "TESTING": True,
            "LOGIN_RATE_LIMIT": "1000 per minute",
        }
    )
    yield application
    application.extensions["cchc"].close()


@pytest.fixture
def world(app: Flask, clock: ManualClock) -> World:
    return World(app.test_client(), app.extensions["cchc"], clock)


_DECORATORS = {"given": given, "when": when, "then": then}
for _definition in STEPS.definitions:
    for _kind in sorted(_definition.kinds):
        _DECORATORS[_kind](parsers.re(_definition.pattern))(_definition.func)
