"""Building the services: database, engine with its script helpers, settings, and the step observer."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from engine.clock import Clock, SystemClock
from engine.db import default_database_url, make_engine, make_session_factory
from engine.freshness import DEFAULT_RECHECK_SECONDS, Recheck, recheck_seconds
from engine.helpers import CalendarSource, standard_helpers
from engine.runtime import Engine
from engine.script_limits import ScriptLimits

from .alerts import StepObserver
from .deadline_rules import DeadlineSettings
from .documents import document_helpers
from .mail import MailSettings
from .script_helpers import domain_helpers
from .services import Services
from .unit_directory import DbUnitDirectory


def database_url(instance_dir: Path) -> str:
    """``CCHC_DATABASE_URL``, or the embedded SQLite database under ``instance_dir``."""
    return default_database_url(instance_dir)


def create_services(
    database_url: str, clock: Clock | None = None, limits: ScriptLimits | None = None, **engine_options: Any
) -> Services:
    """Everything a request or the worker needs, with the step observer wired into the engine.

    ``limits``: the budgets of diagram code (default: from the environment).
    """
    clock = clock or SystemClock()
    sql = make_engine(database_url, **engine_options)
    sessions = make_session_factory(sql)
    # Another process's change of the calendar or the units: on PostgreSQL (several processes) seen within seconds;
    # SQLite serves from one process (gunicorn sets CCHC_CACHE_RECHECK_SECONDS for its web processes).
    seconds = recheck_seconds(default=math.inf if sql.dialect.name == "sqlite" else DEFAULT_RECHECK_SECONDS)
    calendar = CalendarSource(sessions, Recheck(seconds))
    units = DbUnitDirectory(sessions, Recheck(seconds))
    helpers = standard_helpers(calendar.get) | domain_helpers() | document_helpers()
    services = Services(
        database_url=database_url,
        clock=clock,
        sql=sql,
        sessions=sessions,
        calendar=calendar,
        units=units,
        engine=Engine(clock=clock, helpers=helpers, units=units, limits=limits),
        deadlines=DeadlineSettings.from_env(),
        mail=MailSettings.from_env(),
    )
    wire_observers(services)
    return services


def wire_observers(services: Services) -> None:
    """Steps that open, finish or return classify their deadlines and notify people (in the caller's transaction)."""
    observer = StepObserver(services)
    services.engine.observers.append(observer)
    services.engine.step_columns = observer.columns
