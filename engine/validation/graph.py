"""The flow graph: every node reachable from a start, every node with a path to an end, gateways connected.

Checked per scope — a process, and each embedded sub-process apart — over sequence flows plus the edges BPMN
adds without a flow: an activity reaches its boundary events, a link throw event its catch event of the same
name. Event sub-processes and compensation handlers are started by events, not by flows: they are exempt at
their parent's level and their insides are checked as a scope of their own. A scope without a start event
starts at its nodes without incoming flow; a scope without an end event ends wherever a path stops (BPMN's
implicit end). An ad-hoc sub-process has no order inside, so only its own connections are checked.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from .elements import capitalise, describe, local_name
from .model import B, Element, ProblemLog

ACTIVITIES = (
    "task",
    "userTask",
    "manualTask",
    "scriptTask",
    "serviceTask",
    "businessRuleTask",
    "sendTask",
    "receiveTask",
    "callActivity",
    "subProcess",
    "transaction",
    "adHocSubProcess",
)
GATEWAYS = ("exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway")
EVENTS = ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent")
FLOW_NODES = frozenset(ACTIVITIES + GATEWAYS + EVENTS)
SCOPES = frozenset(("subProcess", "transaction"))  # embedded: their insides are a graph of their own


def check_flow_graph(processes: Iterable[Element], out: ProblemLog) -> None:
    """Report unreachable nodes, nodes with no path to an end and gateways without incoming or outgoing flows."""
    for process in processes:
        _check_scope(process, out)


def _children(scope: Element, names: Iterable[str]) -> list[Element]:
    wanted = {f"{B}{n}" for n in names}
    return [el for el in scope if el.tag in wanted and el.get("id")]


def _event_started(node: Element) -> bool:
    """Started by an event, not by a flow: an event sub-process or a compensation handler."""
    return node.get("triggeredByEvent") == "true" or node.get("isForCompensation") == "true"


def _link_name(event: Element) -> str | None:
    link = event.find(f"{B}linkEventDefinition")
    if link is None:
        return None
    return (link.get("name") or event.get("name") or "").strip() or None


def _check_scope(scope: Element, out: ProblemLog) -> None:
    nodes = {el.get("id", ""): el for el in _children(scope, FLOW_NODES)}
    for node in nodes.values():
        if local_name(node) in SCOPES:
            _check_scope(node, out)
    if local_name(scope) == "adHocSubProcess":
        return
    forward: dict[str, set[str]] = {node_id: set() for node_id in nodes}
    backward: dict[str, set[str]] = {node_id: set() for node_id in nodes}
    incoming: set[str] = set()
    outgoing: set[str] = set()

    def edge(source: str, target: str) -> None:
        forward[source].add(target)
        backward[target].add(source)

    for flow in _children(scope, ("sequenceFlow",)):
        source, target = flow.get("sourceRef", ""), flow.get("targetRef", "")
        if source in nodes and target in nodes:
            edge(source, target)
            outgoing.add(source)
            incoming.add(target)
    catches: dict[str, list[str]] = {}
    for node_id, node in nodes.items():
        name = _link_name(node) if local_name(node) == "intermediateCatchEvent" else None
        if name:
            catches.setdefault(name, []).append(node_id)
    for node_id, node in nodes.items():
        kind = local_name(node)
        if kind == "boundaryEvent" and node.get("attachedToRef", "") in nodes:
            edge(node.get("attachedToRef", ""), node_id)
        name = _link_name(node) if kind == "intermediateThrowEvent" else None
        for catch in catches.get(name or "", []):
            edge(node_id, catch)

    exempt = {node_id for node_id, node in nodes.items() if _event_started(node)}
    # a compensation boundary event is tied to its handler by an association, never by a flow
    exempt |= {
        node_id
        for node_id, node in nodes.items()
        if local_name(node) == "boundaryEvent" and node.find(f"{B}compensateEventDefinition") is not None
    }
    starts = [i for i, n in nodes.items() if local_name(n) == "startEvent" and i not in exempt]
    if not starts:  # BPMN: without a start event, every node without an incoming flow starts
        starts = [i for i in nodes if not backward[i] and i not in exempt and local_name(nodes[i]) != "boundaryEvent"]
    ends = [i for i, n in nodes.items() if local_name(n) == "endEvent" and i not in exempt]
    if not ends:  # BPMN: without an end event, a path ends where it stops
        ends = [i for i in nodes if not forward[i] and i not in exempt]
    reached = _closure(starts, forward)
    finishing = _closure(ends, backward)

    for node_id, node in nodes.items():
        if node_id in exempt:
            continue
        kind = local_name(node)
        if kind in GATEWAYS and node_id not in incoming:
            out.at("gateway_without_incoming", f"{capitalise(describe(node))} không có luồng vào", node)
        elif node_id not in reached:
            out.at(
                "node_unreachable",
                f"{capitalise(describe(node))} không đến được từ sự kiện bắt đầu nào: "
                "không có đường đi nào từ sự kiện bắt đầu dẫn tới nó",
                node,
            )
        if kind in GATEWAYS and node_id not in outgoing:
            out.at("gateway_without_outgoing", f"{capitalise(describe(node))} không có luồng ra", node)
        elif node_id not in finishing and kind != "endEvent":
            detail = (
                "nó không có luồng ra nên hồ sơ dừng lại ở đây; hãy nối nó tới bước tiếp theo hoặc sự kiện kết thúc"
                if not forward[node_id]
                else "mọi đường đi từ nó đều không tới được sự kiện kết thúc nào"
            )
            out.at("no_path_to_end", f"{capitalise(describe(node))} không dẫn tới sự kiện kết thúc: {detail}", node)


def _closure(seeds: Iterable[str], edges: dict[str, set[str]]) -> set[str]:
    seen = set(seeds)
    queue = deque(seen)
    while queue:
        for nxt in edges[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen
