"""Validate a diagram bundle (BPMN + DMN + JSON forms) and explain every problem in Vietnamese.

Each problem names the element and the line of the XML element that carries the faulty value, so an
administrator can fix the diagram in one pass. SpiffWorkflow stops at its first error, so the checks
below read the XML themselves and use the parser only for what it alone knows.
"""

from __future__ import annotations

import ast
import json
import re
import threading
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Literal, TypeAlias, TypeVar

from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
B = f"{{{BPMN_NS}}}"
S = f"{{{SPIFF_NS}}}"

CodeMode: TypeAlias = Literal["eval", "exec"]
SourceChecker = Callable[[str, CodeMode], list[tuple[int | None, str]]]
Element: TypeAlias = etree._Element
_T = TypeVar("_T")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bundle; ``line``/``file`` locate it, ``element_id`` names the BPMN element."""

    code: str
    message: str
    element_id: str | None
    line: int | None
    file: str | None = None


@dataclass(frozen=True)
class ParsedBundle:
    """What a valid (or partly valid) bundle yields: the process to run, its lanes and its specs."""

    process_key: str
    process_name: str | None
    lanes: dict[str, dict[str, str]]
    spec: BpmnProcessSpec = field(compare=False, repr=False)
    subprocess_specs: dict[str, BpmnProcessSpec] = field(compare=False, repr=False)


HUMAN_TASKS = ("userTask", "manualTask")
# Task-spec names SpiffWorkflow makes up itself: a flow node with such an id is mistaken for them.
RESERVED_IDS = ("Start", "End", "StartEventSplit", "StartEventJoin")
RESERVED_SUFFIXES = (".EndJoin", ".BoundaryEventSplit", ".BoundaryEventJoin", " [child]")
CONTAINERS = ("subProcess", "transaction", "adHocSubProcess")
FORM_PROPERTIES = ("formJsonSchemaFilename", "formUiSchemaFilename")
UNIT_RE = re.compile(r"instance|parent|code:[A-Za-z0-9_.\-]+|var:[A-Za-z_][A-Za-z0-9_]*")
# Elements holding Python code: (tag, compile mode, Vietnamese label). Timers are checked apart.
CODE_SITES: tuple[tuple[str, CodeMode, str], ...] = (
    (f"{B}script", "exec", "Mã kịch bản"),
    (f"{S}preScript", "exec", "Mã chạy trước (preScript)"),
    (f"{S}postScript", "exec", "Mã chạy sau (postScript)"),
    (f"{B}conditionExpression", "eval", "Điều kiện"),
    (f"{B}condition", "eval", "Điều kiện của sự kiện"),
    (f"{B}loopCondition", "eval", "Điều kiện lặp (loopCondition)"),
    (f"{B}loopCardinality", "eval", "Số lần lặp (loopCardinality)"),
    (f"{B}completionCondition", "eval", "Điều kiện hoàn thành (completionCondition)"),
)
# Parts of an element: a problem inside them belongs to the element around them.
WRAPPERS = {
    "extensionElements",
    "properties",
    "property",
    "multiInstanceLoopCharacteristics",
    "standardLoopCharacteristics",
    "conditionalEventDefinition",
    "timerEventDefinition",
    "timeDate",
    "timeDuration",
    "timeCycle",
    *(tag.split("}")[1] for tag, _, _ in CODE_SITES),
}
LABELS = {
    "userTask": "bước",
    "manualTask": "bước",
    "task": "bước",
    "scriptTask": "bước tự động",
    "serviceTask": "bước dịch vụ",
    "businessRuleTask": "bước áp dụng quy tắc",
    "sendTask": "bước gửi",
    "receiveTask": "bước nhận",
    "callActivity": "bước gọi quy trình",
    "subProcess": "quy trình con",
    "transaction": "giao dịch",
    "adHocSubProcess": "quy trình con tự do",
    "exclusiveGateway": "cổng rẽ nhánh",
    "inclusiveGateway": "cổng rẽ nhánh",
    "parallelGateway": "cổng song song",
    "eventBasedGateway": "cổng sự kiện",
    "sequenceFlow": "luồng",
    "startEvent": "sự kiện bắt đầu",
    "endEvent": "sự kiện kết thúc",
    "boundaryEvent": "sự kiện biên",
    "intermediateCatchEvent": "sự kiện trung gian",
    "intermediateThrowEvent": "sự kiện trung gian",
    "lane": "làn",
    "process": "quy trình",
    "participant": "bể",
    "dataStore": "kho dữ liệu",
    "decision": "quyết định",
    "decisionTable": "bảng quyết định",
    "rule": "quy tắc",
    "inputEntry": "ô điều kiện",
    "outputEntry": "ô kết quả",
    "input": "cột đầu vào",
    "output": "cột đầu ra",
}

_schema_lock = threading.Lock()  # an lxml schema keeps its error log on the shared object
_dmn_validators: dict[str, BpmnValidator] = {}


def validate_bundle(
    bpmn: bytes,
    files: Mapping[str, bytes],
    known_roles: Collection[str],
    check_source: SourceChecker | None = None,
) -> tuple[ParsedBundle | None, list[Problem]]:
    """Check a BPMN diagram and its DMN/form files; return the parsed bundle (if any) and all problems."""
    out = _Problems()
    root = _parse_xml(bpmn, None, out)
    dmn_docs: dict[str, _Doc] = {}
    for name in sorted(n for n in files if n.lower().endswith(".dmn")):
        dmn_root = _parse_xml(files[name], name, out)
        if dmn_root is not None:
            dmn_docs[name] = _Doc(dmn_root, name)
            _check_xsd(files[name], dmn_docs[name], out)
    if root is None:
        return None, out.sorted()
    doc = _Doc(root, None)
    _check_xsd(bpmn, doc, out)
    processes = [p for p in root.findall(f"{B}process") if p.get("isExecutable", "true") == "true"]
    if not processes:
        _report_no_process(root, out)
        return None, out.sorted()
    parser = SpiffBpmnParser()
    decisions = _load_dmns(parser, dmn_docs, doc, out)
    _check_ids(processes, out)
    lanes = _check_lanes(doc, processes, known_roles, out)
    _check_gateways(processes, out)
    _check_properties(processes, files, check_source, out)
    _check_calls(doc, processes, decisions, out)
    _check_timers(processes, check_source, out)
    _check_code(processes, check_source, out)
    process = _main_process(root, processes)
    key = process.get("id", "")
    specs = _build_specs(parser, doc, dmn_docs, key, processes, out)
    if specs is None:
        return None, out.sorted()
    return ParsedBundle(key, process.get("name"), lanes, specs[0], specs[1]), out.sorted()


class _Problems:
    """Collects problems, dropping a parser error that repeats one of our own checks."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.seen: set[Problem] = set()
        self.keys: set[tuple[str, str | None, str | None]] = set()

    def add(self, code: str, message: str, element_id: str | None, line: int | None, file: str | None = None) -> None:
        """Record one problem (exact repeats are kept once)."""
        problem = Problem(code, message, element_id, line, file)
        if problem not in self.seen:
            self.seen.add(problem)
            self.items.append(problem)
            self.keys.add((code, element_id, file))

    def at(self, code: str, message: str, el: Element, line_el: Element | None = None) -> None:
        """Record a problem about ``el``, located at ``line_el`` (default: ``el``)."""
        self.add(code, message, el.get("id"), (line_el if line_el is not None else el).sourceline)

    def sorted(self) -> list[Problem]:
        """The problems by file, then line."""
        return sorted(self.items, key=lambda p: (p.file is not None, p.file or "", p.line or 0))


