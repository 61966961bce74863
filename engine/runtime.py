"""The engine facade: starts, completes, cancels and retries instances and reads them; the rest is in its parts.

Every method takes the caller's ``UnitOfWork``; the engine flushes but never commits. Its parts: ``runner``
(load, run, save a workflow; it goes back into the cache only after the caller's commit), ``caches``,
``assignment`` (claim, unclaim, assign), ``timer_batch`` and ``incidents``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session, configure_mappers

from . import assignment, audit, rows, search, timer_batch
from .caches import DeployedDefinition, WorkflowCache, form_json
from .clock import Clock, SystemClock
from .db import UnitOfWork, conflicts_on_races
from .definitions import SpecCache, definition_id_and_name, get_definition
from .errors import Conflict
from .forms import check_retry_fields, check_step_fields, computed, validate_form_data
from .incidents import failed_tasks, reset_failed_tasks
from .migration import MigrationOutcome, MigrationPlan, Migrator, make_plan
from .models import HumanTask, ProcessInstance
from .projection import NoUnits, UnitDirectory
from .runner import (
    InstanceObserver,
    InstanceRunner,
    InstanceSaved,
    LoadedStep,
    StepColumns,
    instance_row,
    step_with_instance,
)
from .sandbox import make_script_engine
from .script_limits import ScriptLimits, ensure_data_fits
from .start_form import prepare_start_data
from .state_store import SERIALIZER_VERSION, WorkflowState
from .timer_batch import FiringOutcome
from .timer_values import raise_if_refused
from .views import Actor, CompletionResult, DefinitionForms, InstanceView, TaskView

# Re-exported: callers import these from here.
__all__ = [
    "CompletionResult",
    "DeployedDefinition",
    "Engine",
    "InstanceObserver",
    "InstanceSaved",
    "LoadedStep",
    "WorkflowCache",
]

OPEN_STATUSES = ("running", "waiting", "error")


class Engine:
    """Runs BPMN instances on SpiffWorkflow and keeps their persisted state, steps, timers and audit."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        helpers: Mapping[str, Callable[..., Any]] | None = None,
        units: UnitDirectory | None = None,
        cache_size: int = 512,
        observers: list[InstanceObserver] | None = None,
        limits: ScriptLimits | None = None,
    ) -> None:
        """``limits``: the budgets of diagram code and the instance data cap (default: from the environment)."""
        limits = limits or ScriptLimits.from_env()
        # Steps and instances are read on the driver and built without an ORM query (rows.persistent_row), which
        # would otherwise be what configures the mappers: a fresh process's first request may be a completion.
        configure_mappers()
        self._runner = InstanceRunner(
            clock=clock or SystemClock(),
            script_engine=make_script_engine(dict(helpers or {}), limits),
            limits=limits,
            units=units or NoUnits(),
            observers=list(observers or []),
            cache=WorkflowCache(cache_size),
        )
        self._assignment = assignment.StepAssignment(self._runner)
        self._timers = timer_batch.TimerBatch(self._runner)
        self._migrator = Migrator(self._runner, self._helper_names)
        self._helper_names_cache: tuple[tuple[int, int], Any, frozenset[str]] | None = None

    # ----------------------------------------------------------------- shared state (held by the runner)
    @property
    def clock(self) -> Clock:
        """The engine's clock (replaceable: every part reads it at the time of the call)."""
        return self._runner.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self._runner.clock = clock

    @property
    def observers(self) -> list[InstanceObserver]:
        """Called after every save of an instance, inside the caller's transaction."""
        return self._runner.observers

    @observers.setter
    def observers(self, observers: list[InstanceObserver]) -> None:
        self._runner.observers = observers

    @property
    def step_columns(self) -> StepColumns | None:
        """The caller's columns of a step as it opens or is completed, written with the step's own row write."""
        return self._runner.step_columns

    @step_columns.setter
    def step_columns(self, columns: StepColumns | None) -> None:
        self._runner.step_columns = columns

    @property
    def units(self) -> UnitDirectory:
        """The organisation directory lanes resolve units with."""
        return self._runner.units

    @units.setter
    def units(self, units: UnitDirectory) -> None:
        self._runner.units = units

    @property
    def script_engine(self) -> PythonScriptEngine:
        """The sandboxed script engine every workflow runs with."""
        return self._runner.script_engine

    @property
    def limits(self) -> ScriptLimits:
        """CPU time and memory of one run of diagram code; the largest task data an instance keeps."""
        return self._runner.limits

    @property
    def cache(self) -> WorkflowCache:
        """Live workflows by instance version."""
        return self._runner.cache

    @property
    def specs(self) -> SpecCache:
        """Deserialized specs by definition id."""
        return self._runner.definitions.specs

    # ----------------------------------------------------------------- instances
    @conflicts_on_races
    def start(
        self,
        uow: UnitOfWork,
        process_key: str,
        *,
        unit_code: str | None,
        data: Mapping[str, Any] | None = None,
        actor: Actor,
        version: int | None = None,
        title: str | None = None,
        due_at: datetime | None = None,
        search_words: Sequence[str] = (),
        tenant: str | None = None,
    ) -> InstanceView:
        """Start an instance and run it until it needs a person or a timer.

        ``data`` is checked against the definition's start schema first (``engine.start_form``): a 422 and nothing
        is created when it does not fit; declared fields left out take their default (else None).
        ``due_at``: when the whole instance is due (stored, shown beside its steps' own deadlines);
        ``search_words``: what else lists should find it by, beside its title, process and unit code;
        ``tenant``: whose instance it is (its steps carry the same tenant).
        """
        session = uow.session
        definition_id, definition_name = definition_id_and_name(session, process_key, version)
        definition = self._deployed(session, definition_id)
        now = self.clock.now()
        initial = prepare_start_data(definition, data or {}, self._helper_names())  # 422 before anything runs
        initial["unit_code"] = unit_code
        state = WorkflowState.new(definition.bundle, self.script_engine)
        ensure_data_fits(initial, self.limits)
        start_task = state.workflow.get_next_task(state=TaskState.READY)
        if start_task is not None:
            start_task.data.update(initial)
        instance = ProcessInstance(
            definition_id=definition.id,
            process_key=definition.process_key,
            title=title,
            unit_code=unit_code,
            tenant=tenant,
            status="running",
            state="{}",
            serializer_version=SERIALIZER_VERSION,
            data=initial,
            incident=None,
            started_by=actor.username,
            created_at=now,
            updated_at=now,
            due_at=due_at,
            search_text=search.search_text([title, definition.process_key, definition_name, unit_code, *search_words]),
        )
        session.add(instance)
        uow.flush()
        audit.record(
            session,
            "instance_started",
            at=now,
            actor=actor.username,
            instance_id=instance.id,
            definition_id=definition.id,
            payload={"process_key": process_key, "version": definition.version, "data": initial},
        )
        self._runner.run(state, instance)
        raise_if_refused(instance)  # a bad timer value in the starting data: a 422, nothing is written
        # A new instance has no step rows yet: nothing to read before the save, nor after it (its steps are the
        # save's own rows, none of them finished), as a completion answers (below).
        still_open = self._runner.save(uow, instance, definition, state, now, actor.username, open_rows=[])
        return self._saved_view(session, instance, definition.version, still_open, history=True)

    def load_step(self, session: Session, task_id: int) -> LoadedStep:
        """The step ``task_id`` with its instance and the instance's open steps, in one query (``NotFound``).

        A caller that checks the step before completing it passes this to ``complete`` (no second read).
        """
        return step_with_instance(session, task_id)

    @conflicts_on_races
    def complete(
        self,
        uow: UnitOfWork,
        task_id: int,
        actor: Actor,
        data: Mapping[str, Any],
        *,
        loaded: LoadedStep | None = None,
    ) -> CompletionResult:
        """Complete one step: check, validate, run, save — all in the caller's transaction.

        ``loaded``: the step as ``load_step`` read it in this transaction (else it is read here).
        """
        session = uow.session
        if loaded is None or loaded.row.id != task_id:
            loaded = step_with_instance(session, task_id)
        row, instance, open_rows = loaded
        if row.status != "ready":
            raise Conflict("Bước xử lý này đã được hoàn thành hoặc đã bị hủy.", code="task_not_ready")
        self.ensure_may_act(row, actor)
        definition = self._deployed(session, instance.definition_id)
        check_step_fields(definition, row.name, row.form_schema, data, self._helper_names())
        if row.form_schema:
            validate_form_data(form_json(definition, row.form_schema), data)
        state = self._runner.load(session, instance, definition)
        try:
            task = state.workflow.get_task_from_id(UUID(row.task_guid))
        except TaskNotFoundException as exc:
            raise Conflict("Bước xử lý không còn trong quy trình.", code="task_not_ready") from exc
        if task.state != TaskState.READY:
            raise Conflict("Bước xử lý này đã được hoàn thành hoặc đã bị hủy.", code="task_not_ready")
        now = self.clock.now()
        completed = self._runner.run_step(task, row, data, instance)
        if completed:
            event = {"name": row.name, "data": dict(data)}
            columns = self._runner.step_columns(row, now, True) if self._runner.step_columns else None
            rows.mark_completed(session, row, actor.username, now, event_payload=event, columns=columns)
        if instance.status != "error":
            self._runner.run(state, instance)
            raise_if_refused(instance)  # a bad timer value from this step's data: a 422, nothing is written
        still_open = self._runner.save(
            uow,
            instance,
            definition,
            state,
            now,
            actor.username,
            completed=row if completed else None,
            open_rows=open_rows,
        )
        view = self._saved_view(session, instance, definition.version, still_open, history=False)
        return CompletionResult(view, view.open_tasks)

    @conflicts_on_races
    def cancel(self, uow: UnitOfWork, instance_id: int, actor: Actor, reason: str | None = None) -> InstanceView:
        """Cancel an open instance: its steps and timers are withdrawn."""
        session = uow.session
        instance = instance_row(session, instance_id)
        if instance.status not in OPEN_STATUSES:
            raise Conflict("Hồ sơ quy trình đã kết thúc, không thể hủy.", code="instance_not_open")
        definition = self._deployed(session, instance.definition_id)
        state = self._runner.load(session, instance, definition)
        now = self.clock.now()
        state.workflow.cancel()
        instance.status = "cancelled"
        instance.ended_at = now
        audit.record(
            session,
            "instance_cancelled",
            at=now,
            actor=actor.username,
            instance_id=instance.id,
            payload={"reason": reason},
        )
        self._runner.save(uow, instance, definition, state, now, actor.username, keep_status=True)
        return self.instance_view(session, instance)

    @conflicts_on_races
    def retry(
        self, uow: UnitOfWork, instance_id: int, actor: Actor, data: Mapping[str, Any] | None = None
    ) -> InstanceView:
        """Re-run the failed step of an instance in ``error`` after correcting its data.

        ``data`` (an administrator's correction of the inputs: start data, a step's answers) may set any variable
        but those the process computes or the engine sets (``unexpected_fields``): they come from the diagram's
        code, which recomputes them from the corrected inputs, never from a correction.
        """
        session = uow.session
        instance = instance_row(session, instance_id)
        if instance.status != "error":
            raise Conflict("Hồ sơ quy trình không ở trạng thái lỗi.", code="instance_not_failed")
        definition = self._deployed(session, instance.definition_id)
        check_retry_fields(definition, data or {}, self._helper_names())
        state = self._runner.load(session, instance, definition)
        failed = failed_tasks(state.workflow)
        now = self.clock.now()
        reset_failed_tasks(failed, data)
        for task in failed:
            ensure_data_fits(task.data, self.limits)
        audit.record(
            session,
            "instance_retried",
            at=now,
            actor=actor.username,
            instance_id=instance.id,
            payload={"data": dict(data or {}), "incident": instance.incident},
        )
        instance.status = "running"
        instance.incident = None
        self._runner.run(state, instance)
        self._runner.save(uow, instance, definition, state, now, actor.username)
        return self.instance_view(session, instance)

    def task_data(self, session: Session, task_id: int) -> dict[str, Any]:
        """The current data of a step (loads the workflow; for the step's own page)."""
        return self._runner.task_data(session, task_id)

    # ----------------------------------------------------------------- steps (assignment)
    def ensure_may_act(self, row: HumanTask, actor: Actor) -> None:
        """Raise unless ``actor`` may work on this step (lane role + unit, or its assignee)."""
        assignment.ensure_may_act(row, actor)

    may_act = staticmethod(assignment.may_act)  # Role and unit of the actor satisfy the step's lane.

    def claim(self, uow: UnitOfWork, task_id: int, actor: Actor) -> TaskView:
        """Take an unclaimed step into one's own inbox."""
        return self._assignment.claim(uow, task_id, actor)

    def unclaim(self, uow: UnitOfWork, task_id: int, actor: Actor, *, may_override: bool = False) -> TaskView:
        """Return a claimed step to the shared queue (its assignee, or a head/admin)."""
        return self._assignment.unclaim(uow, task_id, actor, may_override=may_override)

    def assign(self, uow: UnitOfWork, task_id: int, assignee: Actor, actor: Actor) -> TaskView:
        """Give a step to a named user who may act on it (the caller checks that ``actor`` may assign)."""
        return self._assignment.assign(uow, task_id, assignee, actor)

    # ----------------------------------------------------------------- timers
    def fire_due_timers(self, uow: UnitOfWork, now: datetime, limit: int = 100) -> int:
        """Fire the timers due at ``now`` (at most ``limit`` rows); returns the instances advanced."""
        return self._timers.fire_due_timers(uow, now, limit).fired

    def fire_timer_batch(self, uow: UnitOfWork, now: datetime, limit: int = 100) -> FiringOutcome:
        """Fire the timers due at ``now`` (at most ``limit`` rows); what happened to the rows and instances."""
        return self._timers.fire_due_timers(uow, now, limit)

    def shift_step_timers(self, uow: UnitOfWork, task_id: int, delta: timedelta, actor: Actor) -> int:
        """Move every waiting timer attached to an open step by ``delta``; returns how many moved."""
        return self._timers.shift_step_timers(uow, task_id, delta, actor)

    def next_timer_due(self, session: Session, after: datetime | None = None) -> datetime | None:
        """When the earliest waiting timer of a running instance is due (only those due after ``after``)."""
        return timer_batch.next_timer_due(session, after)

    # ----------------------------------------------------------------- versions (engine.migration)
    def migration_plan(
        self, session: Session, process_key: str, from_version: int, to_version: int, mapping: Mapping[str, str | None]
    ) -> MigrationPlan:
        """Align two versions of a process with the caller's mapping (``InvalidInput`` for unknown elements)."""
        source = self._deployed(session, get_definition(session, process_key, from_version).id)
        target = self._deployed(session, get_definition(session, process_key, to_version).id)
        return make_plan(source, target, mapping)

    def preview_migration(self, session: Session, plan: MigrationPlan, instance_id: int) -> MigrationOutcome:
        """Whether an instance can move to the plan's target, and what happens to its open steps (writes nothing)."""
        return self._migrator.preview(session, plan, instance_row(session, instance_id))

    @conflicts_on_races
    def migrate_instance(
        self,
        uow: UnitOfWork,
        plan: MigrationPlan,
        instance_id: int,
        actor: Actor,
        payload: Mapping[str, Any] | None = None,
    ) -> MigrationOutcome:
        """Move one instance to the plan's target in the caller's transaction (``MigrationRefused`` if it cannot)."""
        return self._migrator.apply(uow, plan, instance_id, actor.username, self.clock.now(), payload)

    # ----------------------------------------------------------------- views
    def instance_view(self, session: Session, instance: ProcessInstance) -> InstanceView:
        """An instance with its open and finished steps (from the projection, not the workflow)."""
        return self._view(session, instance, self._deployed(session, instance.definition_id).version)

    @staticmethod
    def _view(session: Session, instance: ProcessInstance, version: int, *, history: bool = True) -> InstanceView:
        """The instance's view at definition ``version``, with its history unless ``history`` is False."""
        # Plain rows, not ORM objects: a long-running instance has hundreds of finished steps.
        open_tasks, done = rows.step_views(session, instance.id, finished=history)
        return InstanceView.of(instance, version, open_tasks, done, with_history=history)

    @classmethod
    def _saved_view(
        cls,
        session: Session,
        instance: ProcessInstance,
        version: int,
        still_open: list[HumanTask] | None,
        *,
        history: bool,
    ) -> InstanceView:
        """The instance's view right after a save, from the save's own open rows (ORM objects in step with their
        rows: no SELECT to read them back; a start's history is empty). ``still_open`` None: the projection failed
        (an incident), so what the table holds is read."""
        if still_open is None:
            return cls._view(session, instance, version, history=history)
        session.flush()  # what observers changed on the step rows
        steps = sorted((TaskView.of(r) for r in still_open if r.status == "ready"), key=lambda t: t.id)
        return InstanceView.of(instance, version, steps, [] if history else None, with_history=history)

    def get_instance(self, session: Session, instance_id: int) -> InstanceView:
        """The instance ``instance_id`` with its open and finished steps."""
        return self.instance_view(session, instance_row(session, instance_id))

    def definition_files(self, session: Session, definition_id: int) -> Mapping[str, str]:
        """The files deployed with a definition, by name (cached: the definition row is read once)."""
        return self._deployed(session, definition_id).files

    def definition_forms(self, session: Session, definition_id: int, suffix: str = ".json") -> DefinitionForms:
        """The JSON files of a definition whose names end with ``suffix`` (parsed once; a file that is not a JSON
        object is left out), the variables the process computes and the names of its elements by id."""
        definition = self._deployed(session, definition_id)
        forms: dict[str, dict[str, Any]] = {}
        for name in sorted(definition.files):
            if name.endswith(suffix):
                try:
                    forms[name] = form_json(definition, name)
                except (ValueError, TypeError):
                    continue  # not a form: an unreferenced file the deploy did not check
        bundle = definition.bundle
        names = {
            str(spec.bpmn_id): str(spec.bpmn_name)
            for process in (bundle.spec, *bundle.subprocess_specs.values())
            for spec in process.task_specs.values()
            if getattr(spec, "bpmn_id", None) and getattr(spec, "bpmn_name", None)
        }
        return DefinitionForms(forms, frozenset(computed(definition)), names)

    def _helper_names(self) -> frozenset[str]:
        """The names diagram code reads as helpers: step data may not hide them.

        Built once per globals mapping and size (every completion checks its data against it): a script engine
        replaced, or helpers added to its globals, are seen at the next call.
        """
        environment = getattr(self.script_engine, "environment", None)
        names = getattr(environment, "globals", None) or {}
        key = (id(names), len(names))
        cached = self._helper_names_cache
        if cached is None or cached[0] != key or cached[1] is not names:
            cached = self._helper_names_cache = (key, names, frozenset(names))
        return cached[2]

    def _deployed(self, session: Session, definition_id: int) -> DeployedDefinition:
        """The cached definition (its row, with the large spec and BPMN columns, is read once)."""
        return self._runner.deployed(session, definition_id)
