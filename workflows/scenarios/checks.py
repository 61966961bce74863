"""Use cases: run a draft's scenarios ("Chạy kịch bản"), and deploy a draft only when its scenarios pass or the
administrator confirms deploying it anyway (the confirmation recorded in the audit trail)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from engine.db import UnitOfWork
from engine.definitions import DeployResult
from engine.errors import Conflict, DefinitionInvalid, InvalidInput
from engine.views import Actor

from .. import access
from ..definitions import deploy_definition, validate_definition
from ..services import Services
from .features import plan_features, process_features
from .runner import ClientFactory, RunReport, ScenarioBudget, run_scenarios
from .sandbox import TEMPLATE


class ScenariosFailing(Conflict):
    """A deploy refused because the draft's scenarios fail and the administrator did not confirm (409)."""

    code = "scenarios_failing"
    default_message = "Kịch bản của quy trình không đạt với sơ đồ này."


@dataclass(frozen=True)
class CheckedDeploy:
    """A deploy and the scenarios run before it (None: the process has no feature file, or the check is off)."""

    result: DeployResult
    report: RunReport | None
    confirmed_failing: bool


def scenarios_on_deploy(environ: Mapping[str, str] | None = None) -> bool:
    """Whether a deploy runs the process's scenarios first: ``CCHC_SCENARIOS_ON_DEPLOY`` (default on)."""
    env = os.environ if environ is None else environ
    return env.get("CCHC_SCENARIOS_ON_DEPLOY", "1").strip().lower() not in {"0", "false", "no", "off"}


def _draft_key(actor: Actor, bpmn: bytes, files: Mapping[str, bytes]) -> str:
    report = validate_definition(actor, bpmn, files)
    if not report.valid or report.key is None:
        raise DefinitionInvalid(
            f"Sơ đồ quy trình có {len(report.problems)} lỗi, chưa chạy được kịch bản.", details=report.problems
        )
    return report.key


def run_draft_scenarios(
    actor: Actor,
    bpmn: bytes,
    files: Mapping[str, bytes],
    features: Mapping[str, str] | None,
    client_for: ClientFactory,
    budget: ScenarioBudget | None = None,
) -> RunReport:
    """Run the scenarios of a draft (the features sent, else the process's own) in an isolated engine."""
    access.DEPLOY_DEFINITIONS.check(actor)
    key = _draft_key(actor, bpmn, files)
    texts = dict(features) if features else process_features(key)
    if not texts:
        raise InvalidInput(
            f'Quy trình "{key}" chưa có tệp kịch bản nào (features/{key}.feature); hãy gửi kèm tệp .feature.',
            code="scenarios_missing",
        )
    return _run(key, bpmn, files, texts, client_for, budget or ScenarioBudget.from_env())


def _run(
    key: str,
    bpmn: bytes,
    files: Mapping[str, bytes],
    texts: Mapping[str, str],
    client_for: ClientFactory,
    budget: ScenarioBudget,
) -> RunReport:
    scenarios = plan_features(texts)
    draft = TEMPLATE.with_draft(bpmn, files)
    try:
        return run_scenarios(key, draft, scenarios, client_for, budget, bpmn)
    finally:
        draft.close()


def check_before_deploy(
    actor: Actor,
    bpmn: bytes,
    files: Mapping[str, bytes],
    features: Mapping[str, str] | None,
    confirm_failing: bool,
    client_for: ClientFactory,
    budget: ScenarioBudget | None = None,
) -> RunReport | None:
    """Before a deploy (outside its transaction): run the process's scenarios when it has any; failing ones
    without ``confirm_failing`` refuse the deploy (409 ``scenarios_failing``, the failing ones in the details).
    An invalid draft runs nothing: the deploy refuses it with its problems."""
    checked = validate_definition(actor, bpmn, files)
    if not checked.valid or checked.key is None:
        return None  # the deploy refuses it with every problem
    texts = dict(features) if features else process_features(checked.key)
    if not texts:
        return None
    key = checked.key
    report = _run(key, bpmn, files, texts, client_for, budget or ScenarioBudget.from_env())
    if not report.passed and not confirm_failing:
        failing = [s.name for s in report.scenarios if s.status != "passed"]
        raise ScenariosFailing(
            f'{len(failing)}/{len(report.scenarios)} kịch bản không đạt với sơ đồ này. Xem kết quả "Chạy kịch bản" '
            "hoặc xác nhận triển khai dù kịch bản không đạt.",
            details={"failing": failing, "counts": report.counts},
        )
    return report


def deploy_checked(
    services: Services,
    uow: UnitOfWork,
    bpmn: bytes,
    files: Mapping[str, bytes],
    actor: Actor,
    report: RunReport | None,
    confirm_failing: bool,
) -> CheckedDeploy:
    """Deploy after ``check_before_deploy``; the scenarios' outcome (and a confirmation) goes into the audit."""
    note = None
    confirmed = bool(report is not None and not report.passed and confirm_failing)
    if report is not None:
        note = {"scenarios": {**report.counts, "confirmed_failing": confirmed}}
    result = deploy_definition(services, uow, bpmn, files, actor, audit_note=note)
    return CheckedDeploy(result, report, confirmed)


def feature_files(actor: Actor, key: str) -> dict[str, str]:
    """The feature files of process ``key`` in ``features/`` (administrators), by file name."""
    access.DEPLOY_DEFINITIONS.check(actor)
    return process_features(key)
