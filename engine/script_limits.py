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
from collections.abc import Mapping
from dataclasses import dataclass
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

TICKS_PER_CHECK = 64  # reading the thread's CPU time is a system call (~0.7 µs): once every 64 ticks
RSS_EVERY_CPU_SECONDS = 0.002  # reading the resident memory costs ~10 µs: at most once per 2 ms of CPU
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True)
class ScriptLimits:
    """CPU seconds and memory bytes one run of diagram code may use; the largest task data an instance keeps;
    the automatic steps one action may run."""

    cpu_seconds: float = DEFAULT_CPU_SECONDS
    memory_bytes: int = DEFAULT_MEMORY_MB * 1024 * 1024
    data_max_bytes: int = DEFAULT_DATA_MAX_BYTES
    engine_steps: int = DEFAULT_ENGINE_STEPS

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
    """CPU and memory accounting of one run of diagram code on one thread."""

    __slots__ = ("_countdown", "_deadline", "_pending", "_rss_at", "_rss_base", "failure", "limits")

    def __init__(self, limits: ScriptLimits) -> None:
        self.limits = limits
        self._countdown = 1  # the first tick starts the clock (code without loops never reads it)
        self._deadline: float | None = None
        self._rss_base: int | None = None
        self._rss_at = 0.0
        self._pending = 0
        self.failure: ScriptLimitExceeded | None = None

    def tick(self) -> bool:
        """Called by instrumented code at every loop iteration, comprehension step and function call."""
        self._countdown -= 1
        if self._countdown <= 0:
            self.check()
        return True

    def check(self) -> None:
        """Raise ``BudgetStop`` once the run is over its CPU time or its memory."""
        if self.failure is not None:
            raise BudgetStop(self.failure)
        self._countdown = TICKS_PER_CHECK
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
        self._countdown = 0
        raise BudgetStop(error)

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
