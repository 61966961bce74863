"""Marshmallow schemas of Chuyển phiên bản (bulk migration of running instances)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from workflows.migrations import MAX_BATCH, MigrationFilter, MigrationRequest

from .schemas import StrictSchema

_STATUSES = ("running", "waiting", "error", "completed", "cancelled")
_MAX_IDS = 10_000


class MigrationFilterSchema(StrictSchema):
    instance_ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=2_147_483_647)),
        validate=validate.Length(max=_MAX_IDS),
        load_default=list,
        metadata={"description": "chỉ các hồ sơ này"},
    )
    statuses = fields.List(fields.String(validate=validate.OneOf(_STATUSES)), load_default=list)
    organisation_code = fields.String(validate=validate.Length(min=1, max=50), allow_none=True, load_default=None)
    unit_code = fields.String(validate=validate.Length(min=1, max=50), allow_none=True, load_default=None)
    started_after = fields.AwareDateTime(allow_none=True, load_default=None)
    started_before = fields.AwareDateTime(allow_none=True, load_default=None)


class MigrationRequestSchema(StrictSchema):
    from_version = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=2_147_483_647))
    to_version = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=2_147_483_647))
    mapping = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=200)),
        values=fields.String(validate=validate.Length(min=1, max=200), allow_none=True),
        load_default=dict,
        metadata={"description": "mã bước ở phiên bản cũ → mã bước ở phiên bản mới (null: không có bước tương ứng)"},
    )
    filter = fields.Nested(MigrationFilterSchema, load_default=None, allow_none=True)
    dry_run = fields.Boolean(load_default=True)
    batch_size = fields.Integer(strict=True, load_default=50, validate=validate.Range(min=1, max=MAX_BATCH))

    @validates_schema
    def _mapping_size(self, data: dict[str, Any], **_: Any) -> None:
        if len(data.get("mapping") or {}) > 1000:
            raise ValidationError("Bảng ánh xạ quá dài (tối đa 1.000 bước).", "mapping")

    @post_load
    def _request(self, data: dict[str, Any], **_: Any) -> MigrationRequest:
        flt = data.get("filter") or {}
        return MigrationRequest(
            from_version=data["from_version"],
            to_version=data["to_version"],
            mapping=dict(data.get("mapping") or {}),
            filter=MigrationFilter(
                instance_ids=tuple(flt.get("instance_ids") or ()),
                statuses=tuple(flt.get("statuses") or ()),
                organisation_code=flt.get("organisation_code"),
                unit_code=flt.get("unit_code"),
                started_after=flt.get("started_after"),
                started_before=flt.get("started_before"),
            ),
            dry_run=data["dry_run"],
            batch_size=data["batch_size"],
        )


class StepChangeSchema(Schema):
    element_id = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    new_element_id = fields.String(allow_none=True)
    new_name = fields.String(allow_none=True)
    due_at = fields.String(allow_none=True)
    assignee_kept = fields.Boolean()


class InstanceResultSchema(Schema):
    instance_id = fields.Integer()
    title = fields.String(allow_none=True)
    unit_code = fields.String(allow_none=True)
    status = fields.String()
    outcome = fields.String(metadata={"description": "movable, not_movable (thử); migrated, refused, failed (chạy)"})
    code = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    steps = fields.List(fields.Nested(StepChangeSchema))


class ElementSchema(Schema):
    element_id = fields.String()
    name = fields.String(allow_none=True)
    type = fields.String()


class MigrationReportSchema(Schema):
    process_key = fields.String()
    from_version = fields.Integer()
    to_version = fields.Integer()
    dry_run = fields.Boolean()
    run_id = fields.Integer(allow_none=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    results = fields.List(fields.Nested(InstanceResultSchema))
    removed = fields.List(fields.Nested(ElementSchema))
    added = fields.List(fields.Nested(ElementSchema))
    targets = fields.List(fields.Nested(ElementSchema))


class RunResultSchema(Schema):
    instance_id = fields.Integer()
    outcome = fields.String()
    code = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    steps = fields.List(fields.Nested(StepChangeSchema))


class MigrationRunSchema(Schema):
    id = fields.Integer()
    process_key = fields.String()
    from_version = fields.Integer()
    to_version = fields.Integer()
    mapping = fields.Dict()
    filter = fields.Dict()
    batch_size = fields.Integer()
    status = fields.String()
    started_by = fields.String()
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    migrated = fields.Integer()
    refused = fields.Integer()
    failed = fields.Integer()
    results = fields.List(fields.Nested(RunResultSchema))
