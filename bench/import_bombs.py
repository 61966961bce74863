"""Import bombs: what the plan importer costs on each hostile file, next to the seed plan's .xlsx in the same run.

Every file of ``tests/plan_bombs.py`` (and the seed plan's appendix as an .xlsx, the baseline, and a real plan
whose sheet lies about its size) is imported by ``workflows.plan.store.parse_plan_file`` in a fresh process of
its own: the process loads the organisation file and imports the seed .xlsx once (modules, caches), then reads
the file and measures one import — wall and CPU time, the process's peak resident memory (``ru_maxrss``) and
its growth over the import (after − before; 0 when the import fits in memory the warm-up already held) —
then ``--repeat`` more imports for the median wall time and one more under tracemalloc for Python's own peak.
Each process runs under a 2 GB address-space limit and ``--timeout``.

``--before REV`` also runs every file against the importer of a git revision (``git archive`` into a temp
folder), to show what a change did; a timeout or the memory limit is reported as such.

Usage: ``.venv/bin/python bench/import_bombs.py [--repeat 5] [--timeout 60] [--before REV] [--only NAME…]
[--json PATH]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
from typing import Any  # noqa: E402

from tests.plan_bombs import BOMBS, seed_xlsx, stray_empty_cell_plan  # noqa: E402

ORG_FILE = ROOT / "processes/org/sa-dec-2024.yaml"
ADDRESS_SPACE = 2 * 1024**3

CHILD = """
import json, resource, statistics, sys, time, tracemalloc
from pathlib import Path
from engine.errors import AppError
from workflows.org_data import load_org_file
from workflows.plan.store import parse_plan_file

path, seed, org_file, repeat = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
org = load_org_file(org_file)
parse_plan_file(seed.read_bytes(), "seed.xlsx", org)  # warm up: modules, regexes, caches
data = path.read_bytes()


def once():
    try:
        result, _ = parse_plan_file(data, path.name, org)
        return "imported: " + str(sum(result.report.counts.values())) + " activities"
    except AppError as error:
        bound = error.details.get("bound") if isinstance(error.details, dict) else None
        return error.code + (" / " + bound if bound else "")


before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
cpu, wall = time.process_time(), time.perf_counter()
answer = once()
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
grown = peak_rss - before
walls = [wall]
for _ in range(repeat):
    started = time.perf_counter()
    once()
    walls.append(time.perf_counter() - started)
tracemalloc.start()
once()
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
print(json.dumps({"answer": answer, "wall_ms": statistics.median(walls) * 1000, "first_wall_ms": wall * 1000,
                  "cpu_ms": cpu * 1000, "maxrss_mb": peak_rss / 1024, "maxrss_delta_mb": grown / 1024,
                  "tracemalloc_peak_mb": peak / 2**20}))
"""


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def measure(tree: Path, path: Path, seed: Path, repeat: int, timeout: float) -> dict[str, Any]:
    """One fresh process importing ``path`` with the importer of ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    try:
        child = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), str(seed), str(ORG_FILE), str(repeat)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=tree,
            env=env,
            preexec_fn=_limit_memory,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"answer": f"no answer after {timeout:.0f} s"}
    if child.returncode != 0:
        last = (child.stderr.strip().splitlines() or ["?"])[-1]
        return {"answer": "crashed: " + ("out of memory (2 GB limit)" if "MemoryError" in last else last[:80])}
    return dict(json.loads(child.stdout))


def old_tree(rev: str, folder: Path) -> Path:
    """The repository at ``rev``, unpacked (its importer, its bounds or their absence)."""
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def _row(name: str, size: int, figures: dict[str, Any], baseline: dict[str, Any]) -> str:
    if "wall_ms" not in figures:
        return f"| {name} | {size / 1024:,.1f} | {figures['answer']} | | | | | | |"
    ratio = figures["wall_ms"] / baseline["wall_ms"]
    return (
        f"| {name} | {size / 1024:,.1f} | {figures['answer']} | {figures['wall_ms']:,.1f} | {ratio:.2f} | "
        f"{figures['cpu_ms']:,.1f} | {figures['maxrss_mb']:,.0f} | {figures['maxrss_delta_mb']:,.1f} | "
        f"{figures['tracemalloc_peak_mb']:,.1f} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=5, help="imports after the first, for the median wall time")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per process")
    parser.add_argument("--before", help="also measure the importer of this git revision")
    parser.add_argument("--only", nargs="*", default=[], help="bomb names to run (default: all)")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)

    files: list[tuple[str, bytes]] = [
        ("seed.xlsx (baseline)", seed_xlsx()),
        ("real plan, lying size", stray_empty_cell_plan()),
    ]
    files += [(bomb.filename, bomb.build()) for bomb in BOMBS if not args.only or bomb.name in args.only]
    trees = [("after", ROOT)]
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        if args.before:
            trees.insert(0, ("before", old_tree(args.before, folder / "before")))
        seed = folder / "seed.xlsx"
        seed.write_bytes(files[0][1])
        for label, tree in trees:
            print(f"\n{label} ({tree}): wall = median of {args.repeat + 1} imports, each in a fresh process")
            print("| file | KB | answer | wall ms | × seed | CPU ms (1st) | maxrss MB | Δ maxrss MB | tracemalloc MB |")
            print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
            baseline: dict[str, Any] = {}
            for index, (name, data) in enumerate(files):
                path = folder / (f"{index:02d}-" + name.split(" ")[0].replace(",", ""))
                path = path.with_suffix(".xlsx" if ".md" not in name else ".md")
                path.write_bytes(data)
                figures = measure(tree, path, seed, args.repeat, args.timeout)
                baseline = baseline or figures
                results[f"{label}:{name}"] = {"bytes": len(data), **figures}
                print(_row(name, len(data), figures, baseline), flush=True)
    info = {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()}
    print("\n" + json.dumps(info))
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "results": results}, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
