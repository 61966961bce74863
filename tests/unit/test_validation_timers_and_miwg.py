"""Tests of engine.validation: timer expressions, and the MIWG reference diagrams made by other tools."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.validation import validate_bundle
from tests.unit.test_validation import ROLES, VALID, assert_readable, fake_check_source, line_of, validate

MIWG_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "miwg"  # CC-BY 3.0, see ATTRIBUTION.md


@pytest.mark.parametrize(
    ("kind", "expression", "valid"),
    [
        ("timeDuration", "'P5D'", True),
        ("timeDuration", "'PT4H30M'", True),
        ("timeDuration", "'P5X'", False),
        ("timeDuration", "'5D'", False),
        ("timeDuration", "P5D", False),
        ("timeDuration", "7", False),
        ("timeDuration", "duration_for(level)", True),
        ("timeDate", "'2025-12-31T17:00:00+07:00'", True),
        ("timeDate", "'2025-12-31T17:00:00'", False),
        ("timeDate", "'P5D'", False),
        ("timeDate", "deadline_at(due_date)", True),
        ("timeCycle", "'R3/PT1H'", True),
        ("timeCycle", "'P1D'", False),
        ("timeCycle", "R6/P1D", False),
        ("timeCycle", "'R/P1D'", True),
        ("timeCycle", "'R2/2025-12-01T08:00:00+07:00/P1D'", True),
        ("timeCycle", "'R2/P1D/P2D'", False),
        ("timeCycle", "'R/P99999999Y'", False),
        ("timeDuration", "' P5D'", False),
        ("timeDuration", "__import__('os')", False),
        ("timeDuration", "deadline(", False),
    ],
)
def test_timer_expressions(kind: str, expression: str, valid: bool) -> None:
    old = """<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">'P1D'</bpmn:timeDuration>"""
    bpmn = VALID.replace(old, f'<bpmn:{kind} xsi:type="bpmn:tFormalExpression">{expression}</bpmn:{kind}>')

    _, problems = validate(bpmn)

    if valid:
        assert problems == []
    else:
        assert [(p.element_id, p.line) for p in problems] == [("Timer_wait", line_of(bpmn, f">{expression}<"))]
        assert problems[0].code in {"timer_expression_invalid", "script_forbidden"}
        assert_readable(problems)


MIWG_FILES = sorted(MIWG_DIR.glob("*.bpmn"))


@pytest.mark.parametrize("path", MIWG_FILES, ids=lambda p: p.name)
def test_miwg_reference_diagrams_are_explained(path: Path) -> None:
    bundle, problems = validate_bundle(path.read_bytes(), {}, ROLES, fake_check_source)

    assert isinstance(problems, list)
    assert_readable(problems)
    assert bundle is not None or problems


def test_miwg_fixtures_are_the_shared_reference_models() -> None:
    """tests/fixtures/miwg is an unmodified copy of the workspace's MIWG suite (CC-BY 3.0)."""
    shared = Path(__file__).resolve().parents[3] / "shared" / "miwg"
    if not shared.is_dir():  # a clone outside the workspace has only the repository's copy
        pytest.skip("no ../shared/miwg beside this clone")
    assert len(MIWG_FILES) >= 20
    for path in shared.iterdir():
        assert (MIWG_DIR / path.name).read_bytes() == path.read_bytes(), path.name
