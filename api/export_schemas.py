"""Marshmallow schemas of the lists behind the .xlsx exports: a scoring round's results, the overdue list."""

from __future__ import annotations

from marshmallow import Schema, fields

from .schemas import Day, QuerySchema


class ScoringAreaSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    max_points = fields.Float(required=True)


class ScoringUnitSchema(Schema):
    rank = fields.Integer(required=True)
    unit_code = fields.String(required=True)
    unit_name = fields.String(required=True)
    achieved = fields.Float(required=True)
    max = fields.Float(required=True)
    index_percent = fields.Float(required=True)
    group = fields.String(required=True, metadata={"description": "Nhóm xếp loại (A, B, C…)"})
    group_label = fields.String(required=True, metadata={"description": "Xếp loại (Xuất sắc, Tốt…)"})
    area_points = fields.Dict(
        keys=fields.String(), values=fields.Float(), metadata={"description": "Điểm theo lĩnh vực"}
    )
    survey_points = fields.Float(allow_none=True)
    points = fields.Dict(
        keys=fields.String(),
        values=fields.Float(allow_none=True),
        metadata={"description": "Điểm theo tiêu chí thành phần (null: không đánh giá)"},
    )
    not_assessed = fields.List(fields.String())


class ScoringResultsSchema(Schema):
    instance_id = fields.Integer(required=True)
    title = fields.String(required=True)
    year = fields.Integer(allow_none=True)
    criteria_code = fields.String(required=True)
    criteria_name = fields.String(required=True)
    criteria_ref = fields.String(
        required=True, metadata={"description": "Bộ tiêu chí đợt đã dùng: mã bộ dùng chung, hoặc set:<id> (bộ riêng)"}
    )
    criteria_set_id = fields.Integer(allow_none=True, metadata={"description": "Mã bộ tiêu chí riêng của tổ chức"})
    stage = fields.String(required=True, metadata={"description": "provisional | approved | published"})
    stage_label = fields.String(required=True)
    decision_number = fields.String(allow_none=True)
    published_on = fields.String(allow_none=True)
    areas = fields.List(fields.Nested(ScoringAreaSchema))
    survey_max_points = fields.Float(required=True)
    units = fields.List(fields.Nested(ScoringUnitSchema), metadata={"description": "Theo thứ hạng"})


class OverdueQuerySchema(QuerySchema):
    date_from = Day(data_key="from", metadata={"description": "Hạn xử lý từ ngày"})
    date_to = Day(data_key="to", metadata={"description": "Hạn xử lý đến ngày"})


class OverdueStepSchema(Schema):
    task_id = fields.Integer(required=True)
    instance_id = fields.Integer(required=True)
    unit_code = fields.String(allow_none=True)
    unit_name = fields.String(required=True)
    activity = fields.String(required=True)
    step = fields.String(required=True)
    due_on = fields.Date(required=True)
    state = fields.String(required=True, metadata={"description": "overdue (đang mở) | late (hoàn thành quá hạn)"})
    state_label = fields.String(required=True)
    completed_on = fields.Date(allow_none=True)
    days_late = fields.Integer(required=True)
    assignee = fields.String(allow_none=True)
    assignee_name = fields.String(required=True)
    late_reason = fields.String(allow_none=True)


class OverdueListSchema(Schema):
    date_from = fields.Date(allow_none=True, data_key="from")
    date_to = fields.Date(allow_none=True, data_key="to")
    today = fields.Date(required=True)
    total = fields.Integer(required=True)
    truncated = fields.Boolean(required=True)
    items = fields.List(fields.Nested(OverdueStepSchema))
