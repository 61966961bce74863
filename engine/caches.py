"""The engine's per-process caches: live workflows by instance version, deployed definitions by id."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from .definitions import SpecCache
from .errors import NotFound
from .models import ProcessDefinition
from .state_store import SpecBundle, WorkflowState
from .validation.variables import Origin


@dataclass(frozen=True)
class DeployedDefinition:
    """What a run needs of a definition; deployed versions never change, so this is cached by id."""

    id: int
    process_key: str
    version: int
    lanes: dict[str, Any]
    files: dict[str, str]
    bundle: SpecBundle
    forms: dict[str, dict[str, Any]]  # parsed form schemas, filled on first use
    # What a user may write into the instance's data (engine.forms), filled on first use: the variables the
    # process computes, with their setter, and the fields each form file may submit.
    computed: dict[str, Origin] = field(default_factory=dict)
    form_fields: dict[str, frozenset[str]] = field(default_factory=dict)


class WorkflowCache:
    """Live workflows by instance id, valid for exactly one stored ``version``."""

    def __init__(self, size: int = 512) -> None:
        self._items: OrderedDict[int, tuple[int, WorkflowState]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def has(self, instance_id: int, version: int) -> bool:
        """Whether the workflow of ``instance_id`` at ``version`` is cached (a later ``take`` may still miss)."""
        with self._lock:
            item = self._items.get(instance_id)
        return item is not None and item[0] == version

    def take(self, instance_id: int, version: int) -> WorkflowState | None:
        """Remove and return the cached workflow if it is at ``version`` (one user at a time)."""
        with self._lock:
            item = self._items.pop(instance_id, None)
        if item is None or item[0] != version:
            return None
        return item[1]

    def put(self, instance_id: int, version: int, state: WorkflowState) -> None:
        """Keep ``state`` as the workflow of ``instance_id`` at ``version``, dropping the least recently put."""
        with self._lock:
            self._items[instance_id] = (version, state)
            self._items.move_to_end(instance_id)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def discard(self, instance_id: int) -> None:
        """Forget the cached workflow of ``instance_id`` (a failed run may have left a version that never committed)."""
        with self._lock:
            self._items.pop(instance_id, None)

    def clear(self) -> None:
        """Forget every cached workflow (the next run of each instance restores it from its rows)."""
        with self._lock:
            self._items.clear()


class DefinitionCache:
    """Deployed definitions by id: each row, with its large spec and BPMN columns, is read once."""

    def __init__(self) -> None:
        self.specs = SpecCache()
        self._definitions: dict[int, DeployedDefinition] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, definition_id: int) -> DeployedDefinition:
        """The cached definition, read from its row on first use (``NotFound`` if there is none)."""
        cached = self._definitions.get(definition_id)
        if cached is not None:
            return cached
        row = session.get(ProcessDefinition, definition_id)
        if row is None:
            raise NotFound("Không tìm thấy định nghĩa quy trình.", code="definition_not_found")
        deployed = DeployedDefinition(
            row.id, row.process_key, row.version, dict(row.lanes or {}), dict(row.files or {}), self.specs.get(row), {}
        )
        with self._lock:
            self._definitions[definition_id] = deployed
        return deployed


def form_json(definition: DeployedDefinition, filename: str) -> dict[str, Any]:
    """The parsed form schema ``filename`` of a definition, parsed once and kept on the definition."""
    form = definition.forms.get(filename)
    if form is None:
        text = definition.files.get(filename)
        if text is None:
            raise NotFound(f'Không tìm thấy biểu mẫu "{filename}" của quy trình.', code="form_not_found")
        form = definition.forms[filename] = dict(json.loads(text))
    return form
