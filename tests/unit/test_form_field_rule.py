"""The deploy rule "no form field names a variable the process computes", and the analysis behind it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from engine.definitions import read_bundle
from engine.sandbox import check_source
from engine.validation import Problem, validate_bundle
from engine.validation.variables import assigned_names, form_fields
from tests.engine_support import FIXTURES, ROLES, process_folder

VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I)


def bundle(key: str) -> tuple[bytes, dict[str, bytes]]:
    if key == "approval5":
        return read_bundle(FIXTURES / key / f"{key}.bpmn")
    return read_bundle(process_folder(key) / f"{key}.bpmn")


def with_fields(files: dict[str, bytes], form: str, **fields: Any) -> dict[str, bytes]:
    schema = json.loads(files[form])
    schema["properties"] = {**schema["properties"], **fields}
    return {**files, form: json.dumps(schema).encode()}


def problems_of(bpmn: bytes, files: dict[str, bytes]) -> list[Problem]:
    _, problems = validate_bundle(bpmn, files, ROLES, check_source)
    return problems


def line_of(bpmn: bytes, element_id: str, text: str) -> int:
    """The line of ``text`` after the element ``element_id`` opens."""
    lines = bpmn.decode().splitlines()
    start = next(i for i, line in enumerate(lines) if f'id="{element_id}"' in line)
    return next(i for i in range(start, len(lines)) if text in lines[i]) + 1


# --------------------------------------------------------------------------- the deploy rule


@pytest.mark.parametrize(
    ("key", "form", "element", "field", "said"),
    [
        ("periodic_report", "report.schema.json", "Task_draft", "durations", 'Khởi tạo, tính hạn soạn thảo"'),
        ("periodic_report", "report.schema.json", "Task_draft", "review_due", "Tính hạn duyệt"),
        ("periodic_report", "review.schema.json", "Task_review", "returns", "Khởi tạo, tính hạn soạn thảo"),
        ("periodic_report", "acceptance.schema.json", "Task_acceptance", "escalations", "escalations"),
        ("periodic_report", "acceptance.schema.json", "Task_acceptance", "unit_code", "máy chạy quy trình"),
        ("generic_activity", "comment.schema.json", "Task_comment", "coord_unit", "từng lượt"),
        ("plan_issuance", "comment.schema.json", "Task_comment", "coordination_comments", "Khởi tạo"),
        ("index_scoring", "signoff.schema.json", "Task_self_sign", "appraisals", "gom kết quả các lượt"),
        ("plan_issuance", "number.schema.json", "Task_number", "proposed_number", "mã kịch bản"),
        ("index_scoring", "publish.schema.json", "Task_publish", "survey_max_points", "postScript"),
        ("index_scoring", "decision.schema.json", "Task_decide", "provisional", "Task_appraise"),
        ("index_scoring", "explanation.schema.json", "Task_explain", "scored_unit", "từng lượt"),
        ("inspection", "approval.schema.json", "Task_plan_approve", "plan_due", "Khởi tạo"),
        ("satisfaction_survey", "responses.schema.json", "Task_collect", "sample_sizes", "mã kịch bản"),
    ],
)
def test_a_form_field_that_names_a_computed_variable_is_refused(
    key: str, form: str, element: str, field: str, said: str
) -> None:
    bpmn, files = bundle(key)
    problems = problems_of(bpmn, with_fields(files, form, **{field: {"type": "string"}}))
    [problem] = [p for p in problems if p.element_id == element]
    assert problem.code == "form_field_reserved"
    assert f'"{field}"' in problem.message and f'"{form}"' in problem.message and said in problem.message
    assert VIETNAMESE.search(problem.message)
    assert problem.line == line_of(bpmn, element, "formJsonSchemaFilename")
    assert {p.code for p in problems} == {"form_field_reserved"}


def test_a_lane_rules_unit_variable_may_not_be_a_form_field() -> None:
    bpmn, files = bundle("approval5")
    bpmn = bpmn.replace(b'name="unit" value="code:PTP"', b'name="unit" value="var:legal_unit"')
    [problem] = problems_of(bpmn, with_fields(files, "draft.schema.json", legal_unit={"type": "string"}))
    assert (problem.code, problem.element_id) == ("form_field_reserved", "Task_draft")
    assert 'làn "Phòng Tư pháp" (unit = var:legal_unit)' in problem.message


def test_fields_behind_combinators_are_checked_too() -> None:
    bpmn, files = bundle("periodic_report")
    schema = json.loads(files["review.schema.json"])
    schema["allOf"].append({"if": {"required": ["extend"]}, "then": {"properties": {"draft_due": {}}}})
    schema["oneOf"] = [
        {"required": ["acceptance_due"]},
        {"dependencies": {"decision": {"properties": {"returns": {}}}}},
    ]
    problems = problems_of(bpmn, {**files, "review.schema.json": json.dumps(schema).encode()})
    assert sorted(re.findall(r'trường "(\w+)"', " ".join(p.message for p in problems))) == [
        "acceptance_due",
        "draft_due",
        "returns",
    ]


def test_a_steps_own_scripts_may_shape_its_own_fields() -> None:
    """``extend_to = None`` before the approval step is the default of the leader's optional field, a postScript
    may tidy its own step's answer; the same line in a step whose form lacks the field makes it computed."""
    bpmn, files = bundle("inspection")
    assert "extend_to" in json.loads(files["approval.schema.json"])["properties"]
    assert problems_of(bpmn, files) == []
    team_draft = (
        "Đề xuất Trưởng đoàn, thành viên và thư ký Đoàn kiểm tra.</spiffworkflow:instructionsForEndUser>".encode()
    )
    assert bpmn.count(team_draft) == 1
    tidy = b"<spiffworkflow:postScript>members = sorted(members, key=lambda m: m['name'])</spiffworkflow:postScript>"
    assert problems_of(bpmn.replace(team_draft, team_draft + tidy), files) == []
    default = b"<spiffworkflow:preScript>extend_to = None</spiffworkflow:preScript>"
    [problem] = problems_of(bpmn.replace(team_draft, team_draft + default), files)
    assert (problem.code, problem.element_id) == ("form_field_reserved", "Task_plan_approve")
    assert "preScript" in problem.message and "Task_team_draft" in problem.message


