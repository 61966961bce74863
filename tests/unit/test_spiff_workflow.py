"""EngineWorkflow finds and runs the same tasks, in the same order, as SpiffWorkflow's tree walks."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.calendar import WorkingCalendar
from engine.clock import LOCAL_TZ, ManualClock, using_clock
from engine.helpers import standard_helpers
from engine.sandbox import make_script_engine
from engine.spiff_workflow import EngineWorkflow, in_tree_order, ready_tasks
from engine.state_store import SpecBundle, WorkflowState

START = datetime(2024, 1, 2, 8, 0, tzinfo=LOCAL_TZ)
APPROVAL5 = Path(__file__).resolve().parents[1] / "fixtures" / "approval5" / "approval5.bpmn"
BPMN_NS = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
)


def _branch(i: int) -> str:
    return f"""
    <bpmn:sequenceFlow id="F_s{i}" sourceRef="Split" targetRef="Script_{i}" />
    <bpmn:scriptTask id="Script_{i}"><bpmn:incoming>F_s{i}</bpmn:incoming><bpmn:outgoing>F_u{i}</bpmn:outgoing>
      <bpmn:script>trace({i})
x{i} = {i}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="F_u{i}" sourceRef="Script_{i}" targetRef="User_{i}" />
    <bpmn:userTask id="User_{i}"><bpmn:incoming>F_u{i}</bpmn:incoming><bpmn:outgoing>F_j{i}</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="F_j{i}" sourceRef="User_{i}" targetRef="Join" />"""


PARALLEL = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {BPMN_NS} id="Defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="parallel" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>F0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F0" sourceRef="StartEvent_1" targetRef="Split" />
    <bpmn:parallelGateway id="Split"><bpmn:incoming>F0</bpmn:incoming>
      <bpmn:outgoing>F_s1</bpmn:outgoing><bpmn:outgoing>F_s2</bpmn:outgoing><bpmn:outgoing>F_s3</bpmn:outgoing>
    </bpmn:parallelGateway>
    {_branch(1)}{_branch(2)}{_branch(3)}
    <bpmn:parallelGateway id="Join">
      <bpmn:incoming>F_j1</bpmn:incoming><bpmn:incoming>F_j2</bpmn:incoming><bpmn:incoming>F_j3</bpmn:incoming>
      <bpmn:outgoing>F_end</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:sequenceFlow id="F_end" sourceRef="Join" targetRef="Again" />
    <bpmn:exclusiveGateway id="Again" default="F_done"><bpmn:incoming>F_end</bpmn:incoming>
      <bpmn:outgoing>F_loop</bpmn:outgoing><bpmn:outgoing>F_done</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="F_loop" sourceRef="Again" targetRef="Split">
      <bpmn:conditionExpression>rounds_left &gt; 0</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="F_done" sourceRef="Again" targetRef="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_1"><bpmn:incoming>F_done</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def _parallel(cls: type[BpmnWorkflow], trace: list[int]) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(PARALLEL.encode())
    engine = PythonScriptEngine(environment=TaskDataEnvironment({"trace": trace.append}))
    wf = cls(parser.get_spec("parallel"), parser.get_subprocess_specs("parallel"), script_engine=engine)
    first = wf.get_next_task(state=TaskState.READY)
    assert first is not None
    first.data["rounds_left"] = 3
    wf.do_engine_steps()
    return wf


def _shape(wf: BpmnWorkflow) -> list[tuple[str, str]]:
    """Every task in depth-first order as (spec name, state name): what the two classes must agree on."""
    return [(t.task_spec.name, TaskState.get_name(t.state)) for t in wf.get_tasks()]


def test_parallel_branches_run_and_wait_in_the_same_order() -> None:
    spiff_trace: list[int] = []
    ours_trace: list[int] = []
    spiff, ours = _parallel(BpmnWorkflow, spiff_trace), _parallel(EngineWorkflow, ours_trace)
    assert ours_trace == spiff_trace == [1, 2, 3]
    for round_ in (3, 2, 1):  # rounds_left 3 → 0: three rounds, then the end
        expected = spiff.get_tasks(state=TaskState.READY, manual=True)
        got = ready_tasks(ours, manual=True)
        assert [t.task_spec.name for t in got] == [t.task_spec.name for t in expected] == ["User_1", "User_2", "User_3"]
        # complete the branches out of order: the join waits, then the loop restarts the split
        for index in (2, 0, 1):
            for wf, tasks in ((spiff, expected), (ours, got)):
                task = tasks[index]
                task.data["rounds_left"] = round_ - 1
                task.run()
                wf.do_engine_steps()
            assert _shape(ours) == _shape(spiff)
    assert spiff.is_completed() and ours.is_completed()
    assert ours_trace == spiff_trace == [1, 2, 3] * 3


def test_tree_order_of_any_task_set_is_the_walks_order() -> None:
    wf = _parallel(EngineWorkflow, [])
    walk = wf.get_tasks()  # SpiffWorkflow's own depth-first walk
    shuffled = list(reversed(walk))
    assert in_tree_order(wf, shuffled) == walk


def _approval5(cls: type[BpmnWorkflow]) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(etree.fromstring(APPROVAL5.read_bytes()), filename="approval5.bpmn")
    calendar = WorkingCalendar()
    script_engine = make_script_engine(standard_helpers(lambda _tenant: calendar))
    wf = cls(parser.get_spec("approval5"), parser.get_subprocess_specs("approval5"), script_engine=script_engine)
    first = wf.get_next_task(state=TaskState.READY)
    assert first is not None
    first.data["unit_code"] = "PNV"
    wf.do_engine_steps()
    return wf


def _return_once(wf: BpmnWorkflow, tasks: list[Any]) -> str:
    [task] = tasks
    task.data.update({"title": "Dự thảo"} if task.task_spec.bpmn_id == "Task_draft" else {"approved": False})
    task.run()
    wf.do_engine_steps()
    return str(task.task_spec.bpmn_id)


def test_a_long_return_loop_matches_spiffworkflow() -> None:
    with using_clock(ManualClock(START)):  # the reminder timer never falls due here
        spiff, ours = _approval5(BpmnWorkflow), _approval5(EngineWorkflow)
        for _ in range(60):
            done = _return_once(ours, ready_tasks(ours, manual=True))
            assert done == _return_once(spiff, spiff.get_tasks(state=TaskState.READY, manual=True))
            assert ours.is_completed() is spiff.is_completed() is False
        assert _shape(ours) == _shape(spiff)
        assert len(ours.tasks) == len(spiff.tasks) > 150


@pytest.mark.parametrize("rounds", [0, 3])
def test_saved_rows_restore_to_the_live_workflow(rounds: int) -> None:
    with using_clock(ManualClock(START)):
        wf = _approval5(EngineWorkflow)
        state = WorkflowState(wf)
        rows = {g: p for g, p in state.delta().inserts}
        for _ in range(rounds):
            _return_once(wf, ready_tasks(wf, manual=True))
            delta = state.delta()
            rows.update(delta.updates)
            rows.update(delta.inserts)
            for guid in delta.deletes:
                rows.pop(guid)
        header = state.delta().header
        bundle = SpecBundle(wf.spec, wf.subprocess_specs)
        back = WorkflowState.restore(bundle, header, rows.items(), wf.script_engine)
    assert isinstance(back.workflow, EngineWorkflow)
    assert back.full_dict() == state.full_dict()
    assert set(rows) == {str(k) for k in wf.tasks}


def test_a_save_rewrites_only_open_tasks_whose_row_would_change() -> None:
    with using_clock(ManualClock(START)):
        wf = _approval5(EngineWorkflow)
        state = WorkflowState(wf)
        rows = {g: p for g, p in state.delta().inserts}
        assert state.delta().updates == [] and state.delta().inserts == []  # nothing ran: nothing to write
        [ready] = ready_tasks(wf, manual=True)
        ready.data["note"] = "sửa dữ liệu, không đổi trạng thái"  # an open step's data changes in place
        delta = state.delta()
        # the step, and its child (stored as a delta of the step's data); no other open or predicted task
        written = [g for g, _ in delta.updates]
        assert written[0] == str(ready.id) and set(written[1:]) <= {str(c) for c in ready._children}
        open_ids = {str(t.id) for t in wf.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)}
        assert len(written) < len(open_ids) and delta.inserts == [] and delta.deletes == []
        rows.update(delta.updates)
        header = state.delta().header
        back = WorkflowState.restore(SpecBundle(wf.spec, wf.subprocess_specs), header, rows.items(), wf.script_engine)
        assert back.workflow.get_task_from_id(ready.id).data["note"] == "sửa dữ liệu, không đổi trạng thái"
        assert back.full_dict() == state.full_dict()
        assert back.delta().updates == []  # a restored workflow knows its open rows' stored form too
        _return_once(back.workflow, ready_tasks(back.workflow, manual=True))
        changed = back.delta()
        open_ids = {str(t.id) for t in back.workflow.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)}
        assert changed.updates and len([g for g, _ in changed.updates if g in open_ids]) < len(open_ids)
