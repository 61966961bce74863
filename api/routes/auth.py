"""Health, login, me."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from workflows.accounts import UserView, authenticate

from ..auth import current_user, issue_token
from ..limits import login_limit
from ..schemas import HealthSchema, LoginSchema, TokenSchema, UserSchema
from ..services import services

health_bp = Blueprint("health", __name__, url_prefix="/api/v1", description="Tình trạng dịch vụ")
auth_bp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Đăng nhập")


@health_bp.route("/health")
@health_bp.response(200, HealthSchema)
def health() -> dict[str, str]:
    """Service health (no login needed)."""
    return {"status": "ok"}


@auth_bp.route("/auth/login", methods=["POST"])
@login_limit
@auth_bp.arguments(LoginSchema)
@auth_bp.response(200, TokenSchema)
@auth_bp.alt_response(401, description="Sai tên đăng nhập hoặc mật khẩu")
@auth_bp.alt_response(429, description="Quá nhiều lần đăng nhập sai")
def login(body: dict[str, Any]) -> dict[str, Any]:
    """Log in with username and password; returns a bearer token."""
    with services().read() as uow:
        user = authenticate(uow.session, body["username"], body["password"])
    return {
        "token": issue_token(current_app, user.username),
        "expires_in": current_app.config["TOKEN_MAX_AGE"],
        "user": user,
    }


@auth_bp.route("/me")
class Me(MethodView):
    @auth_bp.response(200, UserSchema)
    def get(self) -> UserView:
        """The logged-in user."""
        return current_user()