class _Doc:
    """A parsed XML file with lookups by id and by line."""

    def __init__(self, root: Element, file: str | None) -> None:
        self.root, self.file = root, file
        self.by_id: dict[str, Element] = {}
        self.by_line: dict[int, Element] = {}
        for el in root.iter():
            if isinstance(el.tag, str):
                if el.get("id") is not None:
                    self.by_id.setdefault(el.get("id", ""), el)
                if el.sourceline is not None:
                    self.by_line.setdefault(el.sourceline, el)


# ---------------------------------------------------------------- XML and XSD

_XML_MESSAGES = (
    (
        r"Opening and ending tag mismatch: (?P<a>\S+) line (?P<n>\d+) and (?P<b>\S+)",
        "thẻ mở <{a}> (dòng {n}) và thẻ đóng </{b}> không khớp",
    ),
    (
        r"Premature end of data in tag (?P<a>\S+) line (?P<n>\d+)",
        "tệp kết thúc khi thẻ <{a}> (dòng {n}) chưa được đóng",
    ),
    (r"Document is empty|Start tag expected", "tệp rỗng hoặc không bắt đầu bằng một thẻ XML"),
    (r"EntityRef: expecting ';'|xmlParseEntityRef: no name", 'ký tự "&" trong văn bản phải viết là "&amp;"'),
    (r"StartTag: invalid element name", 'tên thẻ không hợp lệ (ký tự "<" trong văn bản phải viết là "&lt;")'),
    (r"Extra content at the end of the document", "có nội dung thừa sau phần tử gốc"),
    (r"Couldn't find end of Start Tag (?P<a>\S+)", 'thẻ mở <{a}> chưa được đóng bằng ">"'),
    (r"Attribute (?P<a>\S+) redefined", 'thuộc tính "{a}" bị khai báo hai lần'),
    (
        r"Namespace prefix (?P<a>\S+) on (?P<b>\S+) is not defined",
        'tiền tố không gian tên "{a}" của thẻ <{b}> chưa được khai báo',
    ),
    (r"AttValue: \" or ' expected", "giá trị thuộc tính phải đặt trong dấu nháy"),
)


