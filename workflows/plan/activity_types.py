"""Activity types: which procedure carries out a plan activity, by the rules of processes/plans/activity-types.yaml."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from workflows.org_data import normalize_name

PLANS_DIR = Path(__file__).resolve().parents[2] / "processes" / "plans"
RULES_FILE = PLANS_DIR / "activity-types.yaml"

ACTIVITY_TYPES: dict[str, str] = {
    "plan_issuance": "Ban hành kế hoạch",
    "inspection": "Kiểm tra công tác CCHC",
    "satisfaction_survey": "Khảo sát sự hài lòng",
    "index_scoring": "Chấm điểm Chỉ số CCHC",
    "periodic_report": "Báo cáo định kỳ",
    "generic_activity": "Hoạt động chung",
}


@dataclass(frozen=True)
class TypeRule:
    """One rule: every listed condition must hold."""

    type: str
    name: str
    text: tuple[re.Pattern[str], ...] = ()
    output_is: frozenset[str] | None = None
    output_has: frozenset[str] = frozenset()
    schedule: frozenset[str] = frozenset()

    def matches(self, text: str, output_kinds: Sequence[str], schedule_kind: str) -> bool:
        folded = normalize_name(text)
        if self.text and not any(pattern.search(folded) for pattern in self.text):
            return False
        if self.output_is is not None and frozenset(output_kinds) != self.output_is:
            return False
        if self.output_has and not self.output_has & set(output_kinds):
            return False
        return not self.schedule or schedule_kind in self.schedule


@dataclass(frozen=True)
class TypeRules:
    rules: tuple[TypeRule, ...]
    default: str

    def classify(self, text: str, output_kinds: Sequence[str], schedule_kind: str) -> tuple[str, str | None]:
        """The activity type and the name of the rule that gave it (None: the default)."""
        for rule in self.rules:
            if rule.matches(text, output_kinds, schedule_kind):
                return rule.type, rule.name
        return self.default, None


def _known_type(value: Any, where: str) -> str:
    if value not in ACTIVITY_TYPES:
        raise ValueError(f"{where}: loại hoạt động không hợp lệ {value!r} (cho phép: {', '.join(ACTIVITY_TYPES)}).")
    return str(value)


def rules_from_mapping(data: Mapping[str, Any]) -> TypeRules:
    """Build the rules from the parsed YAML file; a wrong file fails loudly with a Vietnamese message."""
    rules = []
    for index, raw in enumerate(data.get("rules") or [], start=1):
        where = f"Quy tắc {index}"
        unknown = set(raw) - {"type", "name", "text", "output_is", "output_has", "schedule"}
        if unknown:
            raise ValueError(f"{where}: khóa không hợp lệ {', '.join(sorted(unknown))}.")
        rules.append(
            TypeRule(
                type=_known_type(raw.get("type"), where),
                name=str(raw.get("name") or raw["type"]),
                # Patterns are matched against the normalised text (lower case, NFC, single spaces).
                text=tuple(re.compile(unicodedata.normalize("NFC", p).lower()) for p in raw.get("text") or ()),
                output_is=frozenset(raw["output_is"]) if raw.get("output_is") else None,
                output_has=frozenset(raw.get("output_has") or ()),
                schedule=frozenset(raw.get("schedule") or ()),
            )
        )
    return TypeRules(tuple(rules), _known_type(data.get("default", "generic_activity"), "default"))


def load_type_rules(path: Path = RULES_FILE) -> TypeRules:
    return rules_from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
