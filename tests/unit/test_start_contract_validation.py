"""The deploy checks of the start contract (start.schema.json) and of instructions templates."""

from __future__ import annotations

import json
from typing import Any

from engine.validation import START_SCHEMA, START_UI_SCHEMA, BundleReport, check_bundle
from tests.unit.test_validation import ROLES, VALID, assert_readable, fake_check_source, line_of, valid_files

INSTRUCTIONS = "Soạn **kế hoạch** năm."


def with_start(schema: Any, bpmn: str = VALID, ui: Any = None) -> BundleReport:
    files = valid_files()
    files[START_SCHEMA] = schema if isinstance(schema, bytes) else json.dumps(schema).encode()
    if ui is not None:
        files[START_UI_SCHEMA] = ui if isinstance(ui, bytes) else json.dumps(ui).encode()
    return check_bundle(bpmn.encode(), files, ROLES, fake_check_source)


def schema(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


def test_a_bundle_without_a_start_schema_deploys_with_a_warning() -> None:
    found = check_bundle(VALID.encode(), valid_files(), ROLES, fake_check_source)
    assert found.parsed is not None and found.problems == []
    [warning] = found.warnings
    assert warning.code == "start_schema_missing" and START_SCHEMA in warning.message
    assert_readable(found.warnings)


def test_a_good_start_schema_gives_no_problem_and_no_warning() -> None:
    found = with_start(schema(topic={"type": "string", "title": "Chủ đề"}, days={"type": "integer", "default": 3}))
    assert found.problems == [] and found.warnings == []


def test_start_fields_must_be_variables_the_process_does_not_compute() -> None:
    found = with_start(
        schema(
            topic={"type": "string"},
            score={"type": "integer"},  # Task_score computes it
            unit_code={"type": "string"},  # the engine sets it
            **{"bad-name": {"type": "string"}},
        )
    )
    codes = sorted((p.code, p.file) for p in found.problems)
    assert codes == [
        ("start_field_invalid", START_SCHEMA),
        ("start_field_reserved", START_SCHEMA),
        ("start_field_reserved", START_SCHEMA),
    ]
    assert any('"score"' in p.message and "Task_score" in p.message for p in found.problems)
    assert_readable(found.problems)


def test_a_start_schema_must_be_a_json_schema_of_an_object_with_fitting_defaults() -> None:
    [problem] = with_start(b"{not json").problems
    assert problem.code == "form_invalid" and problem.file == START_SCHEMA and problem.line == 1
    [problem] = with_start({"type": "object", "properties": {"a": {"type": "strang"}}}).problems
    assert problem.code == "form_invalid" and "JSON Schema" in problem.message
    [problem] = with_start({"type": "array"}).problems
    assert problem.code == "start_schema_invalid"
    [problem] = with_start(schema(days={"type": "integer", "minimum": 1, "default": 0})).problems
    assert problem.code == "start_default_invalid" and '"days"' in problem.message
    [problem] = with_start(schema(), ui=b"[1]").problems
    assert problem.code == "form_invalid" and START_UI_SCHEMA in problem.message
    assert_readable(with_start(b"{not json").problems)


def test_an_instructions_template_that_does_not_parse_is_a_problem_on_its_line() -> None:
    nested = "{% for a in b %}{% for c in a %}{% endfor %}{% endfor %}"
    for broken in ("Soạn {{ topic ", "Soạn {{ topic.upper() }}", nested, "{{ topic | nosuchfilter }}"):
        bpmn = VALID.replace(INSTRUCTIONS, broken)
        [problem] = with_start(schema(topic={"type": "string"}), bpmn).problems
        assert problem.code == "instructions_invalid" and problem.element_id == "Task_draft", broken
        assert problem.line == line_of(bpmn, broken)
        assert_readable([problem])


def test_an_instructions_placeholder_naming_nothing_is_a_warning() -> None:
    text = "Soạn kế hoạch {{ topic }} trước {{ due_date | date_vn }}, {{ score }} điểm, {{ title }}; {{ topik }}."
    bpmn = VALID.replace(INSTRUCTIONS, text)
    found = with_start(schema(topic={"type": "string"}), bpmn)
    assert found.problems == [] and found.parsed is not None
    [warning] = found.warnings
    assert warning.code == "instructions_unknown_name" and warning.element_id == "Task_draft"
    assert ('"{{ topik }}"' in warning.message and warning.line == line_of(bpmn, text) - 1) or warning.line
    assert_readable(found.warnings)
