from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine_support import EngineRig, make_rig


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[EngineRig]:
    r = make_rig(f"sqlite:///{tmp_path / 'engine.db'}")
    yield r
    r.sql.dispose()
