"""Which lanes and elements of a draft its scenarios reached (from the isolated engine's task history), against
everything the diagram holds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine import history

from ..services import Services

# The elements listed one by one: the steps people act on (every other flow node counts in the totals).
HUMAN_KINDS = ("userTask", "manualTask")


@dataclass(frozen=True)
class CoveredElement:
    element_id: str
    name: str | None
    kind: str
    lane: str | None
    reached: bool


@dataclass(frozen=True)
class CoveredLane:
    name: str
    reached: bool


@dataclass(frozen=True)
class Coverage:
    """Lanes and flow nodes of the diagram, each reached by some scenario or not; the human steps' share."""

    lanes: list[CoveredLane]
    elements: list[CoveredElement]

    @property
    def steps_total(self) -> int:
        return sum(1 for e in self.elements if e.kind in HUMAN_KINDS)

    @property
    def steps_reached(self) -> int:
        return sum(1 for e in self.elements if e.kind in HUMAN_KINDS and e.reached)

    @property
    def lanes_reached(self) -> int:
        return sum(1 for lane in self.lanes if lane.reached)

    @property
    def elements_reached(self) -> int:
        return sum(1 for e in self.elements if e.reached)

    @classmethod
    def of(cls, bpmn: bytes, reach: Iterable[tuple[set[str], set[str]]]) -> Coverage:
        """The diagram's map against the (elements, lanes) each scenario reached."""
        elements: set[str] = set()
        lanes: set[str] = set()
        for reached_elements, reached_lanes in reach:
            elements |= reached_elements
            lanes |= reached_lanes
        diagram = history.diagram_map(bpmn)
        return cls(
            lanes=[CoveredLane(name, name in lanes) for name in diagram.lanes],
            elements=[
                CoveredElement(e.element_id, e.name, e.kind, e.lane, e.element_id in elements) for e in diagram.elements
            ],
        )


def scenario_reach(services: Services, key: str) -> tuple[set[str], set[str]]:
    """The elements and lanes the instances of process ``key`` reached in one isolated engine."""
    with services.read() as uow:
        ids = history.instances_of(uow.session, key)
        return history.reached_elements(uow.session, ids), history.reached_lanes(uow.session, ids)
