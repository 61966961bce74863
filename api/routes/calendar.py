"""The working-day calendar: due dates, and the administrator's override table."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from engine.errors import InvalidInput
from workflows import access, working_days

from ..auth import current_user, require
from ..plan_schemas import (
    DueDateQuerySchema,
    DueDateSchema,
    OverrideCreateSchema,
    OverrideDeleteQuerySchema,
    OverrideQuerySchema,
    OverrideSchema,
)
from ..services import services

bp = Blueprint("calendar", __name__, url_prefix="/api/v1", description="Lịch ngày làm việc")


@bp.route("/calendar/due-date")
class DueDate(MethodView):
    @bp.arguments(DueDateQuerySchema, location="query")
    @bp.response(200, DueDateSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The date N working days after ``start`` (weekends, holidays and the organisation's overrides skipped)."""
        with services().read() as uow:
            calendar = working_days.calendar_for(
                services(), uow.session, current_user().actor, query.get("organisation_code")
            )
        return working_days.due_date(calendar, query["start"], query["working_days"])


@bp.route("/calendar/overrides")
class Overrides(MethodView):
    @bp.arguments(OverrideQuerySchema, location="query")
    @bp.response(200, OverrideSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """Extra days off and extra working days, by date (every organisation's and the caller's own)."""
        with services().read() as uow:
            return working_days.list_overrides(
                uow, query.get("year"), current_user().actor, query.get("organisation_code")
            )

    @require(access.MANAGE_CALENDAR)
    @bp.arguments(OverrideCreateSchema)
    @bp.response(201, OverrideSchema)
    @bp.alt_response(200, schema=OverrideSchema, description="Đã sửa điều chỉnh của ngày này")
    def post(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Declare a day an extra day off (working=false) or an extra working day (working=true), for every
        organisation (``organisation_code`` null) or one."""
        actor = current_user().actor
        with services().uow() as uow:
            if "organisation_code" in body:
                organisation_code = body["organisation_code"]
            else:
                organisation_code = access.default_calendar_organisation(uow.session, actor)
            row, created = working_days.set_override(
                services(), uow, actor, body["day"], body["working"], body.get("reason"), organisation_code
            )
            uow.commit()
        return row, 201 if created else 200


@bp.route("/calendar/overrides/<string:day>")
class OverrideItem(MethodView):
    @require(access.MANAGE_CALENDAR)
    @bp.arguments(OverrideDeleteQuerySchema, location="query")
    @bp.response(204)
    def delete(self, query: dict[str, Any], day: str) -> None:
        """Remove one day's override (the official calendar applies again): ``organisation_code``'s, empty for
        the one of every organisation, absent for the caller's own organisation's."""
        actor = current_user().actor
        with services().uow() as uow:
            if "organisation_code" in query:
                organisation_code = query["organisation_code"] or None
            else:
                organisation_code = access.default_calendar_organisation(uow.session, actor)
            working_days.delete_override(services(), uow, actor, _parse_day(day), organisation_code)
            uow.commit()


def _parse_day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput(
            "Ngày không hợp lệ (định dạng YYYY-MM-DD).", code="date_invalid", details={"day": [raw]}
        ) from exc
