"""The engine's BpmnWorkflow: the same behaviour, without walking the whole task tree on every step.

SpiffWorkflow finds READY and WAITING tasks with a depth-first walk from the root, several times per
completed task (``_do_engine_steps``, ``update_waiting_tasks`` after every task, ``is_completed``). The
tree keeps the whole history, so a long-running instance (a step returned many times) pays for its
past on every step. Here the few candidate tasks are picked from the flat ``tasks`` dict and put back
into the walk's depth-first order, so the same tasks run in the same order. Workflows with
subprocesses or call activities take SpiffWorkflow's own code paths.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cmp_to_key
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

__all__ = ["EngineWorkflow", "ready_tasks"]

_READY = TaskState.READY
_WAITING = TaskState.WAITING
_NOT_FINISHED = TaskState.NOT_FINISHED_MASK


class EngineWorkflow(BpmnWorkflow):
    """A BpmnWorkflow whose task look-ups scan the task dict instead of walking the tree."""

    def _flat(self) -> bool:
        # Subprocess tasks live in other dicts and the tree walk descends into them: keep Spiff's code.
        return not self.subprocesses

    def update_waiting_tasks(self) -> None:
        if not self._flat():
            super().update_waiting_tasks()
            return
        waiting = [t for t in self.tasks.values() if t._state == _WAITING]
        for task in in_tree_order(self, waiting):
            # The walk checks each task's state when it reaches it: a task updated away is skipped.
            if task._state == _WAITING:
                task.task_spec._update(task)

    def _do_engine_steps(
        self,
        will_complete_task: Callable[[Task], Any] | None = None,
        did_complete_task: Callable[[Task], Any] | None = None,
    ) -> bool:
        if not self._flat():
            return bool(super()._do_engine_steps(will_complete_task, did_complete_task))
        count = 0
        # Like SpiffWorkflow: a snapshot of the READY tasks, each automatic one run in tree order.
        for task in ready_tasks(self):
            if not task.task_spec.manual:
                if will_complete_task is not None:
                    will_complete_task(task)
                task.run()
                count += 1
                if did_complete_task is not None:
                    did_complete_task(task)
        return count > 0 or len(self.get_active_subprocesses()) > 0

    def is_completed(self) -> bool:
        # Newest first: an open task is almost always among the last created, the history need not be read.
        if not self.completed and not any(t._state & _NOT_FINISHED for t in reversed(self.tasks.values())):  # type: ignore[has-type]
            self.completed = True
        return bool(self.completed)


def ready_tasks(wf: BpmnWorkflow, manual: bool | None = None) -> list[Task]:
    """READY tasks (subprocesses included) in SpiffWorkflow's depth-first order; ``manual`` filters."""
    if not isinstance(wf, EngineWorkflow) or not wf._flat():
        return list(wf.get_tasks(state=_READY, manual=manual))
    found = [
        t for t in wf.tasks.values() if t._state == _READY and (manual is None or t.task_spec.manual == manual)
    ]
    return in_tree_order(wf, found)


def in_tree_order(wf: BpmnWorkflow, tasks: Iterable[Task]) -> list[Task]:
    """Tasks of one workflow sorted as a depth-first walk from the root meets them."""
    tasks = list(tasks)
    if len(tasks) < 2:
        return tasks
    return sorted(tasks, key=cmp_to_key(lambda a, b: _compare(wf.tasks, a, b)))


def _compare(lookup: dict[Any, Task], a: Task, b: Task) -> int:
    """-1 if a depth-first walk meets ``a`` before ``b``; climbs only up to their common ancestor."""
    if a is b:
        return 0
    # node id -> index of the child through which the climb arrived (-1: the task itself)
    from_a: dict[Any, int] = {a.id: -1}
    from_b: dict[Any, int] = {b.id: -1}
    cur_a: Task | None = a
    cur_b: Task | None = b
    while True:
        if cur_a is not None:
            cur_a, meet = _climb(lookup, cur_a, from_a, from_b)
            if meet is not None:
                break
        if cur_b is not None:
            cur_b, meet = _climb(lookup, cur_b, from_b, from_a)
            if meet is not None:
                break
        if cur_a is None and cur_b is None:
            raise ValueError("tasks of different trees")
    index_a, index_b = from_a[meet], from_b[meet]
    if index_a == -1:  # a is an ancestor of b: met first
        return -1
    if index_b == -1:
        return 1
    return -1 if index_a < index_b else 1


def _climb(
    lookup: dict[Any, Task], current: Task, mine: dict[Any, int], other: dict[Any, int]
) -> tuple[Task | None, Any]:
    """One step up from ``current``; returns the parent and, if the other climb has been there, its id."""
    if current.id in other:
        return current, current.id
    if current._parent is None:
        return None, None
    parent = lookup[current._parent]
    mine[parent.id] = parent._children.index(current.id)
    return parent, (parent.id if parent.id in other else None)
