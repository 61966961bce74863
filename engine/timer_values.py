"""Timer values as SpiffWorkflow reads them: one parser for the library and the timer table, bad values as task errors.

SpiffWorkflow evaluates a timer's expression when the timer is reached and parses the result itself
(``TimerEventDefinition.get_datetime`` and friends; a value without a zone is read in ``clock.LOCAL_TZ``).
Its parsers raise a plain ``ValueError``, ``TypeError``, ``AttributeError`` or a bare ``Exception`` for a
value such as ``'15/03/2024'``, and nothing in the library turns those into a task error: they escaped
``do_engine_steps`` and ``refresh_timers`` as they were (a 500 at start, a poisoned worker batch).

Importing this module wraps the three methods that evaluate and parse a timer value (``has_fired`` of a
date and of a duration timer, ``cycle_complete`` of a cycle timer): a value that does not parse becomes a
``WorkflowTaskException`` naming the timer and showing the value, recorded like any script error. A
person's action that runs into one (start, complete) is refused with a 422 and writes nothing
(``raise_if_refused``, or the step's own refusal when the timer directly follows it); the worker keeps it
as the instance's incident. The timer is left in ERROR without its value: a retry (``rearm``) evaluates its
expression again instead of firing it at once. (SpiffWorkflow gives the timer the data of the task before it,
so a retry's corrected data does not replace a value that came from there: the incident comes back.)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from . import clock as _clock  # noqa: F401 - SpiffWorkflow's timers follow the engine's clock and zone first
from .errors import InvalidInput
from .models import ProcessInstance

TIMER_REFUSED = "TimerValueInvalid"  # the incident's error_type for a refused timer value

_EXPECTED = {
    TimeDateEventDefinition: 'một ngày giờ ISO 8601, ví dụ "2024-03-15" hoặc "2024-03-15T09:00:00+07:00"',
    DurationTimerEventDefinition: 'một khoảng thời gian ISO 8601, ví dụ "P5D" hoặc "PT4H"',
    CycleTimerEventDefinition: 'một chu kỳ ISO 8601, ví dụ "R3/P1D"',
}


def is_timer(task: Task) -> bool:
    """Whether ``task`` is a timer event (intermediate, boundary or start)."""
    return isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition)


def due_time(task: Task) -> datetime | None:
    """When a waiting timer fires (aware UTC), parsed exactly as SpiffWorkflow parses it; None if it has no time."""
    value = task.task_spec.event_definition.details(task).value
    if not isinstance(value, str) or not value:
        return None
    moment = TimerEventDefinition.parse_time_or_duration(value)
    if not isinstance(moment, datetime):  # a duration where a date belongs: refused when the timer is refreshed
        return None
    return moment.astimezone(UTC)


def shifted_value(value: str, by: Any) -> str:
    """A stored timer time moved by the timedelta ``by`` (read the way SpiffWorkflow reads it), as aware ISO text."""
    moment = TimerEventDefinition.parse_time_or_duration(value)
    if not isinstance(moment, datetime):
        raise ValueError(f"not a timer time: {value!r}")
    return (moment + by).isoformat()


def rearm(task: Task) -> None:
    """Put a timer refused by ``_guarded`` back to waiting, so that the next run evaluates its expression again.

    Every run ends with ``refresh_timers``, which evaluates it with the task's data (SpiffWorkflow merges the
    data of the task before it over that). A refused boundary timer stopped SpiffWorkflow before the boundary
    events after it were looked at: those still FUTURE beside it are put back to waiting too.
    """
    parent = task.parent
    beside = parent.children if parent is not None and parent.has_state(TaskState.COMPLETED) else []
    for each in [task, *(t for t in beside if t is not task and t.state == TaskState.FUTURE)]:
        if each is not task and not isinstance(each.task_spec, CatchingEvent):
            continue
        each.internal_data.pop("event_value", None)
        each.internal_data.pop("event_fired", None)
        if each.parent is not None:
            each._inherit_data()
        # FUTURE: refresh_timers updates it like a timer just reached; another event waits as SpiffWorkflow would.
        each._set_state(TaskState.FUTURE if is_timer(each) else TaskState.WAITING)
        each.workflow.top_workflow.event_manager.add_task(each)


def raise_if_refused(instance: ProcessInstance) -> None:
    """``InvalidInput`` if the run just made stopped on a refused timer value (a person's action is refused
    with a 422 and nothing is written; the worker keeps it as the instance's incident instead)."""
    incident = instance.incident or {}
    if instance.status != "error" or incident.get("error_type") != TIMER_REFUSED:
        return
    raise InvalidInput(
        str(incident.get("message")).rstrip(". ") + ".",  # SpiffWorkflow's str() of an error ends with ". "
        code="timer_value_invalid",
        details={"element_id": incident.get("element_id"), "element_name": incident.get("element_name")},
    )


def _refused(definition: TimerEventDefinition, task: Task, exc: Exception) -> WorkflowTaskException:
    """Leave the timer in ERROR without its value, and say what was wrong with it."""
    value = task._get_internal_data("event_value")
    if value is None:  # a duration or a cycle is stored only once parsed: evaluate it again to show it
        value = task.workflow.script_engine.evaluate(task, definition.expression)
    task.internal_data.pop("event_value", None)
    task.workflow.top_workflow.event_manager.remove_task(task)
    task._set_state(TaskState.ERROR)
    expected = next((text for kind, text in _EXPECTED.items() if isinstance(definition, kind)), "một thời điểm")
    shown = repr(value)
    if len(shown) > 200:
        shown = shown[:200] + "…"
    name = task.task_spec.bpmn_name or task.task_spec.bpmn_id
    message = f'Hẹn giờ "{name}" nhận giá trị {shown} (biểu thức {definition.expression}), không hợp lệ: cần {expected}'
    refused = WorkflowTaskException(message, task=task, exception=exc)
    refused.error_type = TIMER_REFUSED  # what the incident records: a refused value, not the parser's error
    return refused


def _guarded(method: Callable[[Any, Task], Any]) -> Callable[[Any, Task], Any]:
    @functools.wraps(method)
    def guarded(self: TimerEventDefinition, my_task: Task) -> Any:
        try:
            return method(self, my_task)
        except SpiffWorkflowException:
            raise  # the expression itself failed: already a task error naming the element
        except Exception as exc:  # SpiffWorkflow's parsers raise ValueError, TypeError, AttributeError, bare Exception
            raise _refused(self, my_task, exc) from exc

    guarded.__cchc_guarded__ = True  # type: ignore[attr-defined]
    return guarded


def _install() -> None:
    for cls, name in (
        (TimeDateEventDefinition, "has_fired"),
        (DurationTimerEventDefinition, "has_fired"),
        (CycleTimerEventDefinition, "cycle_complete"),
    ):
        method = cls.__dict__[name]
        if not getattr(method, "__cchc_guarded__", False):
            setattr(cls, name, _guarded(method))


_install()
