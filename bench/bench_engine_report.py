"""The report of ``bench/engine.py``: the machine, and the figures as tables against their targets."""

from __future__ import annotations

import os
import platform
import sqlite3
from pathlib import Path
from typing import Any

TARGET_SQLITE = 0.30
TARGET_PG = 0.20
TARGET_STATE_BYTES = 5 * 1024
TARGET_GROWTH = 2.0
TARGET_FLOOR = 1.5  # a persisted warm completion against the floor (issue #16)


def machine(pg_version: str | None) -> dict[str, Any]:
    """What the figures were measured on."""
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg_version,
    }


def _pct(value: float) -> str:
    return f"{value * 100:.0f} %"


def _yes(ok: bool) -> str:
    return "yes" if ok else "NO"


def print_report(results: dict[str, Any], early: range, late: range) -> None:
    """The figures of ``bench/engine.py`` as tables, each against its target."""
    tp = results["throughput"]
    raw = tp["raw"]
    backends = [b for b in ("sqlite", "postgresql") if b in results]
    m = results["machine"]
    print(f"\nMachine: {m['nproc']} CPU ({m['cpu']}), Python {m['python']}, SQLite {m['sqlite']}, ", end="")
    print(f"PostgreSQL {m['postgresql'] or 'n/a'}")

    print(f"\n1-2. Completions/s on approval5, {results['sizes']['rounds']} interleaved rounds")
    print("     wall clock (the target), then this thread's CPU time (PostgreSQL: the client's share only)")
    print(
        f"{'':30}{'completions':>12}{'per s':>9}{'median ms':>11}{'% of raw':>10}{'target':>8}{'met':>5}"
        f"{'CPU/s':>9}{'CPU ms':>9}{'CPU %':>7}"
    )

    def cpu_columns(r: dict[str, Any]) -> str:
        return f"{r['cpu_per_s']:>9,.0f}{r['cpu_median_ms']:>9.3f}{_pct(r['cpu_per_s'] / raw['cpu_per_s']):>7}"

    print(
        f"{'raw SpiffWorkflow, in memory':30}{raw['completions']:>12}{raw['per_s']:>9,.0f}{raw['median_ms']:>11.3f}"
        f"{'':>23}{cpu_columns(raw)}"
    )
    rd = tp["raw+delta"]
    print(
        f"{'  + delta serialization, no DB':30}{rd['completions']:>12}{rd['per_s']:>9,.0f}{rd['median_ms']:>11.3f}"
        f"{_pct(rd['per_s'] / raw['per_s']):>10}{'':>13}{cpu_columns(rd)}"
    )
    for b in backends:
        target = TARGET_SQLITE if b == "sqlite" else TARGET_PG
        r = tp[f"{b} floor"]
        print(
            f"{'floor ' + b + ' (bare driver)':30}{r['completions']:>12}{r['per_s']:>9,.0f}{r['median_ms']:>11.3f}"
            f"{_pct(r['per_s'] / raw['per_s']):>10}{'':>13}{cpu_columns(r)}"
        )
        for mode in ("warm", "cold"):
            r = tp[f"{b} {mode}"]
            ratio = r["per_s"] / raw["per_s"]
            print(
                f"{'Engine.complete ' + b + ' ' + mode:30}{r['completions']:>12}{r['per_s']:>9,.0f}"
                f"{r['median_ms']:>11.3f}{_pct(ratio):>10}{_pct(target):>8}{_yes(ratio >= target):>5}{cpu_columns(r)}"
            )

    print(f"\n   Against the floor (time per completion ÷ the floor's, mean; target warm ≤ {TARGET_FLOOR}×)")
    print(f"{'':30}{'wall':>8}{'median':>8}{'CPU':>8}{'met':>5}")
    for b in backends:
        floor = tp[f"{b} floor"]
        for mode in ("warm", "cold"):
            r = tp[f"{b} {mode}"]
            ratio = floor["per_s"] / r["per_s"]
            r["floor_ratio"] = ratio
            met = _yes(ratio <= TARGET_FLOOR) if mode == "warm" else ""
            print(
                f"{'Engine.complete ' + b + ' ' + mode:30}{ratio:>7.2f}×{r['median_ms'] / floor['median_ms']:>7.2f}×"
                f"{floor['cpu_per_s'] / r['cpu_per_s']:>7.2f}×{met:>5}"
            )

    print(f"\n3. Stored bytes per instance (state = header + task payloads; target ≤ {TARGET_STATE_BYTES} B)")
    first = results[backends[0]]["storage"]
    print(f"{'':18}{'header':>7}{'tasks':>6}{'payloads':>9}{'state':>7}{'met':>5}  human/timer/audit rows, audit B")
    for moment in ("after_start", "after_completion"):
        r = first[moment]
        print(
            f"{moment.replace('_', ' '):18}{r['header']:>7}{r['task_rows']:>6}{r['task_payloads']:>9}"
            f"{r['state_total']:>7}{_yes(r['state_total'] <= TARGET_STATE_BYTES):>5}"
            f"  {r['human_task_rows']}/{r['timer_rows']}/{r['audit_rows']}, {r['audit_payloads']}"
        )
    if "postgresql" in backends:
        for moment in ("after_start", "after_completion"):
            rows = results["postgresql"]["storage"][moment]["pg_row_bytes"]
            print(
                f"  PostgreSQL row bytes {moment.replace('_', ' ')}: " + ", ".join(f"{k} {v}" for k, v in rows.items())
            )
    print(f"  plain serialize_json of a completed instance, spec included: {results['raw_serialize_json_bytes']} B")

    repeats = results["sizes"]["long_repeats"]
    print(
        f"\n4. Long-running instance ({repeats} per row): median of completions {early[0]}-{early[-1]} "
        f"vs {late[0]}-{late[-1]} (target ≤ 2×)"
    )
    print(f"{'':22}{'early ms':>10}{'late ms':>10}{'ratio':>8}{'met':>5}{'tasks':>7}{'state B':>9}")
    rows = [("raw SpiffWorkflow", results["raw_long"])]
    rows += [(f"{b} {mode}", results[b][f"long_{mode}"]) for b in backends for mode in ("warm", "cold")]
    for label, r in rows:
        state = "" if r["state_total"] is None else r["state_total"]
        print(
            f"{label:22}{r['early_ms']:>10.2f}{r['late_ms']:>10.2f}{r['ratio']:>7.1f}×"
            f"{_yes(r['ratio'] <= TARGET_GROWTH):>5}{r['task_rows']:>7}{state:>9}"
        )
