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

    order = list(nodes)  # document order
    unreachable = [i for i in order if i not in reached and i not in exempt]
    dead = [i for i in order if i not in finishing and i not in exempt and local_name(nodes[i]) != "endEvent"]
    for node_id in order:  # a gateway without incoming flows, even where it starts its scope
        if local_name(nodes[node_id]) in GATEWAYS and node_id not in incoming and node_id in reached:
            gateway = nodes[node_id]
            out.at("gateway_without_incoming", f"{capitalise(describe(gateway))} không có luồng vào", gateway)
    # each unreachable region on the element it hangs from, naming the elements behind it
    for root, behind in _causes(unreachable, forward, backward):
        node = nodes[root]
        if local_name(node) in GATEWAYS and root not in incoming:
            code, text = "gateway_without_incoming", "không có luồng vào"
        else:
            code, text = "node_unreachable", "không đến được từ sự kiện bắt đầu nào: không có đường đi nào dẫn tới nó"
        tail = f"; vì vậy {len(behind)} phần tử sau nó cũng không đến được: {', '.join(behind)}" if behind else ""
        out.at(code, f"{capitalise(describe(node))} {text}{tail}", node)
    # each region with no way to an end on its dead end (or, for a loop with no exit, its first element)
    for end, before in _causes(dead, backward, forward):
        node = nodes[end]
        if local_name(node) in GATEWAYS and end not in outgoing:
            code, text = "gateway_without_outgoing", "không có luồng ra"
        elif not forward[end]:
            code = "no_path_to_end"
            text = (
                "không dẫn tới sự kiện kết thúc: nó không có luồng ra nên hồ sơ dừng lại ở đây; "
                "hãy nối nó tới bước tiếp theo hoặc sự kiện kết thúc"
            )
        else:
            code = "no_path_to_end"
            text = (
                "không dẫn tới sự kiện kết thúc: mọi đường đi từ nó đều quay vòng mà không tới được "
                "sự kiện kết thúc nào"
            )
        tail = f"; vì vậy {len(before)} phần tử trước nó cũng không tới được sự kiện kết thúc: {', '.join(before)}"
        out.at(code, f"{capitalise(describe(node))} {text}{tail if before else ''}", node)


def _causes(
    region: list[str], onward: dict[str, set[str]], back: dict[str, set[str]]
) -> list[tuple[str, list[str]]]:
    """The elements a region (in document order) hangs from — those with nothing of the region behind them,
    then, for a loop, its first element — each with the rest of the region it carries onward."""
    inside = set(region)
    causes = [i for i in region if not back[i] & inside]
    covered: set[str] = set()
    found = []
    for cause in causes:
        carried = _closure([cause], onward) & inside
        covered |= carried
        found.append((cause, [i for i in region if i in carried and i != cause]))
    for node_id in region:
        if node_id not in covered:
            carried = _closure([node_id], onward) & inside
            covered |= carried
            found.append((node_id, [i for i in region if i in carried and i != node_id]))
    return found


def _closure(seeds: Iterable[str], edges: dict[str, set[str]]) -> set[str]:
    seen = set(seeds)
    queue = deque(seen)
    while queue:
        for nxt in edges[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen
