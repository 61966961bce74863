"""Process definitions: list, versions, the BPMN XML, deploy."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from engine.errors import InvalidInput
from engine.views import DefinitionView
from workflows import access, definitions
from workflows.scenarios import checks
from workflows.scenarios.features import decode_feature

from ..auth import current_user, require
from ..scenario_apps import ScenarioClients
from ..scenario_schemas import SCENARIO_DOC, FeatureFilesSchema, ScenarioReportSchema, scenario_report
from ..schemas import DefinitionDetailSchema, DefinitionSchema, DeployedSchema, ProblemSchema
from ..services import services

bp = Blueprint("definitions", __name__, url_prefix="/api/v1", description="Quy trình (sơ đồ BPMN)")

XML_TYPES = {"application/xml", "text/xml", "application/bpmn+xml", "application/octet-stream"}
DEPLOY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/xml": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "bpmn": {"type": "string", "format": "binary"},
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    },
                    "required": ["bpmn"],
                }
            },
        },
    }
}


class ValidationReportSchema(Schema):
    valid = fields.Boolean(required=True)
    key = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    problems = fields.List(fields.Nested(ProblemSchema), required=True)
    warnings = fields.List(fields.Nested(ProblemSchema), required=True)


class DefinitionFilesSchema(Schema):
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    files = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


def _bundle_from_request() -> tuple[bytes, dict[str, bytes]]:
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("bpmn")
        if upload is None:
            raise InvalidInput(
                'Thiếu tệp sơ đồ BPMN (trường "bpmn").',
                code="bpmn_missing",
                details={"bpmn": ["Trường này là bắt buộc."]},
            )
        files: dict[str, bytes] = {}
        for item in request.files.getlist("files"):
            name = (item.filename or "").rsplit("/", 1)[-1]
            if not name.endswith((".dmn", ".json")):
                raise InvalidInput(
                    f'Tệp "{name}" không phải DMN hoặc JSON.', code="file_type_invalid", details={"files": [name]}
                )
            files[name] = item.read()
        return upload.read(), files
    body = request.get_data()
    if not body.strip():
        raise InvalidInput(
            "Nội dung sơ đồ BPMN trống.", code="bpmn_missing", details={"bpmn": ["Trường này là bắt buộc."]}
        )
    return body, {}


def _features_from_request() -> dict[str, str] | None:
    """The feature files sent with a bundle (multipart field ``features``), by name; None when none were sent."""
    if request.mimetype != "multipart/form-data":
        return None
    sent = {}
    for item in request.files.getlist("features"):
        name = (item.filename or "").rsplit("/", 1)[-1]
        sent[name] = decode_feature(name, item.read())
    return sent or None


def _confirmed() -> bool:
    """``confirm_failing_scenarios=true`` in the form or the query string."""
    value = request.form.get("confirm_failing_scenarios") or request.args.get("confirm_failing_scenarios") or ""
    return value.strip().lower() in {"true", "1", "yes", "on"}


def _scenarios_on_deploy() -> bool:
    configured = current_app.config.get("SCENARIOS_ON_DEPLOY")
    return checks.scenarios_on_deploy() if configured is None else bool(configured)


@bp.route("/process-definitions")
class Definitions(MethodView):
    @bp.response(200, DefinitionSchema(many=True))
    def get(self) -> list[DefinitionView]:
        """The latest version of each process."""
        with services().read() as uow:
            return definitions.list_latest(uow)

    @require(access.DEPLOY_DEFINITIONS)
    @bp.doc(**DEPLOY_DOC)
    @bp.response(201, DeployedSchema)
    @bp.alt_response(200, schema=DeployedSchema, description="Nội dung giống phiên bản đã có")
    @bp.alt_response(422, description="Sơ đồ không hợp lệ: mọi lỗi kèm mã phần tử và dòng")
    @bp.alt_response(409, description="Kịch bản của quy trình không đạt (mã scenarios_failing), chưa xác nhận")
    def post(self) -> tuple[dict[str, Any], int]:
        """Deploy a BPMN diagram (XML body, or multipart with its DMN, form and feature files).

        When the process has feature files (sent, or in features/), its scenarios run first against the draft;
        failing ones refuse the deploy unless ``confirm_failing_scenarios=true``.
        """
        bpmn, files = _bundle_from_request()
        actor = current_user().actor
        confirm = _confirmed()
        report = None
        if _scenarios_on_deploy():
            features = _features_from_request()
            report = checks.check_before_deploy(actor, bpmn, files, features, confirm, ScenarioClients())
        with services().uow() as uow:
            checked = checks.deploy_checked(services(), uow, bpmn, files, actor, report, confirm)
            uow.commit()
        result = checked.result
        body = {
            "key": result.definition.process_key,
            "version": result.definition.version,
            "created": result.created,
            "definition": result.definition,
            "warnings": result.warnings,
            "scenarios": None if report is None else {**report.counts, "confirmed_failing": checked.confirmed_failing},
        }
        return body, 201 if result.created else 200


def _detail(detail: definitions.DefinitionDetail) -> dict[str, Any]:
    return {
        **detail.definition.__dict__,
        "start_schema": detail.start_schema,
        "start_ui_schema": detail.start_ui_schema,
    }


@bp.route("/process-definitions/<string:key>")
class DefinitionItem(MethodView):
    @bp.response(200, DefinitionDetailSchema)
    def get(self, key: str) -> dict[str, Any]:
        """The latest version of one process, with its start schema (``start_schema``) and its UI schema."""
        with services().read() as uow:
            return _detail(definitions.get_definition(uow, key))


@bp.route("/process-definitions/<string:key>/versions/<int(max=2147483647):version>")
class DefinitionVersionItem(MethodView):
    @bp.response(200, DefinitionDetailSchema)
    def get(self, key: str, version: int) -> dict[str, Any]:
        """One version of one process, with its start schema (``start_schema``) and its UI schema."""
        with services().read() as uow:
            return _detail(definitions.get_definition(uow, key, version))


@bp.route("/process-definitions/<string:key>/versions")
class DefinitionVersions(MethodView):
    @bp.response(200, DefinitionSchema(many=True))
    def get(self, key: str) -> list[DefinitionView]:
        """Every version of one process, newest first."""
        with services().read() as uow:
            return definitions.list_versions(uow, key)


@bp.route("/process-definitions/<string:key>/versions/<int(max=2147483647):version>/bpmn")
class DefinitionXml(MethodView):
    @bp.response(200, description="Sơ đồ BPMN (XML)", content_type="application/xml")
    def get(self, key: str, version: int) -> Response:
        """The BPMN XML of one version."""
        with services().read() as uow:
            return Response(definitions.definition_xml(uow, key, version), mimetype="application/xml")


@bp.route("/process-definitions/validate")
class DefinitionValidate(MethodView):
    @require(access.DEPLOY_DEFINITIONS)
    @bp.doc(**DEPLOY_DOC)
    @bp.response(200, ValidationReportSchema)
    def post(self) -> definitions.ValidationReport:
        """Check a diagram bundle without deploying it (Kiểm tra): every problem with its element id and line."""
        bpmn, files = _bundle_from_request()
        return definitions.validate_definition(current_user().actor, bpmn, files)


@bp.route("/process-definitions/test")
class DefinitionScenarios(MethodView):
    @require(access.DEPLOY_DEFINITIONS)
    @bp.doc(**SCENARIO_DOC)
    @bp.response(200, ScenarioReportSchema)
    def post(self) -> dict[str, Any]:
        """Chạy kịch bản: run the process's scenarios against a draft bundle in an isolated engine."""
        bpmn, files = _bundle_from_request()
        features = _features_from_request()
        report = checks.run_draft_scenarios(current_user().actor, bpmn, files, features, ScenarioClients())
        return scenario_report(report)


@bp.route("/process-definitions/<string:key>/features")
class DefinitionFeatures(MethodView):
    @require(access.DEPLOY_DEFINITIONS)
    @bp.response(200, FeatureFilesSchema)
    def get(self, key: str) -> dict[str, Any]:
        """The feature files (scenarios) of one process, by file name."""
        return {"key": key, "files": checks.feature_files(current_user().actor, key)}


@bp.route("/process-definitions/<string:key>/versions/<int(max=2147483647):version>/files")
class DefinitionFiles(MethodView):
    @bp.response(200, DefinitionFilesSchema)
    def get(self, key: str, version: int) -> dict[str, Any]:
        """The form (JSON schema) and DMN files deployed with one version, by file name."""
        with services().read() as uow:
            return {"key": key, "version": version, "files": definitions.definition_files(uow, key, version)}
