"""Criteria set uploads: what checking each file costs, next to a shipped set's YAML (the baseline) in the same run.

Each file goes through ``criteria_sets.check_upload`` (read with its bounds, then every check) ``--repeat`` times
for the median wall time, and once more under tracemalloc for Python's peak; the outcome is "accepted" or the
error code. Files: the shipped ``par-index-2024-cqcm.yaml`` (baseline), the largest accepted set (1,000 flat rows,
JSON), a YAML billion laughs, 10,000 Excel rows, JSON nested 100,000 deep, 5,000 flat rows (JSON).

Usage: ``.venv/bin/python bench/criteria_uploads.py [--repeat 5]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable  # noqa: E402

from openpyxl import Workbook  # noqa: E402

from engine.errors import AppError  # noqa: E402
from workflows.criteria_sets import check_upload  # noqa: E402

HEADER = {"code": "B-1", "name": "Bộ đo", "year": 2024, "unit_kind": "xa"}


def flat_rows(count: int) -> bytes:
    rows = [{"code": str(n), "name": f"Tiêu chí {n}", "max_points": 0.1, "parent": ""} for n in range(1, count + 1)]
    return json.dumps({**HEADER, "rows": rows}, ensure_ascii=False).encode()


def laughs() -> bytes:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    return "\n".join(lines).encode()


def excel_rows(count: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["Mã tiêu chí", "Tên", "Điểm tối đa", "Cha"])
    for n in range(1, count + 1):
        sheet.append([str(n), f"Tiêu chí {n}", 1, None])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


FILES: dict[str, tuple[str, Callable[[], bytes]]] = {
    "shipped set (baseline)": ("set.yaml", lambda: (ROOT / "processes/criteria/par-index-2024-cqcm.yaml").read_bytes()),
    "1,000 flat rows (largest accepted)": ("rows.json", lambda: flat_rows(1000)),
    "YAML billion laughs": ("laughs.yaml", laughs),
    "10,000 Excel rows": ("rows.xlsx", lambda: excel_rows(10_000)),
    "JSON nested 100,000 deep": ("deep.json", lambda: b"[" * 100_000 + b"]" * 100_000),
    "5,000 flat rows": ("many.json", lambda: flat_rows(5000)),
}


def outcome(data: bytes, name: str) -> str:
    try:
        check_upload(data, name, HEADER)
        return "accepted"
    except AppError as error:
        return error.code


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    baseline = None
    print(f"{'file':38} {'bytes':>9} {'median ms':>10} {'× baseline':>11} {'peak KB':>9}  outcome")
    for label, (name, make) in FILES.items():
        data = make()
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = outcome(data, name)
            times.append(time.perf_counter() - start)
        tracemalloc.start()
        outcome(data, name)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        median = statistics.median(times)
        baseline = baseline or median
        ratio = median / baseline
        print(f"{label:38} {len(data):>9} {median * 1000:>10.1f} {ratio:>11.1f} {peak // 1024:>9}  {result}")


if __name__ == "__main__":
    main()
