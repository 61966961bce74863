"""Database wiring: engine creation (SQLite WAL + foreign keys, PostgreSQL) and the unit of work."""

from __future__ import annotations

import copy
import functools
import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, ParamSpec, TypeVar

from sqlalchemy import Connection, DateTime, Engine, create_engine, event, make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.types import TypeDecorator

from .errors import Conflict
from .local_dates import register_sqlite_functions
from .wal_checkpoint import WalCheckpointer


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


def default_database_url(instance_dir: Path) -> str:
    """SQLite file under ``instance/`` unless ``CCHC_DATABASE_URL`` says otherwise."""
    url = os.environ.get("CCHC_DATABASE_URL")
    if url:
        return url
    instance_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance_dir / 'cchc.db'}"


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


BUSY_TIMEOUT = 15.0  # seconds a SQLite writer waits for the write lock before giving up as ``database_busy``
_MODE = "cchc_transaction"  # execution option marking a bind's transactions as "write" or "read"
_CHECKPOINTER = "_cchc_wal_checkpointer"  # on the SQLAlchemy engine while start_wal_checkpointer's thread runs
_QUERY_ONLY = "cchc_query_only"  # per DBAPI connection: whether SQLite's PRAGMA query_only is on


def make_engine(url: str, *, busy_timeout: float = BUSY_TIMEOUT, **kwargs: Any) -> Engine:
    """Create an SQLAlchemy engine; SQLite gets WAL, foreign keys, real transactions and ``busy_timeout`` seconds."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        connect_args = {"timeout": busy_timeout, "check_same_thread": False, **kwargs.pop("connect_args", {})}
        if "poolclass" not in kwargs and make_url(url).database not in (None, "", ":memory:"):
            # The connection used last serves the next unit of work: its page cache is still valid. Each SQLite
            # connection caches pages of its own and drops all of them when another connection has written since
            # its last transaction, so a queue handing out the connections in turn makes every action read its
            # pages again (one thread, two pooled connections: every completion, docs/benchmarks.md).
            kwargs.setdefault("pool_use_lifo", True)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _configure_sqlite(engine, busy_timeout)
        return engine
    # pool_recycle rather than pool_pre_ping: a ping costs a round trip at every checkout (every unit of work).
    kwargs.setdefault("pool_recycle", 600)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine, busy_timeout: float) -> None:
    # pysqlite's own transaction handling defers BEGIN in ways that break SAVEPOINTs and
    # read-then-write isolation; the SQLAlchemy recipe hands control back to us.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        register_sqlite_functions(dbapi_connection)  # local_date (engine/local_dates.py)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        if engine.__dict__.get(_CHECKPOINTER) is not None:
            cursor.execute("PRAGMA wal_autocheckpoint=0")  # the checkpointer's thread does it (start_wal_checkpointer)
        cursor.close()

    engine.dialect.do_begin = functools.partial(_sqlite_begin, None)  # type: ignore[method-assign]


def _sqlite_begin(mode: str | None, fairy: Any) -> None:
    """The dialect's BEGIN for SQLite (a read or write transaction, see ``transaction_bind``; ``mode`` None: a plain
    connection, deferred BEGIN), straight to the driver.

    The dialect's own ``do_begin`` rather than a ``begin`` event: any connection event on the engine sends every
    statement, begin and commit of every connection through SQLAlchemy's event dispatch (≈ 15–20 µs per unit of
    work on SQLite, docs/benchmarks.md).
    """
    dbapi_connection = fairy.dbapi_connection
    read_only = mode == "read"
    if fairy.info.get(_QUERY_ONLY, False) != read_only:  # a pooled connection serves both kinds in turn
        dbapi_connection.execute(f"PRAGMA query_only={int(read_only)}")
        fairy.info[_QUERY_ONLY] = read_only
    # A writer takes the write lock at BEGIN, where SQLite's busy handler makes it wait up to busy_timeout.
    # A deferred BEGIN that writes later cannot wait in WAL mode: once another writer has committed since its
    # snapshot, SQLite answers SQLITE_BUSY_SNAPSHOT at once. Readers keep the deferred BEGIN: no lock taken.
    try:
        dbapi_connection.execute("BEGIN IMMEDIATE" if mode == "write" else "BEGIN")
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY:
            raise _busy() from exc  # waited busy_timeout seconds for the lock
        raise


def start_wal_checkpointer(engine: Engine) -> WalCheckpointer | None:
    """For a SQLite database in a file: checkpoint its write-ahead log in a thread of its own instead of inside the
    commits of requests (engine/wal_checkpoint.py). None (nothing done) for any other database. Connections opened
    from now on leave checkpoints to the thread; the pool's idle ones are closed so that none is left doing them."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    running = engine.__dict__.get(_CHECKPOINTER)
    if running is None:
        running = engine.__dict__[_CHECKPOINTER] = WalCheckpointer(engine.url.database).start()
        engine.dispose(close=True)
    return running


