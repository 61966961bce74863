"""Sandbox benchmark: what the budgets of diagram code cost, against the same sandbox without them, in one run.

Each case is a script or expression of the kind diagrams hold (a deadline, a gateway condition, a message,
a loop over a few dozen items, a comprehension, a long loop). It runs through

1. **budgeted**: ``engine.sandbox.RestrictedEnvironment`` as the engine uses it (ticks, guards, the data-size
   check after a script);
2. **baseline**: the same RestrictedPython compilation, guards and environment code paths without the
   budget's instrumentation, guarded builtins, run budget and data-size check (what ``engine/sandbox.py``
   did before the budgets).

Figures are this thread's CPU time per run (median of rounds), and the ratio budgeted / baseline.

Usage: ``.venv/bin/python bench/scripts.py [--rounds N] [--json PATH]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import ast  # noqa: E402
import builtins  # noqa: E402
import copy  # noqa: E402
import json  # noqa: E402
import operator  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

from engine import sandbox  # noqa: E402
from engine.calendar import WorkingCalendar  # noqa: E402
from engine.helpers import standard_helpers  # noqa: E402

CALENDAR = WorkingCalendar()
HELPERS = standard_helpers(lambda _tenant: CALENDAR)
DATA: dict[str, Any] = {
    "approved": True,
    "title": "Kế hoạch cải cách hành chính năm 2024",
    "unit_code": "PNV",
    "rows": [{"code": f"TC{i}", "points": i % 7, "max": 10, "note": "Đạt"} for i in range(40)],
    "coordinating_units": ["PTP", "VP", "P1"],
}
# (name, mode, source, runs per round)
CASES: list[tuple[str, str, str, int]] = [
    ("deadline script", "exec", "draft_due = add_working_days(today(), 3)\nrounds = 0", 2000),
    ("gateway condition", "eval", "approved == True and len(coordinating_units) > 0", 5000),
    ("message f-string", "eval", "f'Hồ sơ {title} ({unit_code}): {len(rows)} tiêu chí, hạn {3 * 2} ngày'", 5000),
    (
        "loop over 40 rows",
        "exec",
        "total = 0\nmissing = []\nfor row in rows:\n    total += row['points']\n"
        "    if row['points'] == 0:\n        missing.append(row['code'])\nshare = round(total / (10 * len(rows)), 2)",
        1000,
    ),
    (
        "comprehension, join",
        "exec",
        "codes = [r['code'] for r in rows if r['points'] > 3]\nsummary = ', '.join(codes)\n"
        "by_code = {r['code']: r['points'] * 10 for r in rows}",
        1000,
    ),
    ("100,000-iteration loop", "exec", "total = 0\nfor i in range(100000):\n    total += i * 2", 5),
]


class BaselineEnvironment(sandbox.RestrictedEnvironment):
    """The sandbox as it was before the budgets: no instrumentation, plain builtins, no run budget."""

    def __init__(self, helpers: dict[str, Any]) -> None:
        super().__init__(helpers)
        plain = {name: getattr(builtins, name) for name in sandbox.ALLOWED_BUILTINS}
        self.guards = dict(sandbox._GUARDS, __builtins__={**sandbox._GUARDS["__builtins__"], **plain})
        self.guards["_inplacevar_"] = lambda op, a, b: _INPLACE[op](a, b)
        self.guards["_getattr_"] = _plain_getattr
        self.globals.update(self.guards)
        self.codes: dict[tuple[str, str], Any] = {}

    def _code(self, source: str, mode: str) -> Any:
        key = (source, mode)
        if key not in self.codes:
            text = source.lstrip(" \t") if mode == "eval" else source
            tree = sandbox._SandboxTransformer().visit(ast.parse(text, "<string>", mode))
            self.codes[key] = compile(tree, "<string>", mode)
        return self.codes[key]

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> Any:
        code = self._code(expression, "eval")
        my_globals = copy.copy(self.globals)
        my_globals.update(external_context or {})
        my_globals.update(context)
        my_globals.update(self.guards)
        return eval(code, my_globals)

    def execute(self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> bool:
        self.check_for_overwrite(context, external_context or {})
        code = self._code(script, "exec")
        my_globals = copy.copy(self.globals)
        my_globals.update(external_context or {})
        context.update(my_globals)
        try:
            exec(code, context)
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        return True


_INPLACE: dict[str, Callable[[Any, Any], Any]] = {"+=": operator.iadd, "-=": operator.isub, "*=": operator.imul}


def _plain_getattr(obj: Any, name: str) -> Any:
    """The attribute guard without method guards (its checks as before the budgets)."""
    if not isinstance(name, str) or name.startswith("_") or name in ("format", "format_map"):
        raise sandbox.SandboxViolation(name)
    return getattr(obj, name)


def per_run(env: Any, mode: str, source: str, runs: int) -> float:
    """CPU seconds per run of ``source`` on a fresh copy of the data."""
    data = [copy.deepcopy(DATA) for _ in range(runs)]
    call = env.execute if mode == "exec" else env.evaluate
    started = time.thread_time()
    for context in data:
        call(source, context)
    return (time.thread_time() - started) / runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    budgeted = sandbox.RestrictedEnvironment(HELPERS)
    baseline = BaselineEnvironment(HELPERS)
    results: dict[str, dict[str, float]] = {}
    print(f"{'case':<26}{'baseline µs':>13}{'budgeted µs':>13}{'ratio':>8}")
    for name, mode, source, runs in CASES:
        # Same results first: the budgeted sandbox must not change what ordinary code computes.
        a, b = copy.deepcopy(DATA), copy.deepcopy(DATA)
        out_a = budgeted.execute(source, a) if mode == "exec" else budgeted.evaluate(source, a)
        out_b = baseline.execute(source, b) if mode == "exec" else baseline.evaluate(source, b)
        assert (a, out_a) == (b, out_b), name
        times: dict[str, list[float]] = {"baseline": [], "budgeted": []}
        for _ in range(args.rounds):  # interleaved: load from elsewhere falls on both alike
            times["baseline"].append(per_run(baseline, mode, source, runs))
            times["budgeted"].append(per_run(budgeted, mode, source, runs))
        base = statistics.median(times["baseline"]) * 1e6
        budg = statistics.median(times["budgeted"]) * 1e6
        results[name] = {"baseline_us": base, "budgeted_us": budg, "ratio": budg / base}
        print(f"{name:<26}{base:>13.1f}{budg:>13.1f}{budg / base:>7.2f}×")
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