def _xml_parser() -> etree.XMLParser:
    """A parser that resolves no entities and reads no network (one per call: parsers are not shared)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _parse_xml(data: bytes, file: str | None, out: _Problems) -> Element | None:
    """Parse XML without entities or network; report a syntax error or a DOCTYPE as ``xml_malformed``."""
    where = f'Tệp "{file}"' if file else "Sơ đồ BPMN"
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError as exc:
        # The exception's own position is reliable; lxml's error log can hold entries of earlier parses.
        line, column = exc.position if exc.position and exc.position[0] else (exc.lineno or 1, 0)
        raw = (exc.msg or str(exc)).split(" (line ")[0].split(", line ")[0]
        detail = _translate(raw, _XML_MESSAGES) or f"lỗi cú pháp XML ({raw})"
        message = f"{where} không phải XML hợp lệ ở dòng {line}, cột {column}: {detail}"
        out.add("xml_malformed", message, None, line, file)
        return None
    if root.getroottree().docinfo.doctype:
        # Diagrams never need a DTD; entities are a security risk and break the schema validator.
        message = f"{where} có khai báo DOCTYPE; sơ đồ và bảng quyết định không được dùng DTD hay thực thể (entity)"
        out.add("xml_malformed", message, None, 1, file)
        return None
    return root


_XSD_MESSAGES = (
    (
        r"This element is not expected\. Expected is (?:one of )?\( ?(?P<a>.*?) ?\)\.",
        "phần tử không được phép ở vị trí này (được phép: {a})",
    ),
    (r"This element is not expected\.", "phần tử không được phép ở vị trí này"),
    (r"The attribute '(?P<a>[^']+)' is not allowed\.", 'không được phép có thuộc tính "{a}"'),
    (r"The attribute '(?P<a>[^']+)' is required but missing\.", 'thiếu thuộc tính bắt buộc "{a}"'),
    (r"'(?P<a>.*)' is not a valid value of the \w+ type '(?P<b>[^']+)'\.", 'giá trị "{a}" không hợp lệ (kiểu {b})'),
    (
        r"Missing child element\(s\)\. Expected is (?:one of )?\( ?(?P<a>.*?) ?\)\.",
        "thiếu phần tử con bắt buộc (cần: {a})",
    ),
    (r"Character content other than whitespace is not allowed", "không được chứa văn bản"),
    (r"No matching global declaration available for the validation root", "phần tử gốc không đúng loại tệp"),
)
_XSD_ERROR_RE = re.compile(r"Element '(?P<el>[^']+)'(?:, attribute '(?P<attr>[^']+)')?: (?P<rest>.*)", re.S)


def _check_xsd(data: bytes, doc: _Doc, out: _Problems) -> None:
    """Validate against the BPMN (with the spiffworkflow extension) or DMN XSD, one problem per error."""
    # SpiffWorkflow's validator renames some tags before validating: work on a private copy.
    copy = etree.fromstring(data, _xml_parser())
    schema_name, xsd = "BPMN 2.0", None
    if doc.file is not None:
        schema_name, xsd = "DMN", DMN_SCHEMAS.get(copy.nsmap.get(None) or copy.nsmap.get("dmn") or "")
        if xsd is None:
            return  # a DMN version SpiffWorkflow does not validate either
    with _schema_lock:
        if xsd is None:
            validator = VALIDATOR
        else:
            validator = _dmn_validators.get(xsd) or _dmn_validators.setdefault(xsd, BpmnValidator(xsd))
        validator.preprocess(copy)
        try:
            validator.validator.validate(copy)
            errors = [(e.line, e.message) for e in validator.validator.error_log]
        except etree.XMLSchemaValidateError as exc:  # libxml2 gave up on the document
            errors = [(copy.sourceline, str(exc))]
    for line, raw in errors:
        el = _owner(doc.by_line.get(line))
        where = _cap(_describe(el)) if el is not None else f"Dòng {line}"
        match = _XSD_ERROR_RE.fullmatch(raw.strip())
        if match:
            attr = f', thuộc tính "{match["attr"]}"' if match["attr"] else ""
            rest = _translate(match["rest"], _XSD_MESSAGES) or f"vi phạm lược đồ ({match['rest']})"
            detail = f"thẻ <{_short(match['el'])}>{attr}: {_short(rest)}"
        else:
            detail = _translate(raw, _XSD_MESSAGES) or f"vi phạm lược đồ ({raw})"
        out.add(
            "xsd_invalid",
            f"{where} không khớp lược đồ {schema_name} (XSD): {detail}",
            el.get("id") if el is not None else None,
            line,
            doc.file,
        )


def _short(text: str) -> str:
    """Write namespaced names with the usual prefixes."""
    text = text.replace(f"{{{BPMN_NS}}}", "bpmn:").replace(f"{{{SPIFF_NS}}}", "spiffworkflow:")
    return re.sub(r"\{[^}]*\}", "", text)


# ---------------------------------------------------------------- ids, lanes, gateways, properties


def _report_no_process(root: Element, out: _Problems) -> None:
    """Explain why no process can run, pointing at the first process (or the root)."""
    first = root.find(f"{B}process")
    if first is None:
        out.at("no_executable_process", "Sơ đồ không có quy trình (bpmn:process) nào", root)
        return
    flag = first.get("isExecutable")
    state = f'đang có isExecutable="{flag}"' if flag is not None else "thiếu thuộc tính isExecutable"
    message = (
        f'Sơ đồ không có quy trình nào được đánh dấu thực thi được (isExecutable="true"); {_describe(first)} {state}'
    )
    out.at("no_executable_process", message, first)


def _check_ids(processes: list[Element], out: _Problems) -> None:
    """No flow node may take the name of a task spec SpiffWorkflow creates (its parse is then skipped)."""
    node_tags = {**SpiffBpmnParser.PARSER_CLASSES, **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES}
    for process in processes:
        for el in process.iter(*node_tags):
            el_id = el.get("id", "")
            if el_id in RESERVED_IDS or el_id.endswith(RESERVED_SUFFIXES):
                out.at(
                    "element_id_reserved",
                    f'{_cap(_describe(el))} có mã "{el_id}" trùng với tên '
                    "SpiffWorkflow dùng nội bộ nên bị lẫn với bước nội bộ đó và bỏ qua khi chạy; "
                    f'hãy đổi mã, ví dụ "{_local(el)}_1"',
                    el,
                )


def _check_lanes(
    doc: _Doc, processes: list[Element], known_roles: Collection[str], out: _Problems
) -> dict[str, dict[str, str]]:
    """Human tasks lie in a lane with a known role and a valid unit; return lane name -> role/unit."""
    lane_of: dict[str, Element] = {}
    for ref in doc.root.iter(f"{B}flowNodeRef"):
        if ref.text is not None:  # SpiffWorkflow reads the same index: the last reference wins
            lane_of[ref.text] = ref.getparent()
    holding: set[Element] = set()
    for process in processes:
        for task in _iter(process, HUMAN_TASKS):
            lane = _task_lane(task, process, lane_of)
            if lane is None:
                out.at("task_not_in_lane", f"{_cap(_describe(task))} không nằm trong làn nào", task)
            elif not _inside(lane, process):
                out.at(
                    "task_not_in_lane",
                    f"{_cap(_describe(task))} nằm trong {_describe(lane)} "
                    "của một quy trình khác, không thuộc làn nào của quy trình chứa nó",
                    task,
                )
            elif not lane.get("name"):
                out.at(
                    "lane_name_missing",
                    f"{_cap(_describe(lane))} chưa có tên nên không xác định được ai được thực hiện {_describe(task)}",
                    lane,
                )
            else:
                holding.add(lane)
    roles = ", ".join(sorted(known_roles))
    lanes: dict[str, dict[str, str]] = {}
    first_lane: dict[str, Element] = {}
    for process in processes:
        for lane in process.iter(f"{B}lane"):
            props = _properties(lane)
            role, unit = props.get("role"), props.get("unit")
            if role is None and lane in holding:
                out.at(
                    "lane_role_missing",
                    f'{_cap(_describe(lane))} chứa bước cần người xử lý nhưng chưa có thuộc tính "role" (vai trò)',
                    lane,
                )
            elif role is not None and role[0] not in known_roles:
                out.at(
                    "lane_role_unknown",
                    f'{_cap(_describe(lane))} có vai trò "{role[0]}" không tồn tại; các vai trò hợp lệ: {roles}',
                    lane,
                    role[1],
                )
            if unit is not None and not UNIT_RE.fullmatch(unit[0]):
                out.at(
                    "lane_unit_invalid",
                    f'{_cap(_describe(lane))} có đơn vị (unit) "{unit[0]}" '
                    "không hợp lệ; chỉ dùng instance, parent, code:<MÃ_ĐƠN_VỊ> hoặc var:<tên_biến>",
                    lane,
                    unit[1],
                )
            name = lane.get("name")
            if not name or role is None:
                continue
            entry = {"role": role[0], "unit": unit[0] if unit is not None else "instance"}
            if name in lanes and lanes[name] != entry:
                out.at(
                    "lane_name_duplicate",
                    f"{_cap(_describe(lane))} trùng tên với "
                    f"{_describe(first_lane[name])} nhưng khác vai trò hoặc đơn vị; tên làn phải "
                    "phân biệt được người thực hiện",
                    lane,
                )
                continue
            lanes[name], first_lane[name] = entry, lane
    return lanes


def _task_lane(task: Element, process: Element, lane_of: Mapping[str, Element]) -> Element | None:
    """The lane SpiffWorkflow gives a task: the outermost enclosing subprocess with a named lane wins."""
    chain = [task] + [a for a in task.iterancestors() if _local(a) in CONTAINERS and _inside(a, process)]
    found = [lane_of[e.get("id", "")] for e in reversed(chain) if e.get("id", "") in lane_of]
    return next((lane for lane in found if lane.get("name")), found[0] if found else None)


def _check_gateways(processes: list[Element], out: _Problems) -> None:
    """Each outgoing flow of a branching exclusive/inclusive gateway has a condition or is the default."""
    for process in processes:
        flows: dict[str, list[Element]] = {}
        for flow in process.iter(f"{B}sequenceFlow"):
            flows.setdefault(flow.get("sourceRef", ""), []).append(flow)
        for gateway in _iter(process, ("exclusiveGateway", "inclusiveGateway")):
            outgoing = flows.get(gateway.get("id", ""), [])
            if len(outgoing) < 2:
                continue
            for flow in outgoing:
                condition = flow.find(f"{B}conditionExpression")
                blank = condition is None or not (condition.text or "").strip()
                if blank and flow.get("id") != gateway.get("default"):
                    out.at(
                        "gateway_flow_without_condition",
                        f"{_cap(_describe(flow))} ra từ "
                        f"{_describe(gateway)} không có điều kiện và cũng không phải luồng mặc định",
                        flow,
                    )


def _check_properties(
    processes: list[Element], files: Mapping[str, bytes], check_source: SourceChecker | None, out: _Problems
) -> None:
    """Form files exist and are valid JSON (Schema); ``dueDate`` is a valid expression."""
    checked: set[tuple[str, str]] = set()
    for process in processes:
        for prop in process.iter(f"{S}property"):
            owner, name, value = _owner(prop), prop.get("name"), prop.get("value") or ""
            if owner is None or _local(owner) == "lane":
                continue
            if name == "dueDate":
                what = f"Biểu thức hạn xử lý (dueDate) của {_describe(owner)}"
                if value.strip():
                    _check_source(value, "eval", what, owner, prop, check_source, out)
                else:
                    out.at("script_syntax", f"{what} đang để trống", owner, prop)
            if name not in FORM_PROPERTIES:
                continue
            if not value.strip():
                message = f'{_cap(_describe(owner))} có thuộc tính "{name}" để trống'
                out.at("form_missing", message, owner, prop)
            elif value not in files:
                out.at(
                    "form_missing",
                    f'{_cap(_describe(owner))} dùng tệp biểu mẫu "{value}" nhưng tệp này không có trong gói triển khai',
                    owner,
                    prop,
                )
            elif (value, name) not in checked:
                checked.add((value, name))
                _check_form(value, files[value], name == FORM_PROPERTIES[0], owner, out)


def _check_form(file: str, data: bytes, json_schema: bool, owner: Element, out: _Problems) -> None:
    """A form file is JSON; a JSON-schema form is also a valid JSON Schema."""
    where = f'Tệp biểu mẫu "{file}" (dùng ở {_describe(owner)})'
    try:
        content = json.loads(data)
    except json.JSONDecodeError as exc:
        message = f"{where} không phải JSON hợp lệ ở dòng {exc.lineno}, cột {exc.colno}: {exc.msg}"
        out.add("form_invalid", message, owner.get("id"), exc.lineno, file)
        return
    except (ValueError, RecursionError) as exc:
        out.add("form_invalid", f"{where} không đọc được như JSON ({exc})", owner.get("id"), None, file)
        return
    if not isinstance(content, dict):
        out.add("form_invalid", f"{where} phải là một đối tượng JSON", owner.get("id"), None, file)
        return
    if not json_schema:
        return
    if not isinstance(content.get("$schema", ""), str):
        out.add("form_invalid", f'{where} có "$schema" không phải chuỗi', owner.get("id"), None, file)
        return
    try:
        validator_for(content).check_schema(content)
    except SchemaError as exc:
        out.add(
            "form_invalid",
            f"{where} không phải JSON Schema hợp lệ tại {exc.json_path}: {exc.message}",
            owner.get("id"),
            None,
            file,
        )


def _properties(el: Element) -> dict[str, tuple[str, Element]]:
    """The spiffworkflow properties of an element: name -> (value, property element)."""
    found = el.findall(f"{B}extensionElements/{S}properties/{S}property")
    return {p.get("name", ""): (p.get("value") or "", p) for p in found}


# ---------------------------------------------------------------- decisions, call activities


def _load_dmns(
    parser: SpiffBpmnParser, dmn_docs: Mapping[str, _Doc], doc: _Doc, out: _Problems
) -> dict[str, tuple[str, bool]]:
    """Register each DMN with the parser; return decision id -> (file, usable by SpiffWorkflow)."""
    decisions: dict[str, tuple[str, bool]] = {}
    for name, dmn in dmn_docs.items():
        found = [el for el in dmn.root.iter() if isinstance(el.tag, str) and _local(el) == "decision"]
        for el in found:
            decisions.setdefault(el.get("id", ""), (name, False))
        # SpiffWorkflow 3.2 reads exactly one decision per file and crashes on any other count.
        if len(found) != 1:
            where = f'Tệp DMN "{name}"'
            if not found:
                out.add("parse_error", f"{where} không có quyết định (decision) nào", None, dmn.root.sourceline, name)
            else:
                message = (
                    f"{where} có {len(found)} quyết định; SpiffWorkflow chỉ đọc được tệp có đúng một quyết định, "
                    "hãy tách mỗi quyết định ra một tệp riêng"
                )
                out.add("parse_error", message, found[1].get("id"), found[1].sourceline, name)
            continue
        try:
            parser.add_dmn_xml(dmn.root, filename=name)
            decision_id = next(k for k, p in parser.dmn_parsers.items() if p.node is dmn.root)
            decisions[decision_id] = (name, True)
            parser.dmn_parsers[decision_id].parse()  # errors now name the DMN file, not the calling task
        except ValidationException as exc:
            _report_spiff(exc, doc, dmn_docs, out, name)
        except Exception as exc:  # noqa: BLE001 - the parser fails in arbitrary ways on odd input
            _report_other(exc, out, name)
    return decisions


def _check_calls(
    doc: _Doc, processes: list[Element], decisions: Mapping[str, tuple[str, bool]], out: _Problems
) -> None:
    """Business-rule tasks call a known decision; call activities call a process of the diagram."""
    for process in processes:
        for task in _iter(process, ("businessRuleTask",)):
            called = task.find(f"{B}extensionElements/{S}calledDecisionId")
            ref = (called.text or "").strip() if called is not None else ""
            where = _cap(_describe(task))
            if not ref:
                out.at(
                    "decision_missing",
                    f"{where} chưa chỉ định bảng quyết định (spiffworkflow:calledDecisionId)",
                    task,
                    called,
                )
            elif ref not in decisions:
                out.at(
                    "decision_missing",
                    f'{where} gọi bảng quyết định "{ref}" nhưng không tệp DMN nào trong gói có quyết định này',
                    task,
                    called,
                )
            elif not decisions[ref][1]:
                out.at(
                    "decision_missing",
                    f'{where} gọi quyết định "{ref}" của tệp "{decisions[ref][0]}", '
                    "nhưng SpiffWorkflow không đọc được tệp DMN này",
                    task,
                    called,
                )
        for call in _iter(process, ("callActivity",)):
            ref = call.get("calledElement", "")
            target = doc.by_id.get(ref)
            where = _cap(_describe(call))
            if not ref:
                out.at("called_process_missing", f"{where} chưa chỉ định quy trình được gọi (calledElement)", call)
            elif target is None or _local(target) != "process":
                out.at(
                    "called_process_missing",
                    f'{where} gọi quy trình "{ref}" nhưng quy trình này không có trong sơ đồ',
                    call,
                )
            elif target.get("isExecutable", "true") != "true":
                out.at(
                    "called_process_missing",
                    f'{where} gọi quy trình "{ref}" nhưng quy trình này '
                    'không được đánh dấu thực thi được (isExecutable="true")',
                    call,
                )


# ---------------------------------------------------------------- timers and code


def _check_timers(processes: list[Element], check_source: SourceChecker | None, out: _Problems) -> None:
    """Timer values are Python expressions; a string literal must be a valid ISO 8601 value."""
    for process in processes:
        for definition in process.iter(f"{B}timerEventDefinition"):
            event = definition.getparent()
            # SpiffWorkflow takes the first of these that is present, in this order.
            found = (definition.find(f"{B}{kind}") for kind in ("timeDate", "timeDuration", "timeCycle"))
            value = next((v for v in found if v is not None), None)
            where = f"Biểu thức hẹn giờ của {_describe(event)}"
            expression = (value.text or "") if value is not None else ""
            if value is None or not expression.strip():
                out.at("timer_expression_invalid", f"{where} đang để trống", event, value)
                continue
            kind, bare = _local(value), expression.strip()
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
                _check_source(expression, "eval", where, event, value, check_source, out)


_ISO_EXAMPLES = {
    "timeDuration": "khoảng thời gian ISO 8601, ví dụ 'P5D' hoặc 'PT4H'",
    "timeDate": "thời điểm ISO 8601 có múi giờ, ví dụ '2025-12-31T17:00:00+07:00'",
    "timeCycle": "chu kỳ ISO 8601, ví dụ 'R3/P1D'",
}


def _iso_problem(kind: str, text: str) -> str | None:
    """Why a literal timer value is not valid for its kind (timeDate/timeDuration/timeCycle), or None."""
    expected = f"cần {_ISO_EXAMPLES[kind]}"
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


def _check_code(processes: list[Element], check_source: SourceChecker | None, out: _Problems) -> None:
    """Scripts and expressions compile in the right mode and pass the sandbox's static check."""
    for process in processes:
        for task in _iter(process, ("scriptTask",)):
            script = task.find(f"{B}script")
            if script is None or not (script.text or "").strip():
                out.at("script_syntax", f"{_cap(_describe(task))} chưa có mã kịch bản", task, script)
        for tag, mode, label in CODE_SITES:
            for el in process.iter(tag):
                owner = _owner(el)
                if owner is not None and (el.text or "").strip():
                    what = f"{label} của {_describe(owner)}"
                    _check_source(el.text or "", mode, what, owner, el, check_source, out)


