"""What a name or a free text typed by a user may hold: NFC text without hidden characters.

The same character rule as the deploy validator's for diagram names (``engine.validation.text``): no
bidirectional controls, zero-width characters or other invisible format characters, which can reverse how a
name reads or make two different names look identical. Names are one line; free texts may break lines.
"""

from __future__ import annotations

import unicodedata

from engine.validation.text import character_label, hidden_characters

LINE_BREAKS = "\n\r\t"


def normalise_text(value: str) -> str:
    """The NFC form (Vietnamese typed on some systems arrives decomposed: "e" + U+0302 + U+0301)."""
    return unicodedata.normalize("NFC", value)


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` cannot be stored as a name (``multiline``: a free text), in Vietnamese; None when fine."""
    hidden = hidden_characters(value, allow_controls=LINE_BREAKS if multiline else "")
    if not hidden:
        return None
    labels = ", ".join(character_label(ch) for ch in hidden[:5])
    return f"Có ký tự ẩn hoặc ký tự điều khiển không được phép ({labels}); hãy gõ lại nội dung này."
