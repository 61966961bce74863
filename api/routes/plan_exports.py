"""Files made from a plan: its progress as Excel, the periodic CCHC report as Word (docs/exports.md).

Whoever may read the plan's progress (``GET /plans/{id}/progress``) may download these: the same rule and the
same roll-ups (``queries.plan_export``), so a file never shows other numbers than the page.
"""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from workflows import access
from workflows.deadline_rules import local_day
from workflows.plan import queries
from workflows.plan.products import plan_products
from workflows.plan.report_docx import DOCX_MIME, render_report, report_context, report_period
from workflows.plan.xlsx_export import XLSX_MIME, build_progress_workbook

from ..auth import current_user, require
from ..downloads import check_format, file_doc, query_param, send_download
from ..services import services

PLAN_MISSING = "Không tìm thấy kế hoạch"
bp = Blueprint("plan_exports", __name__, url_prefix="/api/v1", description="Xuất tệp từ kế hoạch CCHC")


@bp.route("/plans/<int(max=2147483647):plan_id>/export")
class PlanExport(MethodView):
    @bp.doc(
        **file_doc(
            XLSX_MIME, "Tệp Excel tiến độ kế hoạch", [query_param("format", "Định dạng tệp", ["xlsx"])], PLAN_MISSING
        )
    )
    @require(access.READ_PLANS)
    def get(self, plan_id: int) -> Response:
        """The plan's progress as .xlsx: by activity (grouped by area), by lead unit, by quarter."""
        check_format("xlsx")
        with services().read() as uow:
            plan = queries.get_plan(uow.session, plan_id, current_user().actor)
            products = plan_products(services(), uow, current_user().actor, plan)
            export = queries.plan_export(uow.session, plan, local_day(services().clock.now()), products)
        data = build_progress_workbook(export)
        return send_download(data, XLSX_MIME, f"Tiến độ kế hoạch CCHC {export['plan']['year']}.xlsx")


@bp.route("/plans/<int(max=2147483647):plan_id>/report")
class PlanReport(MethodView):
    @bp.doc(
        **file_doc(
            DOCX_MIME,
            "Báo cáo kết quả thực hiện công tác CCHC (.docx)",
            [
                query_param("period", "Kỳ báo cáo", ["quarter", "half", "year"], required=True),
                query_param("quarter", "Quý 1–4 (khi period=quarter)", ["1", "2", "3", "4"]),
                query_param("half", "1: 6 tháng đầu năm, 2: 6 tháng cuối năm (khi period=half)", ["1", "2"]),
                query_param("format", "Định dạng tệp", ["docx"]),
            ],
            PLAN_MISSING,
        )
    )
    @require(access.READ_PLANS)
    def get(self, plan_id: int) -> Response:
        """The periodic CCHC report of a quarter, half year or year of the plan, from the report template."""
        check_format("docx")
        args = request.args
        with services().read() as uow:
            plan = queries.get_plan(uow.session, plan_id, current_user().actor)
            period = report_period(plan.year, args.get("period"), args.get("quarter"), args.get("half"))
            today = local_day(services().clock.now())
            export = queries.plan_export(uow.session, plan, today)
            context = report_context(uow.session, plan, export, period, today, current_app.config["REPORT_PLACE"])
        template = current_app.config.get("REPORT_TEMPLATE")
        data = render_report(Path(template) if template else None, context)
        return send_download(data, DOCX_MIME, f"Báo cáo CCHC {period.label}.docx")
