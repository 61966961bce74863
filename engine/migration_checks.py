"""What a migrated instance still needs: the variables the new version reads ahead, and its timers' due times.

Both are used by ``engine.migration`` on a workflow already moved to the new spec (in memory):

- ``missing_variables``: the names the expressions and code of the steps still ahead read (gateway conditions,
  deadlines, timers, scripts, ``var:`` lanes) that nothing on the way sets (a script, a form of a step, a
  decision) and that the instance does not hold. The analysis ignores order: a name some step ahead sets counts
  as set, even if a step before it reads it.
- ``keep_timer_times``: SpiffWorkflow restarts a reset timer from "now"; a timer whose expression did not change
  keeps its time, and a duration that changed keeps its start (old time − old duration + new duration).
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.specs.base import TaskSpec
from SpiffWorkflow.task import Task

from .validation.variables import ENGINE_VARIABLES, assigned_names, form_fields, spec_form

_BUILTINS = frozenset(dir(builtins)) | {"True", "False", "None"}
_CODE_ATTRIBUTES = ("script", "prescript", "postscript")


def read_names(source: str, mode: str = "exec") -> set[str]:
    """The names a piece of Python reads and does not bind itself (an unparsable text reads nothing)."""
    if not isinstance(source, str) or not source.strip():
        return set()
    try:
        tree = ast.parse(source, mode=mode)
    except (SyntaxError, ValueError, RecursionError):
        return set()  # the deploy validator refuses such code; nothing to learn here
    nodes = list(ast.walk(tree))
    loaded = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    # Comprehension targets, lambda and function parameters, names bound anywhere: the code's own names.
    bound = {n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    bound |= {n.arg for n in nodes if isinstance(n, ast.arg)}
    return loaded - bound - (assigned_names(source) if mode == "exec" else set())


def specs_ahead(starts: Iterable[TaskSpec]) -> list[TaskSpec]:
    """The task specs reachable from ``starts`` (themselves included), in the order a walk meets them."""
    seen: dict[str, TaskSpec] = {}
    stack = list(starts)
    while stack:
        spec = stack.pop()
        if spec.name in seen:
            continue
        seen[spec.name] = spec
        stack.extend(spec.outputs)
    return list(seen.values())


def _reads(spec: TaskSpec, lanes: Mapping[str, Any]) -> set[str]:
    names: set[str] = set()
    for condition, _ in getattr(spec, "cond_task_specs", None) or ():
        if isinstance(condition, str):
            names |= read_names(condition, "eval")
    properties = (getattr(spec, "extensions", None) or {}).get("properties") or {}
    names |= read_names(properties.get("dueDate") or "", "eval")
    definition = getattr(spec, "event_definition", None)
    if isinstance(definition, TimerEventDefinition):
        names |= read_names(definition.expression, "eval")
    for attribute in _CODE_ATTRIBUTES:
        names |= read_names(getattr(spec, attribute, None) or "")
    lane = getattr(spec, "lane", None)
    unit = str((lanes.get(lane) or {}).get("unit") or "") if lane else ""
    if unit.startswith("var:"):
        names.add(unit[4:])
    return names


def _writes(spec: TaskSpec, form_fields_of: Mapping[str, frozenset[str]]) -> set[str]:
    names: set[str] = set()
    for attribute in _CODE_ATTRIBUTES:
        names |= assigned_names(getattr(spec, attribute, None) or "")
    form = spec_form(spec)
    if form:
        names |= form_fields_of.get(form, frozenset())
    table = getattr(getattr(spec, "dmnEngine", None), "decision_table", None)
    names |= {str(o.name).split(".")[0] for o in getattr(table, "outputs", None) or () if o.name}
    for attribute in ("input_item", "data_output", "output_item"):
        ref = getattr(spec, attribute, None)
        if ref is not None and getattr(ref, "bpmn_id", None):
            names.add(ref.bpmn_id)
    return names


def forms_by_file(files: Mapping[str, Any], parse: Any) -> dict[str, frozenset[str]]:
    """Form file name -> the fields it declares (files that are not JSON objects are left out)."""
    out: dict[str, frozenset[str]] = {}
    for name in files:
        if name.endswith(".json"):
            try:
                out[name] = form_fields(parse(name))
            except (ValueError, TypeError):
                continue
    return out


def missing_variables(
    ahead: list[TaskSpec],
    lanes: Mapping[str, Any],
    form_fields_of: Mapping[str, frozenset[str]],
    data_objects: Collection[str],
    present: Collection[str],
    helpers: Collection[str],
) -> dict[str, list[str]]:
    """Missing variable -> the BPMN ids of the steps ahead that read it (empty: nothing is missing)."""
    written: set[str] = set(ENGINE_VARIABLES) | set(data_objects)
    for spec in ahead:
        written |= _writes(spec, form_fields_of)
    known = written | set(present) | set(helpers) | _BUILTINS
    out: dict[str, list[str]] = {}
    for spec in ahead:
        for name in sorted(_reads(spec, lanes) - known):
            out.setdefault(name, []).append(str(getattr(spec, "bpmn_id", None) or spec.name))
    return out


def timer_expression(task: Task) -> str | None:
    """The expression of a timer event's definition (None: not a timer)."""
    definition = getattr(task.task_spec, "event_definition", None)
    return definition.expression if isinstance(definition, TimerEventDefinition) else None


def keep_timer_times(before: Mapping[str, tuple[str, dict[str, Any]]], tasks: Iterable[Task]) -> None:
    """Put back the times of timers that waited before the migration (``before``: task id -> (expression,
    internal data)); a duration timer whose duration changed keeps its start."""
    for task in tasks:
        old = before.get(str(task.id))
        expression = timer_expression(task)
        if old is None or expression is None:
            continue
        old_expression, old_internal = old
        old_value = old_internal.get("event_value")
        if expression == old_expression:
            task.internal_data.update(old_internal)
            continue
        new_value = task.internal_data.get("event_value")
        shifted = _shifted_start(old_expression, old_value, expression, task)
        if shifted is not None and new_value is not None:
            task.internal_data["event_value"] = shifted


def _shifted_start(old_expression: str, old_value: Any, expression: str, task: Task) -> str | None:
    """old due − old duration + new duration, when both expressions are durations (None otherwise)."""
    if not isinstance(old_value, str):
        return None
    try:
        old_duration = task.workflow.script_engine.evaluate(task, old_expression)
        new_duration = task.workflow.script_engine.evaluate(task, expression)
        if not (isinstance(old_duration, str) and isinstance(new_duration, str)):
            return None
        if not (old_duration.upper().startswith("P") and new_duration.upper().startswith("P")):
            return None
        due = TimerEventDefinition.get_datetime(old_value)
        began = due - TimerEventDefinition.get_timedelta_from_end(
            TimerEventDefinition.parse_iso_duration(old_duration), due
        )
        parsed = TimerEventDefinition.parse_iso_duration(new_duration)
        return (began + TimerEventDefinition.get_timedelta_from_start(parsed, began)).isoformat()
    except (ValueError, TypeError, AttributeError, KeyError, SpiffWorkflowException):
        return None  # a value the library cannot read: the timer keeps the library's own time
