"""Tests of engine.validation: every problem of a diagram bundle, with its element and line."""

from __future__ import annotations

import json
import re

from engine.validation import ParsedBundle, Problem, validate_bundle

ROLES = {"admin", "leader", "head", "staff", "clerk", "coordinator", "appraiser"}
VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I)

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="Definitions_test" targetNamespace="http://bpmn.io/schema/bpmn">
"""

VALID = (
    HEADER
    + """  <bpmn:collaboration id="Collaboration_plan">
    <bpmn:participant id="Participant_plan" name="Kế hoạch CCHC" processRef="Process_plan" />
  </bpmn:collaboration>
  <bpmn:process id="Process_plan" name="Lập kế hoạch CCHC" isExecutable="true">
    <bpmn:laneSet id="LaneSet_plan">
      <bpmn:lane id="Lane_staff" name="Chuyên viên">
        <bpmn:extensionElements>
          <spiffworkflow:properties>
            <spiffworkflow:property name="role" value="staff" />
          </spiffworkflow:properties>
        </bpmn:extensionElements>
        <bpmn:flowNodeRef>StartEvent_plan</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task_draft</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task_score</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task_level</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="Lane_head" name="Lãnh đạo đơn vị">
        <bpmn:extensionElements>
          <spiffworkflow:properties>
            <spiffworkflow:property name="role" value="head" />
            <spiffworkflow:property name="unit" value="parent" />
          </spiffworkflow:properties>
        </bpmn:extensionElements>
        <bpmn:flowNodeRef>Task_approve</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Timer_overdue</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task_remind</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>End_remind</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Gateway_result</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="Lane_pnv" name="Phòng Nội vụ">
        <bpmn:extensionElements>
          <spiffworkflow:properties>
            <spiffworkflow:property name="role" value="coordinator" />
            <spiffworkflow:property name="unit" value="code:PNV" />
          </spiffworkflow:properties>
        </bpmn:extensionElements>
        <bpmn:flowNodeRef>Task_review</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Timer_wait</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>EndEvent_plan</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="StartEvent_plan" name="Bắt đầu">
      <bpmn:outgoing>Flow_start</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="Task_draft" name="Soạn kế hoạch">
      <bpmn:extensionElements>
        <spiffworkflow:instructionsForEndUser>Soạn **kế hoạch** năm.</spiffworkflow:instructionsForEndUser>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="plan-schema.json" />
          <spiffworkflow:property name="formUiSchemaFilename" value="plan-uischema.json" />
          <spiffworkflow:property name="dueDate" value="add_working_days(today(), 5)" />
        </spiffworkflow:properties>
        <spiffworkflow:postScript>due_date = add_working_days(today(), 10)</spiffworkflow:postScript>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_start</bpmn:incoming>
      <bpmn:incoming>Flow_back</bpmn:incoming>
      <bpmn:outgoing>Flow_draft</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:scriptTask id="Task_score" name="Tính điểm">
      <bpmn:incoming>Flow_draft</bpmn:incoming>
      <bpmn:outgoing>Flow_score</bpmn:outgoing>
      <bpmn:script>items = plan.get("items", [])
