"""Budgets of diagram code in the sandbox: CPU time, memory, task data size; ordinary code is unaffected.

Each runaway runs in a thread joined with a timeout: a budget that does not stop it fails the test instead of
hanging the suite. CPU time is the thread's own (``time.thread_time``), the quantity the budget counts.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from engine.calendar import WorkingCalendar
from engine.helpers import standard_helpers
from engine.sandbox import RestrictedEnvironment, check_source
from engine.script_limits import (
    ScriptDataTooLarge,
    ScriptLimitExceeded,
    ScriptLimits,
    ScriptMemoryExceeded,
    ScriptTimeExceeded,
)
from tests.xdist_groups import TIME_BUDGETS

pytestmark = TIME_BUDGETS

LIMITS = ScriptLimits(cpu_seconds=0.2, memory_bytes=64 * 1024 * 1024, data_max_bytes=100_000)
GRACE = 1.0  # CPU seconds beyond the budget a stopped run may have used (the last uninterruptible operation)


class Outcome:
    def __init__(self) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self.cpu = 0.0


def run(
    source: str, data: dict[str, Any] | None = None, *, mode: str = "exec", limits: ScriptLimits = LIMITS
) -> Outcome:
    """Run ``source`` on ``data`` (changed in place) in a thread; fail if the budget did not stop it."""
    env = RestrictedEnvironment({}, limits)
    context = data if data is not None else {}
    outcome = Outcome()

    def target() -> None:
        started = time.thread_time()
        try:
            outcome.result = env.execute(source, context) if mode == "exec" else env.evaluate(source, context)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.error = exc
        outcome.cpu = time.thread_time() - started

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), f"not stopped: {source!r}"
    assert outcome.cpu < limits.cpu_seconds + GRACE, (source, outcome.cpu)
    return outcome


@pytest.mark.parametrize(
    "source",
    [
        "while True:\n    pass",
        "for i in range(10**12):\n    pass",
        "x = sum(range(10**12))",
        "x = max(range(10**12))",
        "x = any(i < 0 for i in range(10**12))",
        "x = sum(i for i in range(10**12))",
        "def f(n):\n    return f(n - 1) + f(n - 1) if n else 1\nx = f(60)",
        "x = sorted([3, 1, 2], key=lambda v: sum(range(10**12)))",
        "while True:\n    try:\n        while True:\n            pass\n    except Exception:\n        pass",
        "while True:\n    try:\n        while True:\n            pass\n    except:\n        pass",
        "try:\n    while True:\n        pass\nfinally:\n    while True:\n        pass",
        "n = 0\nwhile True:\n    n += 1\n    x = str(n) + 'a'",
    ],
)
def test_a_runaway_loop_is_stopped_at_its_cpu_budget(source: str) -> None:
    outcome = run(source)
    assert isinstance(outcome.error, ScriptTimeExceeded), outcome.error
    assert outcome.error.message.startswith("Tập lệnh chạy quá thời gian cho phép (0,2 giây CPU)")
    assert outcome.error.line is not None


@pytest.mark.parametrize(
    "source",
    [
        "x = 'a' * 10**9",
        "x = 10**10**10",
        "x = [0] * 10**9",
        "x = [[0] * 100000 for i in range(100000)]",
        "x = (1,) * 10**9",
        "x = 7 ** 10**6",
        "x = 1 << 10**9",
        "x = 3\nwhile True:\n    x = x * x",
        "x = 'a'.ljust(10**9)",
        "x = 'a'.zfill(10**9)",
        "x = '-'.join('a' * 40000000)",
        "x = ('a' * 10**6).replace('a', 'bb' * 100)",
        "x = ('a b' * 20000000).split()",
        "x = f'{0:>1000000000}'",
        "x = f'{0.5:.1000000000f}'",
        "x = '%1000000000d' % 1",
        "x = '%*d' % (10**9, 1)",
        "x = (1).to_bytes(10**9, 'big')",
        "x = list('a' * 50000000)",
        "x = [*('ễ' * 30000000)]",
        "x = dict.fromkeys(range(10**8))",
        "x = sorted(range(10**8))",
        "x = sum([[0] * 1000000] * 100, [])",
        "s = 'ab'\nwhile True:\n    s = s + s",
        "s = 'ab'\nwhile True:\n    s += s",
        "s = ['a']\nwhile True:\n    s.extend(s)",
        "s = 'ab'\nwhile True:\n    s = f'{s}{s}'",
        "x = 'a' * 1000000\ny = str([x] * 1000)",
        "x = 'a' * 1000000\ny = f'{[x] * 1000!r}'",
        "parts = []\nwhile True:\n    parts.append('x' * 1000000)",
    ],
)
def test_a_memory_bomb_is_refused_before_it_takes_the_memory(source: str) -> None:
    outcome = run(source)
    assert isinstance(outcome.error, ScriptMemoryExceeded), outcome.error
    message = outcome.error.message
    assert message.startswith("Tập lệnh dùng quá bộ nhớ cho phép (64 MB)") or "số nguyên quá lớn" in message


@pytest.mark.parametrize(
    "source",
    [
        "x = [[j for j in range(1000)] for i in range(10**6)]",
        "x = {i: str(i) for i in range(10**9)}",
        "x = []\nwhile True:\n    x = [x, x, 'a' * 100]",
    ],
)
def test_growth_one_small_step_at_a_time_is_stopped_by_a_budget(source: str) -> None:
    outcome = run(source)
    assert isinstance(outcome.error, ScriptLimitExceeded), outcome.error


def test_an_expression_is_budgeted_like_a_script() -> None:
    assert isinstance(run("sum(range(10**12)) > 0", {}, mode="eval").error, ScriptTimeExceeded)
    assert isinstance(run("len('a' * 10**9) > 0", {}, mode="eval").error, ScriptMemoryExceeded)
    assert run("x > 3 and len(items) == 2", {"x": 5, "items": [1, 2]}, mode="eval").result is True


def test_a_stopped_script_leaves_the_task_data_as_it_was() -> None:
    data: dict[str, Any] = {"a": 1, "items": [1], "form": {"k": "v"}}
    outcome = run("partial = 'x' * 1000\na = 2\nitems.append(2)\nform['k'] = 'w'\nwhile True:\n    pass", data)
    assert isinstance(outcome.error, ScriptTimeExceeded)
    assert data == {"a": 1, "items": [1], "form": {"k": "v"}}


def test_a_script_may_not_leave_more_data_than_an_instance_keeps() -> None:
    data: dict[str, Any] = {"title": "Báo cáo"}
    outcome = run("report = 'a' * 200000\ntitle = 'x'", data)
    assert isinstance(outcome.error, ScriptDataTooLarge)
    assert outcome.error.message.startswith("Dữ liệu của hồ sơ quá lớn (195,3 KB; tối đa 97,7 KB)")
    assert data == {"title": "Báo cáo"}
    # Up to the cap is fine, and a large temporary value that is not kept costs nothing.
    kept: dict[str, Any] = {}
    assert run("report = 'a' * 90000\ntemp = 'b' * 5000000\ndel temp", kept).error is None
    assert len(kept["report"]) == 90000 and "temp" not in kept


def test_ordinary_code_behaves_as_plain_python() -> None:
    source = """
