"""The products (Sản phẩm) of a plan's occurrences: the documents their instances' completed steps reference
in an attachment field declaring ``x-document.product``, with the issued document's number and date.

Read in a fixed number of queries whatever the number of occurrences: the references with their steps, the
completions' data (``task_completed`` audit events), the definitions' forms (cached by the engine) and the
access check (``access.visible_document_ids``). Documents the reader may not see are only counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine.db import UnitOfWork
from engine.models import AuditEvent, HumanTask, ProcessInstance
from engine.views import Actor
from workflows import access
from workflows.document_fields import DocumentField, document_fields, document_ids
from workflows.models import DocumentRef, Plan, PlanActivityRow, PlanOccurrence, StoredDocument
from workflows.records import FORM_SUFFIX
from workflows.services import Services


@dataclass(frozen=True)
class Product:
    """A document an occurrence produced: the file, the step and field that hold it, the issued document's
    number (số, ký hiệu) and date (ngày ban hành) when its field names them, and when the step completed."""

    id: int
    name: str
    size: int
    content_type: str
    step: str
    field: str
    number: str | None
    issued_date: str | None
    completed_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "size": self.size,
            "content_type": self.content_type,
            "step": self.step,
            "field": self.field,
            "number": self.number,
            "issued_date": self.issued_date,
            "completed_at": self.completed_at,
        }


@dataclass
class InstanceProducts:
    """The products of one instance the reader may see, and how many others it may not."""

    products: list[Product] = field(default_factory=list)
    hidden: int = 0


@dataclass(frozen=True)
class _Ref:
    instance_id: int
    document: StoredDocument
    step: str
    element_id: str
    task_guid: str
    form_schema: str | None
    completed_at: datetime | None
    definition_id: int


def instance_products(
    services: Services, uow: UnitOfWork, actor: Actor, instance_ids: Iterable[int]
) -> dict[int, InstanceProducts]:
    """The products of each instance (every id asked is in the answer), oldest completion first. A step done
    again (a draft returned and resubmitted) counts by its last completion only: what it sent before is
    superseded."""
    wanted = sorted(set(instance_ids))
    found: dict[int, InstanceProducts] = {i: InstanceProducts() for i in wanted}
    refs = _references(uow, wanted)
    if refs:
        latest = _latest_completions(uow, {r.instance_id for r in refs})
        refs = [r for r in refs if latest.get((r.instance_id, r.element_id)) == r.task_guid]
    if not refs:
        return found
    data = _completion_data(uow, {r.instance_id for r in refs}, {r.task_guid for r in refs})
    forms: dict[tuple[int, str], dict[str, DocumentField]] = {}
    products: list[tuple[_Ref, Product]] = []
    for ref in refs:
        key = (ref.definition_id, ref.form_schema or "")
        if key not in forms:
            definition = services.engine.definition_forms(uow.session, ref.definition_id, FORM_SUFFIX)
            forms[key] = document_fields(definition.forms.get(ref.form_schema or ""))
        product = _product(ref, forms[key], data.get(ref.task_guid, {}))
        if product is not None:
            products.append((ref, product))
    visible = access.visible_document_ids(uow, actor, (ref.document for ref, _ in products))
    for ref, product in products:
        if ref.document.id in visible:
            found[ref.instance_id].products.append(product)
        else:
            found[ref.instance_id].hidden += 1
    return found


def occurrence_products(
    services: Services, uow: UnitOfWork, actor: Actor, occurrences: Iterable[PlanOccurrence]
) -> dict[int, InstanceProducts]:
    """The products of each occurrence by occurrence id (none for one not launched)."""
    items = list(occurrences)
    by_instance = instance_products(services, uow, actor, (o.instance_id for o in items if o.instance_id))
    return {o.id: by_instance[o.instance_id] if o.instance_id else InstanceProducts() for o in items}


def activity_products(
    services: Services, uow: UnitOfWork, actor: Actor, occurrences: Iterable[PlanOccurrence]
) -> dict[int, InstanceProducts]:
    """The products of each activity by activity id, from all its occurrences (in their order)."""
    items = list(occurrences)
    per_occurrence = occurrence_products(services, uow, actor, items)
    found: dict[int, InstanceProducts] = defaultdict(InstanceProducts)
    for occurrence in items:
        mine = per_occurrence[occurrence.id]
        found[occurrence.activity_id].products.extend(mine.products)
        found[occurrence.activity_id].hidden += mine.hidden
    return dict(found)


def plan_products(services: Services, uow: UnitOfWork, actor: Actor, plan: Plan) -> dict[int, InstanceProducts]:
    """The products of every activity of a plan, by activity id (for its exports)."""
    occurrences = uow.session.scalars(
        select(PlanOccurrence)
        .join(PlanActivityRow, PlanActivityRow.id == PlanOccurrence.activity_id)
        .where(PlanActivityRow.plan_id == plan.id, PlanOccurrence.instance_id.is_not(None))
        .order_by(PlanOccurrence.id)
    )
    return activity_products(services, uow, actor, occurrences)


def _references(uow: UnitOfWork, instance_ids: list[int]) -> list[_Ref]:
    """The documents referenced by the instances' completed steps, with the step (one query)."""
    if not instance_ids:
        return []
    rows = uow.session.execute(
        select(
            DocumentRef.instance_id,
            StoredDocument,
            HumanTask.name,
            HumanTask.element_id,
            HumanTask.task_guid,
            HumanTask.form_schema,
            HumanTask.completed_at,
            ProcessInstance.definition_id,
        )
        .join(StoredDocument, StoredDocument.id == DocumentRef.document_id)
        .join(HumanTask, HumanTask.id == DocumentRef.task_id)
        .join(ProcessInstance, ProcessInstance.id == DocumentRef.instance_id)
        .where(DocumentRef.instance_id.in_(instance_ids), HumanTask.status == "completed")
        .order_by(HumanTask.completed_at, DocumentRef.id)
    ).all()
    return [
        _Ref(int(i), document, name, element, guid, form, done, int(d))
        for i, document, name, element, guid, form, done, d in rows
    ]