def test_a_field_that_cannot_be_a_variable_is_refused() -> None:
    bpmn, files = bundle("approval5")
    problems = problems_of(bpmn, with_fields(files, "draft.schema.json", **{"so trang": {}, "class": {}, "_x": {}}))
    assert [(p.code, p.element_id) for p in problems] == [("form_field_invalid", "Task_draft")] * 3
    assert all("không dùng được làm tên biến" in p.message for p in problems)


@pytest.mark.parametrize(
    "key",
    ["plan_issuance", "periodic_report", "generic_activity", "inspection", "satisfaction_survey", "index_scoring"],
)
def test_the_six_processes_pass_the_rule(key: str) -> None:
    assert problems_of(*bundle(key)) == []


# --------------------------------------------------------------------------- the analysis


def test_form_fields_follow_combinators_dependencies_and_local_refs() -> None:
    schema = {
        "type": "object",
        "required": ["a"],
        "properties": {"a": {}, "b": {"properties": {"nested": {}}}},
        "allOf": [{"if": {"properties": {"c": {}}}, "then": {"properties": {"d": {}}}, "else": {"required": ["e"]}}],
        "anyOf": [{"properties": {"f": {}}}],
        "oneOf": [{"$ref": "#/$defs/g"}],
        "dependencies": {"a": ["h"], "b": {"properties": {"i": {}}}},
        "dependentSchemas": {"a": {"properties": {"j": {}}}},
        "dependentRequired": {"a": ["k"]},
        "not": {"properties": {"forbidden": {}}},
        "$defs": {"g": {"properties": {"g": {}}, "allOf": [{"$ref": "#/$defs/g"}]}},
    }
    assert form_fields(schema) == set("abcdefghijk")
    assert form_fields(None) == form_fields([]) == form_fields({"$ref": "other.json#/x"}) == frozenset()


@pytest.mark.parametrize(
    ("source", "names"),
    [
        ("a = 1\nb, (c, *d) = x\ne += 1\nf: int = 2", {"a", "b", "c", "d", "e", "f"}),
        ("for item in items:\n    total = item", {"item", "total"}),
        (
            "escalations.append(x)\nlog[0]['k'] = 1\nobj.attr = 2\ndel cache['k']",
            {"escalations", "log", "obj", "cache"},
        ),
        ("ys = [y for y in xs]\nzs = {k: v for k, v in m.items()}", {"ys", "zs"}),
        ("ys = [(last := y) for y in xs]", {"ys", "last"}),
        ("f = lambda q: q\ndef g(p):\n    inner = p\n    return inner", {"f", "g"}),
        ("if ok:\n    a = 1\nelse:\n    b = 2\ntry:\n    c = 3\nexcept Exception:\n    d = 4", {"a", "b", "c", "d"}),
        ("total = len(items) +", set()),  # a syntax error: the code check reports it
    ],
)
def test_assigned_names(source: str, names: set[str]) -> None:
    assert assigned_names(source) == names
