"""Steps' instructions as people read them: the diagram's template filled in from the instance's data when viewed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import instructions
from engine.models import ProcessInstance
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


def rows_with_instructions(session: Session, tasks: Sequence[T]) -> list[T]:
    """List rows with their instructions filled in from their instances' data (one query for the templated)."""
    ids = sorted({t.instance_id for t in tasks if instructions.is_template(t.instructions)})
    if not ids:
        return list(tasks)
    rows = session.execute(select(ProcessInstance.id, ProcessInstance.data).where(ProcessInstance.id.in_(ids)))
    data = {instance_id: values or {} for instance_id, values in rows}
    return [rendered(t, data.get(t.instance_id, {})) for t in tasks]
