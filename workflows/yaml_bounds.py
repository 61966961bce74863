"""Loading an uploaded YAML text without trusting it, for every upload that takes YAML (units, criteria sets).

Refused while scanning, before the parser builds anything: anchors, aliases and tags (a "billion laughs" file
expands from a few lines; a tag could name a Python object), more tokens than the caller allows, and nesting past
``max_depth`` — PyYAML's scanner slows with the square of the nesting (50,000 "[" in 50 KB took 47 s of CPU) and its
parser recurses once per level until Python's stack gives out. Each caller words the refusal in its own terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import yaml

MAX_YAML_DEPTH = 100  # brackets and blocks open at once; the shipped files nest 7 at most
_OPENS = (
    yaml.FlowSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.BlockMappingStartToken,
)
_CLOSES = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)

Reason = Literal["alias", "tokens", "depth", "syntax"]


@dataclass
class YamlRefused(Exception):
    """Why a text was refused; ``line``/``column`` (1-based) where a syntax error was found."""

    reason: Reason
    line: int | None = None
    column: int | None = None

    @property
    def where(self) -> str:
        """`` ở dòng L, cột C`` when the place is known (Vietnamese, to follow a message), else ``""``."""
        return f" ở dòng {self.line}, cột {self.column}" if self.line is not None else ""


def load_untrusted_yaml(text: str, *, max_tokens: int, max_depth: int = MAX_YAML_DEPTH) -> Any:
    """The document of ``text`` (``yaml.safe_load``) once its tokens passed the bounds; else ``YamlRefused``."""
    depth = 0
    try:
        for count, token in enumerate(yaml.scan(text)):
            if isinstance(token, yaml.AliasToken | yaml.AnchorToken | yaml.TagToken):
                raise YamlRefused("alias")
            if count > max_tokens:
                raise YamlRefused("tokens")
            depth += isinstance(token, _OPENS) - isinstance(token, _CLOSES)
            if depth > max_depth:
                raise YamlRefused("depth")
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is None:
            raise YamlRefused("syntax") from exc
        raise YamlRefused("syntax", mark.line + 1, mark.column + 1) from exc
    except (RecursionError, ValueError) as exc:  # a stack given out all the same, an integer past Python's digit limit
        raise YamlRefused("depth") from exc
