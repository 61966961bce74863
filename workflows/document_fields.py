"""The attachment fields of a form: array fields of document ids declaring ``x-document`` (docs/documents.md).

A field ``{"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems", "maxItems",
"x-document": {"accept": ["pdf", "docx"…], "product": true | {"number": KEY, "date": KEY}}}`` holds ids of
uploaded documents. Pure functions over the schema and the data: the completion check (``deadlines``), the
deploy check (``definitions``) and the record's display read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import file_types
from .form_display import property_schema

X_DOCUMENT = "x-document"
MAX_ITEMS = 100  # the most files one field may take (maxItems is required: a bound before any query per item)


@dataclass(frozen=True)
class DocumentField:
    """One attachment field: its key and title, the content types it accepts (all allowed ones when the form
    names none), its count bounds, whether its files are the activity's product ("Sản phẩm") and the companion
    fields holding the issued document's number (số, ký hiệu) and date (ngày ban hành)."""

    key: str
    title: str
    accept: tuple[str, ...]
    min_items: int
    max_items: int | None
    product: bool
    number_key: str | None = None
    date_key: str | None = None


def _top_level_keys(schema: Mapping[str, Any]) -> list[str]:
    """Every key declared at the top of a form, through allOf/anyOf/oneOf and if/then/else, in order."""
    keys: list[str] = []
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if not isinstance(node, Mapping):
            continue
        props = node.get("properties")
        if isinstance(props, Mapping):
            keys.extend(str(k) for k in props if str(k) not in keys)
        for name in ("allOf", "anyOf", "oneOf"):
            subs = node.get(name)
            if isinstance(subs, list):
                stack.extend(subs)
        stack.extend(node.get(name) for name in ("if", "then", "else"))
    return keys


def _bound(value: Any, default: int | None) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default


def _field(key: str, prop: Mapping[str, Any]) -> DocumentField:
    spec = prop.get(X_DOCUMENT)
    spec = spec if isinstance(spec, Mapping) else {}
    accept = spec.get("accept")
    types = file_types.content_types(accept) if isinstance(accept, list) and accept else file_types.ALLOWED
    product = spec.get("product")
    companions = product if isinstance(product, Mapping) else {}
    number, day = companions.get("number"), companions.get("date")
    title = prop.get("title")
    return DocumentField(
        key=key,
        title=title.strip() if isinstance(title, str) and title.strip() else key,
        accept=tuple(types),
        min_items=_bound(prop.get("minItems"), 0) or 0,
        max_items=_bound(prop.get("maxItems"), None),
        product=product is True or bool(companions),
        number_key=number if isinstance(number, str) else None,
        date_key=day if isinstance(day, str) else None,
    )


def document_fields(schema: Mapping[str, Any] | None) -> dict[str, DocumentField]:
    """The top-level fields of a form that declare ``x-document``, by key, in the form's order."""
    if not isinstance(schema, Mapping):
        return {}
    found: dict[str, DocumentField] = {}
    for key in _top_level_keys(schema):
        prop = property_schema(schema, key)
        if prop is not None and X_DOCUMENT in prop:
            found[key] = _field(key, prop)
    return found


def document_ids(fields: Mapping[str, DocumentField], data: Mapping[str, Any] | None) -> dict[str, list[int]]:
    """The document ids each attachment field holds in ``data`` (fields absent from the data are left out;
    values that are not whole numbers are skipped — the form's validation refuses them)."""
    if not isinstance(data, Mapping):
        return {}
    ids: dict[str, list[int]] = {}
    for key in fields:
        value = data.get(key)
        if isinstance(value, list):
            ids[key] = [item for item in value if isinstance(item, int) and not isinstance(item, bool)]
    return ids


# --------------------------------------------------------------------------- the deploy check

_SPEC_KEYS = ("accept", "product")
_COMPANIONS = ("number", "date")


def schema_problems(schema: Mapping[str, Any]) -> list[str]:
    """What is wrong with a form's attachment fields, in Vietnamese (the deploy's ``check_form`` hook): an
    ``x-document`` field is an array of integers; ``accept`` names known extensions; ``product`` is true/false or
    names companion fields of the same form."""
    keys = _top_level_keys(schema)
    problems: list[str] = []
    for key in keys:
        prop = property_schema(schema, key)
        if prop is not None and X_DOCUMENT in prop:
            problems.extend(f"trường «{key}»: {p}" for p in _field_problems(prop, keys))
    return problems


def _field_problems(prop: Mapping[str, Any], keys: list[str]) -> list[str]:
    problems: list[str] = []
    items = prop.get("items")
    if prop.get("type") != "array" or not isinstance(items, Mapping) or items.get("type") != "integer":
        problems.append(
            'trường tệp (x-document) phải là danh sách mã tài liệu: "type": "array", "items": {"type": "integer"}.'
        )
    low, high = _bound(prop.get("minItems"), 0) or 0, _bound(prop.get("maxItems"), None)
    if high is None or not 1 <= high <= MAX_ITEMS:
        problems.append(f"cần maxItems (số tệp tối đa) từ 1 đến {MAX_ITEMS}.")
    elif high < low:
        problems.append("maxItems nhỏ hơn minItems.")
    spec = prop.get(X_DOCUMENT)
    if not isinstance(spec, Mapping):
        return [*problems, "x-document phải là một đối tượng (accept, product)."]
    unknown = sorted(str(k) for k in spec if k not in _SPEC_KEYS)
    if unknown:
        problems.append(f"x-document có khóa không được hỗ trợ: {', '.join(unknown)} (chỉ accept, product).")
    if "accept" in spec:
        problems.extend(_accept_problems(spec["accept"]))
    if "product" in spec:
        problems.extend(_product_problems(spec["product"], keys))
    return problems


def _accept_problems(accept: Any) -> list[str]:
    known = ", ".join(file_types.EXTENSIONS)
    if not isinstance(accept, list) or not accept:
        return [f"x-document.accept phải là danh sách đuôi tệp, trong số: {known}."]
    wrong = [str(ext) for ext in accept if not isinstance(ext, str) or ext not in file_types.EXTENSIONS]
    return [f"x-document.accept có loại tệp không được phép: {', '.join(wrong)} (chỉ: {known})."] if wrong else []


def _product_problems(product: Any, keys: list[str]) -> list[str]:
    if isinstance(product, bool):
        return []
    if not isinstance(product, Mapping) or not product:
        return ['x-document.product phải là true, false hoặc {"number": "<trường số>", "date": "<trường ngày>"}.']
    problems = []
    for name, value in product.items():
        if name not in _COMPANIONS:
            problems.append(f"x-document.product có khóa không được hỗ trợ: {name} (chỉ number, date).")
        elif not isinstance(value, str) or value not in keys:
            problems.append(f"x-document.product.{name} phải là tên một trường của biểu mẫu (không có «{value}»).")
    return problems
