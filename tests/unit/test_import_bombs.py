"""Hostile plan files are refused by the importer itself, quickly and in little memory; real plans still import.

The time and memory asserts are guards against a hang or a blow-up (the lying-dimension file used to run past
120 s and 7 GB), one to two orders of magnitude above the figures in docs/benchmarks.md ("Import bombs",
``bench/import_bombs.py``). Time is the process's CPU time, with a looser bound on the wall clock: on a shared
machine the wall clock also counts the waits for a CPU, and a hang shows in both. Memory is the whole process's
peak (ru_maxrss of a fresh process); tests/api/test_api_plan_bombs.py measures Python's own (tracemalloc).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl.utils.cell import get_column_letter

from engine.errors import AppError
from tests.plan_bombs import (
    BOMBS,
    MAIN_NS,
    SEED_MARKDOWN,
    SMALL_PLAN,
    Bomb,
    inline_cell,
    markdown_whitespace_runs,
    seed_xlsx,
    sheet_xml,
    stray_empty_cell_plan,
    xlsx,
)
from tests.xdist_groups import TIME_BUDGETS
from workflows.org_data import OrgData, load_org_file
from workflows.plan.duties import main_text_duties
from workflows.plan.import_limits import MAX_COLUMNS, MAX_ROWS, MB
from workflows.plan.markdown_import import parse_plan_markdown
from workflows.plan.store import load_schedule_config, parse_plan_file

pytestmark = TIME_BUDGETS

ROOT = Path(__file__).parents[2]
ORG_FILE = ROOT / "processes/org/sa-dec-2024.yaml"
CPU_SECONDS = 2.0
WALL_SECONDS = 10.0
PEAK_BYTES = 200 * MB
_BUILT: dict[str, bytes] = {}


@pytest.fixture(scope="module")
def org() -> OrgData:
    return load_org_file(ORG_FILE)


def built(bomb: Bomb) -> bytes:
    if bomb.name not in _BUILT:
        _BUILT[bomb.name] = bomb.build()
    return _BUILT[bomb.name]


def refuse(data: bytes, filename: str, org: OrgData) -> tuple[AppError, float, float]:
    """The error the importer raises, with the CPU and wall seconds it took."""
    cpu, wall = time.process_time(), time.perf_counter()
    with pytest.raises(AppError) as caught:
        parse_plan_file(data, filename, org)
    return caught.value, time.process_time() - cpu, time.perf_counter() - wall


@pytest.mark.parametrize("bomb", BOMBS, ids=[b.name for b in BOMBS])
def test_a_bomb_is_refused_with_its_bound_quickly_and_in_little_memory(bomb: Bomb, org: OrgData) -> None:
    data = built(bomb)
    error, cpu, wall = refuse(data, bomb.filename, org)
    assert error.code == bomb.code, error.message
    assert error.message.startswith(("Tệp kế hoạch quá lớn: ", "Tệp không phải kế hoạch CCHC: ")), error.message
    if bomb.bound is not None:
        assert isinstance(error.details, dict) and error.details["bound"] == bomb.bound, error.details
    if bomb.code == "file_too_large":
        assert "vượt giới hạn" in error.message and error.details["limit"] > 0
    assert cpu < CPU_SECONDS and wall < WALL_SECONDS, (cpu, wall)


def _value_at(row: int, column: int) -> bytes:
    """A sheet with the small plan and one more value at (row, column)."""
    reference = f"{get_column_letter(column)}{row}"
    return xlsx(sheet_xml(SMALL_PLAN, tail_rows=f'<row r="{row}">{inline_cell(reference, "ghi chú")}</row>'))


def test_the_last_row_and_column_a_plan_may_use(org: OrgData) -> None:
    for row, column in ((MAX_ROWS, 1), (10, MAX_COLUMNS)):
        result, _ = parse_plan_file(_value_at(row, column), "p.xlsx", org)
        assert result.report.counts == {"I": 1}
    for row, column, bound in ((MAX_ROWS + 1, 1, "rows"), (10, MAX_COLUMNS + 1, "columns")):
        error, _, _ = refuse(_value_at(row, column), "p.xlsx", org)
        assert (error.code, error.details["bound"]) == ("file_too_large", bound)
    assert "dòng 5.001, vượt giới hạn 5.000 dòng" in refuse(_value_at(MAX_ROWS + 1, 1), "p.xlsx", org)[0].message
    assert "cột AY, cột thứ 51" in refuse(_value_at(10, MAX_COLUMNS + 1), "p.xlsx", org)[0].message


def test_a_lying_dimension_and_a_stray_empty_cell_are_ignored(org: OrgData) -> None:
    """The sheet claims A1:XFD1048576 and has a styled empty cell there: only the plan's rows are read."""
    cpu = time.process_time()
    result, text = parse_plan_file(stray_empty_cell_plan(), "ke-hoach-2025.xlsx", org)
    assert time.process_time() - cpu < CPU_SECONDS
    assert text is None and result.report.counts == {"I": 1}
    [activity] = [a for *_, a in result.plan.iter_activities()]
    assert (activity.code, activity.lead_units, activity.time_text) == ("3.1", ("PTP",), "Quý II/2025")


def test_the_seed_plan_as_xlsx_gives_the_markdown_plan(org: OrgData) -> None:
    from_markdown = parse_plan_markdown(SEED_MARKDOWN.read_text(encoding="utf-8"), org)
    from_xlsx, _ = parse_plan_file(seed_xlsx(), "ke-hoach-cchc-2024.xlsx", org)
    assert from_xlsx.plan == from_markdown.plan
    assert from_xlsx.report.counts == from_markdown.report.counts


def test_long_runs_of_spaces_no_longer_backtrack(org: OrgData) -> None:
    """4,000 spaces in a table cell and in the main text: two regexes took minutes on such lines."""
    text = markdown_whitespace_runs().decode()
    seed = SEED_MARKDOWN.read_text(encoding="utf-8")
    config = load_schedule_config()
    cpu = time.process_time()
    result = parse_plan_markdown(text, org)
    duties = main_text_duties(text, result.plan.year, org, config)
    assert time.process_time() - cpu < CPU_SECONDS
    expected = parse_plan_markdown(seed, org)
    assert result.plan == expected.plan
    assert duties == main_text_duties(seed, expected.plan.year, org, config)


def test_a_dtd_is_refused_before_openpyxl_opens_the_file(org: OrgData) -> None:
    """A harmless DTD (no entity) in a part openpyxl would parse: refused all the same, with the part named."""
    book = f'<!DOCTYPE workbook><workbook xmlns="{MAIN_NS}"><sheets/></workbook>'
    error, _, _ = refuse(xlsx(sheet_xml(SMALL_PLAN), book=book), "p.xlsx", org)
    assert (error.code, error.details) == ("not_a_plan", {"bound": "xml_dtd", "part": "xl/workbook.xml"})


def test_a_damaged_workbook_is_refused_never_crashes(org: OrgData) -> None:
    """400 copies of a small plan with 1-5 random bytes changed: each imports or gets an AppError (a 4xx)."""
    original = xlsx(sheet_xml(SMALL_PLAN))
    generator = random.Random(1)
    codes: set[str] = set()
    for _ in range(400):
        damaged = bytearray(original)
        for _ in range(generator.randint(1, 5)):
            damaged[generator.randrange(len(damaged))] = generator.randrange(256)
        try:
            parse_plan_file(bytes(damaged), "p.xlsx", org)
            codes.add("imported")
        except AppError as error:
            codes.add(error.code)
    assert {"imported", "not_a_plan"} <= codes


_CHILD = """
import json, resource, sys, time
from pathlib import Path
from workflows.org_data import load_org_file
from workflows.plan.store import parse_plan_file
from engine.errors import AppError
folder, org_file = Path(sys.argv[1]), Path(sys.argv[2])
org = load_org_file(org_file)
files = sorted(folder.iterdir())
blobs = [(path.name, path.read_bytes()) for path in files]
parse_plan_file(next(data for name, data in blobs if name == "seed.xlsx"), "seed.xlsx", org)  # warm up
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
walls = {}
for name, data in blobs:
    started = time.perf_counter()
    try:
        parse_plan_file(data, name, org)
    except AppError:
        pass
    walls[name] = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"maxrss_delta_kb": after - before, "walls": walls}))
"""


def test_the_whole_process_stays_small_through_every_bomb(tmp_path: Path) -> None:
    """ru_maxrss of a fresh process, before and after importing the seed .xlsx and every bomb in turn."""
    (tmp_path / "seed.xlsx").write_bytes(seed_xlsx())
    for bomb in BOMBS:
        (tmp_path / bomb.filename).write_bytes(built(bomb))
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(tmp_path), str(ORG_FILE)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-2000:]
    figures = json.loads(child.stdout)
    assert figures["maxrss_delta_kb"] * 1024 < PEAK_BYTES, figures
    assert set(figures["walls"]) == {"seed.xlsx", *(b.filename for b in BOMBS)}
