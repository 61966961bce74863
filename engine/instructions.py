"""Instructions for the person doing a step, written as templates that name the instance's fields.

``instructionsForEndUser`` is a Jinja2 template (``Báo cáo {{ period_label }}, hạn {{ deadline | date_vn }}``),
rendered when a step is viewed, with the instance's data (and the step's own). The language is cut down so that
an admin's template stays cheap whatever the data: no calls (methods, functions, ``range``), no loop inside a
loop, a fixed set of filters, ``*`` and ``**`` refused when they would build a large value, the output cut at
``MAX_OUTPUT`` characters. A name with no value (missing or None) shows "—". A template that does not parse or
fails while rendering shows as written: a step page never fails because of its instructions.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from jinja2 import ChainableUndefined, Template, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from .clock import LOCAL_TZ

MISSING = "—"
MAX_OUTPUT = 20_000
_MAX_BUILT = 10_000  # the longest text or list a template may build with "*"
_MAX_EXPONENT = 64
_FILTERS = (
    "abs", "capitalize", "count", "d", "default", "first", "float", "int", "join", "last", "length", "lower",
    "max", "min", "round", "sort", "string", "sum", "title", "trim", "truncate", "unique", "upper",
)  # fmt: skip


def date_vn(value: Any) -> str:
    """A date or ISO date/datetime as dd/mm/yyyy (a datetime in the local zone); "—" for no value."""
    if value is None or isinstance(value, ChainableUndefined) or value == "":
        return MISSING
    moment: date | datetime | None = value if isinstance(value, date) else None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip()) if "T" in value else date.fromisoformat(value.strip())
        except ValueError:
            return value
    if moment is None:
        return str(value)
    if isinstance(moment, datetime) and moment.tzinfo is not None:
        moment = moment.astimezone(LOCAL_TZ)
    return f"{moment.day:02d}/{moment.month:02d}/{moment.year:04d}"


class _Missing(ChainableUndefined):
    """A name with no value: renders "—", and so does any attribute or item of it."""

    def __str__(self) -> str:
        return MISSING


class _InstructionsEnvironment(SandboxedEnvironment):
    """The sandbox with no calls and bounded ``*`` / ``**``."""

    intercepted_binops = frozenset({"*", "**"})

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        raise SecurityError("Hướng dẫn không được gọi hàm hay phương thức.")

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            if isinstance(right, (int, float)) and abs(right) > _MAX_EXPONENT:
                raise SecurityError("Số mũ quá lớn.")
            return left**right
        for text, times in ((left, right), (right, left)):
            if isinstance(text, (str, list, tuple)) and isinstance(times, int) and len(text) * times > _MAX_BUILT:
                raise SecurityError("Giá trị tạo ra quá dài.")
        return left * right


def _finalize(value: Any) -> Any:
    return MISSING if value is None else value


def _environment() -> _InstructionsEnvironment:
    env = _InstructionsEnvironment(autoescape=False, undefined=_Missing, finalize=_finalize, keep_trailing_newline=True)
    env.filters = {name: env.filters[name] for name in _FILTERS}
    env.filters["date_vn"] = date_vn
    env.globals.clear()
    return env


ENVIRONMENT = _environment()


def is_template(text: str | None) -> bool:
    """Whether the text uses template syntax at all (plain text is shown as it is)."""
    return bool(text) and any(mark in text for mark in ("{{", "{%", "{#"))  # type: ignore[operator]


def parse(source: str) -> nodes.Template:
    """The template's syntax tree; ``TemplateSyntaxError`` (Vietnamese message) when it is not allowed."""
    tree = ENVIRONMENT.parse(source)
    for loop in tree.find_all(nodes.For):
        if any(True for _ in loop.find_all(nodes.For)):
            raise TemplateSyntaxError("Không được đặt vòng lặp for bên trong vòng lặp for.", loop.lineno)
    for call in tree.find_all(nodes.Call):
        raise TemplateSyntaxError("Hướng dẫn không được gọi hàm hay phương thức.", call.lineno)
    return tree


def names(source: str) -> set[str]:
    """The variables a template reads (raises ``TemplateSyntaxError`` like ``parse``)."""
    return set(meta.find_undeclared_variables(parse(source)))


@functools.lru_cache(maxsize=512)
def _compiled(source: str) -> tuple[Template, bool]:
    """The template, and whether it loops (its output is then read piece by piece, to stop at ``MAX_OUTPUT``)."""
    tree = parse(source)  # the rules above, before compiling
    return ENVIRONMENT.from_string(source), any(True for _ in tree.find_all(nodes.For))


_FAILURES = (TemplateError, ArithmeticError, TypeError, ValueError, RecursionError, MemoryError)


def render(source: str | None, data: Mapping[str, Any]) -> str | None:
    """The instructions with the instance's values filled in; the template itself when it cannot be rendered."""
    if source is None or not is_template(source):
        return source
    try:
        template, loops = _compiled(source)
    except _FAILURES:
        return source
    if loops:
        return _streamed(template, data, source)
    try:
        # No loop: the output is as long as the values it prints, joined at once. The template reads ``data``
        # itself (a shared context: nothing copied; the sandbox has no call that could change it).
        text = "".join(template.root_render_func(template.new_context(_as_dict(data), shared=True)))
    except _FAILURES:
        return _streamed(template, data, source)  # what the output held before it grew too long, if it did
    return text if len(text) <= MAX_OUTPUT else text[:MAX_OUTPUT] + "…"


def _as_dict(data: Mapping[str, Any]) -> dict[str, Any]:
    return data if type(data) is dict else dict(data)


def _streamed(template: Template, data: Mapping[str, Any], source: str) -> str:
    """The output read piece by piece, cut after ``MAX_OUTPUT`` characters (a loop may print without end)."""
    try:
        pieces: list[str] = []
        size = 0
        for piece in template.root_render_func(template.new_context(_as_dict(data), shared=True)):
            pieces.append(piece)
            size += len(piece)
            if size > MAX_OUTPUT:
                return "".join(pieces)[:MAX_OUTPUT] + "…"
        return "".join(pieces)
    except _FAILURES:
        return source


class RenderCache:
    """Rendered instructions by (template, instance id, instance version), for the lists.

    Correct across processes and writes as long as the key is: an instance's data never changes without its
    ``version`` changing (every write of the row takes the next version), and a render depends on the template and
    that data alone. Fill it only from committed data (a read-only transaction): a write's own uncommitted version
    could be rolled back and the same version number later written with other data. Bounded: forgotten all at
    once when full.
    """

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._count = 0
        self._by_source: dict[str, dict[tuple[int, int], str]] = {}

    def get(self, source: str, instance_id: int, version: int) -> str | None:
        """The rendered text, or None when not known."""
        found = self._by_source.get(source)
        return None if found is None else found.get((instance_id, version))

    def put(self, source: str, instance_id: int, version: int, text: str) -> None:
        if self._count >= self.size:
            self._by_source.clear()
            self._count = 0
        self._by_source.setdefault(source, {})[instance_id, version] = text
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def clear(self) -> None:
        self._by_source.clear()
        self._count = 0
