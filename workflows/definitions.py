"""Use cases around process definitions: check and deploy a diagram bundle, read deployed versions."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine import definitions
from engine.db import UnitOfWork
from engine.definitions import DeployResult
from engine.sandbox import check_source
from engine.validation import START_SCHEMA, START_UI_SCHEMA, check_bundle
from engine.validation.variables import form_fields
from engine.views import Actor, DefinitionView

from . import access
from .document_fields import schema_problems
from .roles import ROLES
from .services import Services

PROCESSES_DIR = Path(__file__).resolve().parents[1] / "processes"


@dataclass(frozen=True)
class ValidationReport:
    """The result of "Kiểm tra": every problem with its element id, line and Vietnamese message."""

    valid: bool
    key: str | None
    name: str | None
    problems: list[dict[str, Any]]
    warnings: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class DefinitionDetail:
    """One version with its start contract: the JSON schema of the start data and its UI schema (None: none)."""

    definition: DefinitionView
    start_schema: dict[str, Any] | None
    start_ui_schema: dict[str, Any] | None


def validate_definition(actor: Actor, bpmn: bytes, files: Mapping[str, bytes]) -> ValidationReport:
    """Check a diagram bundle without deploying it (administrators)."""
    access.DEPLOY_DEFINITIONS.check(actor)
    report = check_bundle(bpmn, files, ROLES, check_source, schema_problems)
    parsed = report.parsed
    return ValidationReport(
        valid=parsed is not None and not report.problems,
        key=parsed.process_key if parsed else None,
        name=parsed.process_name if parsed else None,
        problems=definitions.problem_details(report.problems),
        warnings=definitions.problem_details(report.warnings),
    )


def deploy_definition(
    services: Services,
    uow: UnitOfWork,
    bpmn: bytes,
    files: Mapping[str, bytes],
    actor: Actor,
    audit_note: Mapping[str, Any] | None = None,
) -> DeployResult:
    """Validate and deploy a diagram with its DMN and form files (administrators); ``audit_note`` goes into the
    ``definition_deployed`` event (the scenarios' outcome)."""
    access.DEPLOY_DEFINITIONS.check(actor)
    return definitions.deploy(
        uow.session,
        bpmn,
        files,
        known_roles=ROLES,
        actor=actor.username,
        now=services.clock.now(),
        check_form=schema_problems,
        audit_note=audit_note,
    )


def deploy_all(services: Services, uow: UnitOfWork, actor: Actor, root: Path = PROCESSES_DIR) -> list[DeployResult]:
    """Deploy every ``processes/<key>/<key>.bpmn`` (idempotent)."""
    results = []
    for bpmn_path in sorted(root.glob("*/*.bpmn")):
        if bpmn_path.stem != bpmn_path.parent.name:
            continue
        bpmn, files = definitions.read_bundle(bpmn_path)
        results.append(deploy_definition(services, uow, bpmn, files, actor))
    return results


def list_latest(uow: UnitOfWork) -> list[DefinitionView]:
    """The latest version of each process."""
    return [DefinitionView.of(r) for r in definitions.list_latest(uow.session)]


def list_versions(uow: UnitOfWork, key: str) -> list[DefinitionView]:
    """Every version of one process, newest first."""
    return [DefinitionView.of(r) for r in definitions.list_versions(uow.session, key)]


def get_definition(uow: UnitOfWork, key: str, version: int | None = None) -> DefinitionDetail:
    """The latest (or a given) version of one process, with its start schema and UI schema."""
    row = definitions.get_definition(uow.session, key, version)
    files = row.files or {}
    return DefinitionDetail(DefinitionView.of(row), _json_file(files, START_SCHEMA), _json_file(files, START_UI_SCHEMA))


def start_fields(uow: UnitOfWork, key: str) -> frozenset[str]:
    """The fields the latest version of a process declares in its start schema (none without one)."""
    files = definitions.get_definition(uow.session, key).files or {}
    schema = _json_file(files, START_SCHEMA)
    return form_fields(schema) if schema is not None else frozenset()


def _json_file(files: Mapping[str, str], name: str) -> dict[str, Any] | None:
    """A deployed JSON file (validated at deploy), or None when the bundle has none."""
    return dict(json.loads(files[name])) if name in files else None


def definition_xml(uow: UnitOfWork, key: str, version: int) -> str:
    """The BPMN XML of one version."""
    return definitions.get_definition(uow.session, key, version).bpmn_xml


def definition_files(uow: UnitOfWork, key: str, version: int) -> dict[str, str]:
    """The form (JSON schema) and DMN files deployed with one version, by file name."""
    return dict(definitions.get_definition(uow.session, key, version).files or {})
