"""Restricted execution of the Python scripts and expressions found in diagrams.

SpiffWorkflow evaluates gateway conditions, timer, multi-instance and DMN expressions with ``eval`` and runs
script tasks and pre/post scripts with ``exec``. This module compiles them with RestrictedPython instead:
no imports, no names or attributes starting with ``_``, no ``open``/``exec``/``eval``/``getattr``…, no class
definitions, and only a fixed set of builtins (``ALLOWED_BUILTINS``) plus the helpers the engine registers.
The task-data semantics of SpiffWorkflow's ``TaskDataEnvironment`` are kept unchanged.

Every run is budgeted (``script_limits``): CPU time and memory, checked at the ticks and guards the compiled
code carries (``script_instrument``, ``script_guards``, ``script_methods``); a script may not leave more task
data than an instance keeps. A run over a budget raises ``ScriptLimitExceeded`` with the task data as it was.
"""

from __future__ import annotations

import ast
import builtins
import copy
import functools
from collections.abc import Callable, Mapping
from types import CodeType
from typing import Any, Literal, NoReturn

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, RestrictingNodeTransformer
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from . import script_guards as guards
from .script_instrument import instrument
from .script_limits import (
    BudgetStop,
    DataSnapshot,
    RunBudget,
    ScriptLimitExceeded,
    ScriptLimits,
    enter_run,
    leave_run,
    stopped_error,
)
from .script_methods import method_guard

Helpers = Mapping[str, Callable[..., Any]]
Mode = Literal["eval", "exec"]

# The builtins a diagram may use (docs/conventions.md lists the first row; the rest are harmless additions
# needed for ordinary data code: tuples, reversed iteration, type tests and try/except/raise).
ALLOWED_BUILTINS: tuple[str, ...] = (
    "len", "min", "max", "sum", "round", "sorted", "abs", "any", "all", "enumerate", "zip", "range",
    "list", "dict", "set", "str", "int", "float", "bool",
    "tuple", "reversed", "isinstance",
    "Exception", "ValueError", "TypeError", "KeyError", "IndexError", "ZeroDivisionError",
)  # fmt: skip

# Refused wherever they appear in the source (they open a way out of the sandbox or into the process).
FORBIDDEN_NAMES = frozenset({
    "open", "exec", "eval", "compile", "globals", "locals", "vars", "getattr", "setattr", "delattr",
    "hasattr", "breakpoint", "help", "exit", "quit", "memoryview", "input", "print", "printed", "builtins",
})  # fmt: skip
# Refused only when called: these are plausible task-data field names ("type", "id", "dir"…).
FORBIDDEN_CALLS = frozenset({"type", "super", "object", "dir", "id", "classmethod", "staticmethod", "property"})

_CACHE_SIZE = 4096
_FILENAME = "<string>"  # SpiffWorkflow finds the failing line by looking for this frame name in the traceback


