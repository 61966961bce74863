"""marshmallow schemas of readable records: labelled fields, a step's earlier submissions, the timeline."""

from __future__ import annotations

from marshmallow import Schema, fields

from .schemas import EventSchema, InstanceSchema, TaskDetailSchema


class FieldDocumentSchema(Schema):
    """A document of an attachment field; ``name``, ``size`` and ``content_type`` are null when the id no longer
    resolves (shown as "Tài liệu không còn")."""

    id = fields.Integer(required=True)
    name = fields.String(allow_none=True)
    size = fields.Integer(allow_none=True)
    content_type = fields.String(allow_none=True)


class FieldSchema(Schema):
    """A field of data as shown: its form's label, the raw value and the text to show."""

    key = fields.String(required=True)
    label = fields.String(required=True)
    value = fields.Raw(allow_none=True)
    display = fields.String(required=True)
    kind = fields.String(
        required=True,
        metadata={"description": "text, number, boolean, date, datetime, enum, list, documents, object or empty"},
    )
    items = fields.List(fields.String(), allow_none=True, metadata={"description": "the shown items of a list"})
    documents = fields.List(
        fields.Nested(FieldDocumentSchema),
        allow_none=True,
        metadata={"description": "the uploaded documents of an attachment field (kind documents), else null"},
    )
    technical = fields.Boolean(required=True)


class SubmissionSchema(Schema):
    """An earlier completion of a step of the instance, with what it submitted."""

    task_id = fields.Integer(allow_none=True)
    element_id = fields.String(allow_none=True)
    name = fields.String(required=True)
    actor = fields.String(allow_none=True)
    actor_name = fields.String(allow_none=True)
    at = fields.DateTime(required=True)
    returned = fields.Boolean(required=True, metadata={"description": "the completion returned the work"})
    return_reason = fields.String(allow_none=True)
    submitted = fields.List(fields.Nested(FieldSchema), data_key="fields", attribute="fields")


class TaskRecordSchema(TaskDetailSchema):
    """A step with its form and the instance's earlier submissions, newest first."""

    submissions = fields.List(fields.Nested(SubmissionSchema))


class InstanceDetailSchema(InstanceSchema):
    """An instance with its data as labelled fields (technical fields for administrators only)."""

    labelled = fields.List(fields.Nested(FieldSchema), data_key="fields", attribute="fields")


class TimelineEventSchema(EventSchema):
    """An audit event with its action in Vietnamese and its own comment."""

    label = fields.String(required=True)
    comment = fields.String(allow_none=True)
    actor_name = fields.String(allow_none=True)
    returned = fields.Boolean(required=True, metadata={"description": "a completion that returned the work"})
