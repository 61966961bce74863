"""Guards estimating what one operation of diagram code would allocate, before it runs.

``'a' * 10**9``, ``10**10**10``, ``[0] * 10**9`` each ask for gigabytes in one C call, which nothing can
interrupt. The sandbox compiles ``*``, ``**``, ``<<``, ``+``, ``%``, f-strings and ``*``-unpacking into calls
of the guards below, and gives restricted code guarded versions of the builtins that build containers or
text (``str``, ``list``, ``range``…: ``isinstance`` still works with them); ``script_methods`` does the same
for methods (``join``, ``replace``, ``ljust``…). Each guard estimates its result's size (``script_sizes``)
and reserves it from the run's budget before computing it.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from .script_limits import MAX_INT_BITS, current_run, int_too_large
from .script_sizes import (
    DICT_ENTRY,
    INTS,
    NUMBERS,
    PLAIN,
    POINTER,
    SEQUENCES,
    SET_ENTRY,
    SMALL,
    TEXTS,
    BudgetedRange,
    guarded_range,
    kind_of,
    reserve,
    reserve_items,
    reserve_text,
    spec_number,
    spec_width,
    text_size,
)

_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")


# --- operators ---------------------------------------------------------------------------------------------------


def _check_concat(a: Any, b: Any) -> None:
    if isinstance(a, SEQUENCES) and isinstance(b, SEQUENCES):
        n = len(a) + len(b)
        if n * POINTER > SMALL:
            reserve(n * (POINTER if isinstance(a, (list, tuple)) else max(kind_of(a), kind_of(b))))


def guarded_add(a: Any, b: Any) -> Any:
    """``a + b``: concatenations are accounted."""
    if type(a) in NUMBERS or type(b) in NUMBERS:
        return a + b
    _check_concat(a, b)
    return a + b


def _check_mul(a: Any, b: Any) -> None:
    ta, tb = type(a), type(b)
    if ta in INTS and tb in INTS:
        if a.bit_length() + b.bit_length() > MAX_INT_BITS:
            current_run().fail(int_too_large())
    elif tb in INTS and isinstance(a, SEQUENCES):
        _check_repeat(a, b)
    elif ta in INTS and isinstance(b, SEQUENCES):
        _check_repeat(b, a)


def _check_repeat(seq: Any, times: int) -> None:
    n = len(seq) * times
    if n * POINTER > SMALL:
        reserve(n * (POINTER if isinstance(seq, (list, tuple)) else kind_of(seq)))


def guarded_mul(a: Any, b: Any) -> Any:
    """``a * b``: repetitions and large integer products are checked first."""
    ta, tb = type(a), type(b)
    if ta is int and tb is int:  # the common case first
        if a.bit_length() + b.bit_length() > MAX_INT_BITS:
            current_run().fail(int_too_large())
        return a * b
    if ta is float or tb is float:
        return a * b
    _check_mul(a, b)
    return a * b


def _check_pow(a: Any, b: Any) -> None:
    if (
        type(a) in INTS
        and type(b) in INTS
        and b > 0
        and a not in (0, 1, -1)
        and (b > MAX_INT_BITS or b * math.log2(abs(a)) > MAX_INT_BITS)
    ):
        current_run().fail(int_too_large())


def guarded_pow(a: Any, b: Any) -> Any:
    """``a ** b``: an integer result over ``MAX_INT_BITS`` is refused before it is computed."""
    _check_pow(a, b)
    return a**b


def _check_lshift(a: Any, b: Any) -> None:
    if type(a) in INTS and type(b) in INTS and a and b > 0 and (b > MAX_INT_BITS or a.bit_length() + b > MAX_INT_BITS):
        current_run().fail(int_too_large())


def guarded_lshift(a: Any, b: Any) -> Any:
    """``a << b``, with the same integer limit as ``**``."""
    _check_lshift(a, b)
    return a << b


def _check_mod(a: Any, b: Any) -> None:
    if isinstance(a, TEXTS):
        reserve(_percent_size(a, b) * kind_of(a))


def guarded_mod(a: Any, b: Any) -> Any:
    """``a % b``: printf-style formatting of text is accounted (widths, precisions, the values)."""
    _check_mod(a, b)
    return a % b


def _percent_size(fmt: Any, args: Any) -> int:
    text = fmt.decode("latin-1") if isinstance(fmt, (bytes, bytearray)) else fmt
    specs = _PERCENT.findall(text)
    if not specs:
        return len(fmt)
    values = list(args.values()) if isinstance(args, Mapping) else list(args) if type(args) is tuple else [args]
    star = max((abs(v) for v in values if type(v) in INTS), default=0)
    widths = sum(spec_number(width, star) + spec_number(precision, star) for width, precision in specs)
    biggest = max((text_size(v) for v in values), default=0)
    return len(fmt) + widths + len(specs) * biggest


_INPLACE: dict[str, tuple[Callable[[Any, Any], None] | None, Callable[[Any, Any], Any]]] = {
    "+=": (_check_concat, operator.iadd), "*=": (_check_mul, operator.imul), "**=": (_check_pow, operator.ipow),
    "<<=": (_check_lshift, operator.ilshift), "%=": (_check_mod, operator.imod), "-=": (None, operator.isub),
    "/=": (None, operator.itruediv), "//=": (None, operator.ifloordiv), ">>=": (None, operator.irshift),
    "|=": (None, operator.ior), "^=": (None, operator.ixor), "&=": (None, operator.iand),
    "@=": (None, operator.imatmul),
}  # fmt: skip


def guarded_inplace(op: str, target: Any, value: Any) -> Any:
    """Augmented assignment of a name (``x += y``), with the checks of the plain operator."""
    if op == "+=":  # the common case first
        if type(target) in NUMBERS or type(value) in NUMBERS:
            return target + value  # numbers: the same as in place
        _check_concat(target, value)
        return operator.iadd(target, value)
    check, apply = _INPLACE[op]
    if check is not None:
        check(target, value)
    return apply(target, value)


# --- f-strings and unpacking ---------------------------------------------------------------------------------------


def guarded_format(value: Any, conversion: int = -1, spec: str = "") -> str:
    """One ``{value!conversion:spec}`` of an f-string."""
    if conversion == 115:  # !s
        value = guarded_str(value)
    elif conversion in (114, 97):  # !r, !a
        reserve_text(text_size(value), 10 if conversion == 97 else 2)
        value = repr(value) if conversion == 114 else ascii(value)
    kind = type(value)
    if not spec:  # the common case first: ``{name}``
        if kind is str:
            return value
        if kind not in PLAIN:  # int → str is capped by Python itself (4,300 digits)
            reserve_text(text_size(value))
        return format(value, spec)
    width = spec_width(spec)
    if kind is str:
        reserve((len(value) + width) * kind_of(value))
    elif kind in INTS:
        reserve(value.bit_length() * 2 + width)  # binary is the longest form
    elif kind is float:
        reserve(400 + width)
    else:
        reserve_text(text_size(value) + width + 32 * len(spec))
    return format(value, spec)


def guarded_fstring(*parts: str) -> str:
    """The pieces of an f-string joined, their total accounted."""
    total = sum(map(len, parts))
    if total > SMALL:
        reserve(total * (1 if all(map(str.isascii, parts)) else 4))
    return "".join(parts)


def guarded_star(value: Any) -> Any:
    """``*value`` in a list, tuple, set or call: the items it unpacks are accounted."""
    reserve_items(value, POINTER)
    return value


def guarded_star_map(value: Any) -> Any:
    """``**value`` in a dict display."""
    reserve_items(value, DICT_ENTRY)
    return value


# --- builtins --------------------------------------------------------------------------------------------------------


def guarded_str(*args: Any, **kwargs: Any) -> str:
    """``str(x)``: the text of a container is estimated before it is built."""
    if len(args) == 1 and not kwargs:
        value = args[0]
        kind = type(value)
        if kind is str:
            return value
        if kind not in PLAIN:  # int → str is capped by Python itself (4,300 digits)
            reserve_text(text_size(value))
        return str(value)
    if args and isinstance(args[0], (bytes, bytearray)):
        reserve(len(args[0]) * 4)
    return str(*args, **kwargs)


def _materialising(real: type, per_item: int) -> Callable[..., Any]:
    def make(*args: Any, **kwargs: Any) -> Any:
        if args:
            reserve_items(args[0], per_item)
        if kwargs:
            reserve(len(kwargs) * per_item)
        return real(*args, **kwargs)

    make.__name__ = real.__name__
    return make


guarded_list = _materialising(list, POINTER)
guarded_tuple = _materialising(tuple, POINTER)
guarded_set = _materialising(set, SET_ENTRY)
guarded_dict = _materialising(dict, DICT_ENTRY)


def guarded_sorted(iterable: Any, /, *, key: Callable[[Any], Any] | None = None, reverse: bool = False) -> list[Any]:
    """``sorted``: the new list is accounted."""
    reserve_items(iterable, POINTER)
    return sorted(iterable, key=key, reverse=reverse)


def guarded_sum(iterable: Any, /, start: Any = 0) -> Any:
    """``sum``: summing lists or tuples concatenates them; the result is accounted first."""
    if type(start) in NUMBERS:
        return sum(iterable, start)
    items = guarded_list(iterable)
    if isinstance(start, (list, tuple)):
        reserve((len(start) + sum(len(i) for i in items if isinstance(i, SEQUENCES))) * POINTER)
    return sum(items, start)


def guarded_round(number: Any, ndigits: Any = None) -> Any:
    """``round``: rounding an integer to -N digits computes 10**N; beyond the integer's own size it is 0."""
    if ndigits is None:
        return round(number)
    if type(number) in INTS and type(ndigits) in INTS and -ndigits > number.bit_length() * 0.30103 + 2:
        return 0
    return round(number, ndigits)


class GuardedType(type):
    """A builtin type (``str``, ``list``…) whose calls go through a guard; ``isinstance`` sees the real type."""

    real: type
    instances: tuple[type, ...]
    make: Callable[..., Any]

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls.make(*args, **kwargs)

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, cls.instances)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, cls.instances)

    def __getattr__(cls, name: str) -> Any:
        return getattr(cls.real, name)

    def __repr__(cls) -> str:
        return repr(cls.real)


def _guarded_type(real: type, make: Callable[..., Any], *also: type) -> GuardedType:
    return GuardedType(real.__name__, (), {"real": real, "instances": (real, *also), "make": staticmethod(make)})


GUARDED_BUILTINS: dict[str, Any] = {
    "str": _guarded_type(str, guarded_str),
    "list": _guarded_type(list, guarded_list),
    "tuple": _guarded_type(tuple, guarded_tuple),
    "set": _guarded_type(set, guarded_set),
    "dict": _guarded_type(dict, guarded_dict),
    "range": _guarded_type(range, guarded_range, BudgetedRange),
    "sorted": guarded_sorted,
    "sum": guarded_sum,
    "round": guarded_round,
}
