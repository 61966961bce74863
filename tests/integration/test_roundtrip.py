"""Every process survives save and restore at every wait state (STYLE.md, "Tests, most to fewest" §1).

Each ``processes/**/*.bpmn`` (plus ``tests/fixtures/approval5``, so the suite is never empty) is deployed with
the files ``engine.definitions.read_bundle`` finds beside it (DMN, ``*.schema.json`` forms), started for unit
PNV and walked. At every wait state:

(a) ``WorkflowState.full_dict()`` of the live workflow (the engine's cache) equals that of a workflow rebuilt
    from the database rows (``process_instance.state`` + ``instance_task``), with the cache cleared;
(b) a plain SpiffWorkflow ``serialize_json`` / ``deserialize_json`` round trip of the rebuilt workflow gives an
    equal dict (and the same spec);
(c) the rebuilt workflow waits on the same events and the same READY steps as the live one, and those steps
    are exactly the open ``human_task`` rows.

The walk completes the first open step as a user holding the step's role in the step's unit, with the
minimal data valid for the step's JSON-schema form (required fields only, repaired until ``if``/``then``
and ``pattern`` hold: strings honouring ``minLength`` and ``format``, the first ``enum`` value, booleans
``True``, numbers at their minimum), until the instance completes, waits on nothing but timers, or 50 steps
have been taken. Every other wait state the engine continues on its cached workflow, at the others it reloads
the workflow from the rows. The test fails when a diagram does not deploy or a restore differs; when the walk
cannot go on (the step refuses the generated data — its form or its postScript — or a script fails: an
incident) the wait states reached are still compared and a ``WalkStopped`` warning says which data file to add.

Optional files in a process folder (read here, never deployed):

- ``sample-start.json``: a JSON object, the initial data given to ``start`` (``activity_code``, ``deadline``…);
- ``sample-steps.json``: element id → JSON object merged over the generated data of that step, for gateways
  that read a value the minimal form data cannot choose, e.g. ``{"Task_review": {"approved": true}}``.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from re import _parser as sre_parse  # type: ignore[attr-defined]  # the standard regular-expression parser
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import select

from engine.calendar import WorkingCalendar
from engine.definitions import read_bundle
from engine.errors import DefinitionInvalid, InvalidInput
from engine.forms import validate_form_data
from engine.helpers import standard_helpers
from engine.models import HumanTask, InstanceTask, ProcessDefinition, ProcessInstance
from engine.projection import ready_human_tasks
from engine.runtime import Engine
from engine.state_store import SERIALIZER, WorkflowState
from engine.views import InstanceView, TaskView
from tests.engine_support import FIXTURES, DictUnits, EngineRig, actor, make_rig
from workflows import models as _domain  # noqa: F401 - every table (document counters), as in production
from workflows.documents import document_helpers
from workflows.script_helpers import domain_helpers
from workflows.services import bound_session

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "processes"
APPROVAL5 = FIXTURES / "approval5" / "approval5.bpmn"
SAMPLE_START = "sample-start.json"
SAMPLE_STEPS = "sample-steps.json"
STEP_LIMIT = 50
START_UNIT = "PNV"
STARTER = actor("nguoi.khoi.tao", "staff", unit=START_UNIT)
# approval5 lives in tests/fixtures: its sample-steps.json, inline (review has no form; approve to go on).
INLINE_STEPS: dict[Path, dict[str, dict[str, Any]]] = {APPROVAL5: {"Task_review": {"approved": True}}}


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[EngineRig]:
    """The engine with the helpers the application registers (standard, domain, document numbers)."""
    r = make_rig(f"sqlite:///{tmp_path / 'roundtrip.db'}")
    calendar = WorkingCalendar()
    helpers = standard_helpers(lambda _tenant: calendar) | domain_helpers() | document_helpers()
    r.engine = Engine(clock=r.clock, helpers=helpers, units=DictUnits())
    yield r
    r.sql.dispose()


def _diagrams() -> list[Path]:
    return [*sorted(PROCESSES.rglob("*.bpmn")), APPROVAL5]


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


# ----------------------------------------------------------------------------------- minimal form data


def minimal_form_data(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Minimal data for a form, then repaired until the schema's conditionals (if/then) and patterns hold."""
    data = minimal_valid(schema)
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    for _ in range(20):
        errors = [e for e in validator.iter_errors(data) if e.validator in ("required", "pattern")]
        if not errors:
            break
        for error in errors:
            path = list(error.absolute_path)
            if error.validator == "pattern":
                _set(data, path, _from_pattern(str(error.validator_value)))
                continue
            target = _get(data, path)
            for name in error.validator_value:
                if name not in target:
                    declared = error.schema.get("properties", {}).get(name) if isinstance(error.schema, dict) else None
                    target[name] = minimal_valid(declared or _schema_at(schema, [*path, name]), schema)
    return dict(data)


