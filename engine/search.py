"""Searching lists: a folded text per instance and the word-start match of every token of a query.

Text is folded the same way on the way in and at query time: Unicode NFKD without combining marks, đ/Đ as d,
case-folded, split into words at whitespace and punctuation (``.``, ``_``, ``%`` and ``-`` inside a word stay:
"I.3.1", "periodic_report"). The stored text is the unique words between single spaces, with a space at each
end, so a word start is the pattern ``" " + token``: a token of three characters or more matches a word it
begins, a shorter one only a word it equals ("quy I" finds "Quý I/2024", not "Quý II/2024"). The same LIKE
patterns run on SQLite and PostgreSQL; wildcards typed by a user are escaped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from .models import ProcessDefinition, ProcessInstance

MAX_QUERY_TOKENS = 12  # a query's first twelve words; the rest add nothing a person would type
PREFIX_MIN = 3  # shorter tokens must equal a word
ESCAPE = "\\"

_SEPARATORS = re.compile(r"[^\w.%-]+")
_EDGE = ".-"


def fold(text: str) -> str:
    """Lower case ASCII-like text: diacritics dropped, đ → d (Vietnamese), NFKD compatibility forms."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str | None) -> list[str]:
    """The folded words of ``text``, in order (dots and dashes at a word's ends dropped)."""
    if not text:
        return []
    found = (w.strip(_EDGE) for w in _SEPARATORS.split(fold(text)))
    return [w for w in found if w]


def search_text(parts: Iterable[str | None]) -> str:
    """The stored search text of ``parts``: their unique folded words, space-separated, a space at each end."""
    seen: dict[str, None] = {}
    for part in parts:
        for word in words(part):
            seen.setdefault(word, None)
    return f" {' '.join(seen)} " if seen else " "


def _escape_like(token: str) -> str:
    return token.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def like_patterns(query: str | None) -> list[str] | None:
    """The LIKE patterns (escaped with ``ESCAPE``) a searched column must all match: every token of ``query`` starts
    a word of it. None: no query; none: a query of no words (never true)."""
    if query is None or not query.strip():
        return None
    tokens = list(dict.fromkeys(words(query)))[:MAX_QUERY_TOKENS]
    return [f"% {_escape_like(t)}%" if len(t) >= PREFIX_MIN else f"% {_escape_like(t)} %" for t in tokens]


def refresh_unit(session: Session, unit_code: str, extra_words: Callable[[dict[str, Any]], Sequence[str]]) -> int:
    """Recompute the search text of every instance of ``unit_code`` (its name changed); returns how many.

    ``extra_words(data)``: the caller's words for an instance with this start data, as at its start.
    """
    found = session.execute(
        select(
            ProcessInstance.id,
            ProcessInstance.title,
            ProcessInstance.process_key,
            ProcessDefinition.name,
            ProcessInstance.data,
        )
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(ProcessInstance.unit_code == unit_code)
    ).all()
    if not found:
        return 0
    table: Table = ProcessInstance.__table__  # type: ignore[assignment]
    session.execute(
        update(table).where(table.c.id == bindparam("b_id")).values(search_text=bindparam("b_text")),
        [
            {"b_id": id_, "b_text": search_text([title, key, name, unit_code, *extra_words(data or {})])}
            for id_, title, key, name, data in found
        ],
    )
    return len(found)
