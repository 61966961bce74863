"""Estimating what an operation of diagram code would allocate, and ranges whose iteration checks the budget.

Shared by the guards of ``script_guards`` (operators, f-strings, builtins) and ``script_methods`` (methods of
text and containers). Estimates are upper bounds in bytes, rough on purpose: a result estimated below
``SMALL`` is not accounted at all; larger ones are reserved from the run's budget (``RunBudget.reserve``)
before they are computed.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Sized
from itertools import islice
from typing import Any

from .script_limits import current_run

SMALL = 4096  # results estimated below this many bytes are not accounted at all
RANGE_DIRECT = 100_000  # longer ranges are BudgetedRange
_CHUNK = 1024
POINTER = 8
_INT_OBJECT = 32
_CHAR_OBJECT = 80  # a one-character str outside Latin-1 (those in Latin-1 are shared)
PART = 80  # one piece of a split: the str object and its list slot
DICT_ENTRY = 64
SET_ENTRY = 48
INTS = frozenset({int, bool})
NUMBERS = frozenset({int, bool, float, complex})
PLAIN = frozenset({int, bool, float, type(None)})
TEXTS = (str, bytes, bytearray)
SEQUENCES = (str, bytes, bytearray, list, tuple)
VIEWS: tuple[type[Sized], ...] = (type({}.keys()), type({}.values()), type({}.items()))
_DIGITS = re.compile(r"\d+")


# --- estimating ------------------------------------------------------------------------------------------------


def reserve(nbytes: int) -> None:
    """Reserve ``nbytes`` from the current run's memory budget (nothing below ``SMALL``)."""
    if nbytes > SMALL:
        current_run().reserve(nbytes)


def kind_of(text: Any) -> int:
    """Bytes per character of a str (1 for bytes)."""
    if type(text) is not str or text.isascii():
        return 1
    return min(4, max(1, round((sys.getsizeof(text) - 72) / (len(text) + 1))))


def sized(value: Any) -> int | None:
    """How many items materialising ``value`` gives, if that is known without iterating it."""
    if isinstance(value, SIZED):
        try:
            return len(value)
        except OverflowError:
            return 1 << 63
    return None


def _item_cost(value: Any) -> int:
    """Bytes a new object costs per item when ``value`` is materialised (ints of a range, characters of a str)."""
    if isinstance(value, (range, BudgetedRange)):
        return _INT_OBJECT
    if type(value) is str and kind_of(value) > 1:
        return _CHAR_OBJECT
    return 0


def reserve_items(value: Any, per_item: int) -> None:
    """Reserve what materialising ``value`` costs at ``per_item`` bytes an item (when its length is known)."""
    n = sized(value)
    if n is not None:
        reserve(n * (per_item + _item_cost(value)))


def spec_number(spec: str | None, star: int) -> int:
    """A width or precision of a format: digits, ``*`` (then ``star``) or nothing."""
    if not spec:
        return 0
    if spec == "*":
        return star
    return 10**13 if len(spec) > 12 else int(spec)


def spec_width(spec: str) -> int:
    """An upper bound of the width and precision a format spec asks for."""
    return sum(spec_number(digits, 0) for digits in _DIGITS.findall(spec))


def text_size(value: Any) -> int:
    """An upper estimate of ``len(str(value))`` / ``len(repr(value))``, stopping soon after the memory budget."""
    run = current_run()
    return _text(value, {}, set(), run.limits.memory_bytes, run.tick)


def _text(value: Any, memo: dict[int, int], active: set[int], limit: int, tick: Callable[[], bool]) -> int:
    kind = type(value)
    if kind is str:
        return len(value) + 2 if len(value) < 64 or value.isprintable() else 4 * len(value) + 2
    if kind in INTS:
        return value.bit_length() // 3 + 2
    if kind in PLAIN or kind is complex:
        return 48
    if kind in (bytes, bytearray):
        return 4 * len(value) + 14
    if not isinstance(value, (list, tuple, set, frozenset, dict)):
        return 64 + sys.getsizeof(value)
    key = id(value)
    if key in memo:
        return memo[key]
    if key in active:
        return 5  # [...]
    active.add(key)
    if isinstance(value, dict):
        total = 16 + _items_text(value.keys(), memo, active, limit, tick)
        if total <= limit:
            total += _items_text(value.values(), memo, active, limit, tick)
    else:
        total = 16 + _items_text(value, memo, active, limit, tick)
    active.discard(key)
    memo[key] = total
    return total


def _items_text(items: Any, memo: dict[int, int], active: set[int], limit: int, tick: Callable[[], bool]) -> int:
    total = 0
    for count, item in enumerate(items, 1):
        if count & 1023 == 0:  # the walk of a large container is itself budgeted
            tick()
        kind = type(item)
        if kind is str and len(item) < 64:  # the common cases inline: this loop may see millions of items
            total += len(item) + 4
        elif kind is int:
            total += item.bit_length() // 3 + 4
        else:
            total += _text(item, memo, active, limit, tick) + 4
        if total > limit:
            break
    return total


def reserve_text(chars: int, kind: int = 2) -> None:
    """Reserve text of ``chars`` characters at ``kind`` bytes each."""
    reserve(chars * kind)


# --- long ranges ----------------------------------------------------------------------------------------------


def guarded_range(*args: Any) -> Any:
    """``range``: a long range is a ``BudgetedRange`` (its iteration checks the budget)."""
    real = range(*args)
    try:
        short = len(real) <= RANGE_DIRECT
    except OverflowError:
        short = False
    return real if short else BudgetedRange(real)


def _budgeted(iterator: Iterator[Any]) -> Iterator[Any]:
    check = current_run().check
    while True:
        chunk = list(islice(iterator, _CHUNK))
        if not chunk:
            return
        check()
        yield from chunk


class BudgetedRange:
    """A ``range`` too long to iterate in one C call: iterating it checks the run's budget every 1,024 items."""

    __slots__ = ("_range",)

    def __init__(self, real: range) -> None:
        self._range = real

    def __iter__(self) -> Iterator[Any]:
        return _budgeted(iter(self._range))

    def __reversed__(self) -> Iterator[Any]:
        return _budgeted(reversed(self._range))

    def __len__(self) -> int:
        return len(self._range)

    def __bool__(self) -> bool:
        return bool(self._range)

    def __contains__(self, item: Any) -> bool:
        return item in self._range

    def __getitem__(self, index: Any) -> Any:
        found = self._range[index]
        return guarded_range(found.start, found.stop, found.step) if isinstance(found, range) else found

    def __eq__(self, other: object) -> bool:
        return self._range == (other._range if isinstance(other, BudgetedRange) else other)

    def __hash__(self) -> int:
        return hash(self._range)

    def __repr__(self) -> str:
        return repr(self._range)

    @property
    def start(self) -> int:
        return self._range.start

    @property
    def stop(self) -> int:
        return self._range.stop

    @property
    def step(self) -> int:
        return self._range.step

    def index(self, value: Any) -> int:
        return self._range.index(value)

    def count(self, value: Any) -> int:
        return self._range.count(value)


SIZED: tuple[type[Sized], ...] = (*SEQUENCES, *VIEWS, dict, set, frozenset, range, BudgetedRange)
