"""Steps' instructions as people read them: the diagram's template filled in from the instance's data when viewed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, TypeVar

from engine import instructions
from engine.views import InstanceView, TaskView

T = TypeVar("T", bound=TaskView)


def rendered(task: T, data: Mapping[str, Any]) -> T:
    """The step with its instructions template filled in from ``data``."""
    if not instructions.is_template(task.instructions):
        return task
    return replace(task, instructions=instructions.render(task.instructions, data))


def with_instructions(view: InstanceView) -> InstanceView:
    """The instance with its steps' instructions filled in from the instance's data."""
    done = view.completed_tasks
    return replace(
        view,
        open_tasks=[rendered(t, view.data) for t in view.open_tasks],
        completed_tasks=None if done is None else [rendered(t, view.data) for t in done],
    )