_PYTHON_MESSAGES = (
    (r"^invalid syntax\. Perhaps you forgot a comma", "cú pháp không hợp lệ, có thể thiếu dấu phẩy"),
    (r"^invalid syntax", "cú pháp không hợp lệ"),
    (r"^unexpected indent", "thụt lề thừa (biểu thức và dòng đầu của mã không được thụt lề)"),
    (r"^expected an indented block", "thiếu thụt lề sau dòng kết thúc bằng dấu hai chấm"),
    (r"^unindent does not match", "thụt lề không khớp với các dòng phía trên"),
    (r"^'(?P<a>.)' was never closed", "dấu {a} chưa được đóng"),
    (r"^unmatched '(?P<a>.)'", "dấu {a} không có dấu mở tương ứng"),
    (
        r"^closing parenthesis '(?P<a>.)' does not match opening parenthesis '(?P<b>.)'",
        "dấu {a} không khớp với dấu {b}",
    ),
    (r"^unterminated (?:triple-quoted )?string literal", "chuỗi chưa có dấu nháy đóng"),
    (r"^invalid decimal literal", "số viết không hợp lệ"),
    (r"^leading zeros in decimal integer literals", "số nguyên không được bắt đầu bằng chữ số 0"),
    (r"^expected ':'", "thiếu dấu hai chấm"),
    (r"^cannot assign to", "không thể gán giá trị cho vế trái này"),
    (r"^'return' outside function", "lệnh return nằm ngoài hàm"),
    (r"^unexpected EOF while parsing", "mã kết thúc đột ngột"),
)


