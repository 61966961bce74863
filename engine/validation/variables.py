"""The variables a diagram sets itself, the fields a step's form declares, and the deploy rule between them.

A step's submitted data is merged into the instance's data, so a form field named like a variable the
process computes (a deadline, the escalation list, the unit variable of a lane, …) or one the engine sets
would let the person completing the step overwrite it. The same analysis, over SpiffWorkflow specs, serves
the deploy check (``check_form_fields``) and the run-time check of a completion or a retry (``engine.forms``).
"""

from __future__ import annotations

import ast
import json
import keyword
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec

from .elements import describe
from .model import Element, ProblemLog, S, XmlDoc

# Set by the engine itself on every instance (docs/conventions.md, "Data").
ENGINE_VARIABLES = frozenset({"unit_code"})
# What a field name must look like to be a variable the diagram's code can read (the API's rule for data keys).
FIELD_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
FORM_PROPERTY = "formJsonSchemaFilename"
# Methods that change a list, dict or set in place: ``escalations.append(...)`` writes ``escalations``.
_MUTATORS = frozenset({
    "append", "extend", "insert", "remove", "pop", "clear", "update", "setdefault", "popitem", "add", "discard",
    "sort", "reverse",
})  # fmt: skip
_COMBINATORS = ("allOf", "anyOf", "oneOf")
_BRANCHES = ("if", "then", "else")

OriginKind = Literal[
    "engine", "script", "preScript", "postScript", "item", "collection", "dataObject", "decision", "lane"
]


@dataclass(frozen=True)
class Origin:
    """Where a computed variable comes from: the kind of setter and the BPMN id (a lane: its name)."""

    kind: OriginKind
    element: str | None = None


# --------------------------------------------------------------------------- form fields


def form_fields(schema: Any) -> frozenset[str]:
    """The top-level keys a JSON-schema form declares: its properties and required names, also those
    reachable through allOf/anyOf/oneOf, if/then/else, dependencies and local ``$ref``s."""
    found: set[str] = set()
    seen: set[int] = set()
    root = schema

    def visit(node: Any) -> None:
        if not isinstance(node, dict) or id(node) in seen:
            return
        seen.add(id(node))
        props = node.get("properties")
        if isinstance(props, dict):
            found.update(str(k) for k in props)
        for names in (node.get("required"), *_name_lists(node)):
            if isinstance(names, list):
                found.update(n for n in names if isinstance(n, str))
        for key in _COMBINATORS:
            for sub in node.get(key) or ():
                visit(sub)
        for key in _BRANCHES:
            visit(node.get(key))
        for key in ("dependencies", "dependentSchemas"):
            deps = node.get(key)
            if isinstance(deps, dict):
                for sub in deps.values():
                    visit(sub)
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            visit(_pointer(root, ref))

    visit(schema)
    return frozenset(found)


def _name_lists(node: dict[str, Any]) -> list[Any]:
    """The property-name lists of ``dependencies`` (array form) and ``dependentRequired``."""
    lists: list[Any] = []
    for key in ("dependencies", "dependentRequired"):
        deps = node.get(key)
        if isinstance(deps, dict):
            lists.extend(v for v in deps.values() if isinstance(v, list))
    return lists


def _pointer(root: Any, ref: str) -> Any:
    """The node a local JSON pointer (``#``, ``#/$defs/x``) names, or None."""
    if ref == "#":
        return root
    if not ref.startswith("#/"):
        return None
    node = root
    for part in ref[2:].split("/"):
        if not isinstance(node, dict):
            return None
        node = node.get(part.replace("~1", "/").replace("~0", "~"))
    return node


