"""Deploying diagrams: validate, version by process key, store the spec once per version."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import audit
from .errors import DefinitionInvalid, NotFound
from .models import ProcessDefinition
from .sandbox import check_source
from .state_store import SERIALIZER_VERSION, SpecBundle, dump_spec, load_spec
from .validation import FormChecker, Problem, check_bundle, utf8_nfc
from .views import DefinitionView

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"


@dataclass(frozen=True)
class DeployResult:
    definition: DefinitionView
    created: bool
    warnings: list[dict[str, Any]] = field(default_factory=list)  # what the validator warned about (not refused)


def read_bundle(bpmn_path: Path) -> tuple[bytes, dict[str, bytes]]:
    """A BPMN file with the DMN files, JSON-schema forms (``*.schema.json``, the start schema among them) and
    UI schemas (``*.uischema.json``) lying next to it."""
    files = {
        p.name: p.read_bytes()
        for p in sorted(bpmn_path.parent.iterdir())
        if p.is_file() and (p.suffix == ".dmn" or p.name.endswith((".schema.json", ".uischema.json")))
    }
    return bpmn_path.read_bytes(), files


def content_hash(bpmn: bytes, files: Mapping[str, bytes]) -> str:
    """Hash of the diagram and every file deployed with it."""
    digest = hashlib.sha256(bpmn)
    for name in sorted(files):
        digest.update(b"\0" + name.encode() + b"\0" + files[name])
    return digest.hexdigest()


def problem_details(problems: list[Problem]) -> list[dict[str, Any]]:
    """Problems (or warnings) as JSON-friendly dicts (element id, line, message)."""
    return [
        {"code": p.code, "message": p.message, "element_id": p.element_id, "line": p.line, "file": p.file}
        for p in problems
    ]


def deploy(
    session: Session,
    bpmn: bytes,
    files: Mapping[str, bytes],
    *,
    known_roles: Collection[str],
    actor: str | None,
    now: datetime,
    check_form: FormChecker | None = None,
    audit_note: Mapping[str, Any] | None = None,
) -> DeployResult:
    """Deploy a bundle; identical content returns the existing version, changed content is n+1 (``check_form``:
    the caller's own rules for its forms, see ``validation.check_bundle``; ``audit_note``: what the caller adds
    to the ``definition_deployed`` event)."""
    # The text the validator reads and the table stores: UTF-8 in NFC (a non-UTF-8 file fails validation).
    bpmn = utf8_nfc(bpmn) or bpmn
    files = {name: utf8_nfc(data) or data for name, data in files.items()}
    report = check_bundle(bpmn, files, known_roles, check_source, check_form)
    parsed, problems, warnings = report.parsed, report.problems, problem_details(report.warnings)
    if problems or parsed is None:
        raise DefinitionInvalid(
            f"Sơ đồ quy trình có {len(problems)} lỗi, chưa được triển khai.",
            details=problem_details(problems),
        )
    key = parsed.process_key
    digest = content_hash(bpmn, files)
    existing = session.scalar(
        select(ProcessDefinition).where(ProcessDefinition.process_key == key, ProcessDefinition.content_hash == digest)
    )
    if existing is not None:
        return DeployResult(DefinitionView.of(existing), created=False, warnings=warnings)
    bundle = _parse(bpmn, files, key)
    latest = session.scalar(select(func.max(ProcessDefinition.version)).where(ProcessDefinition.process_key == key))
    row = ProcessDefinition(
        process_key=key,
        version=(latest or 0) + 1,
        name=parsed.process_name,
        content_hash=digest,
        bpmn_xml=bpmn.decode("utf-8"),
        files={name: data.decode("utf-8") for name, data in files.items()},
        spec=dump_spec(bundle),
        lanes=parsed.lanes,
        tasks=_user_tasks(bundle),
        serializer_version=SERIALIZER_VERSION,
        deployed_by=actor,
        deployed_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "definition_deployed",
        at=now,
        actor=actor,
        definition_id=row.id,
        payload={**(audit_note or {}), "process_key": key, "version": row.version},
    )
    return DeployResult(DefinitionView.of(row), created=True, warnings=warnings)


def _parse(bpmn: bytes, files: Mapping[str, bytes], key: str) -> SpecBundle:
    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(etree.fromstring(bpmn), filename=f"{key}.bpmn")
    for name, data in files.items():
        if name.endswith(".dmn"):
            parser.add_dmn_xml(etree.fromstring(data), filename=name)
    return SpecBundle(parser.get_spec(key), parser.get_subprocess_specs(key))


def _user_tasks(bundle: SpecBundle) -> dict[str, Any]:
    """Element id -> name and lane of every human step (for screens that list steps)."""
    out: dict[str, Any] = {}
    for spec in [bundle.spec, *bundle.subprocess_specs.values()]:
        for task_spec in spec.task_specs.values():
            if getattr(task_spec, "manual", False):
                out[task_spec.bpmn_id] = {"name": task_spec.bpmn_name, "lane": task_spec.lane}
    return out


class SpecCache:
    """Deserialized specs by definition id; specs never change once deployed."""

    def __init__(self) -> None:
        self._specs: dict[int, SpecBundle] = {}
        self._lock = threading.Lock()

    def get(self, row: ProcessDefinition) -> SpecBundle:
        bundle = self._specs.get(row.id)
        if bundle is None:
            bundle = load_spec(row.spec)
            with self._lock:
                self._specs[row.id] = bundle
        return bundle


def _definition_query(columns: list[Any], key: str, version: int | None) -> Any:
    query = select(*columns).where(ProcessDefinition.process_key == key)
    if version is not None:
        return query.where(ProcessDefinition.version == version)
    return query.order_by(ProcessDefinition.version.desc()).limit(1)


def _definition_not_found(key: str, version: int | None) -> NotFound:
    if version is not None:
        return NotFound(f'Không tìm thấy phiên bản {version} của quy trình "{key}".', code="definition_not_found")
    return NotFound(f'Không tìm thấy quy trình "{key}".', code="definition_not_found")


def get_definition(session: Session, key: str, version: int | None = None) -> ProcessDefinition:
    """The latest (or a pinned) version of a process key."""
    row = session.scalar(_definition_query([ProcessDefinition], key, version))
    if row is None:
        raise _definition_not_found(key, version)
    return row


def definition_id_and_name(session: Session, key: str, version: int | None = None) -> tuple[int, str | None]:
    """The id and name of the latest (or a pinned) version of a process key: all a start reads when the deployed
    definition is cached (its BPMN, files and spec columns, tens of kilobytes, stay in the database)."""
    row = session.execute(_definition_query([ProcessDefinition.id, ProcessDefinition.name], key, version)).first()
    if row is None:
        raise _definition_not_found(key, version)
    return int(row[0]), row[1]


def list_latest(session: Session) -> list[ProcessDefinition]:
    """The latest version of each process key."""
    latest = (
        select(ProcessDefinition.process_key, func.max(ProcessDefinition.version).label("v"))
        .group_by(ProcessDefinition.process_key)
        .subquery()
    )
    query = select(ProcessDefinition).join(
        latest,
        (ProcessDefinition.process_key == latest.c.process_key) & (ProcessDefinition.version == latest.c.v),
    )
    return list(session.scalars(query.order_by(ProcessDefinition.process_key)))


def list_versions(session: Session, key: str) -> list[ProcessDefinition]:
    """Every version of a process key, newest first."""
    rows = list(
        session.scalars(
            select(ProcessDefinition)
            .where(ProcessDefinition.process_key == key)
            .order_by(ProcessDefinition.version.desc())
        )
    )
    if not rows:
        raise NotFound(f'Không tìm thấy quy trình "{key}".', code="definition_not_found")
    return rows