def _python_message(exc: SyntaxError | ValueError) -> str:
    """Python's syntax error message in Vietnamese when it is a common one."""
    raw = getattr(exc, "msg", None) or str(exc)
    return _translate(raw, _PYTHON_MESSAGES) or raw


def _check_source(
    source: str,
    mode: CodeMode,
    what: str,
    owner: Element,
    carrier: Element,
    check_source: SourceChecker | None,
    out: _Problems,
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


# ---------------------------------------------------------------- SpiffWorkflow


def _main_process(root: Element, processes: list[Element]) -> Element:
    """The first executable process of a participant, else the first executable process."""
    by_id = {p.get("id"): p for p in processes}
    collaboration = root.find(f"{B}collaboration")
    if collaboration is not None:
        for participant in collaboration.iter(f"{B}participant"):
            if participant.get("processRef") in by_id:
                return by_id[participant.get("processRef")]
    return processes[0]


def _build_specs(
    parser: SpiffBpmnParser, doc: _Doc, dmn_docs: Mapping[str, _Doc], key: str, processes: list[Element], out: _Problems
) -> tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]] | None:
    """Parse every executable process with SpiffWorkflow; return the main spec and its subprocess specs."""

    def attempt(call: Callable[[], _T]) -> _T | None:
        try:
            return call()
        except ValidationException as exc:
            _report_spiff(exc, doc, dmn_docs, out, None)
        except Exception as exc:  # noqa: BLE001 - the parser fails in arbitrary ways on odd input
            _report_other(exc, out, None)
        return None

    if attempt(lambda: parser.add_bpmn_xml(doc.root) or True) is None:
        return None
    result = attempt(lambda: (parser.get_spec(key), parser.get_subprocess_specs(key)))
    # SpiffWorkflow stops at its first error: parse the other processes too, to hear about each one.
    for process in processes:
        if process.get("id") != key:
            attempt(partial(parser.get_spec, process.get("id")))
    return result


