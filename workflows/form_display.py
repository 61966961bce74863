"""Data as people read it: labels from the forms' JSON schemas, display values (enum titles, Có/Không,
dd/mm/yyyy dates, lists, the uploaded documents of attachment fields), and whether a step's completion
returned the work (Trả lại).

Pure functions over plain values: the use cases (``records``) read the schemas and the data, this module only
turns them into ``FieldDisplay`` rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from engine.clock import LOCAL_TZ

EMPTY = "—"
YES, NO = "Có", "Không"
MISSING_DOCUMENT = "Tài liệu không còn"  # an id of an attachment field that no longer resolves
# An attachment field declares it (docs/documents.md); ``document_fields`` reads the rest of the declaration.
X_DOCUMENT = "x-document"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
# The free-text note of a completion that does not return the work ("Ghi chú", "Ý kiến"…).
_NOTE_KEY = re.compile(r"^(comments?|notes?)$|_(note|comment)$")
# A decision form: "decision" with a "return" choice and its return_reason (or reason), or an "approved"
# boolean with a reason. Same convention as the task page's approve / return buttons (lib/decision.js).
RETURN_CHOICE = "return"
_REASON_KEYS = ("return_reason", "reason")
_COMBINATORS = ("allOf", "anyOf", "oneOf")
_BRANCHES = ("if", "then", "else")


@dataclass(frozen=True)
class DocumentInfo:
    """An uploaded document as a field shows it; ``name`` (and the rest) None when the id no longer resolves
    (or names a document the reader may not see)."""

    id: int
    name: str | None = None
    size: int | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class FieldDisplay:
    """One field as shown: its key, its label (the form's title, else the key), the raw value, the text to
    show, what kind of value it is, the shown items of a list (each document's name of a ``documents``
    field), the documents of an attachment field, and whether it is technical (no form names it, or the
    process computes it)."""

    key: str
    label: str
    value: Any
    display: str
    kind: str  # text | number | boolean | date | datetime | enum | list | documents | object | empty
    items: list[str] | None = None
    technical: bool = False
    documents: list[DocumentInfo] | None = None


@dataclass(frozen=True)
class Decision:
    """Whether a completion returned the work, with the reason it gave."""

    returned: bool
    reason: str | None = None
    reason_key: str | None = None  # the field that holds the reason in a decision form


# --------------------------------------------------------------------------- schemas


def property_schema(schema: Mapping[str, Any] | None, key: str) -> dict[str, Any] | None:
    """The schema of the top-level field ``key`` of a form (through allOf/anyOf/oneOf and if/then/else),
    the one with a title first, merged with the other declarations of the same field."""
    found = list(_declarations(schema, key))
    if not found:
        return None
    found.sort(key=lambda node: "title" not in node)
    merged: dict[str, Any] = {}
    for node in reversed(found):
        merged.update(node)
    return merged


def _declarations(schema: Any, key: str) -> Iterator[dict[str, Any]]:
    if not isinstance(schema, Mapping):
        return
    props = schema.get("properties")
    if isinstance(props, Mapping) and isinstance(props.get(key), Mapping):
        yield dict(props[key])
    for name in _COMBINATORS:
        for sub in schema.get(name) or ():
            yield from _declarations(sub, key)
    for name in _BRANCHES:
        yield from _declarations(schema.get(name), key)


def label_of(schema: Mapping[str, Any] | None, key: str) -> str | None:
    """The form's title of field ``key``, or None when the form does not name it."""
    prop = property_schema(schema, key)
    title = prop.get("title") if prop else None
    return title.strip() if isinstance(title, str) and title.strip() else None


def field_order(schema: Mapping[str, Any] | None) -> list[str]:
    """The top-level fields of a form in the author's order."""
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    return [str(k) for k in props] if isinstance(props, Mapping) else []


# --------------------------------------------------------------------------- values


def choice_titles(prop: Mapping[str, Any] | None) -> dict[Any, str]:
    """The titles of a field's choices: ``oneOf``/``anyOf`` of const + title, or ``enum`` with ``enumNames``."""
    if not prop:
        return {}
    titles: dict[Any, str] = {}
    for name in ("oneOf", "anyOf"):
        for option in prop.get(name) or ():
            if isinstance(option, Mapping) and "const" in option and isinstance(option.get("title"), str):
                titles[_hashable(option["const"])] = option["title"]
    enum, names = prop.get("enum"), prop.get("enumNames")
    if isinstance(enum, list) and isinstance(names, list):
        for value, title in zip(enum, names, strict=False):
            if isinstance(title, str):
                titles.setdefault(_hashable(value), title)
    return titles


def _hashable(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool)) or value is None else repr(value)


def is_attachment(prop: Mapping[str, Any] | None) -> bool:
    """Whether a field is an attachment field (its form declares ``x-document``: a list of document ids)."""
    return prop is not None and X_DOCUMENT in prop


def document_id_list(value: Any) -> list[int] | None:
    """The document ids of an attachment field's value; None when it is not a list of ids (old data held file
    names: it shows as a plain list)."""
    if isinstance(value, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in value):
        return list(value)
    return None


def shown_documents(ids: list[int], known: Mapping[int, DocumentInfo]) -> list[DocumentInfo]:
    """The documents of an attachment field, in its order; an id ``known`` does not hold shows without a name."""
    return [known.get(i) or DocumentInfo(i) for i in ids]


def documents_text(documents: Iterable[DocumentInfo]) -> str:
    """The documents' names joined by ", " ("Tài liệu không còn" for one that no longer resolves)."""
    return ", ".join(d.name or MISSING_DOCUMENT for d in documents) or EMPTY


