"""What the engine hands out: plain dataclasses, never SpiffWorkflow objects or ORM rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Generic, TypeVar

from .models import AuditEvent, HumanTask, ProcessDefinition, ProcessInstance

T = TypeVar("T")


@dataclass(frozen=True)
class Actor:
    """Who is acting: a username with roles and a unit (the engine knows nothing more of users).

    ``tenants``: the tenants whose instances and steps the actor may see; None = every tenant.
    """

    username: str
    roles: frozenset[str]
    unit_code: str | None
    tenants: frozenset[str] | None = None

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


SYSTEM_ACTOR = Actor("system", frozenset({"admin"}), None)


@dataclass(frozen=True)
class DefinitionView:
    id: int
    process_key: str
    version: int
    name: str | None
    deployed_at: datetime
    deployed_by: str | None
    lanes: dict[str, Any]

    @classmethod
    def of(cls, row: ProcessDefinition) -> DefinitionView:
        return cls(row.id, row.process_key, row.version, row.name, row.deployed_at, row.deployed_by, row.lanes)


@dataclass(frozen=True)
class TaskView:
    id: int
    instance_id: int
    process_key: str
    element_id: str
    name: str
    lane: str | None
    role: str | None
    unit_code: str | None
    assignee: str | None
    status: str
    created_at: datetime
    due_at: datetime | None
    completed_by: str | None
    completed_at: datetime | None
    form_schema: str | None
    ui_schema: str | None
    instructions: str | None
    deadline_state: str | None = None
    late_reason: str | None = None

    @classmethod
    def of(cls, row: HumanTask) -> TaskView:
        return cls(*_columns(row, _TASK_VIEW_KEYS))


@dataclass(frozen=True)
class InstanceView:
    id: int
    process_key: str
    definition_id: int
    definition_version: int
    title: str | None
    unit_code: str | None
    status: str
    data: dict[str, Any]
    incident: dict[str, Any] | None
    started_by: str | None
    created_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    version: int
    open_tasks: list[TaskView] = field(default_factory=list)
    # None: not read (a completion's answer leaves the growing history to the instance's own page).
    completed_tasks: list[TaskView] | None = field(default_factory=list)
    due_at: datetime | None = None  # when the whole instance is due (set by the caller at start)
    tenant: str | None = None  # whose instance it is (set by the caller at start)

    @classmethod
    def of(
        cls,
        row: ProcessInstance,
        definition_version: int,
        open_tasks: list[TaskView],
        completed_tasks: list[TaskView] | None = None,
        *,
        with_history: bool = True,
    ) -> InstanceView:
        values = _columns(row, _INSTANCE_VIEW_KEYS)
        return cls.of_values(values, definition_version, open_tasks, completed_tasks, with_history=with_history)

    @classmethod
    def of_values(
        cls,
        values: Sequence[Any],
        definition_version: int,
        open_tasks: list[TaskView],
        completed_tasks: list[TaskView] | None = None,
        *,
        with_history: bool = True,
    ) -> InstanceView:
        """An instance from a plain row of ``INSTANCE_VIEW_KEYS`` (a list's rows; ``of`` for an ORM row)."""
        (
            id_,
            process_key,
            definition_id,
            title,
            unit_code,
            status,
            data,
            incident,
            started_by,
            created_at,
            updated_at,
            ended_at,
            version,
            due_at,
            tenant,
        ) = values
        return cls(
            id_,
            process_key,
            definition_id,
            definition_version,
            title,
            unit_code,
            status,
            data or {},
            incident,
            started_by,
            created_at,
            updated_at,
            ended_at,
            version,
            open_tasks,
            (completed_tasks or []) if with_history else None,
            due_at,
            tenant,
        )


_TASK_VIEW_KEYS = tuple(f.name for f in fields(TaskView))
_INSTANCE_VIEW_KEYS = (
    "id",
    "process_key",
    "definition_id",
    "title",
    "unit_code",
    "status",
    "data",
    "incident",
    "started_by",
    "created_at",
    "updated_at",
    "ended_at",
    "version",
    "due_at",
    "tenant",
)
INSTANCE_VIEW_KEYS = _INSTANCE_VIEW_KEYS  # the columns of ``InstanceView.of_values``, in order


def _columns(row: Any, keys: tuple[str, ...]) -> list[Any]:
    """The values of ``keys`` on an ORM row: straight from its loaded state (what the instrumented attributes
    return for a loaded column, without their per-read cost); a column not loaded goes through the ORM."""
    loaded = row.__dict__
    try:
        return [loaded[k] for k in keys]
    except KeyError:
        return [getattr(row, k) for k in keys]


@dataclass(frozen=True)
class TaskRowView(TaskView):
    """A step as lists show it: with its instance's title and deadline and its process's name."""

    instance_title: str | None = None
    process_name: str | None = None
    instance_due_at: datetime | None = None


@dataclass(frozen=True)
class Listed(Generic[T]):
    """One page of a list and how many rows the whole list has."""

    items: list[T]
    total: int | None  # None: not counted (a page after a cursor: the first page gave it)
    next_cursor: str | None = None  # where the next page starts (keyset paging); None: this page is the last
    more_than_total: bool = False  # counting stopped at ``total`` (PageRequest.count_limit): more rows than that


@dataclass(frozen=True)
class CompletionResult:
    """The instance after a completion, without its finished steps (``completed_tasks`` is None: the
    history grows with every round of a long instance; ``get_instance`` lists it), and its open steps."""

    instance: InstanceView
    next_tasks: list[TaskView]


@dataclass(frozen=True)
class EventView:
    id: int
    kind: str
    instance_id: int | None
    task_guid: str | None
    element_id: str | None
    actor: str | None
    at: datetime
    payload: dict[str, Any]

    @classmethod
    def of(cls, row: AuditEvent) -> EventView:
        return cls(
            row.id, row.kind, row.instance_id, row.task_guid, row.element_id, row.actor, row.at, row.payload or {}
        )


@dataclass(frozen=True)
class SubmissionView:
    """What one completion of a step submitted, as its ``task_completed`` audit event recorded it."""

    event_id: int
    task_id: int | None
    element_id: str | None
    name: str
    actor: str | None
    at: datetime
    data: dict[str, Any]
    form_schema: str | None  # the step's form file (None: the step had no form)


@dataclass(frozen=True)
class DefinitionForms:
    """What labelling an instance's data needs of its definition: the parsed JSON files whose names end with
    the asked suffix, the variables the process computes (or the engine sets), and the names of its elements."""

    forms: dict[str, dict[str, Any]]
    computed: frozenset[str]
    element_names: dict[str, str]
