"""marshmallow schemas of the plan and calendar endpoints."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from workflows.plan.activity_types import ACTIVITY_TYPES
from workflows.plan.progress import STATUSES

from .schemas import Day, FreeText, QuerySchema, StrictSchema

_STATUS = validate.OneOf(STATUSES)


class UnitRefSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class StatusCountsSchema(Schema):
    not_started = fields.Integer()
    in_progress = fields.Integer()
    done_early = fields.Integer()
    done_on_time = fields.Integer()
    done_late = fields.Integer()
    overdue = fields.Integer()


class PlanOrganisationSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class PlanSummarySchema(Schema):
    id = fields.Integer(required=True)
    organisation = fields.Nested(PlanOrganisationSchema, required=True)
    year = fields.Integer(required=True)
    title = fields.String(required=True)
    number = fields.String(allow_none=True)
    issuing_unit = fields.String(required=True)
    issued_on = fields.Date(allow_none=True)
    source_name = fields.String(allow_none=True)
    imported_at = fields.DateTime()
    imported_by = fields.String(allow_none=True)
    activity_count = fields.Integer(required=True)


class ActivitySchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    ref = fields.String(required=True)
    area = fields.String(required=True)
    section = fields.String(required=True)
    task_code = fields.String(allow_none=True)
    text = fields.String(required=True)
    output_text = fields.String()
    output_kind = fields.String()
    output_kinds = fields.List(fields.String())
    lead_text = fields.String()
    lead_units = fields.List(fields.Nested(UnitRefSchema))
    coordinating_text = fields.String()
    coordinating_units = fields.List(fields.Nested(UnitRefSchema))
    time_text = fields.String()
    schedule = fields.Dict()
    budget = fields.String()
    activity_type = fields.String(required=True)
    activity_type_label = fields.String(required=True)
    activity_type_source = fields.String()
    manual_due = fields.Date(allow_none=True)
    status = fields.String(required=True)
    status_label = fields.String(required=True)
    due_date = fields.Date(allow_none=True)
    occurrence_count = fields.Integer()
    instance_count = fields.Integer()
    counts = fields.Nested(StatusCountsSchema)


class ProductSchema(Schema):
    """A document an occurrence produced (Sản phẩm): the file, the step and field holding it, the issued
    document's số/ký hiệu and ngày ban hành when the field names them."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    size = fields.Integer(required=True)
    content_type = fields.String(required=True)
    step = fields.String(required=True, metadata={"description": "the step that attached it"})
    field = fields.String(required=True, metadata={"description": "the title of its form field"})
    number = fields.String(allow_none=True, metadata={"description": "số, ký hiệu of the issued document"})
    issued_date = fields.String(allow_none=True, metadata={"description": "ngày ban hành (ISO date)"})
    completed_at = fields.DateTime(allow_none=True)


