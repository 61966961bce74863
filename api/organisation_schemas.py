"""marshmallow schemas of the organisations API (organisations and the import of their units)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from workflows.org_data import ORGANISATION_KINDS

from .schemas import Day, Name, QuerySchema, StrictSchema

CODE = validate.Regexp(r"^[A-Z0-9_]{1,50}$", error="Mã gồm chữ in hoa không dấu, chữ số hoặc dấu gạch dưới.")


class OrganisationSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    kind_label = fields.String(required=True)
    parent_code = fields.String(allow_none=True)
    issuing_body = fields.String(allow_none=True)
    parent_body = fields.String(allow_none=True)
    place_name = fields.String(allow_none=True)
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(allow_none=True)
    successor_code = fields.String(allow_none=True)
    aliases = fields.List(fields.String(), required=True)
    created_at = fields.DateTime(required=True)
    unit_count = fields.Integer(required=True)
    plan_count = fields.Integer(required=True)


class OrganisationUpdateSchema(StrictSchema):
    name = Name(validate=validate.Length(min=1, max=300))
    kind = fields.String(validate=validate.OneOf(ORGANISATION_KINDS))
    parent_code = fields.String(allow_none=True, validate=validate.Length(max=50))
    issuing_body = Name(allow_none=True, validate=validate.Length(max=300))
    parent_body = Name(allow_none=True, validate=validate.Length(max=300))
    place_name = Name(allow_none=True, validate=validate.Length(max=100))
    valid_from = Day(allow_none=True)
    valid_to = Day(allow_none=True)
    successor_code = fields.String(allow_none=True, validate=validate.Length(max=50))
    aliases = fields.List(Name(validate=validate.Length(max=300)), validate=validate.Length(max=50))


class OrganisationCreateSchema(OrganisationUpdateSchema):
    code = fields.String(required=True, validate=CODE)
    name = Name(required=True, validate=validate.Length(min=1, max=300))
    kind = fields.String(required=True, validate=validate.OneOf(ORGANISATION_KINDS))


class UnitImportQuerySchema(QuerySchema):
    dry_run = fields.Boolean(load_default=False)


class UnitImportErrorSchema(Schema):
    row = fields.Integer(required=True)
    code_value = fields.String(required=True)
    field = fields.String(required=True)
    message = fields.String(required=True)
    code = fields.String(required=True)


class UnitImportRowSchema(Schema):
    row = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    short_name = fields.String(allow_none=True)
    kind = fields.String(required=True)
    parent_code = fields.String(allow_none=True)
    aliases = fields.List(fields.String(), required=True)
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(allow_none=True)
    successor_code = fields.String(allow_none=True)
    action = fields.String(required=True)
    errors = fields.List(fields.Dict(), required=True)


class UnitImportSchema(Schema):
    organisation_code = fields.String(required=True)
    dry_run = fields.Boolean(required=True)
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    rows = fields.List(fields.Nested(UnitImportRowSchema), required=True)
    errors = fields.List(fields.Nested(UnitImportErrorSchema), required=True)


class CriteriaSetQuerySchema(QuerySchema):
    dry_run = fields.Boolean(load_default=False, metadata={"description": "1: chỉ kiểm tra và xem trước, không lưu"})


class CriteriaSetSchema(Schema):
    id = fields.Integer(allow_none=True, metadata={"description": "null: bộ dùng chung có sẵn (tệp)"})
    ref = fields.String(required=True, metadata={"description": "Mã đợt chấm điểm ghi lại: set:<id> hoặc mã tệp"})
    organisation_code = fields.String(allow_none=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    year = fields.Integer(required=True)
    unit_kind = fields.String(required=True)
    unit_kind_label = fields.String(required=True)
    max_points = fields.Float(required=True)
    sub_criteria = fields.Integer(required=True, metadata={"description": "Số tiêu chí thành phần"})
    shared = fields.Boolean(required=True)
    source_name = fields.String(allow_none=True)
    created_by = fields.String(allow_none=True)
    created_at = fields.DateTime(allow_none=True)
    tree = fields.Dict(allow_none=True, metadata={"description": "Cây tiêu chí (khi xem một bộ)"})
