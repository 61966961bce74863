"""Running a draft's scenarios: each scenario on its own copy of the isolated engine, each step matched against
the step registry and performed through the API of that engine, within a time budget.

A step is ``passed``, ``failed`` (with the failing assertion's message and the element concerned), ``undefined``
(no definition matches its text) or ``skipped`` (after a failed or undefined step). A scenario or a run that
goes over its budget ends with a ``failed`` step saying "Hết thời gian".
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from engine.errors import AppError
from engine.script_limits import ScriptLimits

from .coverage import Coverage, scenario_reach
from .features import PlannedScenario, PlannedStep
from .sandbox import DraftTemplate, IsolatedEngine
from .steps import STEPS
from .world import Concern, World

Status = Literal["passed", "failed", "undefined", "skipped"]
ClientFactory = Callable[[Any], Any]  # the services of an isolated engine → an HTTP test client of its API
SCRIPT_CPU_SECONDS = 1.0  # the most one script of a draft may run (the server's own limit when lower)


@dataclass(frozen=True)
class ScenarioBudget:
    """Wall-clock seconds a whole run and each scenario may take."""

    run_seconds: float = 300.0
    scenario_seconds: float = 60.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ScenarioBudget:
        """``CCHC_SCENARIO_RUN_SECONDS`` (300) and ``CCHC_SCENARIO_SECONDS`` (60)."""
        env = os.environ if environ is None else environ
        return cls(
            run_seconds=float(env.get("CCHC_SCENARIO_RUN_SECONDS", 300.0)),
            scenario_seconds=float(env.get("CCHC_SCENARIO_SECONDS", 60.0)),
        )


@dataclass(frozen=True)
class StepResult:
    keyword: str
    text: str
    line: int
    status: Status
    message: str | None = None
    element_id: str | None = None
    element_name: str | None = None
    lane: str | None = None


@dataclass(frozen=True)
class ScenarioResult:
    feature: str
    name: str
    line: int
    status: Status
    steps: list[StepResult]
    timed_out: bool = False
    seconds: float = 0.0


@dataclass(frozen=True)
class RunReport:
    """The answer of a run: every scenario with its steps, the counts, the coverage of the diagram."""

    process_key: str
    scenarios: list[ScenarioResult]
    coverage: Coverage
    seconds: float
    timed_out: bool = False
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(s.status == "passed" for s in self.scenarios)


def time_out_message(seconds: float, whole_run: bool) -> str:
    """The Vietnamese "hết thời gian" of a scenario, or of the whole run, over its budget."""
    what = "lần chạy kịch bản" if whole_run else "kịch bản"
    amount = f"{seconds:g}".replace(".", ",")
    return f"Hết thời gian: {what} vượt quá {amount} giây cho phép."


def run_scenarios(
    key: str,
    draft: DraftTemplate,
    scenarios: list[PlannedScenario],
    client_for: ClientFactory,
    budget: ScenarioBudget,
    diagram: bytes,
) -> RunReport:
    """Run every scenario on its own copy of ``draft``; the report with the coverage of ``diagram``."""
    started = time.monotonic()
    run_deadline = started + budget.run_seconds
    server_limits = ScriptLimits.from_env()
    results: list[ScenarioResult] = []
    reach: list[tuple[set[str], set[str]]] = []
    for planned in scenarios:
        if time.monotonic() >= run_deadline:
            results.append(_not_run(planned, time_out_message(budget.run_seconds, whole_run=True)))
            continue
        deadline = min(time.monotonic() + budget.scenario_seconds, run_deadline)
        whole_run = deadline == run_deadline
        limits = replace(
            server_limits, cpu_seconds=min(server_limits.cpu_seconds, SCRIPT_CPU_SECONDS), deadline=deadline
        )
        isolated = draft.copy(limits)
        try:
            message = time_out_message(budget.run_seconds if whole_run else budget.scenario_seconds, whole_run)
            results.append(_run_one(planned, isolated, client_for(isolated.services), deadline, message))
            reach.append(scenario_reach(isolated.services, key))
        finally:
            isolated.close()
    counts = {s: sum(1 for r in results if r.status == s) for s in ("passed", "failed", "undefined")}
    return RunReport(
        process_key=key,
        scenarios=results,
        coverage=Coverage.of(diagram, reach),
        seconds=round(time.monotonic() - started, 3),
        timed_out=any(r.timed_out for r in results),
        counts=counts,
    )


def _not_run(planned: PlannedScenario, message: str) -> ScenarioResult:
    steps = [StepResult(s.keyword, s.text, s.line, "skipped") for s in planned.steps]
    if steps:
        steps[0] = replace(steps[0], status="failed", message=message)
    return ScenarioResult(planned.feature, planned.name, planned.line, "failed", steps, timed_out=True)


def _run_one(
    planned: PlannedScenario, isolated: IsolatedEngine, client: Any, deadline: float, time_out: str
) -> ScenarioResult:
    world = World(client, isolated.services, isolated.clock)
    started = time.monotonic()
    steps: list[StepResult] = []
    outcome: Status = "passed"
    timed_out = False
    for planned_step in planned.steps:
        if outcome != "passed":
            steps.append(StepResult(planned_step.keyword, planned_step.text, planned_step.line, "skipped"))
            continue
        if time.monotonic() >= deadline:
            result = _failed(planned_step, world, time_out)
            timed_out = True
        else:
            result = _run_step(planned_step, world)
            if time.monotonic() >= deadline:  # the engine stopped the step's run at the deadline
                result = _failed(planned_step, world, time_out)
                timed_out = True
        steps.append(result)
        if result.status != "passed":
            outcome = "undefined" if result.status == "undefined" else "failed"
    seconds = round(time.monotonic() - started, 3)
    return ScenarioResult(planned.feature, planned.name, planned.line, outcome, steps, timed_out, seconds)


def _run_step(step: PlannedStep, world: World) -> StepResult:
    found = STEPS.find(step.kind, step.text)
    if found is None:
        message = "Chưa có định nghĩa cho câu bước này (kiểm tra lại cách viết hoặc bổ sung định nghĩa bước)."
        return StepResult(step.keyword, step.text, step.line, "undefined", message)
    definition, arguments = found
    if definition.takes("docstring"):
        arguments["docstring"] = step.docstring
    if definition.takes("datatable"):
        arguments["datatable"] = step.datatable
    world.concern = None
    try:
        definition.func(world, **arguments)
    except AssertionError as exc:
        return _failed(step, world, str(exc) or "Kết quả không như kịch bản mô tả.")
    except AppError as exc:
        return _failed(step, world, exc.message)
    except Exception as exc:  # noqa: BLE001 - the runner's entry point: any error of a step is that step's failure
        return _failed(step, world, f"Lỗi khi thực hiện bước: {type(exc).__name__}: {exc}")
    concern = world.concern or Concern(None)
    return StepResult(
        step.keyword, step.text, step.line, "passed", None, concern.element_id, concern.name, concern.lane
    )


def _failed(step: PlannedStep, world: World, message: str) -> StepResult:
    concern = world.concern or _where_instance_is(world)
    return StepResult(
        step.keyword, step.text, step.line, "failed", message, concern.element_id, concern.name, concern.lane
    )


def _where_instance_is(world: World) -> Concern:
    """A failing step that named no element: the element of the current instance's incident, else its first
    open step, else none."""
    if not world.instances:
        return Concern(None)
    response = world.call("GET", f"/process-instances/{world.instance_id}", "admin")
    if response.status_code != 200:
        return Concern(None)
    body = response.json
    incident = body.get("incident") or {}
    if incident.get("element_id"):
        return Concern(incident["element_id"], incident.get("element_name"))
    for task in body.get("open_tasks") or []:
        return Concern(task.get("element_id"), task.get("name"), task.get("lane"))
    return Concern(None)
