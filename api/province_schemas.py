"""Marshmallow schemas of the province view (Tổng hợp toàn tỉnh, docs/province.md)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .schemas import QuerySchema


class ProvinceQuerySchema(QuerySchema):
    year = fields.Integer(
        validate=validate.Range(min=2000, max=2100, error="Năm phải từ 2000 đến 2100."),
        metadata={"description": "Năm của kế hoạch (mặc định: năm nay)"},
    )


class PlanRefSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    number = fields.String(allow_none=True)


class IndexEntrySchema(Schema):
    unit_code = fields.String(required=True)
    unit_name = fields.String(required=True)
    index_percent = fields.Float(required=True)
    group = fields.String(required=True)
    group_label = fields.String(required=True)
    round_id = fields.Integer(required=True)
    round_title = fields.String(required=True)


class RoundRefSchema(Schema):
    instance_id = fields.Integer(required=True)
    title = fields.String(required=True)
    units = fields.Integer(required=True, metadata={"description": "Số đơn vị được chấm điểm"})


class OrganisationRollupSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    kind_label = fields.String(required=True)
    parent_code = fields.String(allow_none=True)
    plan = fields.Nested(PlanRefSchema, allow_none=True, metadata={"description": "Kế hoạch của năm (null: chưa có)"})
    progress = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"description": "Số hoạt động theo tình trạng"}
    )
    total = fields.Integer(required=True, metadata={"description": "Tổng số hoạt động"})
    overdue_activities = fields.Integer(required=True)
    overdue_steps = fields.Integer(required=True, metadata={"description": "Bước xử lý quá hạn đang mở"})
    late_steps = fields.Integer(required=True, metadata={"description": "Bước xử lý hoàn thành quá hạn"})
    index = fields.Nested(IndexEntrySchema, allow_none=True, metadata={"description": "Chỉ số CCHC của UBND"})
    rank = fields.Integer(allow_none=True, metadata={"description": "Thứ hạng giữa các tổ chức"})
    own_round = fields.Nested(RoundRefSchema, allow_none=True)


class RankingEntrySchema(Schema):
    rank = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    index = fields.Nested(IndexEntrySchema, required=True)


class ProvinceOverviewSchema(Schema):
    year = fields.Integer(required=True)
    today = fields.Date(required=True)
    labels = fields.Dict(keys=fields.String(), values=fields.String())
    organisations = fields.List(fields.Nested(OrganisationRollupSchema))
    totals = fields.Nested(OrganisationRollupSchema, required=True)
    ranking = fields.List(fields.Nested(RankingEntrySchema), metadata={"description": "Theo thứ hạng"})
