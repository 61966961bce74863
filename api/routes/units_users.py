"""Units and users."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from workflows import access, accounts, organisation
from workflows.accounts import UserView
from workflows.organisation import UnitView

from ..auth import current_user, require
from ..schemas import (
    UnitCreateSchema,
    UnitQuerySchema,
    UnitSchema,
    UnitUpdateSchema,
    UserCreateSchema,
    UserSchema,
    UserUpdateSchema,
)
from ..services import services

units_bp = Blueprint("units", __name__, url_prefix="/api/v1", description="Đơn vị")
users_bp = Blueprint("users", __name__, url_prefix="/api/v1", description="Người dùng")


@units_bp.route("/units")
class Units(MethodView):
    @units_bp.arguments(UnitQuerySchema, location="query")
    @units_bp.response(200, UnitSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[UnitView]:
        """Every unit of the caller's organisation(s) (or those valid on a date); ``startable=true``: the units
        valid today that the caller may start processes for (overseers: every unit; heads and staff: their own)."""
        with services().read() as uow:
            if query["startable"]:
                today = services().clock.now().date()
                return organisation.units_to_start(uow.session, current_user().actor, query.get("on") or today)
            return organisation.list_units(uow.session, on=query.get("on"), actor=current_user().actor)

    @require(access.MANAGE_UNITS)
    @units_bp.arguments(UnitCreateSchema)
    @units_bp.response(201, UnitSchema)
    def post(self, body: dict[str, Any]) -> UnitView:
        """Add a unit (administrators)."""
        with services().uow() as uow:
            unit = organisation.add_unit(uow.session, actor=current_user().actor, **body)
            uow.commit()
        services().units.invalidate()
        return unit


@units_bp.route("/units/<string:code>")
class UnitItem(MethodView):
    @require(access.MANAGE_UNITS)
    @units_bp.arguments(UnitUpdateSchema)
    @units_bp.response(200, UnitSchema)
    def patch(self, body: dict[str, Any], code: str) -> UnitView:
        """Rename or close a unit (administrators)."""
        with services().uow() as uow:
            unit = organisation.update_unit(uow.session, code, actor=current_user().actor, **body)
            uow.commit()
        services().units.invalidate()
        return unit


@users_bp.route("/users")
class Users(MethodView):
    @require(access.MANAGE_USERS)
    @users_bp.response(200, UserSchema(many=True))
    def get(self) -> list[UserView]:
        """Every account (administrators)."""
        with services().read() as uow:
            return accounts.list_users(uow.session, current_user().actor)

    @require(access.MANAGE_USERS)
    @users_bp.arguments(UserCreateSchema)
    @users_bp.response(201, UserSchema)
    def post(self, body: dict[str, Any]) -> UserView:
        """Create an account (administrators)."""
        with services().uow() as uow:
            user = accounts.create_user(uow.session, actor=current_user().actor, now=services().clock.now(), **body)
            uow.commit()
        return user


@users_bp.route("/users/<string:username>")
class UserItem(MethodView):
    @require(access.MANAGE_USERS)
    @users_bp.arguments(UserUpdateSchema)
    @users_bp.response(200, UserSchema)
    def patch(self, body: dict[str, Any], username: str) -> UserView:
        """Change an account (administrators)."""
        with services().uow() as uow:
            user = accounts.update_user(uow.session, username, actor=current_user().actor, **body)
            uow.commit()
        return user


__all__ = ["current_user", "units_bp", "users_bp"]
