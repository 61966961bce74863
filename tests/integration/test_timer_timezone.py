"""One local time zone for the timer table and SpiffWorkflow, whatever the server's own zone is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from engine.clock import DEFAULT_TIMEZONE, configured_zone
from tests import timezone_scenario

ROOT = Path(__file__).resolve().parents[2]


def expect_fired_at_nine_local(result: dict[str, Any], due_utc: str) -> None:
    """The row is due at 09:00 local time; the worker fires it after that, never before, and never spins."""
    assert result["due_at"] == due_utc
    passes = result["passes"]
    start_version = result["version_at_start"]
    assert passes["08:59"] == {
        "fired": 0,
        "status": "waiting",
        "version": start_version,  # not rewritten by a pass that fired nothing
        "waits": [1.01, 1.01],  # one second until the timer is due (+10 ms), after each pass
        "ticks": 0,
    }
    assert passes["09:00"] == {"fired": 0, "status": "waiting", "version": start_version}  # fires strictly after
    assert passes["09:01"]["fired"] == 1 and passes["09:01"]["status"] == "fired"


def run_scenario(tmp_path: Path, tz: str, zone: str | None) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in ("TZ", "CCHC_TIMEZONE")}
    env.update(TZ=tz, PYTHONPATH=str(ROOT))
    if zone is not None:
        env["CCHC_TIMEZONE"] = zone
    done = subprocess.run(
        [sys.executable, "-m", "tests.timezone_scenario", str(tmp_path / "tz.db")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    ("tz", "offset"), [("UTC", 0), ("Asia/Ho_Chi_Minh", 7 * 3600), ("Pacific/Honolulu", -10 * 3600)]
)
def test_a_zone_less_timer_is_local_time_on_a_server_in_any_zone(tmp_path: Path, tz: str, offset: int) -> None:
    result = run_scenario(tmp_path, tz, None)
    assert result["utc_offset"] == offset  # the server's zone really was ``tz``
    assert result["zone"] == DEFAULT_TIMEZONE
    expect_fired_at_nine_local(result, "2024-03-15T02:00:00+00:00")


def test_the_local_zone_is_configured_once_for_everything(tmp_path: Path) -> None:
    result = run_scenario(tmp_path, "UTC", "Asia/Tokyo")
    assert (result["utc_offset"], result["zone"]) == (0, "Asia/Tokyo")
    expect_fired_at_nine_local(result, "2024-03-15T00:00:00+00:00")


def test_in_this_process(tmp_path: Path) -> None:
    expect_fired_at_nine_local(timezone_scenario.scenario(str(tmp_path / "tz.db")), "2024-03-15T02:00:00+00:00")


def test_a_zone_name_that_does_not_exist_stops_the_start() -> None:
    with pytest.raises(RuntimeError, match="CCHC_TIMEZONE"):
        configured_zone("Asia/Sai_Gon")
