"""Process definitions: list, versions, the BPMN XML, deploy."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from engine.errors import InvalidInput
from engine.views import DefinitionView
from workflows import access, definitions

from ..auth import current_user, require
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
    def post(self) -> tuple[dict[str, Any], int]:
        """Deploy a BPMN diagram (XML body, or multipart with its DMN and form files)."""
        bpmn, files = _bundle_from_request()
        with services().uow() as uow:
            result = definitions.deploy_definition(services(), uow, bpmn, files, current_user().actor)
            uow.commit()
        body = {
            "key": result.definition.process_key,
            "version": result.definition.version,
            "created": result.created,
            "definition": result.definition,
            "warnings": result.warnings,
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


@bp.route("/process-definitions/<string:key>/versions/<int(max=2147483647):version>/files")
class DefinitionFiles(MethodView):
    @bp.response(200, DefinitionFilesSchema)
    def get(self, key: str, version: int) -> dict[str, Any]:
        """The form (JSON schema) and DMN files deployed with one version, by file name."""
        with services().read() as uow:
            return {"key": key, "version": version, "files": definitions.definition_files(uow, key, version)}