class SandboxViolation(Exception):
    """Forbidden code in a diagram script or expression; ``message`` is Vietnamese, ``line`` is 1-based."""

    def __init__(
        self, message: str, line: int | None = None, problems: list[tuple[int | None, str]] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.problems = problems if problems is not None else [(line, message)]

    def __str__(self) -> str:
        return self.message if self.line is None else f"{self.message} (dòng {self.line})"


# --- messages ------------------------------------------------------------------------------------------


def _msg_import() -> str:
    return "Không được phép dùng import trong tập lệnh của quy trình"


def _msg_underscore_attribute(attr: str) -> str:
    return f"Không được phép truy cập thuộc tính bắt đầu bằng dấu gạch dưới: {attr}"


def _msg_underscore_name(name: str) -> str:
    return f"Không được phép dùng tên bắt đầu bằng dấu gạch dưới: {name}"


def _msg_internal_attribute(attr: str) -> str:
    return f"Không được phép truy cập thuộc tính nội bộ của Python: {attr}"


def _msg_forbidden_function(name: str) -> str:
    if name in ("printed", "builtins"):
        return f"Tên {name} không được phép dùng trong quy trình"
    return f"Hàm {name} không được phép dùng trong quy trình"


def _msg_str_format(name: str) -> str:
    return f"Phương thức {name} của chuỗi không được phép dùng trong quy trình; hãy dùng f-string"


def _msg_syntax(error: SyntaxError) -> str:
    return f"Lỗi cú pháp Python: {error.msg}"


# --- static check ----------------------------------------------------------------------------------------


class _SandboxTransformer(RestrictingNodeTransformer):
    """RestrictedPython's transformer, reporting problems as (line, Vietnamese message)."""

    def __init__(self) -> None:
        super().__init__()
        self.located: list[tuple[int | None, int, str]] = []

    def report(self, node: ast.AST, message: str) -> None:
        """Record one problem at the node's line (once per line and message)."""
        line = getattr(node, "lineno", None)
        if not any(seen[0] == line and seen[2] == message for seen in self.located):
            self.located.append((line, getattr(node, "end_col_offset", 0) or 0, message))

    @property
    def problems(self) -> list[tuple[int | None, str]]:
        """Problems in source order."""
        return [(line, message) for line, _, message in sorted(self.located, key=lambda p: (p[0] or 0, p[1]))]

    def error(self, node: ast.AST, info: str) -> None:
        # Only reached for RestrictedPython checks not pre-empted below (rare constructs).
        self.report(node, f"Cấu trúc không được phép trong tập lệnh của quy trình ({info})")

    def not_allowed(self, node: ast.AST) -> None:
        self.report(node, f"Cú pháp {type(node).__name__} không được phép dùng trong tập lệnh của quy trình")

    def check_name(self, node: Any, name: str | None, allow_magic_methods: bool = False) -> None:
        if name is None:
            return
        if name == "__import__":
            self.report(node, _msg_import())
        elif name.startswith("_") and name != "_":
            self.report(node, _msg_underscore_name(name))
        elif name in FORBIDDEN_NAMES:
            self.report(node, _msg_forbidden_function(name))
        else:
            super().check_name(node, name)

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in FORBIDDEN_NAMES:  # before the parent turns print/printed into its print collector
            self.report(node, _msg_forbidden_function(node.id))
            return node
        return super().visit_Name(node)

    def visit_Import(self, node: ast.Import) -> Any:
        self.report(node, _msg_import())
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> Any:
        self.report(node, _msg_import())
        return node

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        if node.attr.startswith("_"):
            self.report(node, _msg_underscore_attribute(node.attr))
        elif node.attr in INSPECT_ATTRIBUTES or node.attr.endswith("__roles__"):
            self.report(node, _msg_internal_attribute(node.attr))
        elif node.attr in ("format", "format_map"):
            self.report(node, _msg_str_format(node.attr))
        else:
            return super().visit_Attribute(node)
        return self.node_contents_visit(node)  # keep looking for further problems

    def visit_Call(self, node: ast.Call) -> Any:
        if isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_NAMES | FORBIDDEN_CALLS:
            self.report(node, _msg_forbidden_function(node.func.id))
            return self.node_contents_visit(node)
        return super().visit_Call(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> Any:
        if isinstance(node.target, ast.Subscript):
            self.report(
                node,
                "Không được phép dùng phép gán kết hợp (như +=) cho phần tử của dict/list; hãy viết d[k] = d[k] + 1",
            )
            return self.node_contents_visit(node)
        if isinstance(node.target, ast.Attribute):
            self.report(node, "Không được phép dùng phép gán kết hợp (như +=) cho thuộc tính")
            return self.node_contents_visit(node)
        return super().visit_AugAssign(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> Any:
        self.report(node, "Không được phép định nghĩa lớp (class) trong tập lệnh của quy trình")
        return self.node_contents_visit(node)


def _analyse(source: str, mode: Mode) -> tuple[CodeType | None, list[tuple[int | None, str]]]:
    """Parse, check and (when clean) compile; raises SyntaxError for unparsable source."""
    if mode == "eval":
        source = source.lstrip(" \t")  # as built-in eval() does with a string (e.g. " x == 1" in a diagram)
    tree = ast.parse(source, _FILENAME, mode)
    transformer = _SandboxTransformer()
    tree = transformer.visit(tree)
    problems = transformer.problems
    if problems:
        return None, problems
    return compile(instrument(tree), _FILENAME, mode), []


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _compile(source: str, mode: Mode) -> CodeType:
    """Compiled restricted code for a source string; cached because the transformation is slow."""
    code, problems = _analyse(source, mode)
    if code is None:
        line, message = problems[0]
        raise SandboxViolation(message, line, problems)
    return code


def check_source(source: str, mode: Literal["eval", "exec"]) -> list[tuple[int | None, str]]:
    """Check diagram code at deploy time: [] if fine, else (line, Vietnamese message) per problem."""
    try:
        return _analyse(source, mode)[1]
    except SyntaxError as err:
        return [(err.lineno, _msg_syntax(err))]
    except ValueError as err:  # e.g. a NUL byte in the source
        return [(None, f"Mã nguồn không hợp lệ: {err}")]


# --- run-time guards -------------------------------------------------------------------------------------


def _guarded_getattr(obj: Any, name: str) -> Any:
    """Attribute read in restricted code (``a.b``); repeats the static checks as a second line of defence.

    Methods that can allocate a lot in one call (``join``, ``ljust``, ``extend``…) come back guarded.
    """
    if not isinstance(name, str) or name.startswith("_"):
        raise SandboxViolation(_msg_underscore_attribute(str(name)))
    if name in INSPECT_ATTRIBUTES:
        raise SandboxViolation(_msg_internal_attribute(name))
    target = obj.real if type(obj) is guards.GuardedType else obj
    if name in ("format", "format_map") and (
        isinstance(target, str) or (isinstance(target, type) and issubclass(target, str))
    ):
        raise SandboxViolation(_msg_str_format(name))
    guarded = method_guard(obj, name)
    return guarded if guarded is not None else getattr(target, name)


class _ReadOnly:
    """Stands in for an object that restricted code may not modify."""

    __slots__ = ("_target",)

    def __init__(self, target: Any) -> None:
        object.__setattr__(self, "_target", target)

    def _deny(self, *args: Any) -> NoReturn:
        kind = type(object.__getattribute__(self, "_target")).__name__
        raise SandboxViolation(f"Không được phép sửa đối tượng kiểu {kind} trong quy trình; chỉ được sửa dict và list")

    __setitem__ = __delitem__ = __setattr__ = __delattr__ = _deny


def _guarded_write(obj: Any) -> Any:
    """Target of item/attribute assignment (``d[k] = v``): dicts and lists only."""
    if isinstance(obj, (dict, list)):
        return obj
    return _ReadOnly(obj)


def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call with ``*args``/``**kwargs`` unpacking."""
    return func(*args, **kwargs)


def _getitem(obj: Any, key: Any) -> Any:
    return obj[key]


def _getiter(obj: Any) -> Any:
    return obj


def _refuse(name: str) -> Callable[..., NoReturn]:
    message = _msg_import() if name == "__import__" else _msg_forbidden_function(name)

    def refused(*args: Any, **kwargs: Any) -> NoReturn:
        raise SandboxViolation(message)

    refused.__name__ = name
    return refused


def _safe_builtins() -> dict[str, Any]:
    refused = FORBIDDEN_NAMES | FORBIDDEN_CALLS | {"__import__"}
    safe: dict[str, Any] = {name: _refuse(name) for name in refused}
    safe.update({name: getattr(builtins, name) for name in ALLOWED_BUILTINS})
    safe.update(guards.GUARDED_BUILTINS)  # str, list, range… that account for what they build
    return safe


# Names RestrictedPython's generated code relies on; task data and helpers can never shadow them.
_GUARDS: dict[str, Any] = {
    "__builtins__": _safe_builtins(),
    "_getattr_": _guarded_getattr,
    "_getitem_": _getitem,
    "_getiter_": _getiter,
    "_write_": _guarded_write,
    "_inplacevar_": guards.guarded_inplace,
    "_apply_": _apply,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    # Inserted by script_instrument (``_tick_`` is bound to each run's budget).
    "_add_": guards.guarded_add,
    "_mul_": guards.guarded_mul,
    "_pow_": guards.guarded_pow,
    "_lshift_": guards.guarded_lshift,
    "_mod_": guards.guarded_mod,
    "_fmt_": guards.guarded_format,
    "_fstr_": guards.guarded_fstring,
    "_star_": guards.guarded_star,
    "_starmap_": guards.guarded_star_map,
}


# --- SpiffWorkflow integration ---------------------------------------------------------------------------


class RestrictedEnvironment(TaskDataEnvironment):
    """SpiffWorkflow's TaskDataEnvironment running restricted, cached, budgeted code."""

    def __init__(self, helpers: Helpers | None = None, limits: ScriptLimits | None = None) -> None:
        helpers = dict(helpers or {})
        _check_helper_names(helpers)
        super().__init__({**helpers, **_GUARDS})
        self.limits = limits or ScriptLimits()

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> Any:
        """Evaluate an expression with the task data as names."""
        code = _compile(expression, "eval")
        my_globals = copy.copy(self.globals)
        self._prepare_context(context)
        my_globals.update(external_context or {})
        my_globals.update(context)
        my_globals.update(_GUARDS)
        run = RunBudget(self.limits, my_globals)
        previous = enter_run(run)
        try:
            result = eval(code, my_globals)
        except BudgetStop as stop:
            raise stopped_error(stop) from None
        finally:
            leave_run(previous)
        return result

    def execute(self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> bool:
        """Run a script; new and changed variables land in the task data, helpers do not.

        Over a budget, the task data is put back as it was before the script (its names, and the items of the
        lists, dicts and sets they name: deeper changes stay, and the save refuses them if too large).
        """
        self.check_for_overwrite(context, external_context or {})
        code = _compile(script, "exec")
        my_globals = copy.copy(self.globals)
        self._prepare_context(context)
        my_globals.update(external_context or {})
        before = DataSnapshot(context)
        context.update(my_globals)
        run = RunBudget(self.limits, context)
        previous = enter_run(run)
        stopped: ScriptLimitExceeded | None = None
        try:
            exec(code, context)
        except BudgetStop as stop:
            stopped = stopped_error(stop)
        finally:
            leave_run(previous)
            self._remove_globals_and_functions_from_context(context, external_context)
        if stopped is None:
            stopped = before.too_much_data(context, self.limits)
        if stopped is not None:
            before.restore(context)
            raise stopped
        return True

    def check_for_overwrite(self, context: dict[str, Any], external_context: dict[str, Any]) -> None:
        """Fail fast when task data hides a helper (same rule as SpiffWorkflow, Vietnamese message)."""
        clashes = (set(self.globals) | set(external_context)) & set(context)
        if clashes:
            names = ", ".join(sorted(clashes))
            raise ValueError(
                f"Dữ liệu của quy trình có biến trùng tên với hàm có sẵn; hãy đổi tên các biến hoặc trường sau: {names}"
            )


def _check_helper_names(helpers: Mapping[str, Any]) -> None:
    for name in helpers:
        if not name.isidentifier() or name.startswith("_") or name in FORBIDDEN_NAMES:
            raise ValueError(f"Invalid helper name for the script sandbox: {name!r}")


class SandboxScriptEngine(PythonScriptEngine):
    """PythonScriptEngine over a RestrictedEnvironment, with readable errors for sandbox violations."""

    environment: RestrictedEnvironment

    def __init__(self, helpers: Helpers | None = None, limits: ScriptLimits | None = None) -> None:
        super().__init__(environment=RestrictedEnvironment(helpers, limits))

    def evaluate(self, task: Any, expression: str, external_context: dict[str, Any] | None = None) -> Any:
        """Evaluate an expression against the task's data."""
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except ScriptLimitExceeded as err:
            raise ScriptLimitTaskException(task, expression, err) from err
        except SandboxViolation as err:
            raise _violation_exception(task, expression, err, self._traceback_line(expression, err)) from err
        except SpiffWorkflowException as err:
            err.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as err:
            raise WorkflowTaskException(
                f"Error evaluating expression '{expression}'", task=task, exception=err
            ) from err

    def create_task_exec_exception(self, task: Any, script: str, err: Exception) -> Exception:
        """Wrap a script failure with task and line (3.2.0 breaks on non-string exception args)."""
        if isinstance(err, ScriptLimitExceeded):
            return ScriptLimitTaskException(task, script, err)
        if isinstance(err, SandboxViolation):
            return _violation_exception(task, script, err, self._traceback_line(script, err))
        if isinstance(err, SpiffWorkflowException):
            return super().create_task_exec_exception(task, script, err)
        line_number, error_line = self.get_error_line_number_and_content(script, err)
        detail = type(err).__name__
        if err.args:
            detail += f":{err.args[0]}"
        return WorkflowTaskException(detail, task=task, exception=err, line_number=line_number, error_line=error_line)

    def call_service(self, task: Any, **kwargs: Any) -> NoReturn:
        """Service tasks are not supported: fail with a clear message instead of 3.2.0's NameError."""
        operation = kwargs.get("operation_name") or ""
        raise WorkflowTaskException(
            f"Quy trình không hỗ trợ tác vụ dịch vụ (service task) {operation}".rstrip(), task=task
        )

    def _traceback_line(self, source: str, err: SandboxViolation) -> int | None:
        if err.line is not None:
            return err.line
        line_number, _ = self.get_error_line_number_and_content(source, err)  # run-time guard: from traceback
        return line_number or None


def _violation_exception(task: Any, source: str, err: SandboxViolation, line: int | None) -> WorkflowTaskException:
    lines = source.splitlines()
    error_line = lines[line - 1] if line and line <= len(lines) else ""
    return WorkflowTaskException(err.message, task=task, exception=err, line_number=line, error_line=error_line)


class ScriptLimitTaskException(WorkflowTaskException):
    """A step's script or expression went over a budget (``limit`` says which): an incident, never a refusal."""

    def __init__(self, task: Any, source: str, limit: ScriptLimitExceeded) -> None:
        lines = source.splitlines()
        line = limit.line
        error_line = lines[line - 1] if line and line <= len(lines) else ""
        super().__init__(limit.message, task=task, exception=limit, line_number=line, error_line=error_line)
        self.limit = limit


def make_script_engine(helpers: Helpers | None = None, limits: ScriptLimits | None = None) -> PythonScriptEngine:
    """A SpiffWorkflow script engine running diagram code restricted and budgeted, with ``helpers`` as globals."""
    return SandboxScriptEngine(helpers, limits)