def parse_form(text: str | bytes | None) -> Any:
    """A form file's JSON, or None when it is missing or not JSON (the structure check reports that)."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


# --------------------------------------------------------------------------- computed variables


def assigned_names(source: str) -> set[str]:
    """The variables a script writes: names it binds at its top level and containers it changes in place."""
    if not source.strip():
        return set()
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return set()  # the code check reports it
    finder = _Writes()
    finder.visit(tree)
    return finder.names


class _Writes(ast.NodeVisitor):
    """Collects written names; the bodies of functions, lambdas and comprehensions keep their own names."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            self.names.add(node.id)

    def _target(self, node: ast.Subscript | ast.Attribute) -> None:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            root = _root_name(node.value)
            if root is not None:
                self.names.add(root)
        self.generic_visit(node)

    visit_Subscript = _target
    visit_Attribute = _target

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute) and node.func.attr in _MUTATORS:
            root = _root_name(node.func.value)
            if root is not None:
                self.names.add(root)
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.names.add(node.name)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.names.add(node.name)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        return

    def _comprehension(self, node: ast.AST) -> None:
        # Only an assignment expression inside a comprehension binds in the script's scope.
        self.names.update(n.target.id for n in ast.walk(node) if isinstance(n, ast.NamedExpr))

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension


def _root_name(node: ast.expr) -> str | None:
    """``a`` for ``a``, ``a[0]``, ``a.b[1]``…; None when the chain starts elsewhere (a call, a literal)."""
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def spec_form(task_spec: Any) -> str | None:
    """The JSON-schema form file of a task spec, if it has one."""
    extensions = getattr(task_spec, "extensions", None) or {}
    value = (extensions.get("properties") or {}).get(FORM_PROPERTY)
    return value or None


def computed_variables(
    specs: Iterable[BpmnProcessSpec],
    lanes: Mapping[str, Mapping[str, str]],
    fields_of_form: Callable[[str], frozenset[str]],
) -> dict[str, Origin]:
    """Every variable the process sets itself, with its first setter (engine, scripts, multi-instance
    items and collections, data objects, decision outputs, ``var:`` lane rules).

    A step's own pre/postScript that sets a field of the step's own form (``extend_to = None``: the default
    of an optional field; a postScript tidying an answer) does not make it computed: the person completing
    the step sets it. Any other setter does, whatever form declares the name.
    """
    found: dict[str, Origin] = {name: Origin("engine") for name in sorted(ENGINE_VARIABLES)}

    def add(names: Iterable[str | None], origin: Origin) -> None:
        for name in names:
            if name:
                found.setdefault(name, origin)

    for spec in specs:
        for name, task_spec in spec.task_specs.items():
            element = getattr(task_spec, "bpmn_id", None) or name
            form = spec_form(task_spec)
            own = fields_of_form(form) if form else frozenset()
            add(sorted(assigned_names(_code(task_spec, "script"))), Origin("script", element))
            add(sorted(assigned_names(_code(task_spec, "prescript")) - own), Origin("preScript", element))
            add(sorted(assigned_names(_code(task_spec, "postscript")) - own), Origin("postScript", element))
            add([_ref(task_spec, "input_item")], Origin("item", element))
            add([_ref(task_spec, "data_output")], Origin("collection", element))
            add(_decision_outputs(task_spec), Origin("decision", element))
        add(sorted(spec.data_objects), Origin("dataObject"))
    for lane_name, lane in sorted(lanes.items()):
        unit = lane.get("unit") or ""
        if unit.startswith("var:"):
            add([unit[4:]], Origin("lane", lane_name))
    return found


def _code(task_spec: Any, attribute: str) -> str:
    """A task spec's script, preScript or postScript ("" when it has none)."""
    code = getattr(task_spec, attribute, None)
    return code if isinstance(code, str) else ""


def _ref(task_spec: Any, attribute: str) -> str | None:
    """The variable name of a multi-instance data reference (input item, output collection)."""
    ref = getattr(task_spec, attribute, None)
    return getattr(ref, "bpmn_id", None) if ref is not None else None


