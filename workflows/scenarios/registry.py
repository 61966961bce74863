"""The step registry: each Vietnamese step sentence of the features bound to the function that performs it.

The same registry serves the BDD tests (``tests/bdd/conftest.py`` hands every step to pytest-bdd) and the
scenario runner of a draft diagram (``runner.py``). A pattern is a regular expression matched against the whole
step text, as pytest-bdd's ``parsers.re`` does; its named groups become the function's keyword arguments, and a
step's doc string and data table arrive as ``docstring`` and ``datatable`` when the function takes them.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

StepKind = Literal["given", "when", "then"]
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class StepDefinition:
    """One step sentence (a regular expression) of some kinds, and the function that performs it."""

    kinds: frozenset[StepKind]
    pattern: str
    regex: re.Pattern[str]
    func: Callable[..., Any]

    def arguments(self, text: str) -> dict[str, Any] | None:
        """The named groups of ``text`` when the whole text matches, else None."""
        match = self.regex.fullmatch(text)
        return None if match is None else match.groupdict()

    def takes(self, name: str) -> bool:
        """Whether the function accepts the keyword argument ``name`` (``docstring``, ``datatable``)."""
        return name in inspect.signature(self.func).parameters


class StepRegistry:
    """Every step definition, in the order registered (the first matching definition wins)."""

    def __init__(self) -> None:
        self.definitions: list[StepDefinition] = []

    def step(self, pattern: str, *kinds: StepKind) -> Callable[[F], F]:
        """Register the decorated function for ``pattern`` as a step of ``kinds`` (default: all three)."""

        def decorator(func: F) -> F:
            chosen = frozenset(kinds or ("given", "when", "then"))
            self.definitions.append(StepDefinition(chosen, pattern, re.compile(pattern), func))
            return func

        return decorator

    def given(self, pattern: str) -> Callable[[F], F]:
        return self.step(pattern, "given")

    def when(self, pattern: str) -> Callable[[F], F]:
        return self.step(pattern, "when")

    def then(self, pattern: str) -> Callable[[F], F]:
        return self.step(pattern, "then")

    def find(self, kind: StepKind, text: str) -> tuple[StepDefinition, dict[str, Any]] | None:
        """The definition of a step of ``kind`` whose pattern matches the whole ``text``, with its arguments."""
        for definition in self.definitions:
            if kind in definition.kinds:
                arguments = definition.arguments(text)
                if arguments is not None:
                    return definition, arguments
        return None


def exactly(text: str) -> str:
    """The pattern of a step sentence without arguments."""
    return re.escape(text)


STEPS = StepRegistry()