def _latest_completions(uow: UnitOfWork, instance_ids: set[int]) -> dict[tuple[int, str], str]:
    """The step (task guid) that last completed each element of the instances (one query)."""
    rows = uow.session.execute(
        select(HumanTask.instance_id, HumanTask.element_id, HumanTask.task_guid)
        .where(HumanTask.instance_id.in_(instance_ids), HumanTask.status == "completed")
        .order_by(HumanTask.completed_at, HumanTask.id)
    )
    return {(int(instance_id), element): guid for instance_id, element, guid in rows}


def _completion_data(uow: UnitOfWork, instance_ids: set[int], task_guids: set[str]) -> dict[str, Mapping[str, Any]]:
    """What each step's completion submitted, by step (its ``task_completed`` audit event; one query, through
    the instances' index of the audit trail)."""
    events = uow.session.execute(
        select(AuditEvent.task_guid, AuditEvent.payload)
        .where(
            AuditEvent.instance_id.in_(instance_ids),
            AuditEvent.kind == "task_completed",
            AuditEvent.task_guid.in_(task_guids),
        )
        .order_by(AuditEvent.id)
    )
    found: dict[str, Mapping[str, Any]] = {}
    for guid, payload in events:
        data = (payload or {}).get("data")
        if guid and isinstance(data, dict):
            found[guid] = data  # the last completion of the step wins
    return found


def _product(ref: _Ref, fields: Mapping[str, DocumentField], data: Mapping[str, Any]) -> Product | None:
    """The product a reference is, when the step's form declares its field a product; None otherwise."""
    for key, ids in document_ids(fields, data).items():
        declared = fields[key]
        if ref.document.id not in ids or not declared.product:
            continue
        document = ref.document
        return Product(
            document.id,
            document.name,
            document.size,
            document.content_type,
            ref.step,
            declared.title,
            _text(data.get(declared.number_key)) if declared.number_key else None,
            _text(data.get(declared.date_key)) if declared.date_key else None,
            ref.completed_at,
        )
    return None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None
