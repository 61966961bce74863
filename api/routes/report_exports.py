"""The index-scoring results and the overdue list, as JSON and as .xlsx (docs/exports.md)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from workflows import scoring_results
from workflows.overdue_list import build_overdue_workbook, overdue_list
from workflows.xlsx_style import XLSX_MIME

from ..auth import current_user
from ..downloads import check_format, file_doc, query_param, send_download
from ..export_schemas import OverdueListSchema, OverdueQuerySchema, ScoringResultsSchema
from ..services import services

bp = Blueprint("report_exports", __name__, url_prefix="/api/v1", description="Kết quả Chỉ số CCHC, danh sách quá hạn")
FORMAT = query_param("format", "Định dạng tệp", ["xlsx"])


@bp.route("/process-instances/<int(max=2147483647):instance_id>/scoring-results")
class ScoringResults(MethodView):
    @bp.response(200, ScoringResultsSchema)
    def get(self, instance_id: int) -> dict[str, Any]:
        """The results of an index-scoring round: per unit its points per area and sub-criterion, total, index,
        rank and xếp loại, in rank order. Overseers and the appraisal council see them once computed, the scored
        units once published (403 ``scoring_results_not_published``); before the index: 409."""
        with services().read() as uow:
            results = scoring_results.scoring_results(uow, current_user().actor, instance_id)
        return scoring_results.to_json(results)


@bp.route("/process-instances/<int(max=2147483647):instance_id>/scoring-results/export")
class ScoringResultsExport(MethodView):
    @bp.doc(**file_doc(XLSX_MIME, "Kết quả Chỉ số CCHC (.xlsx)", [FORMAT], "Không tìm thấy đợt chấm điểm"))
    def get(self, instance_id: int) -> Response:
        """The round's results as .xlsx: the ranking (units × areas, total, index, rank, xếp loại) and the points
        per criterion (criteria × units)."""
        check_format("xlsx")
        with services().read() as uow:
            results = scoring_results.scoring_results(uow, current_user().actor, instance_id)
        year = f" {results.year}" if results.year else ""
        return send_download(
            scoring_results.build_scoring_workbook(results), XLSX_MIME, f"Kết quả Chỉ số CCHC{year}.xlsx"
        )


@bp.route("/reports/overdue")
class OverdueList(MethodView):
    @bp.arguments(OverdueQuerySchema, location="query")
    @bp.response(200, OverdueListSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """The late steps behind the deadline report's "quá hạn" counts: open past their deadline or completed late,
        due in [from, to], most days late first (at most 5,000). Overseers see every unit; others their own."""
        with services().read() as uow:
            return _listed(uow, query)


@bp.route("/reports/overdue/export")
class OverdueListExport(MethodView):
    @bp.arguments(OverdueQuerySchema, location="query")
    @bp.doc(**file_doc(XLSX_MIME, "Danh sách quá hạn (.xlsx)", [FORMAT], "—"))
    def get(self, query: dict[str, Any]) -> Response:
        """The overdue list as .xlsx: unit, activity, step, deadline, days late, who holds it, giải trình."""
        check_format("xlsx")
        with services().read() as uow:
            listed = _listed(uow, query)
        return send_download(build_overdue_workbook(listed), XLSX_MIME, "Danh sách quá hạn.xlsx")


def _listed(uow: Any, query: dict[str, Any]) -> Any:
    return overdue_list(
        uow,
        current_user().actor,
        date_from=query.get("date_from"),
        date_to=query.get("date_to"),
        now=services().clock.now(),
    )
