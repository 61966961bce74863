"""In-app notifications of the logged-in user."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from workflows import notifications

from ..auth import current_user, user_in_transaction
from ..schemas import NotificationListSchema, NotificationQuerySchema, NotificationSchema, ReadAllSchema
from ..services import services

bp = Blueprint("notifications", __name__, url_prefix="/api/v1", description="Thông báo")


@bp.route("/notifications")
class Notifications(MethodView):
    @bp.arguments(NotificationQuerySchema, location="query")
    @bp.response(200, NotificationListSchema)
    @user_in_transaction  # the caller's account is read first thing in the read's own transaction
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The caller's notifications, newest first (``unread=true``: unread only) and the unread count."""
        with services().read() as uow:
            items, unread = notifications.list_for_user(
                uow, current_user().username, unread_only=query["unread"], limit=query["limit"]
            )
        return {"items": items, "unread": unread}


@bp.route("/notifications/<int(max=2147483647):notification_id>/read")
class NotificationRead(MethodView):
    @bp.response(200, NotificationSchema)
    def post(self, notification_id: int) -> Any:
        """Mark one notification read."""
        with services().uow() as uow:
            view = notifications.mark_read(uow, current_user().username, notification_id, services().clock.now())
            uow.commit()
        return view


@bp.route("/notifications/read-all")
class NotificationsReadAll(MethodView):
    @bp.response(200, ReadAllSchema)
    def post(self) -> dict[str, int]:
        """Mark every notification of the caller read."""
        with services().uow() as uow:
            updated = notifications.mark_all_read(uow, current_user().username, services().clock.now())
            uow.commit()
        return {"updated": updated, "unread": 0}
