"""Reports: deadline classification rolled up per unit, activity type or month."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from workflows.deadline_report import deadline_report
from workflows.deadline_rules import STATE_LABELS

from ..auth import current_user
from ..schemas import DeadlineReportQuerySchema, DeadlineReportSchema
from ..services import services

bp = Blueprint("reports", __name__, url_prefix="/api/v1", description="Báo cáo")


@bp.route("/reports/deadlines")
class DeadlineReport(MethodView):
    @bp.arguments(DeadlineReportQuerySchema, location="query")
    @bp.response(200, DeadlineReportSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Steps by deadline state (trong hạn, sắp đến hạn, quá hạn; trước hạn, đúng hạn, quá hạn) per group.

        ``group`` = unit | process | month (month of the due date); ``from``/``to`` bound the due date.
        Overseers see every unit; others their own unit.
        """
        with services().read() as uow:
            report = deadline_report(
                uow,
                current_user().actor,
                group=query["group"],
                date_from=query.get("date_from"),
                date_to=query.get("date_to"),
            )
        return {**report.__dict__, "labels": dict(STATE_LABELS)}