def minimal_valid(schema: Mapping[str, Any], root: Mapping[str, Any] | None = None) -> Any:
    """The smallest value a JSON schema accepts: required properties only, lower bounds, first choices."""
    root = schema if root is None else root
    if "$ref" in schema:
        return minimal_valid(_merge(_resolve(root, str(schema["$ref"])), _without(schema, "$ref")), root)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("examples"):
        return schema["examples"][0]
    for combinator in ("oneOf", "anyOf"):
        if combinator in schema:
            return minimal_valid({**_without(schema, combinator), **schema[combinator][0]}, root)
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if "default" in schema and kind != "boolean":
        return schema["default"]
    if kind == "object":
        return {name: minimal_valid(_schema_at(schema, [name], root), root) for name in schema.get("required", [])}
    if kind == "array":
        count = int(schema.get("minItems", 0))
        values = [minimal_valid(schema.get("items", {}), root) for _ in range(count)]
        if schema.get("uniqueItems") and count > 1:
            values = [_distinct(v, i) for i, v in enumerate(values)]
        return values
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        return _number(schema, integer=kind == "integer")
    if kind == "null":
        return None
    return _string(schema)


def _without(schema: Mapping[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k != key}


def _merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """A referenced schema with the keywords written beside the ``$ref`` (properties and required joined)."""
    merged = {**base, **extra}
    if "properties" in base or "properties" in extra:
        merged["properties"] = {**base.get("properties", {}), **extra.get("properties", {})}
    if "required" in base or "required" in extra:
        merged["required"] = [*base.get("required", []), *extra.get("required", [])]
    return merged


def _resolve(root: Mapping[str, Any], ref: str) -> Mapping[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $ref are supported here: {ref}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node  # type: ignore[no-any-return]


def _schema_at(schema: Mapping[str, Any], path: list[Any], root: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """The subschema describing ``path`` (properties, items, and properties declared in allOf/then/else)."""
    root = schema if root is None else root
    node: Mapping[str, Any] = schema
    for part in path:
        while "$ref" in node:
            node = _resolve(root, str(node["$ref"]))
        if isinstance(part, int):
            node = node.get("items", {})
            continue
        found = node.get("properties", {}).get(part)
        for branch in node.get("allOf", []):
            for key in ("then", "else"):
                found = found or branch.get(key, {}).get("properties", {}).get(part)
        node = found or {}
    return node


def _get(data: Any, path: list[Any]) -> Any:
    for part in path:
        data = data[part]
    return data


def _set(data: Any, path: list[Any], value: Any) -> None:
    _get(data, path[:-1])[path[-1]] = value


def _number(schema: Mapping[str, Any], *, integer: bool) -> int | float:
    if "minimum" in schema:
        value: float = schema["minimum"]
    elif "exclusiveMinimum" in schema:
        value = schema["exclusiveMinimum"] + 1
    else:
        value = 1
    if "maximum" in schema:
        value = min(value, schema["maximum"])
    return int(value) if integer else value


_FORMATS = {
    "date": "2024-01-02",
    "date-time": "2024-01-02T08:00:00+07:00",
    "time": "08:00:00+07:00",
    "email": "nguoi.dung@example.vn",
    "uri": "https://example.vn/tai-lieu",
}


def _string(schema: Mapping[str, Any]) -> str:
    if schema.get("format") in _FORMATS:
        return _FORMATS[schema["format"]]
    if "pattern" in schema:
        return _from_pattern(str(schema["pattern"]))
    text = "Nội dung mẫu"
    minimum = int(schema.get("minLength", 1))
    if len(text) < minimum:
        text = text + "x" * (minimum - len(text))
    if "maxLength" in schema:
        text = text[: max(int(schema["maxLength"]), minimum)]
    return text


def _from_pattern(pattern: str) -> str:
    """The shortest string matching a simple regular expression (classes, repeats, groups, alternatives)."""
    return _from_parsed(sre_parse.parse(pattern))


def _from_parsed(items: Any) -> str:
    out = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "IN":
            out.append(_from_class(arg))
        elif name == "ANY":
            out.append("a")
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, sub = arg
            out.append(_from_parsed(sub) * low)
        elif name == "SUBPATTERN":
            out.append(_from_parsed(arg[-1]))
        elif name == "BRANCH":
            out.append(_from_parsed(arg[1][0]))
        elif name == "NOT_LITERAL":
            out.append("a" if arg != ord("a") else "b")
    return "".join(out)


def _from_class(items: Any) -> str:
    op, arg = items[0]
    name = str(op)
    if name == "LITERAL":
        return chr(arg)
    if name == "RANGE":
        return chr(arg[0])
    if name == "CATEGORY":
        return "0" if "DIGIT" in str(arg) else ("a" if "WORD" in str(arg) else " ")
    return "a"  # a negated class: any ordinary letter will do


def _distinct(value: Any, index: int) -> Any:
    if isinstance(value, str):
        return f"{value} {index}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value + index
    return value


# ----------------------------------------------------------------------------------- deploy, walk, compare


def _bundle(bpmn_path: Path) -> tuple[bytes, dict[str, bytes], dict[str, Any], dict[str, dict[str, Any]]]:
    """The diagram, the files deployed with it, the sample start data and the per-step overrides."""
    bpmn, files = read_bundle(bpmn_path)
    start = _read_json(bpmn_path.parent / SAMPLE_START)
    steps = _read_json(bpmn_path.parent / SAMPLE_STEPS) or INLINE_STEPS.get(bpmn_path, {})
    return bpmn, files, start, steps


def _read_json(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    value = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(value, dict), f"{path.name} must hold a JSON object"
    return value


def _step_data(step: TaskView, files: Mapping[str, bytes], overrides: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if step.form_schema:
        schema = json.loads(files[step.form_schema])
        data = minimal_form_data(schema)
    data.update(overrides.get(step.element_id, {}))
    return data


def _step_actor(step: TaskView) -> Any:
    assert step.role, f'step "{step.element_id}" lies in no lane with a role: nobody could complete it'
    return actor(f"{step.role}.{step.unit_code or 'all'}", step.role, unit=step.unit_code)


def _pending(wf: Any) -> list[tuple[Any, ...]]:
    return sorted((e.name, e.event_type, str(e.value), repr(e.correlations)) for e in wf.waiting_events())


def _ready_ids(wf: Any) -> set[str]:
    return {str(t.id) for t in ready_human_tasks(wf)}


def assert_roundtrip(rig: EngineRig, instance_id: int, keep_live: bool) -> WorkflowState:
    """Check (a), (b), (c) at the current wait state; return the workflow rebuilt from the rows."""
    with rig.sessions() as s:
        inst = s.get(ProcessInstance, instance_id)
        assert inst is not None
        definition = s.get(ProcessDefinition, inst.definition_id)
        assert definition is not None
        rows = s.execute(
            select(InstanceTask.guid, InstanceTask.payload).where(InstanceTask.instance_id == instance_id)
        ).all()
        open_guids = set(
            s.scalars(
                select(HumanTask.task_guid).where(HumanTask.instance_id == instance_id, HumanTask.status == "ready")
            )
        )
        version, header, serializer_version = inst.version, inst.state, inst.serializer_version
    live = rig.engine.cache.take(instance_id, version)
    assert live is not None, "the engine caches the workflow it has just saved"
    rig.engine.cache.clear()
    bundle = rig.engine.specs.get(definition)
    restored = WorkflowState.restore(
        bundle, header, [(g, bytes(p)) for g, p in rows], rig.engine.script_engine, serializer_version
    )
    expected = live.full_dict()
    assert len(rows) == len(live.workflow.tasks), "one stored row per task, no stale rows"
    assert restored.full_dict() == expected  # (a)

    again = SERIALIZER.deserialize_json(SERIALIZER.serialize_json(restored.workflow))
    assert WorkflowState(again).full_dict() == expected  # (b)
    assert SERIALIZER.to_dict(again.spec) == SERIALIZER.to_dict(bundle.spec)

    assert _pending(restored.workflow) == _pending(live.workflow)  # (c)
    assert _ready_ids(restored.workflow) == _ready_ids(live.workflow) == open_guids
    if keep_live:
        rig.engine.cache.put(instance_id, version, live)
    return restored


def _start(rig: EngineRig, key: str, data: Mapping[str, Any]) -> InstanceView:
    with rig.uow() as uow, bound_session(uow):
        view = rig.engine.start(uow, key, unit_code=START_UNIT, data=data, actor=STARTER)
        uow.commit()
    return view


def _deploy(rig: EngineRig, bpmn: bytes, files: dict[str, bytes]) -> str:
    try:
        return rig.deploy_bytes(bpmn, files).definition.process_key
    except DefinitionInvalid as exc:
        pytest.fail(f"{exc.message}\n" + "\n".join(f"- {p}" for p in exc.details or []))


class WalkStopped(UserWarning):
    """The walk stopped before the end of the process; the wait states it reached were still compared."""


def _complete(rig: EngineRig, step: TaskView, data: Mapping[str, Any]) -> InstanceView | str:
    """Complete a step; the refusal message when the form refuses the data."""
    try:
        with rig.uow() as uow, bound_session(uow):
            result = rig.engine.complete(uow, step.id, _step_actor(step), data)
            uow.commit()
    except InvalidInput as exc:
        return (
            f'step "{step.element_id}" (form {step.form_schema}) refused {dict(data)}: {exc.code} {exc.message} '
            f"{exc.details}; "
            f"give the data the step needs in {SAMPLE_STEPS}"
        )
    return result.instance


def _must_complete(rig: EngineRig, step: TaskView, data: Mapping[str, Any]) -> InstanceView:
    outcome = _complete(rig, step, data)
    if isinstance(outcome, str):
        pytest.fail(outcome)
    return outcome


def _incident(view: InstanceView) -> str:
    incident = view.incident or {}
    message = str(incident.get("message"))
    message = message if len(message) <= 300 else message[:300] + "…"
    return (
        f"instance failed at {incident.get('element_id')} (line {incident.get('line')}): {message}; "
        f"give the data the process needs in {SAMPLE_STEPS} (or {SAMPLE_START})"
    )


@pytest.mark.parametrize("bpmn_path", _diagrams(), ids=_id)
def test_every_wait_state_restores_identically(rig: EngineRig, bpmn_path: Path) -> None:
    bpmn, files, start_data, step_data = _bundle(bpmn_path)
    view = _start(rig, _deploy(rig, bpmn, files), start_data)
    assert_roundtrip(rig, view.id, keep_live=False)
    for step_number in range(1, STEP_LIMIT + 1):
        if view.status != "running" or not view.open_tasks:
            break
        step = view.open_tasks[0]
        outcome = _complete(rig, step, _step_data(step, files, step_data))
        if isinstance(outcome, str):
            warnings.warn(WalkStopped(f"{_id(bpmn_path)} after {step_number - 1} steps: {outcome}"), stacklevel=1)
            return
        view = outcome
        assert_roundtrip(rig, view.id, keep_live=step_number % 2 == 1)
    if view.status == "error":
        warnings.warn(WalkStopped(f"{_id(bpmn_path)}: {_incident(view)}"), stacklevel=1)
    assert view.status in ("completed", "waiting", "error") or view.open_tasks, view.status


def test_long_return_loop_restores_identically(rig: EngineRig) -> None:
    rig.deploy_fixture("approval5")
    view = _start(rig, "approval5", {"topic": "Kế hoạch CCHC"})
    returns = 60
    for n in range(returns):
        [draft] = view.open_tasks
        view = _must_complete(rig, draft, {"title": f"Dự thảo lần {n + 1}"})
        [review] = view.open_tasks
        view = _must_complete(rig, review, {"approved": False, "reason": "Bổ sung"})
        if n in (19, 39):
            assert_roundtrip(rig, view.id, keep_live=False)
    restored = assert_roundtrip(rig, view.id, keep_live=False)
    assert restored.workflow.last_task is not None
    assert len(restored.workflow.tasks) > 5 * returns  # the history is kept: the tree grows with every loop
    # Finish on workflows rebuilt from the rows only (the cache is cleared at every check).
    for data in ({"title": "Dự thảo cuối"}, {"approved": True}, {}, {}, {"number": "12/KH-UBND"}):
        [step] = view.open_tasks
        view = _must_complete(rig, step, data)
        assert_roundtrip(rig, view.id, keep_live=False)
    assert view.status == "completed"
    assert view.data["rounds"] == returns + 1


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (json.loads((FIXTURES / "approval5" / "draft.schema.json").read_text()), None),
        (
            {
                "type": "object",
                "required": ["day", "kind", "ok", "count", "ratio", "items", "who", "note", "number"],
                "properties": {
                    "day": {"type": "string", "format": "date"},
                    "kind": {"type": "string", "enum": ["ke_hoach", "bao_cao"]},
                    "ok": {"type": "boolean"},
                    "count": {"type": "integer", "minimum": 3, "maximum": 9},
                    "ratio": {"type": "number", "exclusiveMinimum": 0},
                    "items": {"type": "array", "minItems": 2, "uniqueItems": True, "items": {"type": "string"}},
                    "who": {"$ref": "#/$defs/person"},
                    "note": {"type": ["string", "null"], "minLength": 20, "maxLength": 30},
                    "optional": {"type": "string", "minLength": 5},
                    "number": {"type": "string", "pattern": "^[0-9]+/KH-[A-ZĐ0-9]+(-[A-ZĐ0-9]+)*$"},
                    "reason": {"type": "string", "minLength": 5},
                },
                "allOf": [{"if": {"properties": {"ok": {"const": True}}}, "then": {"required": ["reason"]}}],
                "$defs": {
                    "person": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
                },
            },
            {"day": "2024-01-02", "kind": "ke_hoach", "ok": True, "count": 3, "ratio": 1, "number": "0/KH-A"},
        ),
    ],
    ids=["approval5-draft", "every-kind"],
)
def test_minimal_form_data_is_valid(schema: dict[str, Any], expected: dict[str, Any] | None) -> None:
    data = minimal_form_data(schema)
    validate_form_data(schema, data)  # raises InvalidInput when not
    required = set(schema.get("required", []))
    assert required <= set(data) <= required | {"reason"}  # plus what an if/then requires
    if expected is not None:
        assert {k: data[k] for k in expected} == expected
