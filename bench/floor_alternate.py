"""Warm ``Engine.complete`` against its floor, alternated in small batches on one backend.

``bench/engine.py`` times the engine's and the floor's completions in two long rounds; on a shared machine the load
moves between them. Here both walk approval5 in turn, ``--walks`` instances each per round, for ``--rounds``
rounds, on the same rig (``bench/engine.py``'s: fresh schema, manual clock, the floor's row check first), and the
figures are one JSON line: the load average at the end, wall and CPU ms per completion (mean, median, CPU median,
CPU mean) of both, and their ratios.

Usage: ``.venv/bin/python bench/floor_alternate.py [--pg-url URL] [--rounds 10] [--walks 6]``. Run it in two
worktrees one after the other (before / after) for an A/B in the same minutes. The PostgreSQL database is reset.

``--instructions`` (SQLite): the load-independent figure instead — the instructions of a warm completion (the same
timed call as above: unit of work, ``Engine.complete``, commit), counted by ``valgrind --tool=callgrind`` inside each
completion only, for ``--walks`` instances walked by the engine in one process and at the floor in another
(``PYTHONHASHSEED=0``, the cyclic garbage collector off). Needs valgrind's headers and a C compiler.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _bench_engine() -> Any:
    """``bench/engine.py`` as a module (its folder stays off ``sys.path``: it is called engine.py)."""
    spec = importlib.util.spec_from_file_location("bench_engine_module", ROOT / "bench" / "engine.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def _rig(be: Any, pg_url: str | None) -> Any:
    from engine.definitions import read_bundle

    bpmn, files = read_bundle(be.DEFAULT_BPMN)
    if pg_url is None:
        return be.make_rig("sqlite", f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}", bpmn, files)
    from sqlalchemy import text

    from engine.db import make_engine

    sql = make_engine(pg_url)
    with sql.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    sql.dispose()
    return be.make_rig("postgresql", pg_url, bpmn, files)


STEPS_PER_WALK = 5  # approval5's steps
_TOGGLE_ENV = "CCHC_CALLGRIND_TOGGLE"  # the helper library the counted process loads
_TOGGLE_C = "#include <valgrind/callgrind.h>\nvoid cchc_toggle(void) { CALLGRIND_TOGGLE_COLLECT; }\n"


def _side(be: Any, side: str, walks: int) -> None:
    """One process counted by ``--instructions``: ``walks`` instances walked by the engine or at the floor, the
    instructions collected only inside each timed completion (callgrind's collection toggled around it). The
    cyclic garbage collector is off once warm: where its passes fall would move a count by a few per cent."""
    import ctypes
    import gc

    toggle = ctypes.CDLL(os.environ[_TOGGLE_ENV]).cchc_toggle
    rig = _rig(be, None)
    for _ in range(3):
        be.walk(rig, False)
        be.floor_walks(rig, 1)
    owner, name = (be, "complete") if side == "engine" else (be.FLOOR, "complete")
    timed = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        toggle()
        try:
            return timed(*args, **kwargs)
        finally:
            toggle()

    setattr(owner, name, counted)
    gc.collect()
    gc.disable()
    if side == "engine":
        for _ in range(walks):
            be.walk(rig, False)
    else:
        be.floor_walks(rig, walks)


def _instructions(walks: int) -> dict[str, Any]:
    """Instructions per warm completion of the engine and the floor: callgrind, one process each, collecting only
    inside the completions (a two-line C helper, built here, toggles the collection)."""
    valgrind, cc = shutil.which("valgrind"), shutil.which("cc")
    if valgrind is None or cc is None:
        raise SystemExit("--instructions needs valgrind (with its headers) and a C compiler")
    with tempfile.TemporaryDirectory() as tmp:
        source, library = Path(tmp) / "toggle.c", Path(tmp) / "toggle.so"
        source.write_text(_TOGGLE_C)
        subprocess.run([cc, "-O2", "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
        env = {**os.environ, "PYTHONHASHSEED": "0", _TOGGLE_ENV: str(library)}

        def command(side: str) -> list[str]:
            counting = [valgrind, "--tool=callgrind", "--collect-atstart=no", f"--callgrind-out-file={tmp}/{side}.out"]
            return [*counting, sys.executable, __file__, "--side", side, "--walks", str(walks)]

        runs = {
            side: subprocess.Popen(command(side), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for side in ("engine", "floor")
        }
        counted: dict[str, float] = {}
        for side, run in runs.items():
            _, err = run.communicate()
            found = re.search(r"Collected : (\d+)", err)
            if run.returncode != 0 or found is None:
                raise SystemExit(f"{side}: callgrind failed\n{err[-2000:]}")
            counted[side] = int(found.group(1)) / (walks * STEPS_PER_WALK)
    return {"backend": "sqlite", "completions": walks * STEPS_PER_WALK, "engine_instructions": round(counted["engine"]),
            "floor_instructions": round(counted["floor"]), "ratio": counted["engine"] / counted["floor"]}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", help="PostgreSQL bench database (its schema is reset); default SQLite")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--walks", type=int, default=6, help="instances walked by each side per round")
    parser.add_argument("--instructions", action="store_true", help="count instructions (callgrind) instead")
    parser.add_argument("--side", choices=("engine", "floor"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.instructions:
        print(json.dumps(_instructions(args.walks)))
        return 0
    be = _bench_engine()
    if args.side:
        _side(be, args.side, args.walks)
        return 0
    rig = _rig(be, args.pg_url)
    be.check_floor(rig)
    for _ in range(3):  # warm-up: caches, prepared statements
        be.walk(rig, False)
        be.floor_walks(rig, 1)
    engine_wall: list[float] = []
    engine_cpu: list[float] = []
    floor_wall: list[float] = []
    floor_cpu: list[float] = []
    for _ in range(args.rounds):
        be.CPU_LOG.clear()
        for _ in range(args.walks):
            engine_wall += be.walk(rig, False)[1]
        engine_cpu += be.CPU_LOG
        be.CPU_LOG.clear()
        floor_wall += be.floor_walks(rig, args.walks)
        floor_cpu += be.CPU_LOG
    mean, median = statistics.mean, statistics.median

    def ms(wall: list[float], cpu: list[float]) -> list[float]:
        return [round(v * 1e3, 4) for v in (mean(wall), median(wall), median(cpu), mean(cpu))]

    out = {
        "backend": rig.name,
        "load": os.getloadavg()[0],
        "completions": len(engine_wall),
        "engine_ms": ms(engine_wall, engine_cpu),  # wall mean, wall median, CPU median, CPU mean
        "floor_ms": ms(floor_wall, floor_cpu),
        "ratio": {
            "wall_mean": mean(engine_wall) / mean(floor_wall),
            "wall_median": median(engine_wall) / median(floor_wall),
            "cpu_median": median(engine_cpu) / median(floor_cpu),
            "cpu_mean": mean(engine_cpu) / mean(floor_cpu),
        },
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
