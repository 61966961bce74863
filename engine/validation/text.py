"""The text of a bundle: UTF-8 files in NFC, and which characters do not show.

Every file is read as UTF-8 (what the definition table stores) and NFC-normalised before anything reads it:
Vietnamese typed on some systems arrives decomposed ("e" + U+0302 + U+0301), and a name, a lane or a form
title must compare equal however it was typed. ``hidden_characters`` is the rule shared with what users type
in the API (``workflows.text_rules``): no format characters (bidirectional controls U+061C, U+200E/F,
U+202A–U+202E, U+2066–U+2069; zero-width U+200B–U+200D, U+2060, U+FEFF; all of category Cf), no line or
paragraph separators, no control characters unless allowed.
"""

from __future__ import annotations

import unicodedata

from .model import ProblemLog

_SEPARATORS = frozenset("\u2028\u2029")


def utf8_nfc(data: bytes) -> bytes | None:
    """``data`` in NFC, or None when it is not UTF-8 (a leading byte-order mark is dropped)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return unicodedata.normalize("NFC", text).encode("utf-8")


def check_utf8(data: bytes, file: str | None, out: ProblemLog) -> bool:
    """Report a file that is not UTF-8; return whether it is."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        where = f'Tệp "{file}"' if file else "Sơ đồ BPMN"
        out.add(
            "encoding_invalid",
            f"{where} không được mã hóa UTF-8 (byte 0x{data[exc.start]:02X} ở dòng {line} không hợp lệ); "
            "hãy lưu lại tệp với bảng mã UTF-8",
            None,
            line,
            file,
        )
        return False
    return True


def hidden_characters(text: str, *, allow_controls: str = "") -> list[str]:
    """Characters of ``text`` that do not show (format and control characters), each once, in order.

    ``allow_controls`` lists control characters that are fine here (e.g. a newline in a free text).
    """
    found: dict[str, None] = {}
    for ch in text:
        category = unicodedata.category(ch)
        if category in ("Cf", "Cs") or ch in _SEPARATORS or (category == "Cc" and ch not in allow_controls):
            found.setdefault(ch)
    return list(found)


def character_label(ch: str) -> str:
    """E.g. 'U+202E (RIGHT-TO-LEFT OVERRIDE)'."""
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X} ({name})" if name else f"U+{ord(ch):04X}"


def shown(text: str) -> str:
    """``text`` safe to quote in a message: every character outside printable ASCII as [U+XXXX]."""
    return "".join(ch if " " <= ch <= "~" else f"[U+{ord(ch):04X}]" for ch in text)
