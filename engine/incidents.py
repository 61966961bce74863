"""Incidents: putting an instance in ``error`` with what failed where, and finding its failed tasks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from .errors import ScriptFailed
from .models import ProcessInstance
from .script_limits import ScriptLimitExceeded
from .timer_values import is_timer, rearm

# An error's text may quote a script's values (a KeyError of a 10 MB key): the incident keeps its start.
MAX_MESSAGE = 2000


def _short(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE] + "…"


def record_incident(instance: ProcessInstance, exc: SpiffWorkflowException, now: datetime) -> None:
    """Set the instance to ``error`` with the failing element, its line and the library's message."""
    task = getattr(exc, "task", None)
    spec = task.task_spec if task is not None else getattr(exc, "task_spec", None)
    element_id = getattr(spec, "bpmn_id", None)
    element_name = getattr(spec, "bpmn_name", None)
    line = getattr(exc, "line_number", None) if isinstance(exc, WorkflowTaskException) else None
    limit = getattr(exc, "limit", exc)  # a budget's own message, without the library's English notes
    if isinstance(limit, ScriptLimitExceeded):
        message, error_type = limit.message, type(limit).__name__
    else:
        message = getattr(exc, "error_msg", None) or str(exc)
        error_type = getattr(exc, "error_type", exc.__class__.__name__)
    where = element_name or element_id
    instance.status = "error"
    instance.incident = {
        "element_id": element_id,
        "element_name": element_name,
        "line": line or None,
        "message": _short(f'Lỗi tại bước "{where}": {message}' if where else f"Lỗi khi chạy quy trình: {message}"),
        "error_type": error_type,
        "at": now.isoformat(),
    }


def record_script_incident(
    instance: ProcessInstance, exc: SpiffWorkflowException | ScriptFailed, now: datetime
) -> None:
    """Set the instance to ``error`` for a failure while projecting its steps (a library or a sandbox error)."""
    if isinstance(exc, SpiffWorkflowException):
        record_incident(instance, exc, now)
        return
    instance.status = "error"
    instance.incident = {
        "element_id": exc.element_id,
        "element_name": None,
        "line": exc.line,
        "message": _short(exc.message),
        "error_type": "ScriptFailed",
        "at": now.isoformat(),
    }


def reset_failed_tasks(tasks: list[Any], data: Mapping[str, Any] | None) -> None:
    """Put the failed ``tasks`` back to READY, with the corrected ``data`` (if any) merged into each."""
    for task in tasks:
        if data:
            task.data.update(data)
        if is_timer(task):  # READY would fire it at once: it waits for its value to be evaluated again
            rearm(task)
        else:
            task._set_state(TaskState.READY)


def failed_tasks(wf: Any) -> list[Any]:
    """Every task in ERROR, subprocesses and multi-instance children included (get_tasks skips some)."""
    workflows = [wf, *wf.subprocesses.values()]
    return [t for w in workflows for t in w.tasks.values() if t.state == TaskState.ERROR]


def record_unexpected_incident(
    instance: ProcessInstance, exc: Exception, now: datetime, *, element_id: str | None, element_name: str | None
) -> None:
    """Set the instance to ``error`` for a failure that is not the library's (the timer worker names the timer)."""
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    instance.status = "error"
    instance.incident = {
        "element_id": element_id,
        "element_name": element_name,
        "line": None,
        "message": _short(f'Lỗi tại bước "{element_name or element_id}": {detail}'),
        "error_type": type(exc).__name__,
        "at": now.isoformat(),
    }