def stop_wal_checkpointer(engine: Engine) -> None:
    """Stop the thread (after its last checkpoint); connections opened afterwards checkpoint in their commits again."""
    running = engine.__dict__.pop(_CHECKPOINTER, None)
    if running is not None:
        running.stop()
        engine.dispose(close=True)


def transaction_bind(engine: Engine, *, write: bool) -> Engine:
    """``engine`` (same pool) whose transactions write (SQLite: ``BEGIN IMMEDIATE``) or only read (writes refused).

    A read transaction on SQLite runs with ``PRAGMA query_only`` and a deferred ``BEGIN`` (WAL: it never blocks a
    writer); on PostgreSQL it is ``READ ONLY``. Built once per engine and mode.
    """
    mode = "write" if write else "read"
    cache: dict[str, Engine] = engine.__dict__.setdefault("_cchc_transaction_binds", {})
    bind = cache.get(mode)
    if bind is None:
        options: dict[str, Any] = {_MODE: mode}
        if not write and engine.dialect.name == "postgresql":
            options["postgresql_readonly"] = True
        bind = engine.execution_options(**options)
        if engine.dialect.name == "sqlite":
            # This bind's own BEGIN: a copy of the dialect (taken once the first connection has initialised it)
            # whose do_begin knows the mode. The copy shares the original's state (types, caches) but for that.
            with engine.connect():
                pass
            dialect = copy.copy(engine.dialect)
            dialect.do_begin = functools.partial(_sqlite_begin, mode)  # type: ignore[method-assign]
            bind.dialect = dialect
        bind = cache.setdefault(mode, bind)
    return bind


def reads_only(conn: Connection) -> bool:
    """Whether the connection's transactions only read (``transaction_bind(write=False)``): they see committed data."""
    return conn.get_execution_options().get(_MODE) == "read"


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that never expire on commit (views are built before commit anyway)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def is_sqlite(session: Session) -> bool:
    """True when the session talks to SQLite."""
    return session.get_bind().dialect.name == "sqlite"


