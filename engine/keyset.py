"""Keyset paging: an opaque cursor (the last row's sort value and id) instead of an offset, so a page deep in a
list costs what the first one does (docs/lists.md, "Cursor").

An order is one optional column (``due_at``, ``updated_at``) in a direction, nulls last, with ties broken by
id in the same direction. A cursor names its order: given with another order, it is refused.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .errors import InvalidInput

_MESSAGE = "Con trỏ trang không hợp lệ; hãy tải lại danh sách từ trang đầu."


@dataclass(frozen=True)
class Order:
    """How a list is ordered: ``column`` (None: by id alone) then ``id``, both ascending or both descending."""

    name: str  # the sort's name, written in the cursor
    column: Any
    id: Any
    descending: bool = False
    nullable: bool = False

    # The ORDER BY and conditions as text, for the lists' statements on the driver cursor (``engine.list_sql``): the
    # column names qualified by table, parameters as ``?``.

    def order_sql(self) -> str:
        """The ORDER BY clause (nulls last in both directions, as the lists have always sorted)."""
        ident = f"{_name(self.id)} {'DESC' if self.descending else 'ASC'}"
        if self.column is None:
            return ident
        key = f"{_name(self.column)} {'DESC' if self.descending else 'ASC'}"
        return f"{key} NULLS LAST, {ident}" if self.nullable else f"{key}, {ident}"

    def after_sql(self, cursor: Cursor) -> list[tuple[str, list[Any]]]:
        """The conditions of the rows after ``cursor``, in order, (text, parameters) each: the second set (if any)
        follows the first."""
        if cursor.sort != self.name:
            raise InvalidInput(_MESSAGE, code="invalid_cursor", details={"cursor": [_MESSAGE]})
        ident, past = _name(self.id), "<" if self.descending else ">"
        if self.column is None:
            return [(f"{ident} {past} ?", [cursor.id])]
        column = _name(self.column)
        if cursor.value is None:
            return [(f"{column} IS NULL AND {ident} {past} ?", [cursor.id])]
        later = (f"({column}, {ident}) {past} (?, ?)", [cursor.value, cursor.id])
        return [later, (f"{column} IS NULL", [])] if self.nullable else [later]

    def parts_sql(self, cursor: Cursor | None) -> list[tuple[str, list[Any], str]]:
        """The reads of one page, in order: (conditions or "", parameters, ORDER BY) each; the second (if any) follows
        the first.

        A descending order with nulls last reads the rows with a value, then those without, each ordered as a plain
        index walked backward gives it (``col DESC, id DESC``; ``id DESC``): PostgreSQL walks no index for ``DESC
        NULLS LAST`` and sorts the whole list instead (docs/benchmarks.md, "fourth pass"). The same rows in the
        same order.
        """
        if not (self.descending and self.nullable and self.column is not None):
            found = self.after_sql(cursor) if cursor is not None else [("", [])]
            return [(extra, params, self.order_sql()) for extra, params in found]
        column, ident = _name(self.column), _name(self.id)
        dated, undated = f"{column} DESC, {ident} DESC", f"{ident} DESC"
        if cursor is None:
            return [(f"{column} IS NOT NULL", [], dated), (f"{column} IS NULL", [], undated)]
        found = self.after_sql(cursor)
        if cursor.value is None:
            return [(*found[0], undated)]
        return [(*found[0], dated), (*found[1], undated)]

    def cursor_of(self, value: datetime | None, row_id: int) -> str:
        """The cursor of the rows after a row with sort ``value`` and ``row_id``."""
        return Cursor(self.name, value if self.column is not None else None, row_id).encode()


def _name(column: Any) -> str:
    """A mapped column's name qualified by its table, as SQLAlchemy writes it."""
    found = column.expression
    return f"{found.table.name}.{found.name}"


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the order's name, the last row's sort value (None: no value) and its id."""

    sort: str
    value: datetime | None
    id: int

    def encode(self) -> str:
        raw = json.dumps([self.sort, self.value.isoformat() if self.value else None, self.id], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """The cursor ``text`` stands for (``InvalidInput`` when it is not one of ours)."""
        try:
            raw = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            sort, value, row_id = raw
            when = datetime.fromisoformat(value) if value is not None else None
            if (
                not isinstance(sort, str)
                or type(row_id) is not int
                or not 0 <= row_id < 2**63
                or (when is not None and when.tzinfo is None)
            ):
                raise ValueError(text)
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
            raise InvalidInput(_MESSAGE, code="invalid_cursor", details={"cursor": [_MESSAGE]}) from exc
        return cls(sort, when, row_id)