def _decision_outputs(task_spec: Any) -> list[str]:
    """The variables a business-rule task's decision table writes (``a.b`` writes ``a``)."""
    table = getattr(getattr(task_spec, "dmnEngine", None), "decision_table", None)
    return sorted({str(o.name).split(".")[0] for o in getattr(table, "outputs", None) or () if o.name})


def invalid_field_name(name: str) -> bool:
    """Whether a form field cannot be a variable the diagram's code reads."""
    return not FIELD_NAME_RE.fullmatch(name) or keyword.iskeyword(name) or keyword.issoftkeyword(name)


# --------------------------------------------------------------------------- the deploy rule


def check_form_fields(
    doc: XmlDoc,
    specs: Iterable[BpmnProcessSpec],
    lanes: Mapping[str, Mapping[str, str]],
    files: Mapping[str, bytes],
    out: ProblemLog,
) -> None:
    """No form field may name a variable the process computes or the engine sets, or be unusable as a name."""
    specs = list(specs)
    parsed: dict[str, frozenset[str]] = {}

    def fields_of_form(file: str) -> frozenset[str]:
        if file not in parsed:
            parsed[file] = form_fields(parse_form(files.get(file)))
        return parsed[file]

    computed = computed_variables(specs, lanes, fields_of_form)
    reported: set[str] = set()
    for spec in specs:
        for task_spec in spec.task_specs.values():
            form, element_id = spec_form(task_spec), getattr(task_spec, "bpmn_id", None)
            task = doc.by_id.get(element_id or "")
            if form is None or task is None or element_id in reported:
                continue
            reported.add(element_id or "")
            carrier = _form_property(task)
            where = f'Biểu mẫu "{form}" của {describe(task)}'
            for name in sorted(fields_of_form(form)):
                if invalid_field_name(name):
                    message = (
                        f'{where} có trường "{name}" không dùng được làm tên biến: tên trường chỉ gồm chữ cái '
                        'không dấu, chữ số và "_", bắt đầu bằng chữ cái và không trùng từ khóa của Python'
                    )
                    out.at("form_field_invalid", message, task, carrier)
                elif name in computed:
                    reason = _origin_text(computed[name], name, doc)
                    message = (
                        f'{where} có trường "{name}" trùng tên với {reason}; người xử lý bước không được '
                        "ghi đè giá trị này, hãy đổi tên trường"
                    )
                    out.at("form_field_reserved", message, task, carrier)


def _form_property(task: Element) -> Element | None:
    """The ``formJsonSchemaFilename`` property element of a task (for the problem's line)."""
    for prop in task.iter(f"{S}property"):
        if prop.get("name") == FORM_PROPERTY:
            return prop
    return None


def _origin_text(origin: Origin, name: str, doc: XmlDoc) -> str:
    """Who sets a computed variable, in Vietnamese."""
    el = doc.by_id.get(origin.element or "")
    who = describe(el) if el is not None else f"phần tử {origin.element}"
    texts = {
        "engine": "biến do máy chạy quy trình tự đặt cho mọi hồ sơ (mã đơn vị sở hữu hồ sơ)",
        "script": f"biến do mã kịch bản của {who} tính",
        "preScript": f"biến do mã chạy trước (preScript) của {who} đặt",
        "postScript": f"biến do mã chạy sau (postScript) của {who} tính",
        "item": f"biến do {who} đặt cho từng lượt (inputDataItem)",
        "collection": f"danh sách do {who} gom kết quả các lượt (loopDataOutputRef)",
        "dataObject": f'đối tượng dữ liệu "{name}" của quy trình',
        "decision": f"kết quả bảng quyết định của {who}",
        "lane": f'biến xác định đơn vị xử lý của làn "{origin.element}" (unit = var:{name})',
    }
    return texts[origin.kind]


__all__ = [
    "ENGINE_VARIABLES",
    "Origin",
    "assigned_names",
    "check_form_fields",
    "computed_variables",
    "form_fields",
    "invalid_field_name",
    "parse_form",
    "spec_form",
]