class UnitOfWork:
    """One transaction per user action: leave the block without ``commit()`` and it rolls back.

    ``write=True`` (the default) for anything that may write: on SQLite it takes the write lock when the transaction
    begins, so concurrent writers queue instead of failing. ``write=False`` for reads: no lock, and any write in it
    fails loudly (SQLite ``query_only``, PostgreSQL ``READ ONLY``).

    The unit of work holds one connection (checked out at first use) and its transaction; ``session`` is bound to that
    connection and joins its transaction. Statements run on the connection (``engine.driver``) need no ORM
    transaction: a unit of work whose session only holds objects (the engine's completion) commits on the connection
    alone, without the session's transaction machinery (docs/benchmarks.md, fourth pass on the floor).
    """

    def __init__(self, session_factory: sessionmaker[Session], *, write: bool = True) -> None:
        self._factory = session_factory
        self.write = write
        self._after_commit: list[Callable[[], None]] = []
        self._connection: Connection | None = None
        self._session: Session | None = None

    def __enter__(self) -> UnitOfWork:
        self._after_commit = []
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session, conn = self._session, self._connection
        self._session = self._connection = None
        try:
            if conn is not None and exc_type is None and not self.write:
                _end_read(conn)
            if session is not None:
                session.close()  # a transaction of the session's own rolls back (it is the connection's)
        finally:
            if conn is not None:
                conn.close()  # a transaction still open rolls back; the connection goes back to the pool

    @property
    def connection(self) -> Connection:
        """The unit of work's connection, in a transaction (begun here when none is open)."""
        conn = self._connection or self._checkout()
        if not conn.in_transaction():
            conn.begin()
        return conn

    @property
    def session(self) -> Session:
        """The ORM session, bound to the unit of work's connection: whatever it does is in the same transaction."""
        session = self._session
        if session is None:
            conn = self._connection or self._checkout()
            # control_fully: the session's commit and rollback are the connection's (one transaction, as before).
            session = self._session = self._factory(bind=conn, join_transaction_mode="control_fully")
        return session

    def _checkout(self) -> Connection:
        bind = self._factory.kw.get("bind")
        if not isinstance(bind, Engine):
            raise TypeError("a unit of work needs a session factory bound to an Engine (make_session_factory)")
        conn = self._connection = transaction_bind(bind, write=self.write).connect()
        return conn

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the transaction has committed (caches, outbox wake-ups)."""
        self._after_commit.append(callback)

    def flush(self) -> None:
        """Flush pending changes, turning lost races into ``Conflict``."""
        try:
            self.session.flush()
        except (OperationalError, StaleDataError, IntegrityError) as exc:
            raise _as_conflict(exc) from exc

    def commit(self) -> None:
        """Commit; run after-commit callbacks; a lost race becomes ``Conflict``."""
        session, conn = self._session, self._connection
        try:
            if session is not None and (session.in_transaction() or not session._is_clean()):
                session.commit()  # flushes, then commits the connection's transaction (joined, control_fully)
            elif conn is not None and conn.in_transaction():
                conn.commit()  # nothing for the ORM to flush: the statements ran on the connection
        except (OperationalError, StaleDataError, IntegrityError) as exc:
            self._rollback()
            raise _as_conflict(exc) from exc
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def rollback(self) -> None:
        """Discard everything since the last commit."""
        self._rollback()
        self._after_commit = []

    def _rollback(self) -> None:
        session, conn = self._session, self._connection
        if session is not None and session.in_transaction():
            session.rollback()  # the connection's transaction too (control_fully); the objects are expired
        elif session is not None and conn is not None and conn.in_transaction():
            # Objects joined the session without an ORM transaction (engine.rows.persistent_row): expired as a
            # rollback of the session's own transaction would have expired them.
            session.expire_all()
        if conn is not None and conn.in_transaction():
            conn.rollback()


def _end_read(conn: Connection) -> None:
    """End a finished read transaction on PostgreSQL with ``COMMIT`` rather than ``ROLLBACK`` (the same for a
    ``READ ONLY`` transaction: nothing to undo, no WAL to flush), straight on the driver's connection.

    psycopg forgets every statement it has prepared on a connection at each ``ROLLBACK`` (``DEALLOCATE ALL``), and
    every request reads its caller in a read transaction: ended by ``ROLLBACK``, no statement ever reached psycopg's
    prepare threshold and PostgreSQL parsed and planned each one anew (docs/benchmarks.md, third pass on the two
    web processes). Nothing pending is flushed (a read never writes); the rollback that follows (the session's, the
    connection's) finds the driver idle and sends nothing.
    """
    if conn.in_transaction() and conn.dialect.name == "postgresql":
        driver = conn.connection.dbapi_connection
        if driver is not None:
            driver.commit()


P = ParamSpec("P")
R = TypeVar("R")


def conflicts_on_races(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn a lost race inside ``fn`` (stale version, duplicate key, lock) into ``Conflict``."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except (OperationalError, StaleDataError, IntegrityError) as exc:
            converted = _as_conflict(exc)
            if converted is exc:
                raise
            raise converted from exc

    return wrapper


def _as_conflict(exc: Exception) -> Exception:
    """Translate a lost race (stale version, duplicate key, lock) into ``Conflict``."""
    if isinstance(exc, StaleDataError):
        return Conflict()
    if isinstance(exc, IntegrityError):
        return Conflict("Dữ liệu vừa được thao tác khác ghi trước. Vui lòng tải lại.", code="duplicate")
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).lower()
    if "locked" in text or "deadlock" in text or "could not serialize" in text:
        return _busy()
    return exc


def _busy() -> Conflict:
    return Conflict("Cơ sở dữ liệu đang bận với thao tác khác. Vui lòng thử lại.", code="database_busy")
