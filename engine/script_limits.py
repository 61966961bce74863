"""Budgets of diagram code: CPU time and memory of one run of a script or expression, size of instance data.

Every script and expression runs under a ``RunBudget``. The code the sandbox compiles calls ``tick()`` at
every loop iteration, comprehension step and function call; every 64th tick reads this thread's CPU time
(``time.thread_time``) and, every few milliseconds of CPU, the resident memory the process gained since the
run began. The guards of ``script_guards`` call ``reserve(n)`` before an operation that would allocate ``n``
bytes in one step (one C call cannot be interrupted). Going over a budget raises ``BudgetStop``, a
``BaseException`` that the script's own ``except`` clauses cannot catch; the sandbox turns it into a
``ScriptLimitExceeded`` (a SpiffWorkflow exception, so it becomes an incident on the instance).

The memory budget is measured on the process: another thread allocating a lot during a long run counts too.
Runs of a few dozen loop iterations never measure memory at all (only their single large operations).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import chain, repeat
from typing import Any

from SpiffWorkflow.exceptions import SpiffWorkflowException

from .errors import DataTooLarge

DEFAULT_CPU_SECONDS = 2.0
DEFAULT_MEMORY_MB = 64
DEFAULT_DATA_MAX_BYTES = 1024 * 1024
# Automatic steps (scripts, gateways, events) one action may run: a diagram that loops back without a person or
# a timer in between would otherwise never return (each step within its own budget, the whole run endless).
DEFAULT_ENGINE_STEPS = 5000
# Integers above this many bits are refused: one multiplication or division of such numbers is one
# uninterruptible C call whose cost grows faster than its size (about 39,000 decimal digits).
MAX_INT_BITS = 1 << 17

TICK = "_tick_"  # the name instrumented code calls (script_instrument)
TICKS_PER_CHECK = 64  # reading the thread's CPU time is a system call (~0.7 µs): once every 64 ticks
_TICK_BLOCK = (True,) * (TICKS_PER_CHECK - 1)
RSS_EVERY_CPU_SECONDS = 0.002  # reading the resident memory costs ~10 µs: at most once per 2 ms of CPU
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True)
class ScriptLimits:
    """CPU seconds and memory bytes one run of diagram code may use; the largest task data an instance keeps;
    the automatic steps one action may run; optionally a wall-clock ``deadline`` (``time.monotonic()`` seconds)
    after which no automatic step runs (an engine run for a bounded trial, not the server's)."""

    cpu_seconds: float = DEFAULT_CPU_SECONDS
    memory_bytes: int = DEFAULT_MEMORY_MB * 1024 * 1024
    data_max_bytes: int = DEFAULT_DATA_MAX_BYTES
    engine_steps: int = DEFAULT_ENGINE_STEPS
    deadline: float | None = None

    def __post_init__(self) -> None:
        if not self.cpu_seconds > 0 or min(self.memory_bytes, self.data_max_bytes, self.engine_steps) <= 0:
            raise ValueError("Giới hạn của tập lệnh phải là số dương.")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ScriptLimits:
        """``CCHC_SCRIPT_CPU_SECONDS`` (2), ``CCHC_SCRIPT_MEMORY_MB`` (64), ``CCHC_INSTANCE_DATA_MAX_BYTES``
        (1 MiB), ``CCHC_ENGINE_MAX_STEPS`` (5,000)."""
        env = os.environ if environ is None else environ
        return cls(
            cpu_seconds=float(env.get("CCHC_SCRIPT_CPU_SECONDS", DEFAULT_CPU_SECONDS)),
            memory_bytes=int(float(env.get("CCHC_SCRIPT_MEMORY_MB", DEFAULT_MEMORY_MB)) * 1024 * 1024),
            data_max_bytes=int(env.get("CCHC_INSTANCE_DATA_MAX_BYTES", DEFAULT_DATA_MAX_BYTES)),
            engine_steps=int(env.get("CCHC_ENGINE_MAX_STEPS", DEFAULT_ENGINE_STEPS)),
        )


# --- what a run that went over a budget raises ---------------------------------------------------------------


class ScriptLimitExceeded(SpiffWorkflowException):
    """Diagram code went over a budget; ``message`` is Vietnamese, ``line`` 1-based (None if unknown)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return self.message


class ScriptTimeExceeded(ScriptLimitExceeded):
    """The run used more CPU time than its budget."""


class ScriptMemoryExceeded(ScriptLimitExceeded):
    """The run allocated, or asked for, more memory than its budget (or an integer too large)."""


class ScriptDataTooLarge(ScriptLimitExceeded):
    """A script left more task data than an instance may keep."""


class EngineStepsExceeded(ScriptLimitExceeded):
    """One action ran more automatic steps than ``ScriptLimits.engine_steps`` (a loop in the diagram)."""


class RunDeadlinePassed(ScriptLimitExceeded):
    """An action was still running automatic steps when ``ScriptLimits.deadline`` passed."""


class BudgetStop(BaseException):
    """Raised inside restricted code: a ``BaseException`` so that the script's ``except`` cannot swallow it."""

    def __init__(self, error: ScriptLimitExceeded) -> None:
        super().__init__(error.message)
        self.error = error


def size_text(nbytes: float) -> str:
    """A size in Vietnamese notation: ``1,5 MB``, ``64 MB``, ``900 KB``."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if nbytes >= factor:
            value = f"{nbytes / factor:.1f}".removesuffix(".0")
            return f"{value.replace('.', ',')} {unit}"
    return f"{int(nbytes)} byte"


def _seconds_text(seconds: float) -> str:
    return f"{seconds:g}".replace(".", ",")


def time_exceeded(limits: ScriptLimits) -> ScriptTimeExceeded:
    """The error of a run that went over its CPU time."""
    return ScriptTimeExceeded(
        f"Tập lệnh chạy quá thời gian cho phép ({_seconds_text(limits.cpu_seconds)} giây CPU); "
        "có thể có vòng lặp không dừng"
    )


def memory_exceeded(limits: ScriptLimits, asked: int | None = None) -> ScriptMemoryExceeded:
    """The error of a run that allocated (or asked for ``asked`` bytes) beyond its memory budget."""
    detail = f"; thao tác cần khoảng {size_text(asked)}" if asked is not None else ""
    return ScriptMemoryExceeded(f"Tập lệnh dùng quá bộ nhớ cho phép ({size_text(limits.memory_bytes)}){detail}")


def steps_exceeded(limits: ScriptLimits) -> EngineStepsExceeded:
    """The error of a run of the engine that went on for more automatic steps than allowed."""
    return EngineStepsExceeded(
        f"Quy trình chạy quá {limits.engine_steps:,} bước tự động liên tiếp; ".replace(",", ".")
        + "có thể sơ đồ có vòng lặp không dừng"
    )


def deadline_passed() -> RunDeadlinePassed:
    """The error of a run of the engine still going when its wall-clock deadline passed."""
    return RunDeadlinePassed("Hết thời gian cho phép của lần chạy; có thể sơ đồ có vòng lặp không dừng")


def int_too_large() -> ScriptMemoryExceeded:
    """The error of an integer operation whose result would exceed ``MAX_INT_BITS``."""
    digits = int(MAX_INT_BITS * 0.30103)
    return ScriptMemoryExceeded(f"Tập lệnh tạo ra số nguyên quá lớn (hơn {digits:,} chữ số)".replace(",", "."))


# --- the budget of one run -------------------------------------------------------------------------------------


def resident_bytes() -> int:
    """The process's resident memory (0 where ``/proc`` is missing: only single large operations are checked)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return 0


class RunBudget:
    """CPU and memory accounting of one run of diagram code on one thread.

    ``scope``: the globals the run's code reads ``_tick_`` from (set here, and replaced once the run fails).
    """

    __slots__ = ("_deadline", "_pending", "_rss_at", "_rss_base", "_scope", "failure", "limits", "tick")

    def __init__(self, limits: ScriptLimits, scope: dict[str, Any] | None = None) -> None:
        self.limits = limits
        self._deadline: float | None = None
        self._rss_base: int | None = None
        self._rss_at = 0.0
        self._pending = 0
        self.failure: ScriptLimitExceeded | None = None
        self._scope = scope
        # The first tick starts the clock and the fast ticks (code without loops pays for neither).
        self.tick: Callable[[], bool] = self._first_tick
        if scope is not None:
            scope[TICK] = self.tick

    def _first_tick(self) -> bool:
        # From now on a tick is 63 times in 64 the next item of a block of True (C code, no Python frame) and the
        # 64th time ``check``.
        self.tick = chain.from_iterable(map(self._refill, repeat(None))).__next__
        if self._scope is not None:
            self._scope[TICK] = self.tick
        return self.tick()

    def _refill(self, _: None) -> tuple[bool, ...]:
        self.check()
        return _TICK_BLOCK

    def check(self) -> None:
        """Raise ``BudgetStop`` once the run is over its CPU time or its memory."""
        if self.failure is not None:
            raise BudgetStop(self.failure)
        now = time.thread_time()
        if self._deadline is None:
            self._deadline = now + self.limits.cpu_seconds
            self._rss_at = now
            return
        if now > self._deadline:
            self.fail(time_exceeded(self.limits))
        if now - self._rss_at >= RSS_EVERY_CPU_SECONDS:
            self._rss_at = now
            if self._growth() > self.limits.memory_bytes:
                self.fail(memory_exceeded(self.limits))

    def reserve(self, nbytes: int) -> None:
        """Before an operation allocating about ``nbytes`` at once: refuse it if it would exceed the budget."""
        if self.failure is not None:
            raise BudgetStop(self.failure)
        limit = self.limits.memory_bytes
        if nbytes > limit:
            self.fail(memory_exceeded(self.limits, nbytes))
        self._pending += nbytes
        if self._pending < limit >> 4:
            return
        # What earlier operations asked for adds up: measure what the process really holds before going on.
        self._pending = nbytes
        if self._growth() + nbytes > limit:
            self.fail(memory_exceeded(self.limits, nbytes))

    def fail(self, error: ScriptLimitExceeded) -> None:
        """Stop the run with ``error``; every later tick or guard raises it again."""
        self.failure = error
        # The tick chain ends at its first exception: later ticks (a script's ``finally``) must stop again.
        self.tick = self._stopped
        if self._scope is not None:
            self._scope[TICK] = self._stopped
        raise BudgetStop(error)

    def _stopped(self) -> bool:
        raise BudgetStop(self.failure or time_exceeded(self.limits))

    def _growth(self) -> int:
        rss = resident_bytes()
        if self._rss_base is None:
            self._rss_base = rss
        return rss - self._rss_base


_local = threading.local()


def current_run() -> RunBudget:
    """The budget of the run on this thread (guards reached outside a run get a fresh one with default limits)."""
    run: RunBudget | None = getattr(_local, "run", None)
    return run if run is not None else RunBudget(ScriptLimits())


def enter_run(run: RunBudget) -> RunBudget | None:
    """Make ``run`` this thread's current budget; returns the previous one for ``leave_run``."""
    previous: RunBudget | None = getattr(_local, "run", None)
    _local.run = run
    return previous


def leave_run(previous: RunBudget | None) -> None:
    """Restore the budget that was current before ``enter_run``."""
    _local.run = previous


def stopped_error(stop: BudgetStop) -> ScriptLimitExceeded:
    """The error of a stopped run, with the script line where it stopped."""
    error = stop.error
    tb = stop.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<string>":
            line = tb.tb_lineno
        tb = tb.tb_next
    if line is not None and error.line is None:
        error.line = line
    return error


# --- instance data size ------------------------------------------------------------------------------------------

_ENCODER = json.JSONEncoder(ensure_ascii=False, skipkeys=True, default=str, separators=(",", ":"))


def data_size(data: Mapping[str, Any]) -> int:
    """Bytes of ``data`` serialized as UTF-8 JSON (0 when it is not serializable at all: the serializer says so)."""
    try:
        text = _ENCODER.encode(data)
    except (ValueError, TypeError, RecursionError):
        return 0
    return len(text) if text.isascii() else len(text.encode())


def data_too_large(size: int, limits: ScriptLimits) -> str:
    """The Vietnamese explanation of task data of ``size`` bytes over the cap."""
    return (
        f"Dữ liệu của hồ sơ quá lớn ({size_text(size)}; tối đa {size_text(limits.data_max_bytes)}); "
        "hãy lưu tệp lớn ở nơi khác và chỉ ghi đường dẫn vào hồ sơ"
    )


def ensure_data_fits(data: Mapping[str, Any], limits: ScriptLimits) -> None:
    """Raise ``DataTooLarge`` (422) if ``data`` serializes to more than the instance data cap."""
    size = data_size(data)
    if size > limits.data_max_bytes:
        raise DataTooLarge(data_too_large(size, limits), details={"size": size, "max_bytes": limits.data_max_bytes})


_CONTAINERS = frozenset({list, dict, set})
_SCALARS = frozenset({int, float, bool, type(None)})
_MISSING = object()


def _changed_size(changed: dict[str, Any]) -> int:
    """About the serialized size of ``changed``: text and numbers counted directly, containers serialized."""
    size = 0
    rest: dict[str, Any] = {}
    for key, value in changed.items():
        kind = type(value)
        if kind is str:
            size += len(key) + 6 + (len(value) if value.isascii() else 3 * len(value))
        elif kind in _SCALARS:
            size += len(key) + 30
        else:
            rest[key] = value
    return size + data_size(rest) if rest else size


class DataSnapshot:
    """The task data before a script: its values, and a copy of the items of each list, dict and set."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.values = dict(context)
        self.items = {k: v.copy() for k, v in self.values.items() if type(v) in _CONTAINERS}

    def changed(self, context: dict[str, Any]) -> dict[str, Any]:
        """The names the script set, rebound or changed the items of."""
        values, items = self.values, self.items
        return {k: v for k, v in context.items() if values.get(k, _MISSING) is not v or (k in items and v != items[k])}

    def too_much_data(self, context: dict[str, Any], limits: ScriptLimits) -> ScriptDataTooLarge | None:
        """The error if what the script produced makes the task data larger than an instance keeps.

        Only the names the script set or changed are serialized (a few bytes, usually); the whole data only
        when they are large enough (1/16 of the cap) to take it over the cap.
        """
        changed = self.changed(context)
        if not changed:
            return None
        cap = limits.data_max_bytes
        size = _changed_size(changed)
        if cap < size * 16 <= cap * 16:
            size = data_size(context)
        return ScriptDataTooLarge(data_too_large(size, limits)) if size > cap else None

    def restore(self, context: dict[str, Any]) -> None:
        """Put the data back as it was (the same container objects, with their items as they were)."""
        for k, saved in self.items.items():
            container = self.values[k]
            container.clear()
            if type(container) is list:
                container.extend(saved)
            else:
                container.update(saved)
        context.clear()
        context.update(self.values)
