"""Finding, locating and naming BPMN elements in a problem message."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from .messages import CODE_SITES, LABELS
from .model import B, Element

# Parts of an element: a problem inside them belongs to the element around them.
WRAPPERS = {
    "extensionElements",
    "properties",
    "property",
    "multiInstanceLoopCharacteristics",
    "standardLoopCharacteristics",
    "conditionalEventDefinition",
    "timerEventDefinition",
    "timeDate",
    "timeDuration",
    "timeCycle",
    *(tag.split("}")[1] for tag, _, _ in CODE_SITES),
}


def local_name(el: Element) -> str:
    """The tag without its namespace."""
    return etree.QName(el).localname


def iter_bpmn(root: Element, names: tuple[str, ...]) -> Iterator[Element]:
    """BPMN elements with one of the given local names, in document order."""
    return root.iter(*(f"{B}{n}" for n in names))


def is_inside(el: Element, ancestor: Element) -> bool:
    """Whether ``el`` lies within ``ancestor``."""
    return any(a is ancestor for a in el.iterancestors())


def owner_of(el: Element | None) -> Element | None:
    """The element a nested value belongs to: the nearest self-or-ancestor that is not a wrapper."""
    while el is not None and (local_name(el) in WRAPPERS or el.get("id") is None):
        el = el.getparent()
    return el


def describe(el: Element) -> str:
    """E.g. 'bước "Duyệt kế hoạch" (Task_approve)'."""
    label = LABELS.get(local_name(el), "phần tử")
    name = " ".join((el.get("name") or el.get("label") or "").split())
    if name:
        return f'{label} "{name}" ({el.get("id")})' if el.get("id") else f'{label} "{name}"'
    return f"{label} {el.get('id')}" if el.get("id") else f"{label} <{local_name(el)}>"


def capitalise(text: str) -> str:
    """Capitalise the first letter."""
    return text[:1].upper() + text[1:]
