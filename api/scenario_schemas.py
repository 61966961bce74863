"""The answer of "Chạy kịch bản" (``POST /process-definitions/test``): scenarios, steps, coverage."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from marshmallow import Schema, fields

from workflows.scenarios.runner import RunReport

SCENARIO_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "bpmn": {"type": "string", "format": "binary"},
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        "features": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    },
                    "required": ["bpmn"],
                }
            },
        },
    }
}


class StepResultSchema(Schema):
    keyword = fields.String(required=True)
    text = fields.String(required=True)
    line = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": ["passed", "failed", "undefined", "skipped"]})
    message = fields.String(allow_none=True)
    element_id = fields.String(allow_none=True)
    element_name = fields.String(allow_none=True)
    lane = fields.String(allow_none=True)


class ScenarioResultSchema(Schema):
    feature = fields.String(required=True)
    name = fields.String(required=True)
    line = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": ["passed", "failed", "undefined"]})
    timed_out = fields.Boolean(required=True)
    seconds = fields.Float(required=True)
    steps = fields.List(fields.Nested(StepResultSchema), required=True)


class CoveredLaneSchema(Schema):
    name = fields.String(required=True)
    reached = fields.Boolean(required=True)


class CoveredElementSchema(Schema):
    element_id = fields.String(required=True)
    name = fields.String(allow_none=True)
    kind = fields.String(required=True)
    lane = fields.String(allow_none=True)
    reached = fields.Boolean(required=True)


class CoverageSchema(Schema):
    lanes = fields.List(fields.Nested(CoveredLaneSchema), required=True)
    elements = fields.List(fields.Nested(CoveredElementSchema), required=True)
    lanes_reached = fields.Integer(required=True)
    steps_total = fields.Integer(required=True)
    steps_reached = fields.Integer(required=True)
    elements_reached = fields.Integer(required=True)


class ScenarioReportSchema(Schema):
    process_key = fields.String(required=True)
    passed = fields.Boolean(required=True)
    timed_out = fields.Boolean(required=True)
    seconds = fields.Float(required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    scenarios = fields.List(fields.Nested(ScenarioResultSchema), required=True)
    coverage = fields.Nested(CoverageSchema, required=True)


class FeatureFilesSchema(Schema):
    key = fields.String(required=True)
    files = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


def scenario_report(report: RunReport) -> dict[str, Any]:
    """The report as the schema dumps it (dataclasses to dicts, the derived figures included)."""
    coverage = report.coverage
    return {
        "process_key": report.process_key,
        "passed": report.passed,
        "timed_out": report.timed_out,
        "seconds": report.seconds,
        "counts": report.counts,
        "scenarios": [asdict(s) for s in report.scenarios],
        "coverage": {
            **asdict(coverage),
            "lanes_reached": coverage.lanes_reached,
            "steps_total": coverage.steps_total,
            "steps_reached": coverage.steps_reached,
            "elements_reached": coverage.elements_reached,
        },
    }