_SPIFF_MESSAGES: tuple[tuple[str, str, str, tuple[str, str] | None], ...] = (
    (
        r"Non-default exclusive outgoing sequence flow without condition",
        "gateway_flow_without_condition",
        "{subject} ra từ cổng rẽ nhánh không có điều kiện và cũng không phải luồng mặc định",
        None,
    ),
    (
        r'No DMN Diagram available with id "(?P<ref>[^"]*)"',
        "decision_missing",
        '{subject} gọi bảng quyết định "{ref}" nhưng không tệp DMN nào chứa bảng này',
        None,
    ),
    (
        r"Data Store with name (?P<ref>.*) has no implementation",
        "parse_error",
        '{subject} chưa được hỗ trợ: máy chạy quy trình không có kho dữ liệu "{ref}"',
        ("dataStore", "name"),
    ),
    (
        r"The process '(?P<ref>[^']*)' was not found",
        "called_process_missing",
        '{subject} gọi quy trình "{ref}" nhưng quy trình này không có trong sơ đồ',
        ("callActivity", "calledElement"),
    ),
    (
        r'No "calledElement" attribute',
        "called_process_missing",
        "{subject} chưa chỉ định quy trình được gọi (calledElement)",
        None,
    ),
    (
        r"Process (?P<ref>.*) is not executable",
        "called_process_missing",
        '{subject} gọi quy trình "{ref}" nhưng quy trình này không được đánh dấu thực thi được (isExecutable="true")',
        ("callActivity", "calledElement"),
    ),
    (r"No start event found", "parse_error", "{subject} không có sự kiện bắt đầu", None),
    (
        r"Exactly one start event is required in a SubWorkflow Task; found (?P<ref>\d+)",
        "parse_error",
        "{subject} phải có đúng một sự kiện bắt đầu (hiện có {ref})",
        None,
    ),
    (r"A SubWorkflow Must contain an End event", "parse_error", "{subject} phải có ít nhất một sự kiện kết thúc", None),
    (
        r"Multiple outgoing flows are not supported",
        "parse_error",
        "{subject} có nhiều luồng ra; hãy tách nhánh bằng một cổng song song hoặc cổng rẽ nhánh",
        None,
    ),
    (
        r"There is no support implemented for this task type",
        "parse_error",
        "{subject}: loại phần tử này chưa được hỗ trợ",
        None,
    ),
    (
        r"A Service Task must have an operator",
        "parse_error",
        "{subject} chưa khai báo dịch vụ được gọi (spiffworkflow:serviceTaskOperator)",
        None,
    ),
    (
        r"must specify a cardinality or a loop input",
        "parse_error",
        "{subject} lặp nhiều phiên bản nhưng "
        "chưa có số lần lặp (loopCardinality) hoặc tập dữ liệu đầu vào (loopDataInputRef)",
        None,
    ),
    (
        r"must specify exactly one of cardinality",
        "parse_error",
        "{subject} chỉ được khai báo một trong hai: "
        "số lần lặp (loopCardinality) hoặc tập dữ liệu đầu vào (loopDataInputRef)",
        None,
    ),
    (
        r"loop (?:input|output) data reference is missing",
        "parse_error",
        "{subject} tham chiếu tới dữ liệu lặp không có trong ioSpecification",
        None,
    ),
    (
        r"A loopMaximum or loopCondition must be specified",
        "parse_error",
        "{subject} lặp nhưng chưa có số lần tối đa (loopMaximum) hoặc điều kiện lặp (loopCondition)",
        None,
    ),
    (
        r"Cannot resolve data(?:Input|Output)Association",
        "parse_error",
        "{subject} liên kết tới một đối tượng dữ liệu hoặc kho dữ liệu không xác định được",
        None,
    ),
    (r"Duplicate process ID: (?P<ref>.*)", "parse_error", 'Mã quy trình "{ref}" bị trùng', None),
    (
        r"Cancel Events may only be used with transactions",
        "parse_error",
        "{subject}: sự kiện hủy chỉ dùng được trên giao dịch (transaction)",
        None,
    ),
    (
        r"Conditional event definition with missing condition",
        "parse_error",
        "{subject} là sự kiện có điều kiện nhưng thiếu biểu thức điều kiện",
        None,
    ),
    (r"Invalid Script Task", "script_syntax", "{subject} chưa có mã kịch bản", None),
    (r"Unsupported Catch Event", "parse_error", "{subject}: loại sự kiện biên này chưa được hỗ trợ", None),
    (
        r"Time Specification Error|Unknown Time Specification",
        "timer_expression_invalid",
        "{subject} có định nghĩa hẹn giờ thiếu biểu thức thời gian",
        None,
    ),
    (
        r"perhaps a form has the same ID\? \((?P<ref>.*)\)",
        "parse_error",
        '{subject} có luồng ra tới phần tử "{ref}" không tồn tại',
        None,
    ),
    (
        r"Expected an? \w+ node|raise_validation_exception\(\) got an unexpected keyword|messageRef",
        "parse_error",
        "{subject} tham chiếu tới một thông điệp, tín hiệu, lỗi hoặc leo thang không được khai báo",
        None,
    ),
    (
        r"(?P<ref>Message|Signal|Error|Escalation|Correlation|Data Store) identifier is missing",
        "parse_error",
        "Sơ đồ có phần tử {ref} thiếu thuộc tính id",
        None,
    ),
    (
        r"Malformed Output Expression '(?P<ref>.*)'\.",
        "parse_error",
        '{subject} có biểu thức kết quả "{ref}" không phải biểu thức Python hợp lệ',
        None,
    ),
    (
        r"Unknown type in decision table",
        "parse_error",
        "{subject}: bảng quyết định chứa phần tử không được hỗ trợ",
        None,
    ),
    (
        r"KeyError\('(?P<ref>name|value)'\)",
        "parse_error",
        '{subject} có thuộc tính mở rộng (spiffworkflow:property) thiếu "{ref}"',
        None,
    ),
    (
        r"Ad hoc subprocesses may not contain start or end events",
        "parse_error",
        "{subject} là quy trình con tự do nên không được có sự kiện bắt đầu hoặc kết thúc",
        None,
    ),
    (
        r"Sequential ordering for ad hoc subprocesses not supported",
        "parse_error",
        "{subject}: quy trình con tự do chưa hỗ trợ thứ tự tuần tự",
        None,
    ),
)


