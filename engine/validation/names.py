"""Process keys and display names: ASCII keys, names without hidden characters.

A key written with a look-alike letter (``periodic_rеport`` with a Cyrillic ``е``) or a name carrying a
right-to-left override is listed beside the real one and cannot be told apart on screen. Keys are therefore
ASCII identifiers, and names may not contain format characters: bidirectional controls, zero-width
characters, the byte-order mark (``text.hidden_characters``). Names are NFC already: the bundle's text is
normalised as it is read (``text.utf8_nfc``).
"""

from __future__ import annotations

import re

from .messages import LABELS
from .model import B, Element, ProblemLog
from .text import character_label, hidden_characters, shown

KEY_MAX_LENGTH = 63
KEY_RE = re.compile(rf"[A-Za-z][A-Za-z0-9_]{{0,{KEY_MAX_LENGTH - 1}}}")
_MORE_LABELS = {"collaboration": "sơ đồ cộng tác", "definitions": "sơ đồ"}


def check_process_keys(processes: list[Element], out: ProblemLog) -> None:
    """Each executable process's id (its key) is an ASCII identifier of at most 63 characters."""
    for process in processes:
        key = process.get("id") or ""
        if KEY_RE.fullmatch(key):
            continue
        out.at("process_key_invalid", _key_message(key), process)


def _key_message(key: str) -> str:
    if not key:
        return 'Quy trình chưa có mã (thuộc tính id); hãy đặt mã, ví dụ "quy_trinh_moi"'
    rule = (
        "mã quy trình chỉ gồm chữ cái Latin không dấu, chữ số và dấu gạch dưới, "
        f"bắt đầu bằng chữ cái, tối đa {KEY_MAX_LENGTH} ký tự"
    )
    foreign = [ch for ch in dict.fromkeys(key) if not ch.isascii()]
    if foreign:
        labels = ", ".join(character_label(ch) for ch in foreign)
        return (
            f'Mã quy trình "{shown(key)}" có ký tự ngoài bảng chữ Latin không dấu ({labels}); '
            f"ký tự như vậy có thể trông giống hệt chữ Latin và làm mã này bị nhầm với mã khác — {rule}"
        )
    suggestion = re.sub(r"[^A-Za-z0-9_]", "_", key).strip("_")[:KEY_MAX_LENGTH]
    example = f' (ví dụ "{suggestion}")' if KEY_RE.fullmatch(suggestion) else ""
    return f'Mã quy trình "{key}" không hợp lệ: {rule}{example}'


def check_names(root: Element, out: ProblemLog) -> None:
    """No BPMN element's name carries a hidden character (bidirectional control, zero-width, BOM, control)."""
    for el in root.iter(f"{B}*"):
        name = el.get("name")
        if not name:
            continue
        # Newlines and tabs are how modelers wrap a long label: they show as spaces.
        hidden = hidden_characters(name, allow_controls="\n\r\t")
        if hidden:
            labels = ", ".join(character_label(ch) for ch in hidden)
            out.at(
                "name_hidden_character",
                f"Tên của {_element(el)} chứa ký tự ẩn {labels}: ký tự này không hiện ra nhưng có thể đảo thứ tự "
                "chữ hoặc làm tên trông giống một tên khác; hãy gõ lại tên và bỏ ký tự đó",
                el,
            )


def _element(el: Element) -> str:
    """The element's Vietnamese label and id, without its (suspect) name."""
    tag = el.tag.split("}")[-1]
    label = LABELS.get(tag) or _MORE_LABELS.get(tag, "phần tử")
    el_id = el.get("id")
    return f"{label} {shown(el_id)}" if el_id else label