class OccurrenceSchema(Schema):
    id = fields.Integer(required=True)
    unit = fields.Nested(UnitRefSchema)
    period = fields.String()
    label = fields.String()
    planned_due = fields.Date(allow_none=True)
    due_date = fields.Date(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    status = fields.String()
    status_label = fields.String()
    products = fields.List(fields.Nested(ProductSchema))
    hidden_products = fields.Integer(metadata={"description": "products the reader may not see"})


class ActivityDetailSchema(ActivitySchema):
    occurrences = fields.List(fields.Nested(OccurrenceSchema))


class TaskNodeSchema(Schema):
    code = fields.String()
    text = fields.String()
    parent_code = fields.String(allow_none=True)
    lead_units = fields.List(fields.Nested(UnitRefSchema))
    activities = fields.List(fields.Nested(ActivitySchema))


class ObjectiveNodeSchema(Schema):
    code = fields.String()
    text = fields.String()
    lead_units = fields.List(fields.Nested(UnitRefSchema))
    tasks = fields.List(fields.Nested(TaskNodeSchema))


class AreaNodeSchema(Schema):
    code = fields.String()
    title = fields.String()
    objectives = fields.List(fields.Nested(ObjectiveNodeSchema))
    progress = fields.Nested(StatusCountsSchema)


class ImportReportSchema(Schema):
    counts_per_area = fields.Dict(keys=fields.String(), values=fields.Integer())
    activities = fields.Integer()
    duties = fields.Integer()
    occurrences = fields.Integer()
    activity_types = fields.Dict(keys=fields.String(), values=fields.Integer())
    repairs = fields.List(fields.String())
    warnings = fields.List(fields.String())
    unresolved_units = fields.List(fields.String())
    # Each unrecognised name and the coordinator's answer at the confirm: {name, answer: unit|new|none, unit, label}.
    unit_mapping = fields.List(fields.Dict())
    # Activities with no lead unit: "không giao" answered, or no lead written in the file ({ref, lead_text}).
    activities_without_lead = fields.List(fields.Dict())


class PlanDetailSchema(PlanSummarySchema):
    report = fields.Nested(ImportReportSchema)
    areas = fields.List(fields.Nested(AreaNodeSchema))
    duties = fields.List(fields.Nested(ActivitySchema))
    progress = fields.Nested(StatusCountsSchema)


class ImportedSchema(Schema):
    created = fields.Boolean(required=True)
    plan = fields.Nested(PlanSummarySchema, required=True)
    report = fields.Nested(ImportReportSchema, required=True)


class ImportOrganisationSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    own = fields.Boolean(required=True)


class NamedUnitsSchema(Schema):
    name = fields.String(required=True)
    units = fields.List(fields.String(), allow_none=True, metadata={"description": "null: tên chưa xác định"})


class PreviewActivitySchema(Schema):
    section = fields.String(required=True)
    area = fields.String(allow_none=True)
    code = fields.String(required=True)
    text = fields.String(required=True)
    lead_text = fields.String()
    lead = fields.List(fields.Nested(NamedUnitsSchema))
    coordinating_text = fields.String()
    coordinating = fields.List(fields.Nested(NamedUnitsSchema))
    time_text = fields.String()
    schedule = fields.Dict()
    activity_type = fields.String()


class UnitChoiceSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    short_name = fields.String(allow_none=True)
    kind = fields.String()


class UnresolvedNameSchema(Schema):
    name = fields.String(required=True)
    activities = fields.List(fields.String())
    suggestions = fields.List(fields.Nested(UnitChoiceSchema))


class PreviewHeaderSchema(Schema):
    title = fields.String(allow_none=True)
    year = fields.Integer()
    number = fields.String(allow_none=True)
    issued_on = fields.String(allow_none=True)
    issuer = fields.String(allow_none=True)


class ImportPreviewSchema(Schema):
    organisation = fields.Dict(required=True)
    header = fields.Nested(PreviewHeaderSchema, required=True)
    activities = fields.List(fields.Nested(PreviewActivitySchema))
    counts_per_area = fields.Dict(keys=fields.String(), values=fields.Integer())
    repairs = fields.List(fields.String())
    warnings = fields.List(fields.String())
    unresolved = fields.List(fields.Nested(UnresolvedNameSchema))
    replaces = fields.Dict(allow_none=True)
    units = fields.List(fields.Nested(UnitChoiceSchema))


class ActivityQuerySchema(QuerySchema):
    area = fields.String(validate=validate.Length(max=10))
    unit = fields.String(validate=validate.Length(max=50))
    status = fields.String(validate=_STATUS)
    activity_type = fields.String(validate=validate.OneOf(list(ACTIVITY_TYPES)))
    due_before = Day()


class ActivityListSchema(Schema):
    items = fields.List(fields.Nested(ActivitySchema), required=True)
    total = fields.Integer(required=True)


class ActivityUpdateSchema(StrictSchema):
    activity_type = fields.String(validate=validate.OneOf(list(ACTIVITY_TYPES)))
    manual_due = Day(allow_none=True)


class LaunchSchema(StrictSchema):
    since = Day(data_key="from", metadata={"description": "chỉ các hạn từ ngày này"})
    until = Day(metadata={"description": "chỉ các hạn đến ngày này"})


class LaunchedInstanceSchema(Schema):
    instance_id = fields.Integer()
    occurrence_id = fields.Integer()
    activity_id = fields.Integer()
    process_key = fields.String()
    unit_code = fields.String()
    period_label = fields.String()
    due_date = fields.String(allow_none=True)


class LaunchResultSchema(Schema):
    created = fields.Integer(required=True)
    already_running = fields.Integer(required=True)
    without_deadline = fields.Integer(required=True)
    instances = fields.List(fields.Nested(LaunchedInstanceSchema))


class AreaProgressSchema(Schema):
    code = fields.String()
    title = fields.String()
    counts = fields.Nested(StatusCountsSchema)
    total = fields.Integer()


class UnitProgressSchema(Schema):
    code = fields.String()
    name = fields.String()
    counts = fields.Nested(StatusCountsSchema)
    total = fields.Integer()
    overdue = fields.Integer()


class QuarterProgressSchema(Schema):
    quarter = fields.String()
    label = fields.String()
    counts = fields.Nested(StatusCountsSchema)
    total = fields.Integer()


class ProgressSchema(Schema):
    plan_id = fields.Integer()
    today = fields.Date()
    overall = fields.Nested(StatusCountsSchema)
    total = fields.Integer()
    by_area = fields.List(fields.Nested(AreaProgressSchema))
    by_unit = fields.List(fields.Nested(UnitProgressSchema))
    by_quarter = fields.List(fields.Nested(QuarterProgressSchema))


# --- Calendar --------------------------------------------------------------------------------------


class DueDateQuerySchema(QuerySchema):
    start = fields.Date(required=True)
    working_days = fields.Integer(required=True, validate=validate.Range(min=-1000, max=1000))
    # Whose calendar (an organisation the caller sees); default: the caller's own organisation's.
    organisation_code = fields.String(validate=validate.Length(min=1, max=50))


class DayOffSchema(Schema):
    date = fields.Date()
    reason = fields.String()


class DueDateSchema(Schema):
    start = fields.Date(required=True)
    working_days = fields.Integer(required=True)
    due_date = fields.Date(required=True)
    calendar_days = fields.Integer(required=True)
    days_off = fields.List(fields.Nested(DayOffSchema))


class OverrideQuerySchema(QuerySchema):
    year = fields.Integer(validate=validate.Range(min=1900, max=2200))
    # Only the overrides for every organisation and this one's (an organisation the caller sees).
    organisation_code = fields.String(validate=validate.Length(min=1, max=50))


class OverrideDeleteQuerySchema(QuerySchema):
    # Whose override: an organisation's code; empty: the one for every organisation; absent: the caller's
    # own organisation's (a system administrator's: the one for every organisation).
    organisation_code = fields.String(validate=validate.Length(max=50))


class OverrideSchema(Schema):
    day = fields.Date(required=True)
    working = fields.Boolean(required=True)
    reason = fields.String(allow_none=True)
    organisation = fields.String(allow_none=True, metadata={"description": "Mã tổ chức; null: mọi tổ chức"})
    organisation_name = fields.String(allow_none=True)
    created_by = fields.String(allow_none=True)
    created_at = fields.DateTime()


class OverrideCreateSchema(StrictSchema):
    day = Day(required=True)
    working = fields.Boolean(required=True)
    reason = FreeText(allow_none=True, validate=validate.Length(max=500))
    # null: every organisation (system administrators); absent: the caller's own organisation's (a system
    # administrator's: every organisation's).
    organisation_code = fields.String(allow_none=True, validate=validate.Length(min=1, max=50))
