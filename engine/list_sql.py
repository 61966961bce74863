"""The lists' statements written as text and run on the driver cursor (``engine.driver``).

A page of a list is two or three short statements (the count, the rows, their instances or open steps). Built as
SQLAlchemy statements they cost more Python than PostgreSQL takes to answer them: building the clauses, their cache
key, the execution context and every value through its type (docs/benchmarks.md, "fifth pass"). Here the same SQL
(the conditions, joins and orders SQLAlchemy wrote for ``engine.queries``, but for the casts of its parameters) is
put together as text with ``?`` parameters (``Sql``: ``%s`` for psycopg): the same plans, rows and order.
Statement listeners see these too (``Driver.execute``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from .driver import Driver, Sql
from .keyset import Cursor, Order


class Where:
    """The conditions of a list (joined with AND), each a text with ``?`` parameters."""

    __slots__ = ("drv", "false", "params", "parts")

    def __init__(self, drv: Driver) -> None:
        self.drv = drv
        self.parts: list[str] = []
        self.params: list[Any] = []
        self.false = "false" if drv.pg else "0"  # what SQLAlchemy writes for false()

    def add(self, sql: str, *params: Any) -> None:
        self.parts.append(sql)
        self.params.extend(params)

    def equals(self, column: str, value: Any) -> None:
        """``column == value`` (``IS NULL`` for None, as SQLAlchemy compares with None)."""
        if value is None:
            self.parts.append(f"{column} IS NULL")
        else:
            self.add(f"{column} = ?", value)

    def among(self, column: str, values: Iterable[Any]) -> None:
        """``column.in_(values)`` (never true for no values)."""
        found = list(values)
        if found:
            self.add(f"{column} IN ({', '.join('?' * len(found))})", *found)
        else:
            self.parts.append(self.false)

    def any_of(self, column: str, values: list[Any]) -> None:
        """``among`` for a list whose length changes with each page (ids): on PostgreSQL one array parameter, so
        that the statement's text, prepared once per connection, is the same whatever the length."""
        if self.drv.pg and values:
            self.add(f"{column} = ANY(?)", values)
        else:
            self.among(column, values)

    def tenants(self, column: str, tenants: frozenset[str] | None) -> None:
        """``queries.in_tenants``: rows of these tenants (None: no condition)."""
        if tenants is not None:
            self.among(column, sorted(tenants))

    def like_all(self, column: str, patterns: list[str] | None) -> None:
        """Every one of ``patterns`` (``search.like_patterns``; None: no condition; none: never true)."""
        if patterns is None:
            return
        if not patterns:
            self.parts.append(self.false)
        for pattern in patterns:
            self.add(f"{column} LIKE ? ESCAPE '\\'", pattern)

    def sql(self, *extra: str) -> str:
        """`` WHERE …`` (nothing when there is no condition)."""
        found = [*self.parts, *(e for e in extra if e)]
        return f" WHERE {' AND '.join(found)}" if found else ""


@functools.lru_cache(maxsize=512)
def _statement(text: str) -> Sql:
    return Sql(text)


def run(drv: Driver, text: str, params: list[Any]) -> list[Any]:
    """The rows of one statement (``?`` parameters; moments bound as the UTC columns bind them)."""
    values = [drv.moment(p) if isinstance(p, datetime) else p for p in params]
    return drv.execute(_statement(text).of(drv), values).fetchall()  # type: ignore[no-any-return]


def count(
    drv: Driver, source: str, ident: str, where: Where, limit: int | None, source_params: list[Any] | None = None
) -> int:
    """How many rows of ``source`` (with its own parameters, ``source_params``) hold ``where`` (counting stops
    after ``limit`` rows when given)."""
    bound = " LIMIT ?" if limit is not None else ""
    text = f"SELECT count(*) AS count_1 FROM (SELECT {ident} AS id FROM {source}{where.sql()}{bound}) AS anon_1"
    params = [*(source_params or ()), *where.params, *((limit,) if limit is not None else ())]
    return int(run(drv, text, params)[0][0])


def either_kind(drv: Driver, table: str, columns: str, kind: Where, other: Where) -> tuple[str, list[Any]]:
    """A source of the rows of ``table`` that hold either condition, as ``table`` with ``columns`` (named as its
    own), and its parameters: each condition read on its own (by its own index), and the rows found kept apart from
    the conditions the caller adds (PostgreSQL: ``OFFSET 0``, so that the planner pushes none of them into the two
    reads, where they would match other indexes).

    For a count whose conditions on the whole table let the planner walk far more rows than either condition selects
    when its statistics are older than the table: the inbox's total (``queries._count_kinds``; docs/benchmarks.md,
    "PostgreSQL round trips per request, sixth pass": 2.8–3.0 ms of the backend's CPU against 0.07–0.11 at 3,653
    open steps of the organisation)."""
    selected = ", ".join(f"{table}.{name.strip()}" for name in columns.split(","))
    fence = " OFFSET 0" if drv.pg else ""
    source = (
        f"(SELECT {selected} FROM {table}{kind.sql()} UNION SELECT {selected} FROM {table}{other.sql()}{fence})"
        f" AS {table}"
    )
    return source, [*kind.params, *other.params]


def page(
    drv: Driver,
    columns: str,
    source: str,
    narrow: str,
    where: Where,
    order: Order,
    want: int,
    offset: int,
    cursor: Cursor | None,
) -> list[Any]:
    """Up to ``want`` rows of ``columns`` (the sort value and the id last) from ``source`` in ``order``: after
    ``offset`` rows (a deferred join through ``narrow``, the ids alone), or after ``cursor`` (``queries._page``)."""
    ident = _ident(order)
    if cursor is None and offset:
        ordered = order.order_sql()
        ids = f"SELECT {ident} FROM {narrow}{where.sql()} ORDER BY {ordered} LIMIT ? OFFSET ?"
        text = f"SELECT {columns} FROM {source} WHERE {ident} IN ({ids}) ORDER BY {ordered}"
        return run(drv, text, [*where.params, want, offset])
    rows: list[Any] = []
    for extra, params, ordered in order.parts_sql(cursor):  # the rows with a sort value, then those without
        text = f"SELECT {columns} FROM {source}{where.sql(extra)} ORDER BY {ordered} LIMIT ? OFFSET ?"
        rows.extend(run(drv, text, [*where.params, *params, want - len(rows), 0]))
        if len(rows) >= want:
            break
    return rows


def _ident(order: Order) -> str:
    found = order.id.expression
    return f"{found.table.name}.{found.name}"


def column_names(columns: Iterable[Any]) -> str:
    """The select list of mapped or table columns, qualified by table."""
    return ", ".join(f"{c.table.name}.{c.name}" for c in (getattr(c, "expression", c) for c in columns))