def format_number(value: int | float) -> str:
    """A number as written in Vietnamese: ``,`` before decimals (8,5); whole numbers as they are (a year, a code)."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.6f}".rstrip("0").replace(".", ",")
    return str(int(value))


def format_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime) -> str:
    """dd/mm/yyyy HH:mm in the local zone (a naive value is taken as local time, as diagram code writes it)."""
    moment = value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def _text(value: str, prop: Mapping[str, Any] | None) -> tuple[str, str]:
    fmt = prop.get("format") if prop else None
    if _ISO_DATE.match(value) and fmt in (None, "date"):
        try:
            return "date", format_date(date.fromisoformat(value))
        except ValueError:
            return "text", value
    if _ISO_DATETIME.match(value) and fmt in (None, "date-time"):
        try:
            return "datetime", format_datetime(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return "text", value
    return "text", value


def display_value(key: str, value: Any, prop: Mapping[str, Any] | None) -> tuple[str, str, list[str] | None]:
    """How a value shows: (kind, text, items). Choices show their titles, booleans Có/Không, ISO dates
    dd/mm/yyyy, lists their items, objects "Nhãn: giá trị; …" (attachment fields: ``field``)."""
    if value is None or value == "" or value == [] or value == {}:
        return "empty", EMPTY, None
    titles = choice_titles(prop)
    if not isinstance(value, (list, dict)) and _hashable(value) in titles:
        return "enum", titles[_hashable(value)], None
    if isinstance(value, bool):
        return "boolean", YES if value else NO, None
    if isinstance(value, (int, float)):
        return "number", format_number(value), None
    if isinstance(value, str):
        kind, text = _text(value, prop)
        return kind, text, None
    if isinstance(value, list):
        items_schema = prop.get("items") if prop else None
        item_prop = items_schema if isinstance(items_schema, Mapping) else None
        items = [_item_text(key, item, item_prop) for item in value]
        return "list", "; ".join(items), items
    if isinstance(value, dict):
        return "object", _object_text(value, prop), None
    return "text", str(value), None


def _item_text(key: str, item: Any, prop: Mapping[str, Any] | None) -> str:
    if isinstance(item, dict):
        return _object_text(item, prop)
    return display_value(key, item, prop)[1]


def _object_text(value: Mapping[str, Any], prop: Mapping[str, Any] | None) -> str:
    parts = []
    for key, item in value.items():
        sub = property_schema(prop, str(key))
        label = label_of(prop, str(key)) or str(key)
        parts.append(f"{label}: {_item_text(str(key), item, sub)}")
    return "; ".join(parts) if parts else EMPTY


def field(
    key: str,
    value: Any,
    schema: Mapping[str, Any] | None,
    *,
    technical: bool = False,
    documents: Mapping[int, DocumentInfo] | None = None,
) -> FieldDisplay:
    """One field of data labelled by its form ``schema`` (the key itself when the form does not name it); an
    attachment field's ids become its ``documents`` (resolved by the caller into ``documents``)."""
    prop = property_schema(schema, key)
    label = label_of(schema, key) or key
    ids = document_id_list(value) if is_attachment(prop) and value else None
    if ids is not None:
        shown = shown_documents(ids, documents or {})
        names = [d.name or MISSING_DOCUMENT for d in shown]
        return FieldDisplay(key, label, value, documents_text(shown), "documents", names, technical, shown)
    kind, text, items = display_value(key, value, prop)
    return FieldDisplay(key, label, value, text, kind, items, technical)


# --------------------------------------------------------------------------- completions


def decision_of(data: Mapping[str, Any]) -> Decision:
    """Whether a completion's data returns the work (``decision == "return"``, or ``approved`` false), and its
    reason (``return_reason`` or ``reason``)."""
    if data.get("decision") == RETURN_CHOICE:
        key = next((k for k in _REASON_KEYS if k in data), None)
    elif "approved" in data and data.get("approved") is False:
        key = "reason" if "reason" in data else None
    else:
        return Decision(False)
    reason = data.get(key) if key else None
    return Decision(True, reason.strip() if isinstance(reason, str) and reason.strip() else None, key)


def is_decision_form(data: Mapping[str, Any]) -> bool:
    """The completion answered a decision form (approve or return)."""
    return "decision" in data or isinstance(data.get("approved"), bool)


def stale_reasons(data: Mapping[str, Any]) -> frozenset[str]:
    """The return-reason keys of decision data that does not return the work: an earlier return's reason (kept
    in an instance's data, or sent back along by an old page), not this decision's."""
    if is_decision_form(data) and not decision_of(data).returned:
        return frozenset(k for k in _REASON_KEYS if k in data)
    return frozenset()


def submitted_fields(
    data: Mapping[str, Any], schema: Mapping[str, Any] | None, documents: Mapping[int, DocumentInfo] | None = None
) -> list[FieldDisplay]:
    """What a completion submitted, labelled by its step's form, in the form's order (no stale return reason);
    the ids of its attachment fields resolved through ``documents``."""
    skip = stale_reasons(data)
    keys = _ordered(data, field_order(schema))
    return [field(k, data[k], schema, documents=documents) for k in keys if k not in skip]


def _ordered(data: Mapping[str, Any], order: Iterable[str]) -> list[str]:
    first = [k for k in order if k in data]
    return first + [k for k in data if k not in first]


def completion_comment(data: Mapping[str, Any]) -> str | None:
    """The comment of a completion: the return's reason, else its notes (``comment``, ``…_note``)."""
    decision = decision_of(data)
    if decision.returned:
        return decision.reason
    notes = [v.strip() for k, v in data.items() if _NOTE_KEY.search(k) and isinstance(v, str) and v.strip()]
    return "\n".join(notes) or None
