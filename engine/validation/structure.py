"""Structure rules: executable process, element ids, lanes and roles, gateways, properties and forms."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from typing import Any

from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from .elements import capitalise, describe, is_inside, iter_bpmn, local_name, owner_of
from .expressions import check_python
from .model import B, Element, ProblemLog, S, SourceChecker, XmlDoc

HUMAN_TASKS = ("userTask", "manualTask")
# Task-spec names SpiffWorkflow makes up itself: a flow node with such an id is mistaken for them.
RESERVED_IDS = ("Start", "End", "StartEventSplit", "StartEventJoin")
RESERVED_SUFFIXES = (".EndJoin", ".BoundaryEventSplit", ".BoundaryEventJoin", " [child]")
CONTAINERS = ("subProcess", "transaction", "adHocSubProcess")
FORM_PROPERTIES = ("formJsonSchemaFilename", "formUiSchemaFilename")
UNIT_RE = re.compile(r"instance|parent|code:[A-Za-z0-9_.\-]+|var:[A-Za-z_][A-Za-z0-9_]*")


def report_no_process(root: Element, out: ProblemLog) -> None:
    """Explain why no process can run, pointing at the first process (or the root)."""
    first = root.find(f"{B}process")
    if first is None:
        out.at("no_executable_process", "Sơ đồ không có quy trình (bpmn:process) nào", root)
        return
    flag = first.get("isExecutable")
    state = f'đang có isExecutable="{flag}"' if flag is not None else "thiếu thuộc tính isExecutable"
    message = (
        f'Sơ đồ không có quy trình nào được đánh dấu thực thi được (isExecutable="true"); {describe(first)} {state}'
    )
    out.at("no_executable_process", message, first)


def check_ids(processes: list[Element], out: ProblemLog) -> None:
    """No flow node may take the name of a task spec SpiffWorkflow creates (its parse is then skipped)."""
    node_tags = {**SpiffBpmnParser.PARSER_CLASSES, **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES}
    for process in processes:
        for el in process.iter(*node_tags):
            el_id = el.get("id", "")
            if el_id in RESERVED_IDS or el_id.endswith(RESERVED_SUFFIXES):
                out.at(
                    "element_id_reserved",
                    f'{capitalise(describe(el))} có mã "{el_id}" trùng với tên '
                    "SpiffWorkflow dùng nội bộ nên bị lẫn với bước nội bộ đó và bỏ qua khi chạy; "
                    f'hãy đổi mã, ví dụ "{local_name(el)}_1"',
                    el,
                )


def check_lanes(
    doc: XmlDoc, processes: list[Element], known_roles: Collection[str], out: ProblemLog
) -> dict[str, dict[str, str]]:
    """Human tasks lie in a lane with a known role and a valid unit; return lane name -> role/unit."""
    lane_of: dict[str, Element] = {}
    for ref in doc.root.iter(f"{B}flowNodeRef"):
        if ref.text is not None:  # SpiffWorkflow reads the same index: the last reference wins
            lane_of[ref.text] = ref.getparent()
    holding: set[Element] = set()
    for process in processes:
        for task in iter_bpmn(process, HUMAN_TASKS):
            lane = _task_lane(task, process, lane_of)
            if lane is None:
                out.at("task_not_in_lane", f"{capitalise(describe(task))} không nằm trong làn nào", task)
            elif not is_inside(lane, process):
                out.at(
                    "task_not_in_lane",
                    f"{capitalise(describe(task))} nằm trong {describe(lane)} "
                    "của một quy trình khác, không thuộc làn nào của quy trình chứa nó",
                    task,
                )
            elif not lane.get("name"):
                out.at(
                    "lane_name_missing",
                    f"{capitalise(describe(lane))} chưa có tên "
                    f"nên không xác định được ai được thực hiện {describe(task)}",
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
                    f'{capitalise(describe(lane))} chứa bước cần người xử lý nhưng chưa có thuộc tính "role" (vai trò)',
                    lane,
                )
            elif role is not None and role[0] not in known_roles:
                out.at(
                    "lane_role_unknown",
                    f'{capitalise(describe(lane))} có vai trò "{role[0]}" không tồn tại; các vai trò hợp lệ: {roles}',
                    lane,
                    role[1],
                )
            if unit is not None and not UNIT_RE.fullmatch(unit[0]):
                out.at(
                    "lane_unit_invalid",
                    f'{capitalise(describe(lane))} có đơn vị (unit) "{unit[0]}" '
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
                    f"{capitalise(describe(lane))} trùng tên với "
                    f"{describe(first_lane[name])} nhưng khác vai trò hoặc đơn vị; tên làn phải "
                    "phân biệt được người thực hiện",
                    lane,
                )
                continue
            lanes[name], first_lane[name] = entry, lane
    return lanes


def _task_lane(task: Element, process: Element, lane_of: Mapping[str, Element]) -> Element | None:
    """The lane SpiffWorkflow gives a task: the outermost enclosing subprocess with a named lane wins."""
    chain = [task] + [a for a in task.iterancestors() if local_name(a) in CONTAINERS and is_inside(a, process)]
    found = [lane_of[e.get("id", "")] for e in reversed(chain) if e.get("id", "") in lane_of]
    return next((lane for lane in found if lane.get("name")), found[0] if found else None)


def check_gateways(processes: list[Element], out: ProblemLog) -> None:
    """Each outgoing flow of a branching exclusive/inclusive gateway has a condition or is the default."""
    for process in processes:
        flows: dict[str, list[Element]] = {}
        for flow in process.iter(f"{B}sequenceFlow"):
            flows.setdefault(flow.get("sourceRef", ""), []).append(flow)
        for gateway in iter_bpmn(process, ("exclusiveGateway", "inclusiveGateway")):
            outgoing = flows.get(gateway.get("id", ""), [])
            if len(outgoing) < 2:
                continue
            for flow in outgoing:
                condition = flow.find(f"{B}conditionExpression")
                blank = condition is None or not (condition.text or "").strip()
                if blank and flow.get("id") != gateway.get("default"):
                    out.at(
                        "gateway_flow_without_condition",
                        f"{capitalise(describe(flow))} ra từ "
                        f"{describe(gateway)} không có điều kiện và cũng không phải luồng mặc định",
                        flow,
                    )


def check_properties(
    processes: list[Element], files: Mapping[str, bytes], check_source: SourceChecker | None, out: ProblemLog
) -> None:
    """Form files exist and are valid JSON (Schema); ``dueDate`` is a valid expression."""
    checked: set[tuple[str, str]] = set()
    for process in processes:
        for prop in process.iter(f"{S}property"):
            owner, name, value = owner_of(prop), prop.get("name"), prop.get("value") or ""
            if owner is None or local_name(owner) == "lane":
                continue
            if name == "dueDate":
                what = f"Biểu thức hạn xử lý (dueDate) của {describe(owner)}"
                if value.strip():
                    check_python(value, "eval", what, owner, prop, check_source, out)
                else:
                    out.at("script_syntax", f"{what} đang để trống", owner, prop)
            if name not in FORM_PROPERTIES:
                continue
            if not value.strip():
                message = f'{capitalise(describe(owner))} có thuộc tính "{name}" để trống'
                out.at("form_missing", message, owner, prop)
            elif value not in files:
                out.at(
                    "form_missing",
                    f'{capitalise(describe(owner))} dùng tệp biểu mẫu "{value}" '
                    "nhưng tệp này không có trong gói triển khai",
                    owner,
                    prop,
                )
            elif (value, name) not in checked:
                checked.add((value, name))
                _check_form(value, files[value], name == FORM_PROPERTIES[0], owner, out)


def _check_form(file: str, data: bytes, json_schema: bool, owner: Element, out: ProblemLog) -> None:
    """A form file is JSON; a JSON-schema form is also a valid JSON Schema."""
    where = f'Tệp biểu mẫu "{file}" (dùng ở {describe(owner)})'
    check_json_file(file, data, json_schema, where, owner.get("id"), out)


def check_json_file(
    file: str, data: bytes, json_schema: bool, where: str, element_id: str | None, out: ProblemLog
) -> dict[str, Any] | None:
    """A JSON object (with ``json_schema``: a valid JSON Schema); its content, or None after reporting why not."""
    try:
        content = json.loads(data)
    except json.JSONDecodeError as exc:
        message = f"{where} không phải JSON hợp lệ ở dòng {exc.lineno}, cột {exc.colno}: {exc.msg}"
        out.add("form_invalid", message, element_id, exc.lineno, file)
        return None
    except (ValueError, RecursionError) as exc:
        out.add("form_invalid", f"{where} không đọc được như JSON ({exc})", element_id, None, file)
        return None
    if not isinstance(content, dict):
        out.add("form_invalid", f"{where} phải là một đối tượng JSON", element_id, None, file)
        return None
    if not json_schema:
        return content
    if not isinstance(content.get("$schema", ""), str):
        out.add("form_invalid", f'{where} có "$schema" không phải chuỗi', element_id, None, file)
        return None
    try:
        validator_for(content).check_schema(content)
    except SchemaError as exc:
        out.add(
            "form_invalid",
            f"{where} không phải JSON Schema hợp lệ tại {exc.json_path}: {exc.message}",
            element_id,
            None,
            file,
        )
        return None
    return content


def _properties(el: Element) -> dict[str, tuple[str, Element]]:
    """The spiffworkflow properties of an element: name -> (value, property element)."""
    found = el.findall(f"{B}extensionElements/{S}properties/{S}property")
    return {p.get("name", ""): (p.get("value") or "", p) for p in found}
