"""Chuyển phiên bản benchmark: what a dry run and a migration cost per instance, against a completion.

On one SQLite database (a temporary file), N instances of the two-version test process (``tests/migration_support``)
wait at their review step. Measured in one run, each per instance with its own unit of work and commit, the
workflow cache cleared first (a migration always restores from the rows):

1. baseline: completing the receiving step of N other instances (``Engine.complete``);
2. the dry run (``Engine.preview_migration``, read-only);
3. the migration (``Engine.migrate_instance``).

Usage: ``.venv/bin/python bench/migration.py [--n 300]``. Prints milliseconds and ratios to the baseline.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import migration_support as ms  # noqa: E402
from tests.engine_support import actor, make_rig  # noqa: E402

STAFF = actor("cv", "staff")
ADMIN = actor("admin", "admin", unit=None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    n = parser.parse_args().n
    with tempfile.TemporaryDirectory() as tmp:
        rig = make_rig(f"sqlite:///{Path(tmp) / 'bench.db'}")
        rig.deploy_bytes(ms.diagram(1), ms.files())
        rig.deploy_bytes(ms.diagram(2), ms.files())
        waiting: list[int] = []
        baseline_steps: list[int] = []
        for i in range(2 * n):
            with rig.uow() as uow:
                view = rig.engine.start(uow, ms.KEY, unit_code="PNV", data=ms.start_data(i), actor=STAFF, version=1)
                if i % 2 == 0:
                    view = rig.engine.complete(uow, view.open_tasks[0].id, STAFF, {}).instance
                    waiting.append(view.id)
                else:
                    baseline_steps.append(view.open_tasks[0].id)
                uow.commit()
        rig.engine.cache.clear()

        began = time.perf_counter()
        for task_id in baseline_steps:
            rig.engine.cache.clear()
            with rig.uow() as uow:
                rig.engine.complete(uow, task_id, STAFF, {})
                uow.commit()
        complete_ms = (time.perf_counter() - began) * 1000 / n

        with rig.sessions() as session:
            plan = rig.engine.migration_plan(session, ms.KEY, 1, 2, {"Task_review": "Task_review2"})
            began = time.perf_counter()
            for instance_id in waiting:
                assert rig.engine.preview_migration(session, plan, instance_id).movable
            preview_ms = (time.perf_counter() - began) * 1000 / n

        began = time.perf_counter()
        for instance_id in waiting:
            with rig.uow() as uow:
                rig.engine.migrate_instance(uow, plan, instance_id, ADMIN)
                uow.commit()
        migrate_ms = (time.perf_counter() - began) * 1000 / n
        rig.sql.dispose()
    print(f"instances: {n}")
    print(f"completion (cold), baseline: {complete_ms:.2f} ms/instance = 1.00")
    print(f"dry run:                     {preview_ms:.2f} ms/instance = {preview_ms / complete_ms:.2f}x")
    print(f"migration:                   {migrate_ms:.2f} ms/instance = {migrate_ms / complete_ms:.2f}x")


if __name__ == "__main__":
    main()
