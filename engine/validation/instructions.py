"""Instructions templates at deploy: one that does not parse is a problem; one naming a field that nothing
declares or computes is a warning (it would show "—")."""

from __future__ import annotations

from collections.abc import Collection

from jinja2 import TemplateSyntaxError

from .. import instructions
from .elements import capitalise, describe, owner_of
from .model import Element, ProblemLog, S


def check_instructions(processes: list[Element], known: Collection[str] | None, out: ProblemLog) -> None:
    """Parse every ``instructionsForEndUser``; with ``known`` (the names a template may read), warn on others."""
    for process in processes:
        for el in process.iter(f"{S}instructionsForEndUser"):
            source = el.text or ""
            if not instructions.is_template(source):
                continue
            found = owner_of(el)
            owner = found if found is not None else el
            what = f"Hướng dẫn (instructionsForEndUser) của {describe(owner)}"
            try:
                used = instructions.names(source)
            except TemplateSyntaxError as exc:
                line = el.sourceline + (exc.lineno or 1) - 1 if el.sourceline else None
                detail = exc.message or ""
                reason = (
                    detail
                    if not detail.isascii()
                    else f"kiểm tra các cặp {{{{ … }}}}, {{% … %}} và tên bộ lọc ({detail})"
                )
                out.add("instructions_invalid", f"{what} có lỗi cú pháp mẫu: {reason}", owner.get("id"), line)
                continue
            if known is None:
                continue
            for name in sorted(set(used) - set(known)):
                out.warn(
                    "instructions_unknown_name",
                    f'{capitalise(what)} dùng "{{{{ {name} }}}}" nhưng không biểu mẫu nào (kể cả biểu mẫu khởi tạo) '
                    'khai báo và sơ đồ không tính biến này; khi xem sẽ hiện "—"',
                    owner,
                    line_el=el,
                )
