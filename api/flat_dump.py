"""Dumping list rows without marshmallow's per-field machinery: a page of the inbox is 50–200 rows of ~25 plain
fields, and ``Schema.dump`` spent more time on them than the database did (docs/benchmarks.md, "A million steps").

``FlatDump(schema)`` reads the schema's own fields once (so the OpenAPI description and the answer stay one
thing) and accepts only flat ones: strings, integers, booleans, date-times.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from marshmallow import Schema, fields

_FLAT = (fields.String, fields.Integer, fields.Boolean, fields.DateTime)


class FlatDump:
    """What ``schema.dump(rows, many=True)`` gives for a flat schema, computed directly."""

    def __init__(self, schema: Schema) -> None:
        found = []
        for name, field in schema.dump_fields.items():
            iso = not isinstance(field, fields.DateTime) or field.format in (None, "iso")
            if not isinstance(field, _FLAT) or not iso:
                raise TypeError(f"{type(schema).__name__}.{name} is not a flat field")
            found.append((field.data_key or name, field.attribute or name, isinstance(field, fields.DateTime)))
        self._fields = tuple(found)

    def dump(self, rows: Iterable[Any]) -> list[dict[str, Any]]:
        out = []
        for row in rows:
            item: dict[str, Any] = {}
            for key, attribute, is_time in self._fields:
                value = getattr(row, attribute)
                item[key] = value.isoformat() if is_time and isinstance(value, datetime) else value
            out.append(item)
        return out