words = ['b', 'a', 'c']
joined = str.join('-', sorted(words, key=str))
kinds = [isinstance('x', str), isinstance([], list), isinstance({}, dict), isinstance(range(3), range),
         isinstance(range(10**9), range), isinstance(5, (str, int)), isinstance('x', (list, tuple))]
text = f"{joined!r}|{3.14159:.2f}|{42:>5}|{'ễ':^3}|{[1, 'a']}|{len(words)}"
percent = '%s-%05d-%(x)s' % ('a', 42, {'x': 1}) if False else '%s-%05d' % ('a', 42)
numbers = [2 ** 100, 1 << 70, 10 ** 20 * 10 ** 20, round(1234.5678, 2), round(5, -10**9), round(15, -1), 7 % 3]
long_range = range(10**9)
ranges = [len(long_range), long_range[5], 10 in long_range, list(range(200000))[-1], sum(range(200000)),
          list(reversed(range(3))), range(0, 10**9, 2)[10**6], str(range(3))]
flat = sum([[1], [2, 3]], [])
merged = {**{'a': 1}, 'b': [*range(3)], **dict(c=2)}
keys = dict.fromkeys(['x', 'y'], 0)
parts = 'a,b,,c'.split(',') + 'x y  z'.split() + 'l1\\nl2'.splitlines()
padded = ['7'.zfill(3), 'ab'.ljust(4, '.'), 'ab'.center(6, '*'), 'a\\tb'.expandtabs(4)]
replaced = 'a-b-c'.replace('-', '+', 1)
total = 0
for i in range(10):
    total += i