score = len(items) * 10</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:businessRuleTask id="Task_level" name="Xếp mức">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>decide_level</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_score</bpmn:incoming>
      <bpmn:outgoing>Flow_level</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:userTask id="Task_approve" name="Duyệt kế hoạch">
      <bpmn:incoming>Flow_level</bpmn:incoming>
      <bpmn:outgoing>Flow_approve</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="Timer_overdue" name="Quá hạn" cancelActivity="false" attachedToRef="Task_approve">
      <bpmn:outgoing>Flow_remind</bpmn:outgoing>
      <bpmn:timerEventDefinition id="TimerDefinition_overdue">
        <bpmn:timeDate xsi:type="bpmn:tFormalExpression">deadline_at(due_date)</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:manualTask id="Task_remind" name="Nhắc lãnh đạo">
      <bpmn:incoming>Flow_remind</bpmn:incoming>
      <bpmn:outgoing>Flow_reminded</bpmn:outgoing>
    </bpmn:manualTask>
    <bpmn:endEvent id="End_remind" name="Đã nhắc">
      <bpmn:incoming>Flow_reminded</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:exclusiveGateway id="Gateway_result" name="Duyệt?" default="Flow_back">
      <bpmn:incoming>Flow_approve</bpmn:incoming>
      <bpmn:outgoing>Flow_ok</bpmn:outgoing>
      <bpmn:outgoing>Flow_back</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:manualTask id="Task_review" name="Thẩm định">
      <bpmn:incoming>Flow_ok</bpmn:incoming>
      <bpmn:outgoing>Flow_review</bpmn:outgoing>
    </bpmn:manualTask>
    <bpmn:intermediateCatchEvent id="Timer_wait" name="Chờ một ngày">
      <bpmn:incoming>Flow_review</bpmn:incoming>
      <bpmn:outgoing>Flow_end</bpmn:outgoing>
      <bpmn:timerEventDefinition id="TimerDefinition_wait">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">'P1D'</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="EndEvent_plan" name="Kết thúc">
      <bpmn:incoming>Flow_end</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_start" sourceRef="StartEvent_plan" targetRef="Task_draft" />
    <bpmn:sequenceFlow id="Flow_draft" sourceRef="Task_draft" targetRef="Task_score" />
    <bpmn:sequenceFlow id="Flow_score" sourceRef="Task_score" targetRef="Task_level" />
    <bpmn:sequenceFlow id="Flow_level" sourceRef="Task_level" targetRef="Task_approve" />
    <bpmn:sequenceFlow id="Flow_approve" sourceRef="Task_approve" targetRef="Gateway_result" />
    <bpmn:sequenceFlow id="Flow_remind" sourceRef="Timer_overdue" targetRef="Task_remind" />
    <bpmn:sequenceFlow id="Flow_reminded" sourceRef="Task_remind" targetRef="End_remind" />
    <bpmn:sequenceFlow id="Flow_ok" name="Đồng ý" sourceRef="Gateway_result" targetRef="Task_review">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">approved == True</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_back" name="Làm lại" sourceRef="Gateway_result" targetRef="Task_draft" />
    <bpmn:sequenceFlow id="Flow_review" sourceRef="Task_review" targetRef="Timer_wait" />
    <bpmn:sequenceFlow id="Flow_end" sourceRef="Timer_wait" targetRef="EndEvent_plan" />
  </bpmn:process>
</bpmn:definitions>
"""
)

LEVEL_DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="Definitions_level" name="Xếp mức"
    namespace="http://cchc.local/dmn">
  <decision id="decide_level" name="Xếp mức">
    <decisionTable id="DecisionTable_level">
      <input id="Input_score" label="Điểm">
        <inputExpression id="InputExpression_score" typeRef="number"><text>score</text></inputExpression>
      </input>
      <output id="Output_level" name="level" typeRef="string" />
      <rule id="Rule_high">
        <inputEntry id="UnaryTests_high"><text>&gt;= 80</text></inputEntry>
        <outputEntry id="LiteralExpression_high"><text>"cao"</text></outputEntry>
      </rule>
      <rule id="Rule_low">
        <inputEntry id="UnaryTests_low"><text>&lt; 80</text></inputEntry>
        <outputEntry id="LiteralExpression_low"><text>"thấp"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""

PLAN_SCHEMA = {"type": "object", "properties": {"title": {"type": "string"}}, "required": ["title"]}
PLAN_UI = {"title": {"ui:widget": "textarea"}}

MANY = (
    HEADER
    + """  <bpmn:process id="Process_bad" name="Quy trình lỗi" isExecutable="true">
    <bpmn:laneSet id="LaneSet_bad">
      <bpmn:lane id="Lane_norole" name="Không vai trò">
        <bpmn:flowNodeRef>Task_norole</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="Lane_boss" name="Sếp">
        <bpmn:extensionElements>
          <spiffworkflow:properties>
            <spiffworkflow:property name="role" value="boss" />
            <spiffworkflow:property name="unit" value="code:" />
          </spiffworkflow:properties>
        </bpmn:extensionElements>
        <bpmn:flowNodeRef>Task_form</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task_schema</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="StartEvent_plan">
      <bpmn:outgoing>Flow_1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="Task_outside" name="Ngoài làn">
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="Task_norole" name="Làn không vai trò">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="missing.json" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_2</bpmn:incoming>
      <bpmn:outgoing>Flow_3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="Task_form" name="Biểu mẫu hỏng">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="broken.json" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_3</bpmn:incoming>
      <bpmn:outgoing>Flow_4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="Timer_bad" name="Hẹn giờ sai" attachedToRef="Task_form">
      <bpmn:outgoing>Flow_timeout</bpmn:outgoing>
      <bpmn:timerEventDefinition id="TimerDefinition_bad">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">'P5X'</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="End_timeout">
      <bpmn:incoming>Flow_timeout</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:userTask id="Task_schema" name="Lược đồ sai">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="bad-schema.json" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_4</bpmn:incoming>
      <bpmn:outgoing>Flow_5</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:businessRuleTask id="Task_rule" name="Quy tắc thiếu">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>no_such_decision</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_5</bpmn:incoming>
      <bpmn:outgoing>Flow_6</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:scriptTask id="Task_script" name="Mã cấm">
      <bpmn:extensionElements>
        <spiffworkflow:postScript>a = 1
