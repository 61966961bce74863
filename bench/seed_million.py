"""Seed a PostgreSQL database with a million steps by SQL, for measuring the lists at scale (issue #16).

The app itself (``cchc init``'s demo data, then its HTTP API through the Flask test client) writes a dozen
template ``generic_activity`` instances in placeholder units (``bench/seed_templates.py``); this script then
copies their rows with ``COPY`` — ``process_instance``, ``instance_task``, ``human_task``, ``timer``,
``audit_event``, ``document_ref`` — replacing the placeholders (unit codes and names, user names, the title's
number, every UUID, step ids) for ``--units`` new units of 10 people each. So every row is one the app wrote,
and a seeded step opens and completes through the API like any other (checked at the end).

``--steps`` steps in all (``human_task`` rows), a tenth of them open: 40 % of the open ones on the product step,
30 % among three coordinating units' comments, 30 % on the head's confirmation; the rest of the instances are
completed (5 steps each). The demo plan of the organisation gets ``--occurrences`` occurrences bound to seeded
instances (its progress is measured). Not copied: notifications and e-mails (no list reads them).

Usage: ``.venv/bin/python bench/seed_million.py [--pg-url URL] [--steps 1000000] [--units 2000]``; the
database's name must contain "bench" or "test" (its schema is dropped first).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402 - after the path of this checkout
from argon2 import PasswordHasher  # noqa: E402
from sqlalchemy import text  # noqa: E402

from api import create_app  # noqa: E402
from bench import seed_templates as tpl  # noqa: E402
from engine.db import make_engine  # noqa: E402
from workflows.demo import load_demo  # noqa: E402
from workflows.schema import upgrade  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/cchc_million_bench"
UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# table: (its own id column or None, the columns holding an instance id, the columns holding a step id)
TABLES: dict[str, tuple[str | None, tuple[str, ...], tuple[str, ...]]] = {
    "process_instance": ("id", ("id",), ()),
    "instance_task": (None, ("instance_id",), ()),
    "human_task": ("id", ("instance_id",), ("id",)),
    "timer": ("id", ("instance_id",), ()),
    "audit_event": ("id", ("instance_id",), ()),
    "document_ref": ("id", ("instance_id",), ("task_id",)),
}
OPEN_SHARE = {0: 0.4, 1: 0.3, 2: 0.3}  # of the open steps: product step, comments (3 per instance), confirmation
OPEN_STEPS = {0: 1, 1: 3, 2: 1, 3: 0}
ALL_STEPS = {0: 1, 1: 4, 2: 5, 3: 5}


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def reset(url: str) -> None:
    """Drop the schema of the bench database and bring it to the newest schema (Alembic)."""
    name = urlsplit(url).path.lstrip("/")
    if "bench" not in name and "test" not in name:
        raise SystemExit(f'Từ chối: "{name}" không phải cơ sở dữ liệu đo/kiểm thử (tên phải chứa "bench" hoặc "test").')
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(url)


@dataclass
class Shape:
    """A template text cut at its placeholders: ``parts[0] key[0] parts[1] …``."""

    parts: list[str]
    keys: list[str]

    def render(self, values: dict[str, str]) -> str:
        out = [self.parts[0]]
        for key, part in zip(self.keys, self.parts[1:], strict=True):
            out.append(values[key])
            out.append(part)
        return "".join(out)


def _shape(value: str, pattern: re.Pattern[str]) -> Shape | str:
    pieces = pattern.split(value)
    if len(pieces) == 1:
        return value
    return Shape(pieces[0::2], pieces[1::2])


@dataclass
class Template:
    """The rows of one template instance, ready to be copied."""

    instance_id: int
    stage: int
    variant: int
    guids: list[str]
    task_ids: list[int]
    rows: dict[str, tuple[list[str], list[list[Any]]]] = field(default_factory=dict)


def _columns(conn: psycopg.Connection[Any], table: str) -> list[tuple[str, str]]:
    return list(
        conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
            "AND table_schema = 'public' ORDER BY ordinal_position",
            (table,),
        )
    )


def read_template(conn: psycopg.Connection[Any], made: tpl.Made) -> Template:
    """The rows of a template instance with every placeholder cut out."""
    iid = made.instance_id
    raw: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    for table in TABLES:
        cols = _columns(conn, table)
        select = ", ".join(f"{c}::text" if kind == "json" else c for c, kind in cols)
        key = "id" if table == "process_instance" else "instance_id"
        raw[table] = (
            [c for c, _ in cols],
            list(conn.execute(f"SELECT {select} FROM {table} WHERE {key} = %s", (iid,))),
        )
    texts = []
    for _, rows in raw.values():
        for row in rows:
            texts += [v.decode() if isinstance(v, bytes) else v for v in row if isinstance(v, str | bytes)]
    guids = sorted(set(re.findall(UUID_RE, "\n".join(texts))))
    task_ids = [int(r[raw["human_task"][0].index("id")]) for r in raw["human_task"][1]]
    tokens = [*guids, *tpl.TEMPLATE_UNITS, *(u.lower() for u in tpl.TEMPLATE_UNITS)]
    tokens += [f"zzn{j}" for j in range(4)] + [tpl.SEQ_TOKEN, tpl.SEQ_TOKEN.lower()]
    tokens += [f"ZZTASK{t}Z" for t in task_ids]
    pattern = re.compile("(" + "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True)) + ")")
    found = Template(iid, made.stage, made.variant, guids, task_ids)
    for table, (names, rows) in raw.items():
        own, instance_cols, task_cols = TABLES[table]
        shaped = []
        for row in rows:
            cells: list[Any] = []
            for col, value in zip(names, row, strict=True):
                if col in instance_cols:
                    cells.append(("instance",))
                elif col in task_cols:
                    cells.append(("task", value))
                elif col == own:
                    cells.append(("new",))
                elif isinstance(value, bytes):
                    cells.append(("bytes", _shape(value.decode(), pattern)))
                elif isinstance(value, str):
                    if table == "audit_event" and col == "payload":  # a step's id inside the event
                        value = re.sub(r'("task_id": ?)(\d+)', r"\1ZZTASK\2Z", value)
                    cells.append(("text", _shape(value, pattern)))
                else:
                    cells.append(("value", value))
            shaped.append(cells)
        found.rows[table] = (names, shaped)
    return found


@dataclass
class Counters:
    ids: dict[str, int]

    def take(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]


def _render(cell: Any, values: dict[str, str], instance_id: int, tasks: dict[int, int], new_id: int) -> Any:
    kind = cell[0]
    if kind == "instance":
        return instance_id
    if kind == "task":
        return tasks.get(cell[1], cell[1]) if cell[1] is not None else None
    if kind == "new":
        return new_id
    if kind == "value":
        return cell[1]
    body = cell[1].render(values) if isinstance(cell[1], Shape) else cell[1]
    return body.encode() if kind == "bytes" else body


def plan_clones(steps: int, seed: int) -> list[int]:
    """The stage of each seeded instance, so that the steps add up to ``steps``, a tenth open."""
    open_steps = steps // 10
    counts = {s: round(open_steps * OPEN_SHARE[s] / OPEN_STEPS[s]) for s in OPEN_SHARE}
    used = sum(counts[s] * ALL_STEPS[s] for s in counts)
    counts[3] = max(0, (steps - used) // ALL_STEPS[3])
    counts[0] += steps - used - counts[3] * ALL_STEPS[3]  # the remainder as single open steps
    stages = [s for s, n in counts.items() for _ in range(n)]
    random.Random(seed).shuffle(stages)
    return stages


def clone_rows(
    templates: dict[tuple[int, int], Template], stages: list[int], units: list[str], counters: Counters, seed: int
) -> Iterator[tuple[str, list[Any], int]]:
    """Every row of the seeded instances: (table, values, instance number)."""
    rng = random.Random(seed)
    variants = len(tpl.DEADLINE_DAYS)
    for n, stage in enumerate(stages):
        template = templates[(stage, n % variants)]
        chosen = rng.sample(units, 4)
        values = {g: str(uuid.uuid4()) for g in template.guids}
        for j, code in enumerate(chosen):
            values[tpl.TEMPLATE_UNITS[j]] = code
            values[tpl.TEMPLATE_UNITS[j].lower()] = code.lower()
            values[f"zzn{j}"] = str(rng.randint(1, 8))
        values[tpl.SEQ_TOKEN] = values[tpl.SEQ_TOKEN.lower()] = str(n + 1)
        instance_id = counters.take("process_instance")
        tasks = {t: counters.take("human_task") for t in template.task_ids}
        values.update({f"ZZTASK{t}Z": str(new) for t, new in tasks.items()})
        for table, (_, rows) in template.rows.items():
            own = TABLES[table][0]
            for cells in rows:
                new_id = counters.take(table) if own and table not in ("process_instance", "human_task") else 0
                yield table, [_render(c, values, instance_id, tasks, new_id) for c in cells], n


def seed_people(conn: psycopg.Connection[Any], count: int, now: Any, password_hash: str) -> list[str]:
    """``count`` units under the organisation's UBND with ten people each; their codes."""
    codes = [f"DV{i:04d}" for i in range(1, count + 1)]
    with conn.cursor().copy(
        "COPY unit (code, name, short_name, kind, parent_code, aliases, organisation_code) FROM STDIN"
    ) as copy:
        for code in codes:
            name, short = tpl.unit_name(code)
            copy.write_row((code, name, short, "cqcm", tpl.PARENT_UNIT, "[]", tpl.ORGANISATION))
    with conn.cursor().copy(
        "COPY app_user (username, full_name, email, password_hash, unit_code, roles, active, created_at) FROM STDIN"
    ) as copy:
        for code in codes:
            for username, full, role in tpl.people(code):
                copy.write_row((username, full, None, password_hash, code, f'["{role}"]', True, now))
    return codes