def _report_spiff(
    exc: ValidationException, doc: _Doc, dmn_docs: Mapping[str, _Doc], out: _Problems, file: str | None
) -> None:
    """Translate SpiffWorkflow's ValidationException (its line number is never set: look the id up)."""
    raw = str(exc.args[0]) if exc.args else str(exc)
    file = exc.file_name if exc.file_name in dmn_docs else file
    source = dmn_docs[file] if file is not None else doc
    el = source.by_id.get(getattr(exc, "id", "") or "")
    code, template, locate = "parse_error", "{subject}: SpiffWorkflow không phân tích được ({raw})", None
    match = None
    for pattern, known_code, known_template, known_locate in _SPIFF_MESSAGES:
        match = re.search(pattern, raw, re.S)
        if match:
            code, template, locate = known_code, known_template, known_locate
            break
    ref = " ".join((match.groupdict().get("ref") or "").split()) if match else ""
    if locate is not None:  # these messages carry no element, or the wrong one (the called process)
        candidates = source.root.iter(f"{B}{locate[0]}")
        el = next((e for e in candidates if " ".join((e.get(locate[1]) or "").split()) == ref), el)
    if code != "parse_error" and (code, el.get("id") if el is not None else None, file) in out.keys:
        return  # our own check already explains it
    subject = _cap(_describe(el)) if el is not None else "Sơ đồ"
    message = template.format(subject=subject, ref=ref, raw=" ".join(raw.split()))
    line = el.sourceline if el is not None else None
    out.add(code, message, el.get("id") if el is not None else (exc.id or None), line, file)


