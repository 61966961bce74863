"""The reform plan: import, the tree with progress, activities, launch."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint

from engine.errors import InvalidInput
from workflows import access
from workflows.deadline_rules import local_day
from workflows.plan import queries
from workflows.plan.launch import launch_plan
from workflows.plan.org_import import confirm_plan_import, import_organisations, preview_plan_import
from workflows.plan.products import occurrence_products
from workflows.plan.unit_mapping import parse_mapping
from workflows.plan.use_cases import import_plan_file, update_activity

from ..auth import current_user, require, user_in_transaction
from ..docs import file_upload_doc
from ..plan_schemas import (
    ActivityDetailSchema,
    ActivityListSchema,
    ActivityQuerySchema,
    ActivityUpdateSchema,
    ImportedSchema,
    ImportOrganisationSchema,
    ImportPreviewSchema,
    LaunchResultSchema,
    LaunchSchema,
    PlanDetailSchema,
    PlanSummarySchema,
    ProgressSchema,
)
from ..services import services

bp = Blueprint("plans", __name__, url_prefix="/api/v1", description="Kế hoạch CCHC")

PLAN_FILE_TYPES = {
    "multipart/form-data",
    "text/markdown",
    "text/plain",
    "application/octet-stream",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
IMPORT_DOC = file_upload_doc(
    **{
        "text/markdown": {"schema": {"type": "string"}},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
            "schema": {"type": "string", "format": "binary"}
        },
    }
)

ORG_IMPORT_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "mapping": {
                            "type": "string",
                            "description": 'JSON {"<tên chưa xác định>": "<mã đơn vị>" | {"new": {"code", "name", '
                            '"short_name", "kind"}} | "none"}',
                        },
                    },
                    "required": ["file"],
                }
            }
        },
    },
    "parameters": [{"name": "dry_run", "in": "query", "schema": {"type": "string", "enum": ["1"]}}],
}


def _plan_file() -> tuple[bytes, str]:
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise InvalidInput(
                'Thiếu tệp kế hoạch (trường "file").',
                code="file_missing",
                details={"file": ["Trường này là bắt buộc."]},
            )
        return upload.read(), upload.filename or ""
    name = request.args.get("filename", "")
    if request.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        name = name or "ke-hoach.xlsx"
    return request.get_data(), name or "ke-hoach.md"


def _today() -> Any:
    return local_day(services().clock.now())


@bp.route("/plans")
class Plans(MethodView):
    @bp.response(200, PlanSummarySchema(many=True))
    @user_in_transaction  # the caller's account is read first thing in the read's own transaction
    def get(self) -> list[dict[str, Any]]:
        """Every imported plan of the caller's organisation(s), newest year first."""
        with services().read() as uow:
            return queries.list_plans(uow.session, current_user().actor)


@bp.route("/plans/import")
class PlanImport(MethodView):
    @require(access.EDIT_PLANS)
    @bp.doc(**IMPORT_DOC)
    @bp.response(201, ImportedSchema)
    @bp.alt_response(200, schema=ImportedSchema, description="Tệp giống lần nhập trước: không thay đổi gì")
    @bp.alt_response(422, description="Tệp không phải kế hoạch CCHC")
    def post(self) -> tuple[dict[str, Any], int]:
        """Import a plan from its Markdown or Excel file; the report lists every repair and warning."""
        data, filename = _plan_file()
        with services().uow() as uow:
            outcome = import_plan_file(services(), uow, current_user().actor, data, filename)
            body = {
                "created": outcome.created,
                "plan": queries.plan_summary(uow.session, outcome.plan),
                "report": outcome.report,
            }
            uow.commit()
        return body, 201 if outcome.created else 200


