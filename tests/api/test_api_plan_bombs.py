"""Hostile plan uploads through the HTTP API: 422 (or 413) with the Vietnamese body, fast, small, nothing stored.

Every bomb of tests/plan_bombs.py is posted as a browser would (multipart, with its file name) to one app whose
database holds the demo plan; after each refusal the plans are exactly those before it. The time and memory
bounds are guards against a hang or a blow-up, far above the measured figures (docs/benchmarks.md): the
request's CPU time (the wall clock on a shared machine also waits for a CPU) and Python's peak allocation
(tracemalloc) while the request runs.
"""

from __future__ import annotations

import io
import shutil
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest

from api import create_app
from engine.clock import ManualClock
from tests.api.conftest import START, Api, assert_error
from tests.plan_bombs import BOMBS, Bomb, seed_xlsx, stray_empty_cell_plan
from tests.xdist_groups import TIME_BUDGETS
from workflows.plan.import_limits import MAX_UPLOAD_BYTES, MB
from workflows.plan.store import SEED_PLAN

pytestmark = TIME_BUDGETS

CPU_SECONDS = 2.0
WALL_SECONDS = 10.0
PEAK_BYTES = 200 * MB


@pytest.fixture(scope="module")
def bomb_api(template_db: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One app for every bomb: a refused upload stores nothing, so they can share its database."""
    path = tmp_path_factory.mktemp("bombs") / "test.db"
    shutil.copy(template_db, path)
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "test", "CLOCK": ManualClock(START), "TESTING": True}
    )
    yield Api(app)
    app.extensions["cchc"].close()


def upload(api: Api, data: bytes, filename: str) -> Any:
    return api.post(
        "/api/v1/plans/import",
        "admin",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(data), filename)},
    )


def stored_plans(api: Api) -> list[tuple[int, str, int]]:
    return [(p["id"], p["title"], p["activity_count"]) for p in api.get("/api/v1/plans", "admin").json]


@pytest.mark.parametrize("bomb", BOMBS, ids=[b.name for b in BOMBS])
def test_a_bomb_gets_its_422_fast_in_little_memory_and_nothing_is_stored(bomb_api: Api, bomb: Bomb) -> None:
    data = bomb.build()
    before = stored_plans(bomb_api)
    cpu, wall = time.process_time(), time.perf_counter()
    response = upload(bomb_api, data, bomb.filename)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    error = assert_error(response, bomb.status, bomb.code)
    if bomb.bound is not None:
        assert error["details"]["bound"] == bomb.bound, error
    assert cpu < CPU_SECONDS and wall < WALL_SECONDS, (cpu, wall)

    tracemalloc.start()
    try:
        again = upload(bomb_api, data, bomb.filename)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert again.json == response.json
    assert peak < PEAK_BYTES, peak
    assert stored_plans(bomb_api) == before


def test_the_lying_dimension_file_is_answered_in_vietnamese(bomb_api: Api) -> None:
    [bomb] = [b for b in BOMBS if b.name == "lying_dimension"]
    data = bomb.build()
    assert len(data) < 2_000  # the 1.4 KB file of the issue
    error = assert_error(upload(bomb_api, data, "ke-hoach.xlsx"), 422, "file_too_large")
    assert error["message"] == (
        "Tệp kế hoạch quá lớn: trang tính có dữ liệu ở dòng 1.048.576, vượt giới hạn 5.000 dòng của một kế hoạch "
        "CCHC. Hãy xoá các dòng, cột hoặc trang tính không thuộc kế hoạch rồi nhập lại."
    )
    assert error["details"] == {"bound": "rows", "limit": 5000, "part": "xl/worksheets/sheet1.xml", "row": 1048576}


def test_an_upload_over_5_mb_gets_a_413_before_anything_reads_it(bomb_api: Api) -> None:
    assert bomb_api.app.config["MAX_CONTENT_LENGTH"] == MAX_UPLOAD_BYTES  # the importer's own bound is the same
    before = stored_plans(bomb_api)
    body = b"|" * (MAX_UPLOAD_BYTES + 1)
    raw = bomb_api.post("/api/v1/plans/import", "admin", data=body, content_type="text/markdown")
    error = assert_error(raw, 413, "payload_too_large")
    assert error["message"] == "Dữ liệu gửi lên quá lớn."
    multipart = upload(bomb_api, body, "ke-hoach.md")
    assert_error(multipart, 413, "payload_too_large")
    assert stored_plans(bomb_api) == before


def test_the_seed_plan_and_xlsx_fixtures_still_import(api: Api) -> None:
    seed = upload(api, SEED_PLAN.read_bytes(), "ke-hoach-cchc-2024.md")
    assert seed.status_code == 200 and seed.json["created"] is False  # the demo database holds it already
    markdown_counts = seed.json["report"]["counts_per_area"]
    as_xlsx = upload(api, seed_xlsx(), "ke-hoach-cchc-2024.xlsx")
    assert as_xlsx.status_code == 201, as_xlsx.json
    assert as_xlsx.json["report"]["counts_per_area"] == markdown_counts
    assert as_xlsx.json["report"]["activities"] == 43
    stray = upload(api, stray_empty_cell_plan(), "ke-hoach-2025.xlsx")
    assert stray.status_code == 201, stray.json
    assert (stray.json["plan"]["year"], stray.json["report"]["counts_per_area"]) == (2025, {"I": 1})
