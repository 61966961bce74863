"""The hottest statements of a completion, run on the driver cursor of the session's own connection.

Same transaction, same rows, same errors as through SQLAlchemy's execution path, without its per-statement
Python (compiling the cache key, building the execution context, processing every parameter and result value
through its type): on SQLite that path costs several times running the statement (docs/benchmarks.md).

What SQLAlchemy would do that this module does by hand, and only for the column types written here:

- parameters: a UTC moment becomes SQLite's naive ``YYYY-MM-DD HH:MM:SS.ffffff`` text (PostgreSQL: the aware
  value); a JSON value becomes the dialect's JSON text (``None`` is JSON ``null``, as the JSON type stores it);
- results: SQLite's moment text becomes an aware UTC datetime, JSON text a value (``decode_*``);
- events: ``before_cursor_execute`` / ``after_cursor_execute`` are dispatched to the engine's listeners
  (``context`` is None; listeners present when the transaction's first statement here ran), so whoever counts
  or times statements sees these too;
- errors: a driver error goes through the connection's own handling (``IntegrityError``, ``OperationalError``…,
  a lost connection invalidated), so callers catch exactly what they caught before.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

_CURSOR = "cchc_driver_cursor"  # per DBAPI connection: the cursor this module runs statements on
_SIDE_CURSOR = "cchc_driver_side_cursor"  # per DBAPI connection: Driver.side_cursor
_DRIVER = "cchc_driver"  # per session: (the transaction, its Driver)
_FORMAT = "%04d-%02d-%02d %02d:%02d:%02d.%06d"  # SQLAlchemy's SQLite DATETIME storage format


class Driver:
    """The driver cursor of one SQLAlchemy connection (in its transaction), with the dialect's conversions."""

    __slots__ = ("conn", "cursor", "json", "listened", "pg")

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        fairy = conn.connection
        cursor = fairy.info.get(_CURSOR)
        if cursor is None:
            cursor = fairy.info[_CURSOR] = fairy.dbapi_connection.cursor()  # type: ignore[union-attr]
        self.cursor: Any = cursor
        dialect = conn.dialect
        self.pg = dialect.name == "postgresql"
        self.json: Callable[[Any], str] = getattr(dialect, "_json_serializer", None) or json.dumps
        # Whether anyone listens to the statements (checked once: a driver lives for one transaction).
        events = conn._has_events or conn.engine._has_events
        self.listened = events and bool(conn.dispatch.before_cursor_execute or conn.dispatch.after_cursor_execute)

    def moment(self, value: datetime | None) -> Any:
        """A UTC moment as ``engine.db.UTCDateTime`` binds it."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if self.pg:
            return value
        return _FORMAT % (
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
        )

    def execute(self, statement: str, parameters: Sequence[Any], cursor: Any = None) -> Any:
        """Run one statement (on ``cursor``, default the driver's); the cursor (``rowcount``, ``fetchone``)."""
        conn, cursor = self.conn, self.cursor if cursor is None else cursor
        try:
            events = self.listened
            if events:
                for fn in conn.dispatch.before_cursor_execute:
                    statement, parameters = fn(conn, cursor, statement, parameters, None, False)
            if self.pg:
                cursor.execute(statement, parameters, prepare=True)
            else:
                cursor.execute(statement, parameters)
            if events:
                conn.dispatch.after_cursor_execute(conn, cursor, statement, parameters, None, False)
        except BaseException as exc:  # noqa: BLE001 - re-raised as SQLAlchemy would
            conn._handle_dbapi_exception(exc, statement, parameters, None, None)  # raises; the cursor stays open
        return cursor

    @contextmanager
    def pipeline(self) -> Iterator[None]:
        """PostgreSQL: what runs inside is sent in one round trip (psycopg's pipeline; results are read at its end,
        so a statement whose result is needed inside must run on ``side_cursor``). A driver error at the end goes
        through the connection's handling as in ``execute``. Elsewhere: nothing changes."""
        if not self.pg:
            yield
            return
        dbapi = self.conn.connection.dbapi_connection
        try:
            with dbapi.pipeline():  # type: ignore[union-attr]
                yield
        except Exception as exc:
            if not isinstance(exc, dbapi.Error):  # type: ignore[union-attr]
                raise
            self.conn._handle_dbapi_exception(exc, "<pipeline>", (), None, None)  # raises

    def side_cursor(self) -> Any:
        """A second cursor of the connection: its results stay while ``cursor`` runs other statements."""
        fairy = self.conn.connection
        cursor = fairy.info.get(_SIDE_CURSOR)
        if cursor is None:
            cursor = fairy.info[_SIDE_CURSOR] = fairy.dbapi_connection.cursor()  # type: ignore[union-attr]
        return cursor

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement for each of ``rows`` (none: nothing is sent)."""
        if not rows:
            return
        if len(rows) == 1:
            self.execute(statement, rows[0])
            return
        conn, cursor = self.conn, self.cursor
        try:
            events = self.listened
            if events:
                for fn in conn.dispatch.before_cursor_execute:
                    statement, rows = fn(conn, cursor, statement, rows, None, True)
            cursor.executemany(statement, rows)
            if events:
                conn.dispatch.after_cursor_execute(conn, cursor, statement, rows, None, True)
        except BaseException as exc:  # noqa: BLE001 - re-raised as SQLAlchemy would
            conn._handle_dbapi_exception(exc, statement, rows, None, None)  # raises; the cursor stays open


def driver(session: Session) -> Driver:
    """The session's connection (its transaction begun) as a ``Driver``.

    A unit of work's session is bound to the unit's connection (``engine.db.UnitOfWork``). While the session has
    no transaction of its own (it only holds objects: a completion's hot path), the driver runs on that connection
    in the connection's transaction, begun here when none is open, without starting the session's transaction
    machinery. Otherwise ``Session.connection()``: it emits a pending ``SAVEPOINT`` of ``begin_nested()``. Kept on
    the session for as long as the same transaction is active: ``Session.connection()`` walks the session's
    transaction machinery each time, several times the cost of a short statement on SQLite.
    """
    tx: Any = session._transaction
    bind = session.bind
    if tx is None and isinstance(bind, Connection):
        tx = bind.get_transaction() or bind.begin()
        conn = bind
    else:
        conn = None
    found = session.info.get(_DRIVER)
    if found is not None and tx is not None and found[0] is tx and tx.is_active:
        return found[1]  # type: ignore[no-any-return]
    drv = Driver(conn if conn is not None else session.connection())
    session.info[_DRIVER] = (tx if conn is not None else session._transaction, drv)
    return drv


class Sql:
    """One statement's text for each dialect: written with ``?`` placeholders, ``%s`` for psycopg.

    ``casts``: per placeholder (in order), the PostgreSQL type it is cast to (``json``, ``timestamptz``…), or None.
    ``IS ?`` (SQLite's null-safe equality) is PostgreSQL's ``IS NOT DISTINCT FROM``.
    """

    __slots__ = ("pg", "sqlite")

    def __init__(self, text: str, casts: Sequence[str | None] = ()) -> None:
        self.sqlite = text
        parts = text.replace(" IS ?", " IS NOT DISTINCT FROM ?").split("?")
        casts = list(casts) + [None] * (len(parts) - 1 - len(casts))
        pg = parts[0]
        for cast, part in zip(casts, parts[1:], strict=True):
            pg += ("%s" if cast is None else f"%s::{cast}") + part
        self.pg = pg

    def of(self, drv: Driver) -> str:
        return self.pg if drv.pg else self.sqlite


def decode_moment(value: Any) -> datetime | None:
    """What ``UTCDateTime`` reads: an aware UTC datetime from the driver's value (SQLite: ISO text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def decode_json(value: Any) -> Any:
    """What the JSON type reads: the value (SQLite holds the text; psycopg has decoded it already)."""
    if isinstance(value, str | bytes):
        return json.loads(value)
    return value