b = 2
c = a.__class__</spiffworkflow:postScript>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_6</bpmn:incoming>
      <bpmn:outgoing>Flow_7</bpmn:outgoing>
      <bpmn:script>import os
result = 1</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="Gateway_check" name="Kiểm tra">
      <bpmn:incoming>Flow_7</bpmn:incoming>
      <bpmn:outgoing>Flow_yes</bpmn:outgoing>
      <bpmn:outgoing>Flow_no</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:intermediateCatchEvent id="Timer_unquoted" name="Chờ">
      <bpmn:incoming>Flow_yes</bpmn:incoming>
      <bpmn:outgoing>Flow_8</bpmn:outgoing>
      <bpmn:timerEventDefinition id="TimerDefinition_unquoted">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P5D</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="EndEvent_plan">
      <bpmn:incoming>Flow_8</bpmn:incoming>
      <bpmn:incoming>Flow_no</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_plan" targetRef="Task_outside" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_outside" targetRef="Task_norole" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Task_norole" targetRef="Task_form" />
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Task_form" targetRef="Task_schema" />
    <bpmn:sequenceFlow id="Flow_timeout" sourceRef="Timer_bad" targetRef="End_timeout" />
    <bpmn:sequenceFlow id="Flow_5" sourceRef="Task_schema" targetRef="Task_rule" />
    <bpmn:sequenceFlow id="Flow_6" sourceRef="Task_rule" targetRef="Task_script" />
    <bpmn:sequenceFlow id="Flow_7" sourceRef="Task_script" targetRef="Gateway_check" />
    <bpmn:sequenceFlow id="Flow_yes" name="Có" sourceRef="Gateway_check" targetRef="Timer_unquoted">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">approved ==</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_no" name="Không" sourceRef="Gateway_check" targetRef="EndEvent_plan" />
    <bpmn:sequenceFlow id="Flow_8" sourceRef="Timer_unquoted" targetRef="EndEvent_plan" />
  </bpmn:process>
</bpmn:definitions>
"""
)


def fake_check_source(source: str, mode: str) -> list[tuple[int | None, str]]:
    """Stand-in for the sandbox's static checker: flags imports and dunder names."""
    return [
        (number, "không được dùng import hoặc tên bắt đầu bằng __")
        for number, text in enumerate(source.splitlines(), 1)
        if "__" in text or "import" in text
    ]


def line_of(text: str, needle: str, skip: int = 0) -> int:
    """1-based line of the first occurrence of ``needle`` (plus ``skip`` lines)."""
    return text[: text.index(needle)].count("\n") + 1 + skip


def valid_files() -> dict[str, bytes]:
    """The other files of the valid bundle."""
    return {
        "level.dmn": LEVEL_DMN.encode(),
        "plan-schema.json": json.dumps(PLAN_SCHEMA).encode(),
        "plan-uischema.json": json.dumps(PLAN_UI).encode(),
    }


def validate(bpmn: str, files: dict[str, bytes] | None = None) -> tuple[ParsedBundle | None, list[Problem]]:
    """Validate with the conventions' roles and the fake sandbox checker."""
    return validate_bundle(bpmn.encode(), valid_files() if files is None else files, ROLES, fake_check_source)


def assert_readable(problems: list[Problem]) -> None:
    """Every problem speaks Vietnamese and points somewhere."""
    for problem in problems:
        assert isinstance(problem, Problem)
        assert VIETNAMESE.search(problem.message), problem
        assert problem.line is not None or problem.element_id is not None or problem.file is not None, problem


