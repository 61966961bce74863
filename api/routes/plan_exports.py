"""Files made from a plan: its progress as Excel, the periodic CCHC report as Word (docs/exports.md).

Whoever may read the plan's progress (``GET /plans/{id}/progress``) may download these: the same rule and the
same roll-ups (``queries.plan_export``), so a file never shows other numbers than the page.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask import Response, current_app, request, send_file
from flask.views import MethodView
from flask_smorest import Blueprint

from engine.errors import InvalidInput
from workflows import access
from workflows.deadline_rules import local_day
from workflows.plan import queries
from workflows.plan.products import plan_products
from workflows.plan.report_docx import DOCX_MIME, render_report, report_context, report_period
from workflows.plan.xlsx_export import XLSX_MIME, build_progress_workbook

from ..auth import current_user, require
from ..services import services

bp = Blueprint("plan_exports", __name__, url_prefix="/api/v1", description="Xuất tệp từ kế hoạch CCHC")


def _query(name: str, description: str, values: list[str] | None = None, required: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if values:
        schema["enum"] = values
    return {"in": "query", "name": name, "required": required, "description": description, "schema": schema}


def _file_doc(mime: str, description: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "parameters": parameters,
        "responses": {
            "200": {"description": description, "content": {mime: {"schema": {"type": "string", "format": "binary"}}}},
            "404": {"description": "Không tìm thấy kế hoạch"},
            "422": {"description": "Tham số không hợp lệ"},
        },
    }


def _format(expected: str) -> None:
    given = request.args.get("format", expected)
    if given != expected:
        message = f"Định dạng tệp không được hỗ trợ; chỉ có {expected}."
        raise InvalidInput(message, code="bad_export_format", details={"format": [message]})


def _send(data: bytes, mime: str, name: str) -> Response:
    return send_file(io.BytesIO(data), mimetype=mime, as_attachment=True, download_name=name, max_age=0)


@bp.route("/plans/<int(max=2147483647):plan_id>/export")
class PlanExport(MethodView):
    @bp.doc(**_file_doc(XLSX_MIME, "Tệp Excel tiến độ kế hoạch", [_query("format", "Định dạng tệp", ["xlsx"])]))
    @require(access.READ_PLANS)
    def get(self, plan_id: int) -> Response:
        """The plan's progress as .xlsx: by activity (grouped by area), by lead unit, by quarter."""
        _format("xlsx")
        with services().read() as uow:
            plan = queries.get_plan(uow.session, plan_id)
            products = plan_products(services(), uow, current_user().actor, plan)
            export = queries.plan_export(uow.session, plan, local_day(services().clock.now()), products)
        data = build_progress_workbook(export)
        return _send(data, XLSX_MIME, f"Tiến độ kế hoạch CCHC {export['plan']['year']}.xlsx")


@bp.route("/plans/<int(max=2147483647):plan_id>/report")
class PlanReport(MethodView):
    @bp.doc(
        **_file_doc(
            DOCX_MIME,
            "Báo cáo kết quả thực hiện công tác CCHC (.docx)",
            [
                _query("period", "Kỳ báo cáo", ["quarter", "half", "year"], required=True),
                _query("quarter", "Quý 1–4 (khi period=quarter)", ["1", "2", "3", "4"]),
                _query("half", "1: 6 tháng đầu năm, 2: 6 tháng cuối năm (khi period=half)", ["1", "2"]),
                _query("format", "Định dạng tệp", ["docx"]),
            ],
        )
    )
    @require(access.READ_PLANS)
    def get(self, plan_id: int) -> Response:
        """The periodic CCHC report of a quarter, half year or year of the plan, from the report template."""
        _format("docx")
        args = request.args
        with services().read() as uow:
            plan = queries.get_plan(uow.session, plan_id)
            period = report_period(plan.year, args.get("period"), args.get("quarter"), args.get("half"))
            today = local_day(services().clock.now())
            export = queries.plan_export(uow.session, plan, today)
            context = report_context(uow.session, plan, export, period, today, current_app.config["REPORT_PLACE"])
        template = current_app.config.get("REPORT_TEMPLATE")
        data = render_report(Path(template) if template else None, context)
        return _send(data, DOCX_MIME, f"Báo cáo CCHC {period.label}.docx")
