"""Python code in diagrams: timer expressions with their ISO 8601 literals, scripts and conditions."""

from __future__ import annotations

import ast
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from .elements import capitalise, describe, iter_bpmn, local_name, owner_of
from .messages import CODE_SITES, ISO_EXAMPLES, PYTHON_MESSAGES, translate
from .model import B, CodeMode, Element, ProblemLog, SourceChecker


def check_timers(processes: list[Element], check_source: SourceChecker | None, out: ProblemLog) -> None:
    """Timer values are Python expressions; a string literal must be a valid ISO 8601 value."""
    for process in processes:
        for definition in process.iter(f"{B}timerEventDefinition"):
            event = definition.getparent()
            # SpiffWorkflow takes the first of these that is present, in this order.
            found = (definition.find(f"{B}{kind}") for kind in ("timeDate", "timeDuration", "timeCycle"))
            value = next((v for v in found if v is not None), None)
            where = f"Biểu thức hẹn giờ của {describe(event)}"
            expression = (value.text or "") if value is not None else ""
            if value is None or not expression.strip():
                out.at("timer_expression_invalid", f"{where} đang để trống", event, value)
                continue
            kind, bare = local_name(value), expression.strip()
            try:
                body: ast.expr | None = ast.parse(expression.lstrip(" \t"), mode="eval").body
                syntax = ""
            except SyntaxError as exc:
                body, syntax = None, _python_message(exc)
            if not isinstance(body, ast.Constant) and _iso_problem(kind, bare) is None:
                out.at(
                    "timer_expression_invalid",
                    f"{where} là {bare} nhưng chưa đặt trong dấu nháy; "
                    f"biểu thức hẹn giờ là biểu thức Python, hãy viết '{bare}'",
                    event,
                    value,
                )
            elif body is None:
                out.at(
                    "timer_expression_invalid", f"{where} không phải biểu thức Python hợp lệ: {syntax}", event, value
                )
            elif isinstance(body, ast.Constant):
                literal = body.value
                reason = _iso_problem(kind, literal) if isinstance(literal, str) else "phải là một chuỗi"
                if reason:
                    message = f"{where} ({bare}) không hợp lệ: {reason}"
                    out.at("timer_expression_invalid", message, event, value)
            else:
                check_python(expression, "eval", where, event, value, check_source, out)


def _iso_problem(kind: str, text: str) -> str | None:
    """Why a literal timer value is not valid for its kind (timeDate/timeDuration/timeCycle), or None."""
    expected = f"cần {ISO_EXAMPLES[kind]}"
    upper = text.upper()
    # SpiffWorkflow's ISO helpers raise bare Exception (and ValueError/AttributeError) on bad input.
    # They are called piece by piece: its whole-cycle helper loops once per month of a duration.
    try:
        if kind == "timeDuration":
            parts = [TimerEventDefinition.parse_iso_duration(text)] if upper.startswith("P") else []
        elif kind == "timeCycle":
            components = upper.replace("--", "/").strip("R").split("/") if upper.startswith("R") else [""]
            if components[0]:
                int(components[0])
            parts = [TimerEventDefinition.parse_time_or_duration(c) for c in components[1:]]
            if len(parts) > 2 or sum(isinstance(p, dict) for p in parts) != 1:
                return expected
        else:
            moment = None if upper.startswith("P") else TimerEventDefinition.parse_time_or_duration(text)
            if not isinstance(moment, datetime):
                return expected
            if "W" not in upper and datetime.fromisoformat(text).tzinfo is None:
                return "thiếu múi giờ (ví dụ +07:00); giờ không có múi giờ bị hiểu theo giờ máy chủ"
            return None
    except Exception:  # noqa: BLE001 - see above
        return expected
    durations = [p for p in parts if isinstance(p, dict)]
    if not durations or not all(durations):
        return expected
    if any(d.get("years", 0) * 12 + d.get("months", 0) > 1200 for d in durations):
        return "khoảng thời gian quá dài (tối đa 100 năm)"
    return None


def check_code(processes: list[Element], check_source: SourceChecker | None, out: ProblemLog) -> None:
    """Scripts and expressions compile in the right mode and pass the sandbox's static check."""
    for process in processes:
        for task in iter_bpmn(process, ("scriptTask",)):
            script = task.find(f"{B}script")
            if script is None or not (script.text or "").strip():
                out.at("script_syntax", f"{capitalise(describe(task))} chưa có mã kịch bản", task, script)
        for tag, mode, label in CODE_SITES:
            for el in process.iter(tag):
                owner = owner_of(el)
                if owner is not None and (el.text or "").strip():
                    what = f"{label} của {describe(owner)}"
                    check_python(el.text or "", mode, what, owner, el, check_source, out)


def _python_message(exc: SyntaxError | ValueError) -> str:
    """Python's syntax error message in Vietnamese when it is a common one."""
    raw = getattr(exc, "msg", None) or str(exc)
    return translate(raw, PYTHON_MESSAGES) or raw


def check_python(
    source: str,
    mode: CodeMode,
    what: str,
    owner: Element,
    carrier: Element,
    check_source: SourceChecker | None,
    out: ProblemLog,
) -> None:
    """Compile one piece of code as SpiffWorkflow would run it, then ask the sandbox's checker."""
    base = carrier.sourceline or owner.sourceline or 1
    text = source.lstrip(" \t") if mode == "eval" else source  # eval() itself drops these
    try:
        compile(text, "<sơ đồ>", mode, dont_inherit=True)
        issues = check_source(source, mode) if check_source is not None else []
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None) or 1
        message = _python_message(exc)
        out.add(
            "script_syntax", f"{what} có lỗi cú pháp ở dòng {line} của mã: {message}", owner.get("id"), base + line - 1
        )
        return
    for line_no, message in issues:
        line = base + line_no - 1 if line_no else base
        at = f" ở dòng {line_no} của mã" if line_no else ""
        out.add("script_forbidden", f"{what} dùng lệnh không được phép{at}: {message}", owner.get("id"), line)
