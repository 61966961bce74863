"""User accounts: argon2 password hashes, roles, units; the engine's ``Actor`` for a user."""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.errors import Conflict, InvalidInput, NotFound, Unauthorized
from engine.views import Actor

from . import access, hot_sql
from .models import Unit, User
from .roles import ROLES

_HASHER = PasswordHasher()
# A fixed hash to spend the same time on unknown usernames (no user enumeration by timing).
_DUMMY_HASH = _HASHER.hash("không-dùng")


def use_password_hasher(hasher: PasswordHasher) -> None:
    """Hash new passwords with ``hasher`` (argon2id either way; stored hashes carry their own parameters). The
    test suite uses a cheap one: the default costs ~90 ms a login, thousands of times over."""
    global _HASHER, _DUMMY_HASH
    _HASHER = hasher
    _DUMMY_HASH = hasher.hash("không-dùng")


PASSWORD_MIN_LENGTH = 8
# Django's list of the 20,000 most common passwords (data/ATTRIBUTION.md), and some of our own language's
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"
LOCAL_COMMON_PASSWORDS = frozenset(
    {
        "matkhau",
        "matkhau1",
        "matkhau123",
        "matkhau@123",
        "anhyeuem",
        "emyeuanh",
        "yeuemnhieu",
        "vietnam",
        "vietnam123",
        "hanoi123",
        "saigon123",
        "quantri",
        "quantri123",
        "quantrivien",
        "cchc1234",
        "cchc@123",
        "123456aa",
        "123456a@",
        "abc@1234",
        "admin@123",
    }
)


@cache
def _common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip()) | LOCAL_COMMON_PASSWORDS


def check_password(password: str, username: str) -> None:
    """A new password: at least 8 characters, not the username, not among the common passwords (any case)."""
    if len(password) < PASSWORD_MIN_LENGTH:
        message = f"Mật khẩu phải có ít nhất {PASSWORD_MIN_LENGTH} ký tự."
        raise InvalidInput(message, code="password_too_short", details={"password": [message]})
    folded = password.strip().casefold()
    if folded == username.casefold():
        message = "Mật khẩu không được trùng với tên đăng nhập."
        raise InvalidInput(message, code="password_like_username", details={"password": [message]})
    if folded in _common_passwords():
        message = "Mật khẩu này quá phổ biến nên dễ bị đoán; hãy chọn mật khẩu khác."
        raise InvalidInput(message, code="password_too_common", details={"password": [message]})


@dataclass(frozen=True)
class UserView:
    username: str
    full_name: str
    email: str | None
    unit_code: str | None
    unit_name: str | None
    roles: list[str]
    active: bool
    # The organisations whose rows the user sees (``access.actor_tenants``; None: all, an administrator).
    tenants: frozenset[str] | None = frozenset()

    @property
    def actor(self) -> Actor:
        """The engine's actor for this user: the one place an actor of a person is built (with its tenants)."""
        return Actor(self.username, frozenset(self.roles), self.unit_code, self.tenants)


def _view(session: Session, user: User) -> UserView:
    unit = session.get(Unit, user.unit_code) if user.unit_code else None
    return UserView(
        user.username,
        user.full_name,
        user.email,
        user.unit_code,
        unit.name if unit else None,
        list(user.roles),
        user.active,
        access.actor_tenants(session, user),
    )


def _check_roles(roles: list[str]) -> None:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown or not roles:
        raise InvalidInput(
            "Vai trò không hợp lệ.",
            code="role_invalid",
            details={"roles": [f"Vai trò không tồn tại: {r}" for r in unknown] or ["Cần ít nhất một vai trò."]},
        )


def _check_unit(session: Session, unit_code: str | None) -> None:
    if unit_code is not None and session.get(Unit, unit_code) is None:
        raise InvalidInput(
            f'Đơn vị "{unit_code}" không tồn tại.',
            code="unit_not_found",
            details={"unit_code": ["Đơn vị không tồn tại."]},
        )


def create_user(
    session: Session,
    *,
    actor: Actor,
    username: str,
    full_name: str,
    password: str,
    unit_code: str | None,
    roles: list[str],
    now: datetime,
    email: str | None = None,
    password_policy: bool = True,
    hasher: PasswordHasher | None = None,
) -> UserView:
    """Create an account (administrators); ``password_policy=False`` only for accounts seeded by the system (the
    demo's); ``hasher``: another than the server's (a throwaway copy's cheap one)."""
    access.MANAGE_USERS.check(actor)
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise Conflict(f'Tên đăng nhập "{username}" đã tồn tại.', code="user_exists")
    _check_roles(roles)
    _check_unit(session, unit_code)
    if password_policy:
        check_password(password, username)
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        password_hash=(hasher or _HASHER).hash(password),
        unit_code=unit_code,
        roles=sorted(set(roles)),
        active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return _view(session, user)


