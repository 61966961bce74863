"""Guarded methods of text and containers: the ones whose result can be much larger than their object.

``'x'.ljust(10**9)``, ``s.replace('a', s)``, ``' '.join(parts)``, ``big.split()``, ``(1).to_bytes(10**9)``…:
the sandbox's attribute guard hands restricted code these versions instead (``method_guard``); each
estimates its result and reserves it from the run's budget before calling the real method.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MethodType
from typing import Any

from .script_guards import GuardedType, guarded_list
from .script_sizes import DICT_ENTRY, INTS, PART, POINTER, SET_ENTRY, SMALL, TEXTS, kind_of, reserve, reserve_items

_WHITESPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(
    chr(c) for c in range(0x2000, 0x200B)
)
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _texts_kind(sep: Any, parts: Any) -> int:
    if type(sep) is not str:
        return 1
    return 1 if sep.isascii() and all(p.isascii() for p in parts if type(p) is str) else 4


def _join(sep: Any, iterable: Any) -> Any:
    parts = iterable if type(iterable) in (list, tuple) else guarded_list(iterable)
    try:
        total = sum(map(len, parts)) + len(sep) * max(len(parts) - 1, 0)
    except TypeError:
        return sep.join(parts)  # raises the usual error
    if total > SMALL:
        reserve(total * _texts_kind(sep, parts))
    return sep.join(parts)


def _replace(text: Any, *args: Any, **kwargs: Any) -> Any:
    if len(args) >= 2 and isinstance(args[0], TEXTS) and isinstance(args[1], TEXTS):
        old: Any = args[0]
        new: Any = args[1]
        count = args[2] if len(args) > 2 else kwargs.get("count", -1)
        if len(new) > len(old) and type(old) is type(text):
            hits = text.count(old) if old else len(text) + 1
            if type(count) in INTS and count >= 0:
                hits = min(hits, count)
            reserve((len(text) + hits * (len(new) - len(old))) * max(kind_of(text), kind_of(new)))
    return text.replace(*args, **kwargs)


def _padding(name: str) -> Callable[..., Any]:
    def pad(text: Any, *args: Any, **kwargs: Any) -> Any:
        if args and type(args[0]) in INTS:
            fill = args[1] if len(args) > 1 else ""
            reserve(args[0] * max(kind_of(text), kind_of(fill)))
        return getattr(type(text), name)(text, *args, **kwargs)

    return pad


def _expandtabs(text: Any, *args: Any, **kwargs: Any) -> Any:
    size = args[0] if args else kwargs.get("tabsize", 8)
    if type(size) in INTS and size > 1:
        tab = "\t" if type(text) is str else b"\t"
        reserve((len(text) + text.count(tab) * size) * kind_of(text))
    return text.expandtabs(*args, **kwargs)


def _count_any(text: Any, chars: str) -> int:
    if type(text) is str:
        return sum(text.count(c) for c in chars)
    return sum(text.count(c.encode("latin-1")) for c in chars if ord(c) < 128)


def _splitting(name: str) -> Callable[..., Any]:
    def split(text: Any, *args: Any, **kwargs: Any) -> Any:
        if len(text) > SMALL // 4:
            sep: Any = args[0] if args else kwargs.get("sep")
            limit = args[1] if len(args) > 1 else kwargs.get("maxsplit", -1)
            if sep is None:
                parts = _count_any(text, _WHITESPACE) + 1
            elif type(sep) is type(text) and sep:
                parts = text.count(sep) + 1
            else:
                parts = 1
            if type(limit) in INTS and limit >= 0:
                parts = min(parts, limit + 1)
            reserve(parts * PART + len(text) * kind_of(text))
        return getattr(type(text), name)(text, *args, **kwargs)

    return split


def _splitlines(text: Any, *args: Any, **kwargs: Any) -> Any:
    if len(text) > SMALL // 4:
        reserve((_count_any(text, _LINE_BREAKS) + 1) * PART + len(text) * kind_of(text))
    return text.splitlines(*args, **kwargs)


def _growing(name: str, factor: int) -> Callable[..., Any]:
    """A text method whose result is at most ``factor`` times as long as its input (per character, in bytes)."""

    def grow(text: Any, *args: Any, **kwargs: Any) -> Any:
        if len(text) > SMALL // factor and not (type(text) is str and text.isascii()):
            reserve(len(text) * factor)
        return getattr(type(text), name)(text, *args, **kwargs)

    return grow


def _encode(text: str, *args: Any, **kwargs: Any) -> bytes:
    if len(text) > SMALL // 4 and not text.isascii():
        errors = args[1] if len(args) > 1 else kwargs.get("errors", "strict")
        reserve(len(text) * (10 if errors != "strict" else 4))
    return text.encode(*args, **kwargs)


def _translate(text: Any, table: Any, *args: Any) -> Any:
    if type(text) is str and isinstance(table, Mapping):
        longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1)
        reserve(len(text) * max(longest, 1) * 4)
    return text.translate(table, *args)


def _to_bytes(number: int, *args: Any, **kwargs: Any) -> bytes:
    length = args[0] if args else kwargs.get("length", 1)
    if type(length) in INTS:
        reserve(length)
    return number.to_bytes(*args, **kwargs)


def _extend(items: list[Any], iterable: Any) -> None:
    reserve_items(iterable, POINTER)
    items.extend(iterable)


def _copying(per_item: int) -> Callable[[Any], Any]:
    def copy(container: Any) -> Any:
        reserve(len(container) * per_item)
        return container.copy()

    return copy


def _update(mapping: dict[Any, Any], *args: Any, **kwargs: Any) -> None:
    if args:
        reserve_items(args[0], DICT_ENTRY)
    mapping.update(*args, **kwargs)


def _fromkeys(iterable: Any, value: Any = None) -> dict[Any, Any]:
    reserve_items(iterable, DICT_ENTRY)
    return dict.fromkeys(iterable, value)


_TEXT_METHODS: dict[str, Callable[..., Any]] = {
    "join": _join, "replace": _replace, "ljust": _padding("ljust"), "rjust": _padding("rjust"),
    "center": _padding("center"), "zfill": _padding("zfill"), "expandtabs": _expandtabs,
    "split": _splitting("split"), "rsplit": _splitting("rsplit"), "splitlines": _splitlines,
}  # fmt: skip
_BOUND: dict[tuple[type, str], Callable[..., Any]] = {
    **{(str, name): guard for name, guard in _TEXT_METHODS.items()},
    **{(bytes, name): guard for name, guard in _TEXT_METHODS.items()},
    **{(str, name): _growing(name, 12) for name in ("upper", "lower", "casefold", "swapcase", "title", "capitalize")},
    (str, "encode"): _encode, (str, "translate"): _translate,
    (bytes, "hex"): _growing("hex", 3), (bytes, "decode"): _growing("decode", 16),
    (int, "to_bytes"): _to_bytes, (list, "extend"): _extend,
    (list, "copy"): _copying(POINTER), (dict, "copy"): _copying(DICT_ENTRY), (set, "copy"): _copying(SET_ENTRY),
    (dict, "update"): _update,
}  # fmt: skip
_STATIC: dict[tuple[type, str], Callable[..., Any]] = {(dict, "fromkeys"): _fromkeys}


def method_guard(obj: Any, name: str) -> Callable[..., Any] | None:
    """The guarded version of ``obj.name`` (a method that can allocate a lot), or None."""
    if type(obj) is GuardedType:
        real = obj.real
        return _STATIC.get((real, name)) or _BOUND.get((real, name))
    kind = type(obj)
    guard = _BOUND.get((kind, name))
    if guard is not None:
        return MethodType(guard, obj)
    return _STATIC.get((kind, name))
