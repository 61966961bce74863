"""Steps about files: uploading (a real small file of the name's type, or a renamed executable), the documents a
completed step recorded, and the product of an instance (the files of its steps' product fields)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.models import HumanTask, ProcessInstance

from ..document_fields import document_fields
from ..models import DocumentRef, StoredDocument
from .files import EXE_BYTES
from .registry import STEPS
from .steps_common import DAY, show_date
from .world import World

UPLOAD = r'"(?P<user>[^"]+)" (?:đã )?tải lên tệp "(?P<name>[^"]+)"(?P<exe> có nội dung của một tệp chạy \(\.exe\))?'


@STEPS.given(UPLOAD)
@STEPS.when(UPLOAD)
def upload(world: World, user: str, name: str, exe: str | None) -> None:
    """A real small file of the type the name says; or an executable's bytes under that name (refused)."""
    response = world.upload(user, name, EXE_BYTES if exe else None)
    if not exe:
        assert response.status_code == 201, response.json


def _documents_of(world: World, name: str) -> list[str]:
    """The file names the completed steps called ``name`` of the current instance recorded, oldest first."""
    with world.services.read() as uow:
        found = uow.session.execute(
            select(StoredDocument.name)
            .join(DocumentRef, DocumentRef.document_id == StoredDocument.id)
            .join(HumanTask, HumanTask.id == DocumentRef.task_id)
            .where(DocumentRef.instance_id == world.instance_id, HumanTask.name == name)
            .order_by(DocumentRef.id)
        ).scalars()
        return list(found)


@STEPS.then(r'bước "(?P<name>[^"]+)" đã ghi nhận các tệp (?P<files>"[^"]+"(?:, "[^"]+")*)')
def step_documents(world: World, name: str, files: str) -> None:
    assert _documents_of(world, name) == [f.strip().strip('"') for f in files.split(",")]


@STEPS.then(r'bước "(?P<name>[^"]+)" chưa ghi nhận tệp nào')
def no_step_documents(world: World, name: str) -> None:
    assert _documents_of(world, name) == []


def _products(world: World) -> list[dict[str, Any]]:
    """What the instance produced: the files of its completed steps' product fields (x-document ``product``),
    with the issued document's number and date when the field names them."""
    services = world.services
    with services.read() as uow:
        instance = uow.session.get(ProcessInstance, world.instance_id)
        assert instance is not None
        forms = services.engine.definition_forms(uow.session, instance.definition_id, ".schema.json").forms
        data = services.engine.get_instance(uow.session, instance.id).data
        steps = uow.session.scalars(
            select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.status == "completed")
        ).all()
        products = []
        for step in steps:
            for field in document_fields(forms.get(step.form_schema or "")).values():
                if not field.product:
                    continue
                names = uow.session.scalars(
                    select(StoredDocument.name)
                    .join(DocumentRef, DocumentRef.document_id == StoredDocument.id)
                    .where(DocumentRef.task_id == step.id)
                    .order_by(DocumentRef.id)
                ).all()
                number = data.get(field.number_key) if field.number_key else None
                day = data.get(field.date_key) if field.date_key else None
                products += [{"file": n, "number": number, "date": day} for n in names]
        return products


PRODUCT = (
    r'sản phẩm của hồ sơ là (?:các )?tệp (?P<files>"[^"]+"(?:, "[^"]+")*), số "(?P<number>[^"]+)", '
    rf"ngày ban hành (?P<day>{DAY})"
)


@STEPS.then(PRODUCT)
def product_is(world: World, files: str, number: str, day: str) -> None:
    """The instance's product: these files, with the issued document's number and date."""
    expected = [(f.strip().strip('"'), number, day) for f in files.split(",")]
    assert [(p["file"], p["number"], show_date(p["date"])) for p in _products(world)] == expected
