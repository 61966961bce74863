"""Organisations and the import of their units (system administrators; the province reads its subtree)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from engine.errors import InvalidInput
from workflows import access, criteria_sets, organisations, unit_import
from workflows.criteria_sets import HEADER_FIELDS, CriteriaSetView
from workflows.organisations import OrganisationView

from ..auth import current_user, require
from ..docs import file_upload_doc
from ..organisation_schemas import (
    CriteriaSetQuerySchema,
    CriteriaSetSchema,
    OrganisationCreateSchema,
    OrganisationSchema,
    OrganisationUpdateSchema,
    UnitImportQuerySchema,
    UnitImportSchema,
)
from ..services import services

bp = Blueprint("organisations", __name__, url_prefix="/api/v1", description="Tổ chức (tỉnh, xã/phường, sở…)")


@bp.route("/organisations")
class Organisations(MethodView):
    @require(access.READ_ORGANISATIONS)
    @bp.doc(summary="Danh sách tổ chức")
    @bp.response(200, OrganisationSchema(many=True))
    def get(self) -> list[OrganisationView]:
        """Every organisation (system administrators) or those under the caller's own (province)."""
        with services().read() as uow:
            return organisations.list_organisations(uow.session, current_user().actor)

    @require(access.MANAGE_ORGANISATIONS)
    @bp.doc(summary="Thêm tổ chức")
    @bp.arguments(OrganisationCreateSchema)
    @bp.response(201, OrganisationSchema)
    def post(self, body: dict[str, Any]) -> OrganisationView:
        """Create an organisation (system administrators)."""
        with services().uow() as uow:
            view = organisations.create_organisation(uow.session, current_user().actor, body, services().clock.now())
            uow.commit()
        return view


@bp.route("/organisations/<string:code>")
class OrganisationItem(MethodView):
    @require(access.READ_ORGANISATIONS)
    @bp.doc(summary="Thông tin một tổ chức")
    @bp.response(200, OrganisationSchema)
    def get(self, code: str) -> OrganisationView:
        """One organisation with how many units and plans it holds."""
        with services().read() as uow:
            return organisations.get_organisation(uow.session, current_user().actor, code)

    @require(access.MANAGE_ORGANISATIONS)
    @bp.doc(summary="Sửa thông tin tổ chức")
    @bp.arguments(OrganisationUpdateSchema)
    @bp.response(200, OrganisationSchema)
    def patch(self, body: dict[str, Any], code: str) -> OrganisationView:
        """Change an organisation's name, kind, parent, document headings, validity, successor or aliases."""
        with services().uow() as uow:
            view = organisations.update_organisation(uow.session, current_user().actor, code, body)
            uow.commit()
        return view


@bp.route("/organisations/<string:code>/units/import")
class OrganisationUnitsImport(MethodView):
    @require(access.MANAGE_ORGANISATIONS)
    @bp.doc(summary="Nhập danh sách đơn vị của tổ chức (CSV, Excel, YAML)", **file_upload_doc())
    @bp.arguments(UnitImportQuerySchema, location="query")
    @bp.response(200, UnitImportSchema)
    @bp.alt_response(409, description="Mã đơn vị đã được tổ chức khác sử dụng")
    @bp.alt_response(422, description="Tệp hoặc dòng không hợp lệ")
    def post(self, query: dict[str, Any], code: str) -> dict[str, Any]:
        """Import units from the multipart field ``file``; ``dry_run=1`` previews every row (nothing stored)."""
        upload = request.files.get("file")
        if upload is None:
            raise InvalidInput(
                'Thiếu tệp danh sách đơn vị (trường "file").',
                code="file_missing",
                details={"file": ["Trường này là bắt buộc."]},
            )
        data, filename = upload.read(), upload.filename or ""
        with services().uow() as uow:
            result = unit_import.import_units(
                uow.session, current_user().actor, code, data, filename, dry_run=query["dry_run"]
            )
            body = {
                "organisation_code": result.organisation_code,
                "dry_run": result.dry_run,
                "created": result.count("create"),
                "updated": result.count("update"),
                "unchanged": result.count("unchanged"),
                "rows": result.rows,
                "errors": result.errors,
            }
            if not result.dry_run:
                uow.commit()
        if not result.dry_run:
            services().units.invalidate()
        return body


@bp.route("/organisations/<string:code>/criteria-sets")
class OrganisationCriteriaSets(MethodView):
    @require(access.MANAGE_CRITERIA)
    @bp.doc(summary="Bộ tiêu chí Chỉ số CCHC của tổ chức")
    @bp.response(200, CriteriaSetSchema(many=True))
    def get(self, code: str) -> list[CriteriaSetView]:
        """The organisation's own criteria sets, then the shared ones its rounds fall back to."""
        with services().read() as uow:
            return criteria_sets.list_criteria_sets(uow.session, current_user().actor, code)

    @require(access.MANAGE_CRITERIA)
    @bp.doc(summary="Nhập bộ tiêu chí (YAML, JSON, Excel)", **file_upload_doc())
    @bp.arguments(CriteriaSetQuerySchema, location="query")
    @bp.response(201, CriteriaSetSchema)
    @bp.alt_response(200, description="Xem trước (dry_run=1): bộ tiêu chí đã kiểm tra, chưa lưu")
    @bp.alt_response(409, description="Tổ chức đã có bộ tiêu chí cùng mã và năm")
    @bp.alt_response(422, description="Tệp hoặc dòng không hợp lệ (details.problems: từng lỗi theo dòng)")
    def post(self, query: dict[str, Any], code: str) -> tuple[CriteriaSetView, int]:
        """Import a set from the multipart field ``file``; the form fields code, name, year and unit_kind fill
        what the file does not say (an Excel sheet: mã tiêu chí, tên, điểm tối đa, cha)."""
        upload = request.files.get("file")
        if upload is None:
            raise InvalidInput(
                'Thiếu tệp bộ tiêu chí (trường "file").',
                code="file_missing",
                details={"file": ["Trường này là bắt buộc."]},
            )
        header = {key: request.form[key] for key in HEADER_FIELDS if key in request.form}
        with services().uow() as uow:
            view = criteria_sets.create_criteria_set(
                uow.session,
                current_user().actor,
                code,
                upload.read(),
                upload.filename or "",
                header,
                services().clock.now(),
                dry_run=query["dry_run"],
            )
            if query["dry_run"]:
                return view, 200
            uow.commit()
        return view, 201


@bp.route("/organisations/<string:code>/criteria-sets/<int:set_id>")
class OrganisationCriteriaSet(MethodView):
    @require(access.MANAGE_CRITERIA)
    @bp.doc(summary="Một bộ tiêu chí của tổ chức, với cây tiêu chí")
    @bp.response(200, CriteriaSetSchema)
    def get(self, code: str, set_id: int) -> CriteriaSetView:
        """One of the organisation's own sets."""
        with services().read() as uow:
            return criteria_sets.get_criteria_set(uow.session, current_user().actor, code, set_id)

    @require(access.MANAGE_CRITERIA)
    @bp.doc(summary="Xoá bộ tiêu chí chưa dùng")
    @bp.response(204)
    @bp.alt_response(409, description="Bộ tiêu chí đã được dùng cho một đợt chấm điểm")
    def delete(self, code: str, set_id: int) -> None:
        """Delete a set no scoring round used."""
        with services().uow() as uow:
            criteria_sets.delete_criteria_set(uow.session, current_user().actor, code, set_id)
            uow.commit()
