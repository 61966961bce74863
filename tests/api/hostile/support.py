"""Helpers of the hostile-input suite: the Vietnamese error body, and a census of what is stored."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from engine.models import AuditEvent, CalendarOverride, HumanTask, ProcessDefinition, ProcessInstance
from tests.api.conftest import assert_error
from workflows.models import DeadlineExtension, Notification, Plan, Unit, User

# Letters only Vietnamese (among the languages written in Latin script) needs, plus its common accented vowels.
VIETNAMESE = re.compile("[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵĐ]", re.I)
TABLES = (
    ProcessDefinition,
    ProcessInstance,
    HumanTask,
    AuditEvent,
    CalendarOverride,
    DeadlineExtension,
    Notification,
    Plan,
    Unit,
    User,
)


def assert_refused(response: Any, status: int | None = None, code: str | None = None) -> dict[str, Any]:
    """A 4xx answer with our error body and a message in Vietnamese (never a 500, never a trace)."""
    got = response.status_code
    assert 400 <= got < 500, (got, response.get_data(as_text=True)[:300])
    error = assert_error(response, status or got, code)
    assert VIETNAMESE.search(error["message"]), error
    assert "Traceback" not in response.get_data(as_text=True)
    return error


def census(app: Flask) -> dict[str, int]:
    """Row counts of every table a request could write to."""
    with app.extensions["cchc"].uow() as uow:
        return {
            model.__tablename__: uow.session.scalar(select(func.count()).select_from(model)) or 0 for model in TABLES
        }


def login_form(client: FlaskClient, username: str, password: str, **kwargs: Any) -> Any:
    """Post the web login form as a browser would (its CSRF token read from the page first)."""
    page = client.get("/login", **kwargs).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, page[:300]
    data = {"username": username, "password": password, "csrf_token": token.group(1)}
    return client.post("/login", data=data, **kwargs)
