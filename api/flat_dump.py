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
from operator import attrgetter
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
        self._keys = tuple(key for key, _, _ in found)
        self._get = _getter([attribute for _, attribute, _ in found])
        self._times = tuple(key for key, _, is_time in found if is_time)

    def dump(self, rows: Iterable[Any]) -> list[dict[str, Any]]:
        keys, get, times = self._keys, self._get, self._times
        out = []
        for row in rows:
            item = dict(zip(keys, get(row), strict=True))  # every value in one call, not a getattr per field
            for key in times:
                value = item[key]
                if isinstance(value, datetime):
                    item[key] = value.isoformat()
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
        self._keys = tuple(key for key, _, _ in self._fields)
        self._get = _getter([attribute for _, attribute, _ in self._fields])
        self._converted = tuple((key, convert) for key, _, convert in self._fields if convert is not None)

    def dump(self, obj: Any) -> dict[str, Any]:
        item = dict(zip(self._keys, self._get(obj), strict=True))
        for key, convert in self._converted:
            value = item[key]
            if value is not None:
                item[key] = convert(value)
        return item


def _getter(attributes: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving the values of ``attributes`` of an object as a tuple (one C call for all of them)."""
    if len(attributes) == 1:
        one = attrgetter(attributes[0])
        return lambda obj: (one(obj),)
    return attrgetter(*attributes)  # type: ignore[return-value]


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