def update_user(
    session: Session,
    username: str,
    *,
    actor: Actor,
    full_name: str | None = None,
    password: str | None = None,
    unit_code: str | None = None,
    roles: list[str] | None = None,
    active: bool | None = None,
    email: str | None = None,
) -> UserView:
    """Change an account (administrators)."""
    access.MANAGE_USERS.check(actor)
    user = _get(session, username)
    if full_name is not None:
        user.full_name = full_name
    if password is not None:
        check_password(password, username)
        user.password_hash = _HASHER.hash(password)
    if unit_code is not None:
        _check_unit(session, unit_code)
        user.unit_code = unit_code
    if roles is not None:
        _check_roles(roles)
        user.roles = sorted(set(roles))
    if active is False and username == actor.username:
        raise InvalidInput(
            "Không thể tự khóa tài khoản của chính mình.", code="cannot_deactivate_self", details={"active": []}
        )
    if active is not None:
        user.active = active
    if email is not None:
        user.email = email
    session.flush()
    return _view(session, user)


def _get(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f'Không tìm thấy người dùng "{username}".', code="user_not_found")
    return user


def get_user(session: Session, username: str) -> UserView:
    return _view(session, _get(session, username))


# The user with its unit's name and organisation, as Core (the login; each request reads the same row with
# ``hot_sql.request_user_row``).
_REQUEST_USER = (
    select(
        User.username,
        User.full_name,
        User.email,
        User.unit_code,
        Unit.name,
        User.roles,
        User.active,
        Unit.organisation_code,
    )
    .outerjoin(Unit, Unit.code == User.unit_code)
    .where(User.username == bindparam("b_username"))
)


def request_user(session: Session, username: str) -> UserView:
    """``get_user`` in one statement, for the per-request look-up (``NotFound`` when there is no such user)."""
    found = hot_sql.request_user_row(session, username)  # _REQUEST_USER's row, on the driver cursor
    if found is None:
        raise NotFound(f'Không tìm thấy người dùng "{username}".', code="user_not_found")
    return _request_view(session, found)


def _request_view(session: Session, found: Any) -> UserView:
    name, full_name, email, unit_code, unit_name, roles, active, own = found
    roles = list(roles or [])
    tenants = access.tenants_of(session, roles, own if unit_code else None)
    return UserView(name, full_name, email, unit_code, unit_name, roles, active, tenants)


_LOGIN_USER = _REQUEST_USER.add_columns(User.password_hash)


def list_users(session: Session, actor: Actor) -> list[UserView]:
    """Every account (administrators)."""
    access.MANAGE_USERS.check(actor)
    return [_view(session, u) for u in session.scalars(select(User).order_by(User.username))]


def authenticate(session: Session, username: str, password: str) -> UserView:
    """Check a password; the same error for an unknown user and a wrong password."""
    found = session.connection().execute(_LOGIN_USER, {"b_username": username}).first()  # one statement
    try:
        _HASHER.verify(found.password_hash if found else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        found = None
    if found is None or not found.active:
        raise Unauthorized("Tên đăng nhập hoặc mật khẩu không đúng.", code="invalid_credentials")
    return _request_view(session, found[:-1])


# --------------------------------------------------------------------------- recipients


@dataclass(frozen=True)
class Recipient:
    """Someone to notify: a username and, when known, an e-mail address."""

    username: str
    email: str | None


def users_with_role(
    session: Session, role: str, unit_code: str | None, *, tenant: str | None = None
) -> list[Recipient]:
    """Active users holding ``role`` in ``unit_code`` (any unit when None), only of the organisation ``tenant``
    when given (a step of one organisation never tells another's people)."""
    # On the driver cursor (no autoflush, as Core on the session's connection: nothing pending changes accounts).
    found = hot_sql.users_of(session, unit_code, tenant)
    return [Recipient(name, email) for name, email, roles in found if role in (roles or [])]


def recipients_named(session: Session, usernames: Iterable[str]) -> list[Recipient]:
    """The active users among ``usernames``."""
    names = sorted(set(usernames))
    if not names:
        return []
    return [Recipient(n, e) for n, e in hot_sql.active_named(session, names)]


def full_names(session: Session, usernames: Iterable[str | None]) -> dict[str, str]:
    """The full names of the users among ``usernames`` (active or not: records keep naming who acted)."""
    names = sorted({n for n in usernames if n})
    if not names:
        return {}
    rows = session.execute(select(User.username, User.full_name).where(User.username.in_(names)))
    return {username: name for username, name in rows}