def test_valid_diagram_has_no_problems_and_reads_lanes() -> None:
    bundle, problems = validate(VALID)

    assert problems == []
    assert bundle is not None
    assert bundle.process_key == "Process_plan"
    assert bundle.process_name == "Lập kế hoạch CCHC"
    assert bundle.lanes == {
        "Chuyên viên": {"role": "staff", "unit": "instance"},
        "Lãnh đạo đơn vị": {"role": "head", "unit": "parent"},
        "Phòng Nội vụ": {"role": "coordinator", "unit": "code:PNV"},
    }
    assert bundle.spec.name == "Process_plan"
    assert bundle.spec.task_specs["Task_approve"].lane == "Lãnh đạo đơn vị"
    assert bundle.subprocess_specs == {}


def test_many_problems_are_all_reported_with_element_and_line() -> None:
    files = {
        "broken.json": b'{"type": "object",\n  "properties": }',
        "bad-schema.json": b'{"type": "objekt"}',
    }
    bundle, problems = validate(MANY, files)

    expected = {
        ("task_not_in_lane", "Task_outside", line_of(MANY, 'id="Task_outside"'), None),
        ("lane_role_missing", "Lane_norole", line_of(MANY, 'id="Lane_norole"'), None),
        ("lane_role_unknown", "Lane_boss", line_of(MANY, 'value="boss"'), None),
        ("lane_unit_invalid", "Lane_boss", line_of(MANY, 'value="code:"'), None),
        ("form_missing", "Task_norole", line_of(MANY, 'value="missing.json"'), None),
        ("form_invalid", "Task_form", 2, "broken.json"),
        ("form_invalid", "Task_schema", None, "bad-schema.json"),
        ("timer_expression_invalid", "Timer_bad", line_of(MANY, "'P5X'"), None),
        ("decision_missing", "Task_rule", line_of(MANY, "no_such_decision"), None),
        ("script_forbidden", "Task_script", line_of(MANY, "c = a.__class__"), None),
        ("script_forbidden", "Task_script", line_of(MANY, "import os"), None),
        ("script_syntax", "Flow_yes", line_of(MANY, "approved =="), None),
        ("timer_expression_invalid", "Timer_unquoted", line_of(MANY, ">P5D<"), None),
        ("gateway_flow_without_condition", "Flow_no", line_of(MANY, 'id="Flow_no"'), None),
    }
    assert {(p.code, p.element_id, p.line, p.file) for p in problems} == expected
    assert len(problems) == len(expected)  # SpiffWorkflow's own report of the same faults is not repeated
    assert bundle is None  # SpiffWorkflow refused the missing decision
    assert_readable(problems)
    by_key = {(p.code, p.element_id, p.line): p.message for p in problems}
    assert by_key["task_not_in_lane", "Task_outside", line_of(MANY, 'id="Task_outside"')] == (
        'Bước "Ngoài làn" (Task_outside) không nằm trong làn nào'
    )
    assert "'P5D'" in by_key["timer_expression_invalid", "Timer_unquoted", line_of(MANY, ">P5D<")]
    assert "dòng 3 của mã" in by_key["script_forbidden", "Task_script", line_of(MANY, "c = a.__class__")]


def test_malformed_xml_is_one_problem_with_its_line() -> None:
    bpmn = HEADER + '  <bpmn:process id="P" isExecutable="true">\n    <bpmn:task id="T">\n  </bpmn:process>\n'

    bundle, problems = validate(bpmn, {})

    assert bundle is None
    assert [(p.code, p.line) for p in problems] == [("xml_malformed", 8)]
    assert_readable(problems)


def test_xsd_violation_is_reported_with_element_and_line() -> None:
    bpmn = VALID.replace(
        '<bpmn:userTask id="Task_approve" name="Duyệt kế hoạch">',
        '<bpmn:userTask id="Task_approve" name="Duyệt kế hoạch" priority="high">',
    )

    bundle, problems = validate(bpmn)

    line = line_of(bpmn, 'priority="high"')
    assert [(p.code, p.element_id, p.line) for p in problems] == [("xsd_invalid", "Task_approve", line)]
    assert '"priority"' in problems[0].message
    assert bundle is not None  # a schema violation does not stop SpiffWorkflow
    assert_readable(problems)


