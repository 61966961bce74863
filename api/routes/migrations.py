"""Chuyển phiên bản: move running instances of a process to another version (dry run, run, history)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from workflows import access, migrations
from workflows.migrations import MigrationReport, MigrationRequest, RunView

from ..auth import current_user, require
from ..migration_schemas import MigrationReportSchema, MigrationRequestSchema, MigrationRunSchema
from ..services import services

bp = Blueprint(
    "migrations", __name__, url_prefix="/api/v1", description="Chuyển hồ sơ đang chạy sang phiên bản khác của quy trình"
)


@bp.route("/process-definitions/<string:key>/migrations")
class Migrations(MethodView):
    @require(access.MIGRATE_INSTANCES)
    @bp.response(200, MigrationRunSchema(many=True))
    def get(self, key: str) -> list[RunView]:
        """Các lần chuyển phiên bản gần nhất của quy trình (mới nhất trước)."""
        return migrations.list_runs(services(), current_user().actor, key)

    @require(access.MIGRATE_INSTANCES)
    @bp.arguments(MigrationRequestSchema())
    @bp.response(200, MigrationReportSchema)
    @bp.alt_response(422, description="Phiên bản, bảng ánh xạ hoặc bộ lọc không hợp lệ")
    def post(self, request: MigrationRequest, key: str) -> MigrationReport:
        """Thử (``dry_run``) hoặc chạy chuyển hồ sơ từ ``from_version`` sang ``to_version``: từng hồ sơ chuyển được
        hay không kèm lý do; khi chạy, mỗi hồ sơ chuyển trong một giao dịch riêng, theo lô."""
        actor = current_user().actor
        if request.dry_run:
            return migrations.preview_migration(services(), actor, key, request)
        return migrations.run_migration(services(), actor, key, request)


@bp.route("/process-definitions/<string:key>/migrations/<int(max=2147483647):run_id>")
class MigrationRunItem(MethodView):
    @require(access.MIGRATE_INSTANCES)
    @bp.response(200, MigrationRunSchema)
    def get(self, key: str, run_id: int) -> RunView:
        """Một lần chuyển phiên bản với kết quả của từng hồ sơ."""
        return migrations.get_run(services(), current_user().actor, key, run_id)
