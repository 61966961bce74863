"""Diagram scripts and expressions run in the restricted sandbox (engine/sandbox.py)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine import sandbox
from engine.sandbox import SandboxViolation, check_source, make_script_engine

BPMN_NS = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
)

COMPUTE_SCRIPT = """\
scores = {}
for item in items:
    scores[item['unit']] = scores.get(item['unit'], 0) + item['points']
total = 0
for unit, points in scores.items():
    total += points
top_units = sorted([u for u, p in scores.items() if p >= 5])
first, *rest = top_units or ['']
counts = {'units': len(scores)}
counts['items'] = len(items)
names = []
for u in top_units:
    names.append(u.lower())
i = 0
while i * i &lt; 10:
    i += 1
summary = f"{len(scores)} đơn vị, tổng {total}"
deadline = add_days(start, 3)
start_year = parse_date(start).year
"""

PROCESS_BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {BPMN_NS} id="Definitions_sandbox" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="Process_sandbox" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Task_compute" />
    <bpmn:scriptTask id="Task_compute" name="Tính điểm">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
      <bpmn:script>{COMPUTE_SCRIPT}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_compute" targetRef="Task_rate" />
    <bpmn:businessRuleTask id="Task_rate" name="Xếp loại">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>decision_rating</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Task_rate" targetRef="Gateway_route" />
    <bpmn:exclusiveGateway id="Gateway_route" default="Flow_other">
      <bpmn:incoming>Flow_3</bpmn:incoming>
      <bpmn:outgoing>Flow_good</bpmn:outgoing><bpmn:outgoing>Flow_other</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="Flow_good" sourceRef="Gateway_route" targetRef="Task_good">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">rating == 'Tốt' and \
len(top_units) &gt;= 2</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_other" sourceRef="Gateway_route" targetRef="Task_other" />
    <bpmn:manualTask id="Task_good" name="Xác nhận">
      <bpmn:extensionElements>
        <spiffworkflow:preScript>label = shout(first)</spiffworkflow:preScript>
        <spiffworkflow:postScript>route = 'good'
checked = shout(route)</spiffworkflow:postScript>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_good</bpmn:incoming><bpmn:outgoing>Flow_end_good</bpmn:outgoing>
    </bpmn:manualTask>
    <bpmn:scriptTask id="Task_other" name="Nhánh khác">
      <bpmn:incoming>Flow_other</bpmn:incoming><bpmn:outgoing>Flow_end_other</bpmn:outgoing>
      <bpmn:script>route = 'other'</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="Flow_end_good" sourceRef="Task_good" targetRef="End_good" />
    <bpmn:sequenceFlow id="Flow_end_other" sourceRef="Task_other" targetRef="End_other" />
    <bpmn:endEvent id="End_good"><bpmn:incoming>Flow_end_good</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="End_other"><bpmn:incoming>Flow_end_other</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""

RATING_DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="Definitions_rating"
    name="Xếp loại" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="decision_rating" name="Xếp loại">
    <decisionTable id="DecisionTable_rating" hitPolicy="UNIQUE">
      <input id="Input_total" label="Tổng điểm">
        <inputExpression id="InputExpression_total" typeRef="integer"><text>total</text></inputExpression>
      </input>
      <output id="Output_rating" label="Xếp loại" name="rating" typeRef="string" />
      <output id="Output_note" label="Ghi chú" name="note" typeRef="string" />
      <rule id="Rule_good">
        <inputEntry id="Entry_good"><text>&gt;= 10</text></inputEntry>
        <outputEntry id="Out_good_rating"><text>'Tốt'</text></outputEntry>
        <outputEntry id="Out_good_note"><text>shout(f"đạt {total}")</text></outputEntry>
      </rule>
      <rule id="Rule_other">
        <inputEntry id="Entry_other"><text>&lt; 10</text></inputEntry>
        <outputEntry id="Out_other_rating"><text>'Cần cải thiện'</text></outputEntry>
        <outputEntry id="Out_other_note"><text>shout('chưa đạt')</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""


def _add_days(day: str, n: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=n)).isoformat()


HELPERS: dict[str, Any] = {
    "add_days": _add_days,
    "parse_date": date.fromisoformat,
    "shout": lambda text: str(text).upper(),
}


def _workflow(bpmn: str, process_id: str, dmn: str | None = None, **helpers: Any) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(bpmn.encode())
    if dmn is not None:
        parser.add_dmn_str(dmn.encode())
    spec = parser.get_spec(process_id)
    subspecs = parser.get_subprocess_specs(process_id)
    return BpmnWorkflow(spec, subspecs, script_engine=make_script_engine({**HELPERS, **helpers}))


def _start(workflow: BpmnWorkflow, data: dict[str, Any]) -> None:
    workflow.get_tasks(state=TaskState.READY)[0].data.update(data)
    workflow.do_engine_steps()


def _single_script_bpmn(process_id: str, script: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {BPMN_NS} id="Definitions_{process_id}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{process_id}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Task_script" />
    <bpmn:scriptTask id="Task_script" name="Tập lệnh">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_script" targetRef="End" />
    <bpmn:endEvent id="End"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def _complete_manual_task(workflow: BpmnWorkflow, bpmn_id: str) -> dict[str, Any]:
    [task] = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert task.task_spec.bpmn_id == bpmn_id
    ready_data = dict(task.data)
    task.run()
    workflow.do_engine_steps()
    return ready_data


def _end_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    assert workflow.is_completed()
    return workflow.get_tasks(spec_name="End_good")[0].data


# --- forbidden code ---

FORBIDDEN = [
    ("__import__('os')", "import"),
    ("import os", "import"),
    ("from os import path", "import"),
    ("open('/etc/passwd')", "Hàm open không được phép"),
    ("().__class__.__mro__", "dấu gạch dưới: __class__"),
    ("getattr(x, '__class__')", "Hàm getattr không được phép"),
    ("eval('1')", "Hàm eval không được phép"),
    ("exec('x=1')", "Hàm exec không được phép"),
    ("type(x).__subclasses__", "Hàm type không được phép"),
    ("compile('1', 'f', 'eval')", "Hàm compile không được phép"),
    ("globals()", "Hàm globals không được phép"),
    ("'{0.__class__}'.format(x)", "Phương thức format"),
    ("(g for g in x).gi_frame.f_globals", "thuộc tính nội bộ"),
    ("print(x)", "Hàm print không được phép"),
    ("class A:\n    pass", "định nghĩa lớp"),
]
EXPRESSION_ONLY = {"import os", "from os import path", "class A:\n    pass"}


@pytest.mark.parametrize(("source", "expected"), FORBIDDEN)
def test_check_source_refuses_forbidden_code(source: str, expected: str) -> None:
    problems = check_source(source, "exec")
    assert problems, source
    assert problems[0][0] == 1
    assert any(expected in message for _, message in problems)
    if source not in EXPRESSION_ONLY:
        assert check_source(source, "eval")


def test_check_source_reports_every_problem_with_its_line() -> None:
    script = "a = 1\nb = [i for i in range(3)]\nimport os\nc = b.__class__\nd = open('f')\n"
    problems = check_source(script, "exec")
    assert [line for line, _ in problems] == [3, 4, 5]
    assert problems[0][1] == "Không được phép dùng import trong tập lệnh của quy trình"
    assert problems[1][1] == "Không được phép truy cập thuộc tính bắt đầu bằng dấu gạch dưới: __class__"
    assert problems[2][1] == "Hàm open không được phép dùng trong quy trình"


def test_check_source_reports_syntax_errors() -> None:
    problems = check_source("a = 1\nb = (2,\n", "exec")
    assert len(problems) == 1
    line, message = problems[0]
    assert line == 2
    assert message.startswith("Lỗi cú pháp")
    assert check_source("x ==", "eval")[0][0] == 1


@pytest.mark.parametrize(
    "source",
    [
        "total = sum(v for v in values)",
        "d = {}\nd['a'] = 1\nd.update({'b': 2})\nkeys = list(d.keys())",
        "x = 1\nx += 2\nx *= 3",
        "a, (b, c) = 1, (2, 3)",
        's = f"{name.upper()} - {len(name)}"',
        "for k, v in sorted(d.items(), key=lambda kv: kv[1]):\n    last = k",
        "try:\n    v = d['missing']\nexcept KeyError:\n    v = None",
        "type = 'A'\nkind = type if type else 'B'",
        "def double(n):\n    return n * 2\nr = double(4)",
        "n = 0\nwhile n < 3:\n    n += 1\nelse:\n    done = True",
    ],
)
def test_check_source_accepts_data_code(source: str) -> None:
    assert check_source(source, "exec") == []


def test_leading_blanks_of_an_expression_are_ignored_like_eval_does() -> None:
    assert check_source("  x == 1", "eval") == []
    assert make_script_engine().environment.evaluate("\t x == 1", {"x": 1}) is True


def test_item_augmented_assignment_is_refused_with_a_hint() -> None:
    [(line, message)] = check_source("d = {'a': 1}\nd['a'] += 1", "exec")
    assert line == 2
    assert "d[k] = d[k] + 1" in message


@pytest.mark.parametrize(("source", "expected"), [(s, e) for s, e in FORBIDDEN if s not in EXPRESSION_ONLY])
def test_environment_refuses_forbidden_expressions(source: str, expected: str) -> None:
    environment = make_script_engine().environment
    with pytest.raises(SandboxViolation) as caught:
        environment.evaluate(source, {"x": 1})
    assert expected in caught.value.message
    assert caught.value.line == 1


def test_run_time_guards_refuse_what_slips_past_the_static_check() -> None:
    environment = make_script_engine().environment
    with pytest.raises(SandboxViolation, match="Hàm type không được phép"):
        environment.execute("t = type\nt(1)", {})
    with pytest.raises(SandboxViolation, match="Hàm open không được phép"):
        sandbox._GUARDS["__builtins__"]["open"]("/etc/passwd")
    with pytest.raises(SandboxViolation, match="import"):
        sandbox._GUARDS["__builtins__"]["__import__"]("os")
    with pytest.raises(SandboxViolation, match="dấu gạch dưới: __class__"):
        sandbox._guarded_getattr((), "__class__")
    with pytest.raises(SandboxViolation, match="Phương thức format"):
        sandbox._guarded_getattr("{0.__class__}", "format")
    with pytest.raises(SandboxViolation, match="chỉ được sửa dict và list"):
        environment.execute("s = 'abc'\ns[0] = 'x'", {})


# --- normal workflows ---

ITEMS = [
    {"unit": "PNV", "points": 4},
    {"unit": "PTP", "points": 6},
    {"unit": "PNV", "points": 3},
    {"unit": "VPUB", "points": 2},
]


def test_workflow_with_scripts_gateway_dmn_and_helpers() -> None:
    workflow = _workflow(PROCESS_BPMN, "Process_sandbox", RATING_DMN)
    _start(workflow, {"items": ITEMS, "start": "2025-03-07"})
    ready_data = _complete_manual_task(workflow, "Task_good")  # preScript ran, postScript not yet

    assert ready_data["label"] == "PNV"
    assert "route" not in ready_data
    data = _end_data(workflow)
    assert data["scores"] == {"PNV": 7, "PTP": 6, "VPUB": 2}
    assert data["total"] == 15
    assert data["top_units"] == ["PNV", "PTP"]
    assert (data["first"], data["rest"]) == ("PNV", ["PTP"])
    assert data["counts"] == {"units": 3, "items": 4}
    assert data["names"] == ["pnv", "ptp"]
    assert data["i"] == 4
    assert data["summary"] == "3 đơn vị, tổng 15"
    assert data["deadline"] == "2025-03-10"
    assert data["start_year"] == 2025
    assert data["rating"] == "Tốt"
    assert data["note"] == "ĐẠT 15"
    assert data["route"] == "good"
    assert data["label"] == "PNV"
    assert data["checked"] == "GOOD"
    assert not workflow.get_tasks(spec_name="Task_other", state=TaskState.COMPLETED)


def test_workflow_leaves_no_helper_or_builtin_in_task_data() -> None:
    workflow = _workflow(PROCESS_BPMN, "Process_sandbox", RATING_DMN)
    _start(workflow, {"items": ITEMS, "start": "2025-03-07"})
    _complete_manual_task(workflow, "Task_good")

    for task in workflow.get_tasks(state=TaskState.COMPLETED):
        for key, value in task.data.items():
            assert not key.startswith("_"), (task.task_spec.bpmn_id, key)
            assert key not in HELPERS
            assert not callable(value), (task.task_spec.bpmn_id, key)


def test_dmn_and_default_flow_for_a_low_total() -> None:
    workflow = _workflow(PROCESS_BPMN, "Process_sandbox", RATING_DMN)
    _start(workflow, {"items": ITEMS[:1], "start": "2025-01-01"})

    assert workflow.is_completed()
    data = workflow.get_tasks(spec_name="End_other")[0].data
    assert data["total"] == 4
    assert data["rating"] == "Cần cải thiện"
    assert data["note"] == "CHƯA ĐẠT"
    assert data["route"] == "other"


def test_data_named_like_a_helper_is_refused_in_vietnamese() -> None:
    workflow = _workflow(_single_script_bpmn("Process_clash", "x = 1"), "Process_clash")
    with pytest.raises(WorkflowTaskException, match="trùng tên với hàm có sẵn"):
        _start(workflow, {"shout": "no"})


# --- errors inside a running workflow ---


@pytest.mark.parametrize(("source", "expected"), FORBIDDEN)
def test_forbidden_script_fails_the_task_with_its_line(source: str, expected: str) -> None:
    script = "ok = 1\nnote = 'trước'\n" + source.replace("<", "&lt;")
    workflow = _workflow(_single_script_bpmn("Process_bad", script), "Process_bad")

    with pytest.raises(WorkflowTaskException) as caught:
        _start(workflow, {"x": [1]})

    error = caught.value
    assert error.task is not None
    assert error.task.task_spec.bpmn_id == "Task_script"
    assert error.line_number == 3
    assert error.error_line == source.splitlines()[0]
    assert expected in str(error)
    assert error.error_type == "SandboxViolation"
    assert "ok" not in error.task.data  # refused before anything ran


def test_run_time_violation_reports_the_line_from_the_traceback() -> None:
    script = "a = 1\nt = type\nb = t(a)"
    workflow = _workflow(_single_script_bpmn("Process_rt", script), "Process_rt")

    with pytest.raises(WorkflowTaskException) as caught:
        _start(workflow, {})

    assert caught.value.line_number == 3
    assert "Hàm type không được phép dùng trong quy trình" in str(caught.value)


def test_forbidden_gateway_condition_fails_with_a_workflow_task_exception() -> None:
    bpmn = PROCESS_BPMN.replace("rating == 'Tốt' and", "().__class__ and")
    workflow = _workflow(bpmn, "Process_sandbox", RATING_DMN)

    with pytest.raises(WorkflowTaskException) as caught:
        _start(workflow, {"items": ITEMS, "start": "2025-03-07"})

    assert caught.value.task.task_spec.bpmn_id == "Gateway_route"
    assert caught.value.line_number == 1
    assert "dấu gạch dưới: __class__" in str(caught.value)


def test_non_string_exception_argument_is_wrapped_not_crashing() -> None:
    # SpiffWorkflow 3.2.0 concatenates err.args[0] to a str, which raises TypeError for KeyError(1).
    workflow = _workflow(_single_script_bpmn("Process_key", "d = {}\nv = d[1]"), "Process_key")

    with pytest.raises(WorkflowTaskException) as caught:
        _start(workflow, {})

    assert caught.value.line_number == 2
    assert caught.value.error_type == "KeyError"


def test_service_tasks_are_refused_in_vietnamese() -> None:
    workflow = _workflow(_single_script_bpmn("Process_svc", "x = 1"), "Process_svc")
    task = workflow.get_tasks(state=TaskState.READY)[0]

    with pytest.raises(WorkflowTaskException, match="không hỗ trợ tác vụ dịch vụ"):
        workflow.script_engine.call_service(task, operation_name="send_mail", operation_params={})


# --- compiled-code cache ---


def test_repeated_expression_is_compiled_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    analyse = sandbox._analyse

    def counting_analyse(source: str, mode: sandbox.Mode) -> Any:
        calls.append(source)
        return analyse(source, mode)

    monkeypatch.setattr(sandbox, "_analyse", counting_analyse)
    environment = make_script_engine().environment
    expression = f"n + 1 == {uuid.uuid4().int}"
    script = f"m = n + {uuid.uuid4().int % 1000}"

    for n in range(50):
        assert environment.evaluate(expression, {"n": n}) is False
        environment.execute(script, {"n": n})

    assert calls == [expression, script]
