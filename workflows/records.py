"""Readable records: the earlier submissions in front of whoever opens a step, an instance's data as
labelled fields, and its timeline with each action named in Vietnamese.

The submitted data comes from the audit trail (each ``task_completed`` event holds what its completion sent),
the labels from the definition's JSON-schema forms (every ``*.schema.json`` file, the start form too).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine import queries
from engine.db import UnitOfWork
from engine.models import HumanTask, ProcessInstance
from engine.start_form import START_SCHEMA
from engine.views import SYSTEM_ACTOR, Actor, DefinitionForms, EventView, InstanceView, SubmissionView

from . import access
from .accounts import full_names
from .form_display import (
    DocumentInfo,
    FieldDisplay,
    completion_comment,
    decision_of,
    field_order,
    format_datetime,
    label_of,
    stale_reasons,
    submitted_fields,
)
from .form_display import field as display_field
from .instruction_text import with_instructions
from .models import DocumentRef, StoredDocument
from .services import Services

FORM_SUFFIX = ".schema.json"
SYSTEM_NAME = "Hệ thống"  # who the timeline names for the engine's own actions (plan launch, timers)
MAX_SUBMISSIONS = 200  # the newest completions shown in front of a step
_HIDDEN_KEYS = frozenset({"data_objects"})  # the engine's own container of data objects


@dataclass(frozen=True)
class Submission:
    """One earlier completion of a step of the instance: who, when, what it submitted (labelled), and
    whether it returned the work (Trả lại) with its reason."""

    task_id: int | None
    element_id: str | None
    name: str
    actor: str | None
    actor_name: str | None
    at: datetime
    returned: bool
    return_reason: str | None
    fields: list[FieldDisplay]


@dataclass(frozen=True)
class InstanceDetail:
    """An instance with its data as labelled fields (technical fields only for those who may see them)."""

    instance: InstanceView
    fields: list[FieldDisplay]


@dataclass(frozen=True)
class TimelineEvent(EventView):
    """An audit event with its action in Vietnamese, its own comment and the actor's full name."""

    label: str = ""
    comment: str | None = None
    actor_name: str | None = None
    returned: bool = False  # a completion that returned the work (Trả lại)


# --------------------------------------------------------------------------- submissions


def step_submissions(services: Services, uow: UnitOfWork, row: HumanTask) -> list[Submission]:
    """The completions of the instance's steps before this step's own (all of them while it is open), newest
    first, labelled by their forms. The caller has checked that the actor sees the step."""
    session = uow.session
    instance = session.get(ProcessInstance, row.instance_id)
    assert instance is not None
    before = queries.completion_event(session, row.instance_id, row.task_guid) if row.status == "completed" else None
    found = [
        s
        for s in queries.submissions(session, row.instance_id, before_event=before, limit=MAX_SUBMISSIONS)
        if s.task_id != row.id
    ]
    if not found:
        return []
    forms = services.engine.definition_forms(session, instance.definition_id, FORM_SUFFIX)
    people = full_names(session, (s.actor for s in found))
    documents = instance_documents(uow, row.instance_id)
    return [_submission(s, forms, people, documents) for s in found]


def instance_documents(uow: UnitOfWork, instance_id: int) -> dict[int, DocumentInfo]:
    """The documents the instance's completed steps reference, by id (one query): whoever sees the instance
    sees them (``access.can_view_document``). An id of an attachment field not among them shows unnamed."""
    rows = uow.session.execute(
        select(StoredDocument.id, StoredDocument.name, StoredDocument.size, StoredDocument.content_type)
        .join(DocumentRef, DocumentRef.document_id == StoredDocument.id)
        .where(DocumentRef.instance_id == instance_id)
        .distinct()
    )
    return {int(i): DocumentInfo(int(i), name, size, content_type) for i, name, size, content_type in rows}