@bp.route("/plans/import/organisations")
class PlanImportOrganisations(MethodView):
    @require(access.EDIT_PLANS)
    @bp.response(200, ImportOrganisationSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """The organisations the caller may import plans for (administrators: all; a coordinator: their own)."""
        with services().read() as uow:
            return import_organisations(uow.session, current_user().actor)


@bp.route("/organisations/<string(maxlength=50):code>/plans/import")
class OrganisationPlanImport(MethodView):
    @require(access.EDIT_PLANS)
    @bp.doc(**ORG_IMPORT_DOC)
    @bp.response(201, ImportedSchema)
    @bp.alt_response(200, schema=ImportPreviewSchema, description="dry_run=1: bản xem trước, không lưu gì")
    @bp.alt_response(422, description="Còn tên đơn vị chưa xác định, kế hoạch của tổ chức khác, thiếu phụ lục…")
    def post(self, code: str) -> tuple[Any, int]:
        """Import a plan for the organisation: ``dry_run=1`` previews (nothing stored); the confirm carries
        ``mapping``, the answer for every unit name the organisation does not know."""
        data, filename = _plan_file()
        if request.args.get("dry_run") in {"1", "true"}:
            with services().read() as uow:
                preview = preview_plan_import(services(), uow.session, current_user().actor, code, data, filename)
            # a Response passes the route's 201 schema untouched: the preview has its own
            return jsonify(ImportPreviewSchema().dump(preview)), 200
        mapping = parse_mapping(request.form.get("mapping") if request.mimetype == "multipart/form-data" else None)
        with services().uow() as uow:
            outcome = confirm_plan_import(services(), uow, current_user().actor, code, data, filename, mapping)
            body = {
                "created": outcome.created,
                "plan": queries.plan_summary(uow.session, outcome.plan),
                "report": outcome.report,
            }
            uow.commit()
        return body, 201 if outcome.created else 200


@bp.route("/plans/<int(max=2147483647):plan_id>")
class PlanItem(MethodView):
    @bp.response(200, PlanDetailSchema)
    @user_in_transaction  # the caller's account is read first thing in the read's own transaction
    def get(self, plan_id: int) -> dict[str, Any]:
        """The plan tree (areas → objectives → tasks → activities) with each activity's status."""
        with services().read() as uow:
            return queries.plan_tree(
                uow.session, queries.get_plan(uow.session, plan_id, current_user().actor), _today()
            )


@bp.route("/plans/<int(max=2147483647):plan_id>/activities")
class PlanActivities(MethodView):
    @bp.arguments(ActivityQuerySchema, location="query")
    @bp.response(200, ActivityListSchema)
    @user_in_transaction  # the caller's account is read first thing in the read's own transaction
    def get(self, query: dict[str, Any], plan_id: int) -> dict[str, Any]:
        """Activities filtered by area, lead unit, status, type and deadline."""
        with services().read() as uow:
            plan = queries.get_plan(uow.session, plan_id, current_user().actor)
            items = queries.list_activities(uow.session, plan, _today(), **query)
        return {"items": items, "total": len(items)}


@bp.route("/plans/<int(max=2147483647):plan_id>/activities/<int(max=2147483647):activity_id>")
class PlanActivityItem(MethodView):
    @bp.response(200, ActivityDetailSchema)
    @user_in_transaction  # the caller's account is read first thing in the read's own transaction
    def get(self, plan_id: int, activity_id: int) -> dict[str, Any]:
        """One activity with every unit's occurrence, its deadline, status, instance and products (Sản phẩm:
        the documents the reader may see; ``hidden_products`` counts the others)."""
        with services().read() as uow:
            activity = queries.get_activity(uow.session, plan_id, activity_id, current_user().actor)
            products = occurrence_products(services(), uow, current_user().actor, activity.occurrences)
            return queries.activity_detail(uow.session, activity, _today(), products)

    @require(access.EDIT_PLANS)
    @bp.arguments(ActivityUpdateSchema)
    @bp.response(200, ActivityDetailSchema)
    def patch(self, body: dict[str, Any], plan_id: int, activity_id: int) -> dict[str, Any]:
        """Change an activity's type, or set the deadline of a hand-set schedule."""
        with services().uow() as uow:
            activity = update_activity(
                services(),
                uow,
                current_user().actor,
                plan_id,
                activity_id,
                activity_type=body.get("activity_type"),
                manual_due=body.get("manual_due"),
                clear_manual_due="manual_due" in body and body["manual_due"] is None,
            )
            products = occurrence_products(services(), uow, current_user().actor, activity.occurrences)
            detail = queries.activity_detail(uow.session, activity, _today(), products)
            uow.commit()
        return detail


@bp.route("/plans/<int(max=2147483647):plan_id>/launch")
class PlanLaunch(MethodView):
    @require(access.LAUNCH_PLANS)
    @bp.arguments(LaunchSchema(), required=False)
    @bp.response(200, LaunchResultSchema)
    def post(self, body: dict[str, Any] | None, plan_id: int) -> Any:
        """Start the process of every occurrence due (between ``from`` and ``until``) that has none yet; idempotent."""
        with services().uow() as uow:
            body = body or {}
            result = launch_plan(
                services(), uow, current_user().actor, plan_id, since=body.get("since"), until=body.get("until")
            )
            uow.commit()
        return result


@bp.route("/plans/<int(max=2147483647):plan_id>/progress")
class PlanProgress(MethodView):
    @bp.response(200, ProgressSchema)
    @user_in_transaction  # the caller's account is read first thing in the read's own transaction
    def get(self, plan_id: int) -> Any:
        """Status counts overall, per area, per lead unit and per quarter."""
        with services().read() as uow:
            actor = current_user().actor
            access.READ_PLANS.check(actor)  # as @require would, but after the account is read in this transaction
            progress = queries.plan_progress(uow.session, queries.get_plan(uow.session, plan_id, actor), _today())
        # Already plain JSON but for its date: a dump by ProgressSchema would only copy its thousands of per-unit
        # rows (the same answer; tests/api/test_plan_progress_dump.py).
        return jsonify({**progress, "today": progress["today"].isoformat()})