def copy_clones(
    conn: psycopg.Connection[Any],
    templates: dict[tuple[int, int], Template],
    stages: list[int],
    units: list[str],
    seed: int,
) -> dict[str, int]:
    """COPY the seeded instances' rows, one COPY per table at a time in batches of instances."""
    counters = Counters(
        {
            t: int(conn.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0])  # type: ignore[index]
            for t, (own, _, _) in TABLES.items()
            if own
        }
    )
    columns = next(iter(templates.values())).rows
    written = {t: 0 for t in TABLES}
    batch: dict[str, list[list[Any]]] = {t: [] for t in TABLES}

    def flush() -> None:
        for table, rows in batch.items():
            if rows:
                with conn.cursor().copy(f"COPY {table} ({', '.join(columns[table][0])}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                written[table] += len(rows)
                rows.clear()
        conn.commit()

    started, last = time.monotonic(), -1
    for table, row, n in clone_rows(templates, stages, units, counters, seed):
        if n != last and n % 5000 == 0 and n:
            flush()
            print(f"  {n:,}/{len(stages):,} hồ sơ ({time.monotonic() - started:.0f} s)", flush=True)
        last = n
        batch[table].append(row)
    flush()
    return written


def bind_occurrences(conn: psycopg.Connection[Any], count: int, first_instance: int) -> int:
    """Bind ``count`` new occurrences of the organisation's plan to seeded instances; the plan's id."""
    plan_id = conn.execute("SELECT id FROM plan WHERE organisation_code = %s", (tpl.ORGANISATION,)).fetchone()[0]  # type: ignore[index]
    activities = [
        r[0] for r in conn.execute("SELECT id FROM plan_activity WHERE plan_id = %s ORDER BY position", (plan_id,))
    ]
    instances = conn.execute(
        "SELECT id, unit_code, due_at FROM process_instance WHERE id >= %s ORDER BY id LIMIT %s",
        (first_instance, count),
    ).fetchall()
    taken: set[tuple[int, str]] = set()
    rows = []
    for i, (instance_id, unit, due) in enumerate(instances):
        k = i % len(activities)
        while (activities[k], unit) in taken:  # one occurrence per activity, unit and period
            k = (k + 1) % len(activities)
        taken.add((activities[k], unit))
        rows.append((activities[k], unit, "2024", "Năm 2024", 0, None, None, due.date(), due.date(), instance_id, due))
    with conn.cursor().copy(
        "COPY plan_occurrence (activity_id, unit_code, period, label, position, period_start, period_end, "
        "planned_due, due_date, instance_id, launched_at) FROM STDIN"
    ) as copy:
        for row in rows:
            copy.write_row(row)
    conn.commit()
    return int(plan_id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--pg-url", default=DEFAULT_URL)
    parser.add_argument("--steps", type=int, default=1_000_000, help="steps (human_task rows) in all")
    parser.add_argument("--units", type=int, default=2000, help="seeded units (10 people each)")
    parser.add_argument("--occurrences", type=int, default=10_000, help="plan occurrences bound to instances")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--no-verify", action="store_true", help="skip opening and completing a few steps via the API")
    args = parser.parse_args(argv)
    seed(args.pg_url, args.steps, args.units, args.occurrences, args.seed, verify=not args.no_verify)
    return 0


def seed(
    url: str, steps: int, units: int, occurrences: int, rng_seed: int = 16, *, verify: bool = True
) -> dict[str, Any]:
    """Seed ``url`` (reset first); returns what was written (and, with ``verify``, the API checks: this completes
    one open step of each kind, so the seed then holds three steps fewer open)."""
    started = time.monotonic()
    reset(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "seed", "TESTING": True})
    services = app.extensions["cchc"]
    load_demo(services)
    now = services.clock.now()
    password_hash = PasswordHasher().hash(tpl.PASSWORD)
    with services.uow() as uow:
        tpl.add_template_people(uow.session, now, password_hash)
        uow.commit()
    made = tpl.make_templates(app, now.date())
    services.close()
    with psycopg.connect(_plain(url)) as conn:
        templates = {(m.stage, m.variant): read_template(conn, m) for m in made}
        codes = seed_people(conn, units, now, password_hash)
        conn.commit()
        first = int(conn.execute("SELECT max(id) FROM process_instance").fetchone()[0]) + 1  # type: ignore[index]
        stages = plan_clones(steps - sum(len(t.task_ids) for t in templates.values()), rng_seed)
        print(f"Mẫu: {len(made)} hồ sơ; sao chép {len(stages):,} hồ sơ vào {units} đơn vị…", flush=True)
        written = copy_clones(conn, templates, stages, codes, rng_seed)
        for table, (own, _, _) in TABLES.items():
            if own:
                conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        plan_id = bind_occurrences(conn, occurrences, first)
        conn.commit()
    with psycopg.connect(_plain(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        summary: dict[str, Any] = dict(
            conn.execute(
                "SELECT 'steps', count(*) FROM human_task UNION ALL SELECT 'open', count(*) FROM human_task "
                "WHERE status = 'ready' UNION ALL SELECT 'instances', count(*) FROM process_instance "
                "UNION ALL SELECT 'units', count(*) FROM unit UNION ALL SELECT 'users', count(*) FROM app_user"
            ).fetchall()
        )
    summary.update(plan_id=plan_id, written=written, seconds=round(time.monotonic() - started))
    print(f"Đã gieo: {summary}")
    if verify:  # a few seeded steps opened and completed through the API, as their people would
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "seed", "TESTING": True})
        with app.extensions["cchc"].sessions() as session:
            summary["verified"] = tpl.verify(app, session)
        app.extensions["cchc"].close()
        print("Kiểm tra qua API:", *summary["verified"], sep="\n  ")
    return summary


if __name__ == "__main__":
    sys.exit(main())