def _submission(
    found: SubmissionView, forms: DefinitionForms, people: Mapping[str, str], documents: Mapping[int, DocumentInfo]
) -> Submission:
    schema = forms.forms.get(found.form_schema or "")
    decision = decision_of(found.data)
    return Submission(
        found.task_id,
        found.element_id,
        found.name,
        found.actor,
        people.get(found.actor or ""),
        found.at,
        decision.returned,
        decision.reason,
        submitted_fields(found.data, schema, documents),
    )


# --------------------------------------------------------------------------- the instance's data


def instance_detail(services: Services, uow: UnitOfWork, actor: Actor, instance_id: int) -> InstanceDetail:
    """An instance the actor may see, with its data as labelled fields."""
    session = uow.session
    view = with_instructions(services.engine.instance_view(session, access.visible_instance(uow, actor, instance_id)))
    forms = services.engine.definition_forms(session, view.definition_id, FORM_SUFFIX)
    history = queries.submissions(session, view.id, limit=MAX_SUBMISSIONS, tenants=actor.tenants)
    fields = labelled_fields(view.data, forms, history, instance_documents(uow, view.id))
    if not access.sees_technical_data(actor):
        fields = [f for f in fields if not f.technical]
    return InstanceDetail(view, fields)


def labelled_fields(
    data: Mapping[str, Any],
    forms: DefinitionForms,
    history: Iterable[SubmissionView] = (),
    documents: Mapping[int, DocumentInfo] | None = None,
) -> list[FieldDisplay]:
    """Every key of an instance's data as a field: labelled by the form of the step that last submitted it
    (else the start form, else any form that names it); technical when the process computes it or no form
    names it, and so is the reason of an earlier return beside a decision that did not return the work. Ordered
    as entered: the start form's fields, then each step's in the order they were first submitted, then the
    rest; technical fields last. Attachment fields show their ``documents``."""
    newest_first = list(history)
    source: dict[str, str] = {}  # key -> the form file that labels it
    for sub in newest_first:  # the newest submission of a key names it
        schema = forms.forms.get(sub.form_schema or "")
        for key in sub.data:
            if key in data and key not in source and sub.form_schema and label_of(schema, key):
                source[key] = sub.form_schema
    steps = [s.form_schema for s in reversed(newest_first) if s.form_schema]
    order: list[str] = []
    for name in dict.fromkeys([START_SCHEMA, *steps, *sorted(forms.forms)]):
        schema = forms.forms.get(name)
        for key in field_order(schema):
            if key not in data:
                continue
            if key not in source and label_of(schema, key):
                source[key] = name
            if key not in order:
                order.append(key)
    rest = sorted(k for k in data if k not in order)
    stale = stale_reasons(data)
    labelled: list[FieldDisplay] = []
    technical: list[FieldDisplay] = []
    for key in [*order, *rest]:
        form = forms.forms.get(source.get(key, ""))
        is_technical = key in forms.computed or key in _HIDDEN_KEYS or key in stale or form is None
        shown = display_field(
            key, data[key], None if is_technical else form, technical=is_technical, documents=documents
        )
        (technical if is_technical else labelled).append(shown)
    return labelled + technical


# --------------------------------------------------------------------------- the timeline


def timeline(services: Services, uow: UnitOfWork, actor: Actor, instance_id: int) -> list[TimelineEvent]:
    """The audit trail of an instance the actor may see, oldest first, each action named in Vietnamese with
    only its own comment (a completion: what it submitted, never the instance's later or earlier data)."""
    session = uow.session
    instance = access.visible_instance(uow, actor, instance_id)
    events = queries.events(session, instance_id, tenants=actor.tenants)
    rows = session.execute(select(HumanTask.id, HumanTask.name).where(HumanTask.instance_id == instance_id))
    steps = {task_id: name for task_id, name in rows}
    elements = services.engine.definition_forms(session, instance.definition_id, FORM_SUFFIX).element_names
    people = full_names(session, _people(events))
    return [_entry(e, steps, elements, people) for e in events]


