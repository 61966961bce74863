from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from tests.engine_support import EngineRig, make_rig
from workflows import accounts

# Deploys in tests do not run the process's scenarios first unless a test asks (SCENARIOS_ON_DEPLOY).
os.environ.setdefault("CCHC_SCENARIOS_ON_DEPLOY", "0")

# Passwords in tests: argon2id at its cheapest (the product's default costs ~90 ms per hash and per login).
accounts.use_password_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[EngineRig]:
    r = make_rig(f"sqlite:///{tmp_path / 'engine.db'}")
    yield r
    r.sql.dispose()
