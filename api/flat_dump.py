"""Dumping answers without marshmallow's per-field machinery: a page of the inbox is 50–200 rows of ~25 plain
fields, and ``Schema.dump`` spent more time on them than the database did (docs/benchmarks.md, "A million steps");
a completion's answer (an instance, its open steps) cost more to dump than its own audit event to write.

``FlatDump(schema)`` reads the schema's own fields once (so the OpenAPI description and the answer stay one
thing) and accepts only plain ones: strings, integers, booleans, date-times, dicts taken as they are (no key or
value field), and schemas of those nested, alone or in a list (``TreeDump``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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


class TreeDump:
    """What ``schema.dump(obj)`` gives for a schema of flat fields, plain dicts and nested such schemas (one
    object, or many in a list), computed directly."""

    def __init__(self, schema: Schema) -> None:
        self._fields = tuple(
            (field.data_key or name, field.attribute or name, _converter(type(schema).__name__, name, field))
            for name, field in schema.dump_fields.items()
        )

    def dump(self, obj: Any) -> dict[str, Any]:
        item: dict[str, Any] = {}
        for key, attribute, convert in self._fields:
            value = getattr(obj, attribute)
            item[key] = value if convert is None or value is None else convert(value)
        return item


def _converter(schema: str, name: str, field: fields.Field) -> Callable[[Any], Any] | None:
    """How a field's value becomes its dumped value (None: as it is)."""
    if isinstance(field, fields.DateTime) and field.format in (None, "iso"):
        return _iso
    if isinstance(field, _FLAT) and not isinstance(field, fields.DateTime) and not getattr(field, "as_string", False):
        return None
    if type(field) is fields.Dict and field.key_field is None and field.value_field is None:
        return dict
    if _plain_nested(field):
        return TreeDump(field.schema).dump  # type: ignore[attr-defined]
    if isinstance(field, fields.List) and _plain_nested(field.inner):
        inner = TreeDump(field.inner.schema).dump  # type: ignore[attr-defined]
        return lambda values: [inner(v) for v in values]
    raise TypeError(f"{schema}.{name} is not a flat field")


def _plain_nested(field: fields.Field) -> bool:
    """A nested schema dumped whole, one object."""
    if not isinstance(field, fields.Nested) or field.many:
        return False
    nested = field.schema
    return not (nested.many or nested.only or nested.exclude)


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
