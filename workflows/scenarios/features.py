"""Feature files as runnable scenarios: Gherkin (``# language: vi``) parsed and compiled by ``gherkin-official``
(the parser pytest-bdd uses), Scenario Outlines expanded, the Background put in front of each scenario.

A process's feature files are ``features/<key>.feature`` and ``features/<key>/*.feature``; an administrator may
send others with a draft.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from gherkin.errors import CompositeParserException, ParserError
from gherkin.parser import Parser
from gherkin.pickles.compiler import Compiler
from gherkin.token_scanner import TokenScanner

from engine.errors import InvalidInput

from .registry import StepKind

FEATURES_DIR = Path(__file__).resolve().parents[2] / "features"
MAX_FEATURE_BYTES = 512 * 1024
PICKLE_KINDS: dict[str, StepKind] = {"Context": "given", "Action": "when", "Outcome": "then"}


@dataclass(frozen=True)
class PlannedStep:
    """One step as written: its keyword (``Cho``, ``Khi``, ``Thì``, ``Và``…), kind, text, line and argument."""

    keyword: str
    kind: StepKind
    text: str
    line: int
    docstring: str | None
    datatable: list[list[str]] | None


@dataclass(frozen=True)
class PlannedScenario:
    """One scenario to run (an outline gives one per example row), with the Background's steps first."""

    feature: str
    name: str
    line: int
    steps: tuple[PlannedStep, ...]


def process_features(key: str, root: Path = FEATURES_DIR) -> dict[str, str]:
    """The feature files of process ``key`` in ``features/``, by file name (none: an empty dict)."""
    paths = [root / f"{key}.feature", *sorted((root / key).glob("*.feature"))]
    return {path.name: path.read_text(encoding="utf-8") for path in paths if path.is_file()}


def decode_feature(name: str, content: bytes) -> str:
    """An uploaded feature file's text (UTF-8, bounded), or a Vietnamese 422."""
    if not name.endswith(".feature"):
        raise InvalidInput(f'Tệp "{name}" không phải tệp kịch bản (.feature).', code="file_type_invalid")
    if len(content) > MAX_FEATURE_BYTES:
        raise InvalidInput(f'Tệp kịch bản "{name}" quá lớn (tối đa 512 KB).', code="feature_too_large")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f'Tệp kịch bản "{name}" không phải văn bản UTF-8.', code="feature_invalid") from exc


def plan_feature(name: str, text: str) -> list[PlannedScenario]:
    """Every scenario of one feature file, in order; a file Gherkin cannot read is a Vietnamese 422."""
    try:
        document: dict[str, Any] = dict(Parser().parse(TokenScanner(text)))
    except (CompositeParserException, ParserError) as exc:
        raise InvalidInput(
            f'Tệp kịch bản "{name}" không đúng cú pháp Gherkin: {exc}', code="feature_invalid", details={"file": name}
        ) from exc
    document["uri"] = name
    steps_by_id = _ast_steps(document.get("feature") or {})
    outlines = _example_rows(document.get("feature") or {})
    pickles: list[Any] = Compiler().compile(cast(Any, document))
    return [_scenario(name, dict(pickle), steps_by_id, outlines) for pickle in pickles]


def plan_features(files: Mapping[str, str]) -> list[PlannedScenario]:
    """The scenarios of several feature files, file by file in name order."""
    return [scenario for name in sorted(files) for scenario in plan_feature(name, files[name])]


def _walk(node: Any) -> list[dict[str, Any]]:
    """Every dict under ``node`` (the Gherkin AST is plain dicts and lists)."""
    found: list[dict[str, Any]] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _ast_steps(feature: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["id"]: n for n in _walk(feature) if "keyword" in n and "text" in n and "keywordType" in n}


def _example_rows(feature: dict[str, Any]) -> dict[str, list[str]]:
    """An Examples row's id → its cell values (to name each run of an outline)."""
    return {n["id"]: [c["value"] for c in n["cells"]] for n in _walk(feature) if "cells" in n and "id" in n}


def _scenario(
    name: str, pickle: dict[str, Any], steps_by_id: dict[str, dict[str, Any]], rows: dict[str, list[str]]
) -> PlannedScenario:
    title = pickle["name"]
    example = [rows[i] for i in pickle.get("astNodeIds", [])[1:] if i in rows]
    if example:
        title = f"{title} ({', '.join(example[0])})"
    steps = []
    kind: StepKind = "given"
    for step in pickle["steps"]:
        kind = PICKLE_KINDS.get(step.get("type", ""), kind)
        ast = steps_by_id.get(step["astNodeIds"][0], {})
        argument = step.get("argument") or {}
        table = argument.get("dataTable")
        steps.append(
            PlannedStep(
                keyword=str(ast.get("keyword", "")).strip(),
                kind=kind,
                text=step["text"],
                line=int(ast.get("location", {}).get("line", 0)),
                docstring=argument["docString"]["content"] if "docString" in argument else None,
                datatable=[[c["value"] for c in row["cells"]] for row in table["rows"]] if table else None,
            )
        )
    return PlannedScenario(name, title, int(pickle["location"]["line"]), tuple(steps))