def _report_other(exc: Exception, out: _Problems, file: str | None) -> None:
    """Any other parser failure becomes a ``parse_error``."""
    where = f'tệp "{file}"' if file else "sơ đồ"
    out.add("parse_error", f"SpiffWorkflow không phân tích được {where}: {type(exc).__name__}: {exc}", None, None, file)


# ---------------------------------------------------------------- helpers


def _translate(raw: str, table: tuple[tuple[str, str], ...]) -> str | None:
    """Vietnamese text for a known English message, or None."""
    for pattern, template in table:
        match = re.search(pattern, raw, re.S)
        if match:
            return template.format(**match.groupdict())
    return None


def _local(el: Element) -> str:
    """The tag without its namespace."""
    return etree.QName(el).localname


def _iter(root: Element, names: tuple[str, ...]) -> Iterator[Element]:
    """BPMN elements with one of the given local names, in document order."""
    return root.iter(*(f"{B}{n}" for n in names))


def _inside(el: Element, ancestor: Element) -> bool:
    """Whether ``el`` lies within ``ancestor``."""
    return any(a is ancestor for a in el.iterancestors())


def _owner(el: Element | None) -> Element | None:
    """The element a nested value belongs to: the nearest self-or-ancestor that is not a wrapper."""
    while el is not None and (_local(el) in WRAPPERS or el.get("id") is None):
        el = el.getparent()
    return el


def _describe(el: Element) -> str:
    """E.g. 'bước "Duyệt kế hoạch" (Task_approve)'."""
    label = LABELS.get(_local(el), "phần tử")
    name = " ".join((el.get("name") or el.get("label") or "").split())
    if name:
        return f'{label} "{name}" ({el.get("id")})' if el.get("id") else f'{label} "{name}"'
    return f"{label} {el.get('id')}" if el.get("id") else f"{label} <{_local(el)}>"


def _cap(text: str) -> str:
    """Capitalise the first letter."""
    return text[:1].upper() + text[1:]