def test_no_executable_process() -> None:
    bundle, problems = validate(VALID.replace('isExecutable="true"', 'isExecutable="false"'))

    assert bundle is None
    assert [p.code for p in problems] == ["no_executable_process"]
    assert_readable(problems)


def test_problems_in_dmn_files_name_the_file() -> None:
    files = valid_files() | {"level.dmn": LEVEL_DMN.replace("</decision>", "").encode()}

    bundle, problems = validate(VALID, files)

    assert bundle is None
    assert ("xml_malformed", "level.dmn") in {(p.code, p.file) for p in problems}
    assert ("decision_missing", "Task_level") in {(p.code, p.element_id) for p in problems}
    assert_readable(problems)


def test_dmn_file_with_several_decisions_is_explained() -> None:
    second = (
        '<decision id="decide_other" name="Khác"><decisionTable id="DecisionTable_other">'
        '<output id="Output_other" name="x" /></decisionTable></decision>'
    )
    dmn = LEVEL_DMN.replace("</definitions>", f"  {second}\n</definitions>")
    bpmn = VALID.replace(">decide_level<", ">decide_other<")

    bundle, problems = validate(bpmn, valid_files() | {"level.dmn": dmn.encode()})

    assert bundle is None
    assert {(p.code, p.element_id, p.line, p.file) for p in problems} == {
        ("parse_error", "decide_other", line_of(dmn, 'id="decide_other"'), "level.dmn"),
        ("decision_missing", "Task_level", line_of(bpmn, ">decide_other<"), None),
    }
    assert_readable(problems)


def test_ids_that_spiffworkflow_uses_itself_are_refused() -> None:
    bpmn = VALID.replace("StartEvent_plan", "Start")

    _, problems = validate(bpmn)

    assert [(p.code, p.element_id, p.line) for p in problems] == [
        ("element_id_reserved", "Start", line_of(bpmn, 'id="Start"'))
    ]
    assert_readable(problems)


def test_spiffworkflow_errors_are_translated_with_element_and_line() -> None:
    # A task with two outgoing flows is an implicit split, which SpiffWorkflow refuses.
    bpmn = VALID.replace(
        '<bpmn:sequenceFlow id="Flow_end" sourceRef="Timer_wait" targetRef="EndEvent_plan" />',
        '<bpmn:sequenceFlow id="Flow_end" sourceRef="Timer_wait" targetRef="EndEvent_plan" />\n'
        '    <bpmn:sequenceFlow id="Flow_split" sourceRef="Task_review" targetRef="EndEvent_plan" />',
    )

    bundle, problems = validate(bpmn)

    assert bundle is None
    assert [(p.code, p.element_id, p.line) for p in problems] == [
        ("parse_error", "Task_review", line_of(bpmn, 'id="Task_review"'))
    ]
    assert problems[0].message.startswith('Bước "Thẩm định" (Task_review) có nhiều luồng ra')


def test_subprocess_tasks_take_the_lane_of_their_subprocess() -> None:
    bpmn = VALID.replace(
        """    <bpmn:manualTask id="Task_review" name="Thẩm định">
      <bpmn:incoming>Flow_ok</bpmn:incoming>
      <bpmn:outgoing>Flow_review</bpmn:outgoing>
    </bpmn:manualTask>""",
        """    <bpmn:subProcess id="Task_review" name="Thẩm định">
      <bpmn:incoming>Flow_ok</bpmn:incoming>
      <bpmn:outgoing>Flow_review</bpmn:outgoing>
      <bpmn:startEvent id="Sub_start"><bpmn:outgoing>Sub_flow_1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:userTask id="Sub_task" name="Ghi ý kiến"><bpmn:incoming>Sub_flow_1</bpmn:incoming>
        <bpmn:outgoing>Sub_flow_2</bpmn:outgoing></bpmn:userTask>
      <bpmn:endEvent id="Sub_end"><bpmn:incoming>Sub_flow_2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="Sub_flow_1" sourceRef="Sub_start" targetRef="Sub_task" />
      <bpmn:sequenceFlow id="Sub_flow_2" sourceRef="Sub_task" targetRef="Sub_end" />
    </bpmn:subProcess>""",
    )

    bundle, problems = validate(bpmn)

    assert problems == []
    assert bundle is not None
    assert bundle.subprocess_specs["Task_review"].task_specs["Sub_task"].lane == "Phòng Nội vụ"