squares = {i: i * i for i in range(5) if i % 2 == 0}
gen = list(i * 2 for i in range(3))
big_text = str([1, 2, {'a': (3, None)}])
copied = [1, 2].copy() + list((3, 4)) + list({5: 0}) + sorted({9, 8})
encoded = 'ễ'.encode('utf-8')
upper = 'đường'.upper()
"""
    data: dict[str, Any] = {}
    assert run(source, data).error is None
    assert data["joined"] == "a-b-c"
    assert data["kinds"] == [True, True, True, True, True, True, False]
    assert data["text"] == "'a-b-c'|3.14|   42| ễ |[1, 'a']|3"
    assert data["percent"] == "a-00042"
    assert data["numbers"] == [2**100, 1 << 70, 10**40, 1234.57, 0, 20, 1]
    assert data["ranges"] == [10**9, 5, True, 199999, 19999900000, [2, 1, 0], 2 * 10**6, "range(0, 3)"]
    assert data["flat"] == [1, 2, 3]
    assert data["merged"] == {"a": 1, "b": [0, 1, 2], "c": 2}
    assert data["keys"] == {"x": 0, "y": 0}
    assert data["parts"] == ["a", "b", "", "c", "x", "y", "z", "l1", "l2"]
    assert data["padded"] == ["007", "ab..", "**ab**", "a   b"]
    assert data["replaced"] == "a+b-c"
    assert data["total"] == 45 and data["squares"] == {0: 0, 2: 4, 4: 16} and data["gen"] == [0, 2, 4]
    assert data["big_text"] == "[1, 2, {'a': (3, None)}]"
    assert data["copied"] == [1, 2, 3, 4, 5, 8, 9]
    assert data["encoded"] == "ễ".encode() and data["upper"] == "ĐƯỜNG"
    assert "long_range" not in data or data["long_range"] is not None


def test_guarded_builtins_do_not_open_what_the_sandbox_closes() -> None:
    for source in ("x = str.format('{}', 1)", "x = str.format_map('{a}', {'a': 1})"):
        error = run(source).error
        assert error is not None and "format" in str(error)
    assert check_source("x = str.__class__", "exec") != []


def test_runaways_pass_the_deploy_check_the_budget_is_what_stops_them() -> None:
    for source in ("while True:\n    pass", "x = 'a' * 10**9", "x = 10**10**10", "x = [0] * 10**9"):
        assert check_source(source, "exec") == []


def test_limits_come_from_the_environment() -> None:
    assert ScriptLimits.from_env({}) == ScriptLimits(2.0, 64 * 1024 * 1024, 1024 * 1024)
    env = {
        "CCHC_SCRIPT_CPU_SECONDS": "0.5",
        "CCHC_SCRIPT_MEMORY_MB": "32",
        "CCHC_INSTANCE_DATA_MAX_BYTES": "5000",
        "CCHC_ENGINE_MAX_STEPS": "100",
    }
    assert ScriptLimits.from_env(env) == ScriptLimits(0.5, 32 * 1024 * 1024, 5000, 100)
    with pytest.raises(ValueError, match="số dương"):
        ScriptLimits.from_env({"CCHC_SCRIPT_CPU_SECONDS": "0"})


def test_calendar_helpers_refuse_spans_no_diagram_needs() -> None:
    calendar = WorkingCalendar()
    helpers = standard_helpers(lambda _tenant: calendar)
    assert helpers["add_working_days"]("2024-01-02", 3) == "2024-01-05"
    with pytest.raises(ValueError, match=r"Số ngày làm việc quá lớn: 1000000000 \(tối đa 50\.000\)"):
        helpers["add_working_days"]("2024-01-02", 10**9)
    with pytest.raises(ValueError, match="Khoảng thời gian quá dài"):
        helpers["working_days_between"]("0001-01-01", "9999-12-31")
