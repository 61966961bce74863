"""kill -9 under load, short: two gunicorn web processes and a worker on PostgreSQL are SIGKILLed while four clients
start instances and complete steps; after the restart every acknowledged action is in the database and no instance
is half-written (``tests/kill9_support.py``; the long run with figures is ``bench/kill9.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kill9_support import run
from tests.pg.test_processes_pg import demo_database

pytestmark = pytest.mark.pg


def test_every_acknowledged_action_survives_kill9_of_every_process(tmp_path: Path) -> None:
    url = demo_database()
    figures = run(url, 5124, tmp_path, clients=4, rounds=1, load_seconds=3.0)
    print(figures.report())
    assert figures.kills == 1 and figures.processes_killed == 4  # the master, its two web processes, the worker
    assert figures.acked_starts > 0 and figures.acked_completions > 0, figures.report()
    assert figures.lost == 0, figures.report()
    assert figures.half_written == [], figures.half_written
    assert figures.instances >= figures.acked_starts
    assert not any(key.startswith("5") for key in figures.refused), figures.refused
