"""The per-request statements of the domain, on the engine's driver cursor (``engine.driver``).

Every request reads its caller, and every step that opens asks who holds it (and who held it before, for a
return) and writes their notifications: on SQLite SQLAlchemy's Core execution path (cache key, execution
context, per-value type processing) costs several times these short statements. Each is written here once, with
the same text, parameters and result as the Core statement it replaces (``tests/integration/test_hot_sql.py``
compares them on SQLite and PostgreSQL); they run in the caller's transaction, statement listeners see them, and
a driver error goes through SQLAlchemy's handling.

Like a Core statement on the session's connection, these do not autoflush the session: nothing pending in it
changes accounts or notifications.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy.orm import Session

from engine.driver import Sql, decode_json, driver

# The caller with its unit's name and organisation (``accounts.request_user``); a user without a unit gets NULLs.
_REQUEST_USER = Sql(
    "SELECT app_user.username, app_user.full_name, app_user.email, app_user.unit_code, unit.name, app_user.roles, "
    "app_user.active, unit.organisation_code "
    "FROM app_user LEFT OUTER JOIN unit ON unit.code = app_user.unit_code WHERE app_user.username = ?"
)
_ROLES_AT = 5
_ACTIVE_AT = 6


def request_user_row(session: Session, username: str) -> tuple[Any, ...] | None:
    """(username, full_name, email, unit_code, unit name, roles, active, organisation) of a user, or None."""
    drv = driver(session)
    found = drv.execute(_REQUEST_USER.of(drv), (username,)).fetchone()
    if found is None:
        return None
    values = list(found)
    values[_ROLES_AT] = decode_json(values[_ROLES_AT])
    values[_ACTIVE_AT] = bool(values[_ACTIVE_AT])  # SQLite's Boolean is 0/1
    return tuple(values)


def _users_where(by_unit: bool, by_tenant: bool) -> str:
    """Active users (of one unit, of one organisation's units): parameters True, then unit, then organisation."""
    where = "app_user.active IS ?"
    if by_unit:
        where += " AND app_user.unit_code = ?"
    if by_tenant:
        where += " AND app_user.unit_code IN (SELECT unit.code FROM unit WHERE unit.organisation_code = ?)"
    return where


def _users_params(unit_code: str | None, tenant: str | None) -> tuple[Any, ...]:
    return (True, *(() if unit_code is None else (unit_code,)), *(() if tenant is None else (tenant,)))


# By (unit given, organisation given).
_USERS_OF = {
    (u, t): Sql(f"SELECT app_user.username, app_user.email, app_user.roles FROM app_user WHERE {_users_where(u, t)}")
    for u in (False, True)
    for t in (False, True)
}


def users_of(session: Session, unit_code: str | None, tenant: str | None) -> list[tuple[str, str | None, list[str]]]:
    """(username, email, roles) of the active users of ``unit_code`` and organisation ``tenant`` (None: any)."""
    drv = driver(session)
    sql = _USERS_OF[unit_code is not None, tenant is not None].of(drv)
    found = drv.execute(sql, _users_params(unit_code, tenant)).fetchall()
    return [(name, email, decode_json(roles)) for name, email, roles in found]


# Who last completed a step's element before the step (its id excluded): parameters instance, element, step id.
_PREVIOUS_HOLDER_TEXT = (
    "SELECT human_task.completed_by FROM human_task "
    "WHERE human_task.instance_id = ? AND human_task.element_id = ? AND human_task.status = 'completed' "
    "AND human_task.id != ? ORDER BY human_task.completed_at DESC, human_task.id DESC LIMIT 1"
)
_PREVIOUS_HOLDER = Sql(_PREVIOUS_HOLDER_TEXT)


def previous_holder(session: Session, instance_id: int, element_id: str, step_id: int) -> str | None:
    """Who last completed ``element_id`` of the instance in a step other than ``step_id`` (None: nobody)."""
    drv = driver(session)
    found = drv.execute(_PREVIOUS_HOLDER.of(drv), (instance_id, element_id, step_id)).fetchone()
    return None if found is None else found[0]


# The previous holder's one row (NULL if none) LEFT JOINed to the users of ``_USERS_OF``: one statement for both.
_PREVIOUS_AND_USERS = {
    (u, t): Sql(
        "SELECT previous_holder.previous, app_user.username, app_user.email, app_user.roles "
        f"FROM (SELECT ({_PREVIOUS_HOLDER_TEXT}) AS previous) AS previous_holder "
        f"LEFT OUTER JOIN app_user ON {_users_where(u, t)}"
    )
    for u in (False, True)
    for t in (False, True)
}


def previous_and_users(
    session: Session, instance_id: int, element_id: str, step_id: int, unit_code: str | None, tenant: str | None
) -> tuple[str | None, list[tuple[str, str | None, list[str]]]]:
    """``previous_holder`` and ``users_of`` in one statement."""
    drv = driver(session)
    sql = _PREVIOUS_AND_USERS[unit_code is not None, tenant is not None].of(drv)
    params = (instance_id, element_id, step_id, *_users_params(unit_code, tenant))
    found = drv.execute(sql, params).fetchall()
    users = [(name, email, decode_json(roles)) for _, name, email, roles in found if name is not None]
    return found[0][0], users


@cache
def _named(count: int) -> Sql:
    marks = ", ".join("?" * count)
    return Sql(
        "SELECT app_user.username, app_user.email FROM app_user "
        f"WHERE app_user.username IN ({marks}) AND app_user.active IS ?"
    )


def active_named(session: Session, usernames: Sequence[str]) -> list[tuple[str, str | None]]:
    """(username, email) of the active users among ``usernames`` (given sorted, without repeats)."""
    drv = driver(session)
    found = drv.execute(_named(len(usernames)).of(drv), (*usernames, True)).fetchall()
    return [(name, email) for name, email in found]


_INSERT_NOTIFICATION = Sql(
    "INSERT INTO notification (username, kind, title, message, link, task_id, instance_id, created_at, read_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    (None, None, None, None, None, None, None, "timestamptz", "timestamptz"),
)


def insert_notifications(
    session: Session,
    usernames: Sequence[str],
    *,
    kind: str,
    title: str,
    message: str,
    link: str | None,
    task_id: int | None,
    instance_id: int | None,
    created_at: datetime,
) -> None:
    """One unread notification row per username (one statement)."""
    drv = driver(session)
    at = drv.moment(created_at)
    rows = [(name, kind, title, message, link, task_id, instance_id, at, None) for name in usernames]
    drv.executemany(_INSERT_NOTIFICATION.of(drv), rows)