def _people(events: Iterable[EventView]) -> set[str]:
    found: set[str] = set()
    for e in events:
        found.update(n for n in (e.actor, e.payload.get("assignee")) if isinstance(n, str))
    return found


def _entry(
    event: EventView, steps: Mapping[int, str], elements: Mapping[str, str], people: Mapping[str, str]
) -> TimelineEvent:
    label, comment = event_label(event, steps, elements, people)
    data = event.payload.get("data") if event.kind == "task_completed" else None
    returned = isinstance(data, dict) and decision_of(data).returned
    name = people.get(event.actor or "") or (SYSTEM_NAME if event.actor == SYSTEM_ACTOR.username else None)
    return TimelineEvent(**vars(event), label=label, comment=comment, actor_name=name, returned=returned)


def event_label(
    event: EventView,
    steps: Mapping[int, str] | None = None,
    elements: Mapping[str, str] | None = None,
    people: Mapping[str, str] | None = None,
) -> tuple[str, str | None]:
    """The action of an audit event in Vietnamese, and its own comment (a reason, a note, an error)."""
    payload = event.payload or {}
    steps, elements, people = steps or {}, elements or {}, people or {}
    task_id = payload.get("task_id")
    step = (
        payload.get("name")
        or (steps.get(task_id) if isinstance(task_id, int) else None)
        or elements.get(event.element_id or "")
        or event.element_id
        or ""
    )
    kind = event.kind
    if kind == "task_completed":
        data = payload.get("data")
        data = data if isinstance(data, dict) else {}
        decision = decision_of(data)
        if decision.returned:
            return f"Trả lại ở bước «{step}»", decision.reason
        return f"Hoàn thành bước «{step}»", completion_comment(data)
    if kind == "task_assigned":
        assignee = str(payload.get("assignee") or "")
        return f"Phân công bước «{step}» cho {people.get(assignee) or assignee}", None
    if kind == "task_deadline_extended":
        new_due = _moment(payload.get("new_due_at"))
        return f"Gia hạn bước «{step}»" + (f" đến {new_due}" if new_due else ""), _text(payload.get("reason"))
    if kind == "timer_fired":
        name = elements.get(event.element_id or "") or event.element_id
        return "Hẹn giờ kích hoạt" + (f": {name}" if name else ""), None
    if kind == "instance_failed":
        where = payload.get("element_name") or payload.get("element_id")
        return "Lỗi" + (f" tại «{where}»" if where else ""), _text(payload.get("message"))
    if kind == "instance_migrated":
        return f"Chuyển từ phiên bản {payload.get('from_version')} sang phiên bản {payload.get('to_version')}", None
    simple = _SIMPLE.get(kind)
    if simple is None:
        return kind.replace("_", " "), None
    text, comment_key = simple
    return text.format(step=step), _text(payload.get(comment_key)) if comment_key else None


# kind -> (label, the payload key of its comment)
_SIMPLE: dict[str, tuple[str, str | None]] = {
    "instance_started": ("Khởi tạo hồ sơ", None),
    "task_claimed": ("Nhận xử lý bước «{step}»", None),
    "task_unclaimed": ("Trả lại hàng chờ bước «{step}»", None),
    "task_late_explained": ("Giải trình trễ hạn bước «{step}»", "reason"),
    "instance_retried": ("Thử lại bước lỗi", None),
    "instance_cancelled": ("Hủy hồ sơ", "reason"),
    "instance_completed": ("Kết thúc hồ sơ", None),
    "definition_deployed": ("Triển khai quy trình", None),
    "document_attached": ("Đính kèm tài liệu vào bước «{step}»", None),
}


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _moment(value: Any) -> str | None:
    """An ISO moment of a payload as dd/mm/yyyy HH:mm (local zone)."""
    if not isinstance(value, str):
        return None
    try:
        return format_datetime(datetime.fromisoformat(value))
    except ValueError:
        return None
