"""The province view: roll-ups of the organisations under the caller, as JSON and as .xlsx (docs/province.md)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from workflows import access, province
from workflows.deadline_rules import local_day
from workflows.province import ProvinceOverview
from workflows.xlsx_style import XLSX_MIME

from ..auth import current_user, require
from ..downloads import check_format, file_doc, query_param, send_download
from ..province_schemas import ProvinceOverviewSchema, ProvinceQuerySchema
from ..services import services

bp = Blueprint("province", __name__, url_prefix="/api/v1", description="Tổng hợp toàn tỉnh")


def _overview(query: dict[str, Any]) -> ProvinceOverview:
    today = local_day(services().clock.now())
    with services().read() as uow:
        return province.province_overview(
            uow.session, current_user().actor, year=query.get("year") or today.year, today=today
        )


@bp.route("/province/overview")
class ProvinceOverviewRoute(MethodView):
    @require(access.PROVINCE_VIEW)
    @bp.arguments(ProvinceQuerySchema, location="query")
    @bp.response(200, ProvinceOverviewSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Per organisation under the caller (the province role: its own organisation's subtree; administrators:
        all): the plan of the year with its activities by status, overdue activities and steps, the index of its
        UBND and the rank across organisations; with the totals. Other roles: 403."""
        return province.to_json(_overview(query))


@bp.route("/province/overview/export")
class ProvinceOverviewExport(MethodView):
    @require(access.PROVINCE_VIEW)
    @bp.arguments(ProvinceQuerySchema, location="query")
    @bp.doc(
        **file_doc(XLSX_MIME, "Tổng hợp toàn tỉnh (.xlsx)", [query_param("format", "Định dạng tệp", ["xlsx"])], "—")
    )
    def get(self, query: dict[str, Any]) -> Response:
        """The overview as .xlsx: Tiến độ theo tổ chức, Quá hạn theo tổ chức, Xếp hạng Chỉ số CCHC."""
        check_format("xlsx")
        overview = _overview(query)
        return send_download(
            province.build_province_workbook(overview), XLSX_MIME, f"Tổng hợp toàn tỉnh {overview.year}.xlsx"
        )
