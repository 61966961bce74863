"""The local day of a stored moment, worked out by the database (so that a query can count by it).

A moment column holds UTC (``UTCDateTime``); its day in ``LOCAL_TZ`` is what a deadline is held against — 20:00
UTC on the 19th is already the 20th in Hanoi. ``local_date(column)`` is that day as an SQL expression of type
``Date``: on PostgreSQL ``AT TIME ZONE`` with the zone's IANA name (its own zone database: DST and old offsets
included); on SQLite, which knows no zones, a function of ours registered on every connection
(``register_sqlite_functions``) that reads the stored UTC text and converts it with Python's zone database, as
the rows would be converted in Python. Both answer ``YYYY-MM-DD`` days that compare with a ``Date`` column.
"""

from __future__ import annotations

import functools
import sqlite3
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Text, cast, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql._typing import _ColumnExpressionArgument
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Date

from . import clock

SQLITE_LOCAL_DATE = "cchc_local_date"


class local_date(FunctionElement[Any]):
    """``local_date(moment_column)``: the moment's day in ``zone`` (default ``LOCAL_TZ``), NULL for NULL."""

    type = Date()
    inherit_cache = True
    name = "local_date"

    def __init__(self, moment: _ColumnExpressionArgument[Any], zone: tzinfo | None = None) -> None:
        # The zone is a bound value, not text of the statement: SQLAlchemy caches the compiled SQL.
        super().__init__(moment, cast(literal(_zone_name(zone or clock.LOCAL_TZ)), Text))


def _zone_name(zone: tzinfo) -> str:
    key = getattr(zone, "key", None)
    if not isinstance(key, str):
        raise ValueError(f"local_date needs an IANA zone (a ZoneInfo), not {zone!r}")
    return key


@compiles(local_date, "postgresql")
def _postgresql(element: local_date, compiler: SQLCompiler, **kw: Any) -> str:
    moment, zone = element.clauses
    return f"CAST(({compiler.process(moment, **kw)}) AT TIME ZONE {compiler.process(zone, **kw)} AS DATE)"


@compiles(local_date, "sqlite")
def _sqlite(element: local_date, compiler: SQLCompiler, **kw: Any) -> str:
    moment, zone = element.clauses
    return f"{SQLITE_LOCAL_DATE}({compiler.process(moment, **kw)}, {compiler.process(zone, **kw)})"


@functools.lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def sqlite_local_date(moment: str | None, zone: str) -> str | None:
    """SQLite's ``cchc_local_date``: the ``YYYY-MM-DD`` day in ``zone`` of a stored UTC moment (naive ISO text)."""
    if moment is None:
        return None
    value = datetime.fromisoformat(moment)
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return value.astimezone(_zone(zone)).date().isoformat()


def register_sqlite_functions(connection: sqlite3.Connection) -> None:
    """Give a new SQLite connection the functions these expressions compile to."""
    connection.create_function(SQLITE_LOCAL_DATE, 2, sqlite_local_date, deterministic=True)
