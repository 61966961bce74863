"""Shared types of the validator: namespaces, problem and parsed-bundle records, the problem log, the XML index."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from lxml import etree
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
B = f"{{{BPMN_NS}}}"
S = f"{{{SPIFF_NS}}}"

CodeMode: TypeAlias = Literal["eval", "exec"]
SourceChecker = Callable[[str, CodeMode], list[tuple[int | None, str]]]
# The caller's own rules over a parsed form (``*.schema.json``): the Vietnamese problems it finds (none: fine).
FormChecker = Callable[[Mapping[str, Any]], list[str]]
Element: TypeAlias = etree._Element


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bundle; ``line``/``file`` locate it, ``element_id`` names the BPMN element."""

    code: str
    message: str
    element_id: str | None
    line: int | None
    file: str | None = None


@dataclass(frozen=True)
class BundleReport:
    """What validating a bundle found: the parsed bundle (None when it cannot run), problems and warnings."""

    parsed: ParsedBundle | None
    problems: list[Problem]
    warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class ParsedBundle:
    """What a valid (or partly valid) bundle yields: the process to run, its lanes and its specs."""

    process_key: str
    process_name: str | None
    lanes: dict[str, dict[str, str]]
    spec: BpmnProcessSpec = field(compare=False, repr=False)
    subprocess_specs: dict[str, BpmnProcessSpec] = field(compare=False, repr=False)


class ProblemLog:
    """Collects problems, dropping a parser error that repeats one of our own checks, and warnings (which
    do not stop a deploy)."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.seen: set[Problem] = set()
        self.keys: set[tuple[str, str | None, str | None]] = set()
        self.warnings: list[Problem] = []

    def add(self, code: str, message: str, element_id: str | None, line: int | None, file: str | None = None) -> None:
        """Record one problem (exact repeats are kept once)."""
        problem = Problem(code, message, element_id, line, file)
        if problem not in self.seen:
            self.seen.add(problem)
            self.items.append(problem)
            self.keys.add((code, element_id, file))

    def at(self, code: str, message: str, el: Element, line_el: Element | None = None) -> None:
        """Record a problem about ``el``, located at ``line_el`` (default: ``el``)."""
        self.add(code, message, el.get("id"), (line_el if line_el is not None else el).sourceline)

    def warn(
        self, code: str, message: str, el: Element | None, file: str | None = None, line_el: Element | None = None
    ) -> None:
        """Record a warning about ``el`` (located at ``line_el``, default ``el``) or about a file: worth fixing,
        but the bundle still deploys."""
        at = line_el if line_el is not None else el
        element_id = el.get("id") if el is not None else None
        warning = Problem(code, message, element_id, at.sourceline if at is not None else None, file)
        if warning not in self.warnings:
            self.warnings.append(warning)

    def sorted(self) -> list[Problem]:
        """The problems by file, then line."""
        return _by_place(self.items)

    def sorted_warnings(self) -> list[Problem]:
        """The warnings by file, then line."""
        return _by_place(self.warnings)


def _by_place(items: list[Problem]) -> list[Problem]:
    return sorted(items, key=lambda p: (p.file is not None, p.file or "", p.line or 0))


class XmlDoc:
    """A parsed XML file with lookups by id and by line."""

    def __init__(self, root: Element, file: str | None) -> None:
        self.root, self.file = root, file
        self.by_id: dict[str, Element] = {}
        self.by_line: dict[int, Element] = {}
        for el in root.iter():
            if isinstance(el.tag, str):
                if el.get("id") is not None:
                    self.by_id.setdefault(el.get("id", ""), el)
                if el.sourceline is not None:
                    self.by_line.setdefault(el.sourceline, el)
