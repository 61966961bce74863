"""The organisation as data: units with validity dates, named groups and the news rotation."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from engine.errors import InvalidInput
from engine.search import fold

UNIT_KINDS = ("ubnd", "cqcm", "su_nghiep", "ubnd_xa", "external")
ORGANISATION_KINDS = ("tinh", "thanh_pho_tw", "huyen", "thanh_pho", "thi_xa", "xa", "phuong", "dac_khu", "so", "other")


@dataclass(frozen=True)
class OrganisationRecord:
    """The organisation a data file describes (its ``organisation:`` header)."""

    code: str
    name: str
    kind: str
    parent: str | None = None
    issuing_body: str | None = None
    parent_body: str | None = None
    place_name: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    successor: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitRecord:
    """One unit of the organisation, valid between two dates (None = open)."""

    code: str
    name: str
    short_name: str
    kind: str
    parent: str | None
    valid_from: date | None
    valid_to: date | None
    aliases: tuple[str, ...] = ()

    def is_valid_on(self, day: date) -> bool:
        """Whether the unit exists on ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class OrgData:
    """Units, groups (name → member codes) and the news rotation as (month, unit code) pairs."""

    units: tuple[UnitRecord, ...]
    groups: dict[str, tuple[str, ...]]
    news_rotation: tuple[tuple[int, str], ...] = ()
    organisation: OrganisationRecord | None = None
    # Explicit trailing names of the organisation (``organisation_suffixes``); empty: ``locality_suffixes``
    # derives them from ``organisation``.
    suffixes: tuple[str, ...] = ()

    def unit(self, code: str) -> UnitRecord:
        """The unit with ``code``; KeyError when there is none."""
        for record in self.units:
            if record.code == code:
                return record
        raise KeyError(code)

    def codes_of_kind(self, kind: str) -> tuple[str, ...]:
        """Codes of every unit of ``kind``, in file order."""
        return tuple(u.code for u in self.units if u.kind == kind)

    @cached_property
    def locality_suffixes(self) -> tuple[str, ...]:
        """What may follow a unit's name and still name it (" thành phố <tên>", " tp <tên>", " thành phố"), longest
        first: ``suffixes`` when given, else the organisation's name, aliases, issuing body and kind words."""
        record = self.organisation
        if self.suffixes or record is None:
            return self.suffixes
        names = [record.name, *record.aliases, record.issuing_body or "", *_KIND_WORDS.get(record.kind, ())]
        return organisation_suffixes(names)

    @cached_property
    def _name_index(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Normalised names and aliases → unit codes, longest name first."""
        return tuple(sorted(_build_name_index(self).items(), key=lambda kv: -len(kv[0])))

    @cached_property
    def _folded_index(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The same names without diacritics (a plan typed without them); a folded name two units share is left out."""
        index: dict[str, tuple[str, ...] | None] = {}
        for key, targets in self._name_index:
            folded = fold_same_length(key)
            index[folded] = targets if index.get(folded, targets) == targets else None
        return tuple((key, targets) for key, targets in index.items() if targets is not None)

    @cached_property
    def _folded_suffixes(self) -> tuple[str, ...]:
        return tuple(fold_same_length(suffix) for suffix in self.locality_suffixes)


# --- Name normalisation --------------------------------------------------------------------------

_DASHES = frozenset("-–—‐‑−")
_FOOTNOTE_MARKS = frozenset("¹²³⁴⁵⁶⁷⁸⁹⁰*")
# Old tone placement ("hoá", "uỷ") → new ("hóa", "ủy") in open syllables; both 2 code points (NFC).
_TONE_FIX = {
    "oá": "óa", "oà": "òa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oé": "óe", "oè": "òe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uý": "úy", "uỳ": "ùy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}  # fmt: skip
_TONE_RE = re.compile("(" + "|".join(_TONE_FIX) + r")(?!\w)")
# A trailing name of the organisation ("Thành phố", "thành phố <tên>": plans write it after most unit names)
# does not change the unit: its name, aliases and the words of its kind (``OrgData.locality_suffixes``).
_KIND_WORDS = {
    "tinh": ("tỉnh",),
    "thanh_pho_tw": ("thành phố", "tp"),
    "huyen": ("huyện",),
    "thanh_pho": ("thành phố", "tp"),
    "thi_xa": ("thị xã", "tx"),
    "xa": ("xã",),
    "phuong": ("phường",),
    "dac_khu": ("đặc khu",),
}
# Administrative words that open a locality's name, with their abbreviations ("Thành phố Sa Đéc", "TP Sa Đéc").
_LOCALITY_WORDS = (
    ("thành phố", ("tp",)), ("thị xã", ("tx",)), ("thị trấn", ()), ("huyện", ()), ("quận", ()),
    ("tỉnh", ()), ("xã", ()), ("phường", ()), ("đặc khu", ()),
)  # fmt: skip
_BODY_PREFIXES = ("ủy ban nhân dân ", "ubnd ")
_SEPARATORS = ",;.:"
_SKIP_RE = re.compile(r"(?:[\s,;.:]+|v[àa](?=\s|$|[,;.:]))+")
_AND_RE = re.compile(r" v[àa] ")
_AND_AHEAD_RE = re.compile(r"v[àa](?:\s|$|[,;.:])")


def _normalize_with_map(text: str) -> tuple[str, str, list[int]]:
    """(NFC text, normalised text, position in the NFC text of each normalised character)."""
    source = unicodedata.normalize("NFC", text)
    chars: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(source):
        low = char.lower()
        if len(low) != 1:
            low = char
        if low in _DASHES or low in _FOOTNOTE_MARKS or low.isspace():
            low = " "
        if low == " " and (not chars or chars[-1] == " "):
            continue
        chars.append(low)
        positions.append(index)
    if chars and chars[-1] == " ":
        chars.pop()
        positions.pop()
    normalised = _TONE_RE.sub(lambda m: _TONE_FIX[m.group(0)], "".join(chars))
    return source, normalised, positions


def fold_same_length(text: str) -> str:
    """``text`` without diacritics, one character for one (đ → d), so positions in it are positions in ``text``."""
    return "".join(f if len(f := fold(char)) == 1 else char for char in text)


def normalize_name(text: str) -> str:
    """Comparable form of a name: lower case, one space, no dashes or footnote marks, new tone marks."""
    return _normalize_with_map(text)[1].strip(" " + _SEPARATORS)


def organisation_suffixes(names: Iterable[str]) -> tuple[str, ...]:
    """The trailing forms of an organisation's names: "Thành phố Sa Đéc" → " thành phố sa đéc", " tp sa đéc",
    " thành phố", " tp" (a unit written "Phòng Nội vụ Thành phố" is the organisation's Phòng Nội vụ)."""
    found: set[str] = set()
    for raw in names:
        name = normalize_name(raw)
        for prefix in _BODY_PREFIXES:
            name = name.removeprefix(prefix)
        if not name:
            continue
        found.add(name)
        for word, abbreviations in _LOCALITY_WORDS:
            if name == word or name.startswith(word + " "):
                place = name[len(word) :].strip()
                found.add(word)
                for short in abbreviations:
                    found.add(short)
                    if place:
                        found.add(f"{short} {place}")
                break
    return tuple(" " + s for s in sorted(found, key=lambda s: (-len(s), s)))


def _strip_city(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _build_name_index(org: OrgData) -> dict[str, tuple[str, ...]]:
    entries: list[tuple[str, tuple[str, ...], str]] = []
    for unit in org.units:
        for name in (unit.name, unit.short_name, *unit.aliases):
            entries.append((name, (unit.code,), unit.code))
    for group, members in org.groups.items():
        entries.append((group, members, f"nhóm «{group}»"))
    index: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    problems: list[str] = []
    for name, targets, label in entries:
        full = normalize_name(name)
        for key in {full, _strip_city(full, org.locality_suffixes)}:
            if not key:
                continue
            if key in index and index[key] != targets:
                problems.append(f"Tên «{name}» trùng giữa {owner[key]} và {label}.")
                continue
            index[key] = targets
            owner[key] = label
    if problems:
        raise InvalidInput("Dữ liệu tổ chức có tên trùng nhau.", code="org_data_invalid", details=problems)
    return index


# --- Resolving unit lists ------------------------------------------------------------------------


def _ends_name(s: str, end: int) -> bool:
    """What follows ``end`` is the end of the text, a separator or the conjunction "và"."""
    rest = s[end:].lstrip(" ")
    return not rest or rest[0] in _SEPARATORS or _AND_AHEAD_RE.match(rest) is not None


def _match_at(
    s: str, start: int, index: Iterable[tuple[str, tuple[str, ...]]], suffixes: tuple[str, ...]
) -> tuple[int, tuple[str, ...]] | None:
    for key, targets in index:
        if not s.startswith(key, start):
            continue
        end = start + len(key)
        for suffix in suffixes:
            if s.startswith(suffix, end) and _ends_name(s, end + len(suffix)):
                return end + len(suffix), targets
        if _ends_name(s, end):
            return end, targets
    return None


@dataclass(frozen=True)
class NamedUnits:
    """One name as written in a unit cell and what it stands for (None: not recognised)."""

    name: str
    codes: tuple[str, ...] | None


def resolve_names(text: str, org: OrgData) -> list[NamedUnits]:
    """The names written in ``text``, in order, each with the unit codes it stands for (groups expanded)."""
    source, s, positions = _normalize_with_map(text)
    folded = fold_same_length(s)

    def match(at: int) -> tuple[int, tuple[str, ...]] | None:
        return _match_at(s, at, org._name_index, org.locality_suffixes) or _match_at(
            folded, at, org._folded_index, org._folded_suffixes
        )

    found: list[NamedUnits] = []
    i = 0
    while i < len(s):
        skip = _SKIP_RE.match(s, i)
        if skip and skip.end() > i:
            i = skip.end()
            continue
        hit = match(i)
        if hit:
            end, targets = hit
            found.append(NamedUnits(source[positions[i] : positions[end - 1] + 1].strip(" " + _SEPARATORS), targets))
            i = end
            continue
        # Unknown name: up to the next comma/semicolon, or to a "và" that starts a known name.
        limit = min((p for p in (s.find(",", i), s.find(";", i)) if p >= 0), default=len(s))
        end = limit
        for conj in _AND_RE.finditer(s, i, limit):
            if match(conj.end()):
                end = conj.start()
                break
        fragment = source[positions[i] : positions[end - 1] + 1].strip(" " + _SEPARATORS)
        if fragment:
            found.append(NamedUnits(fragment, None))
        i = end
    return found


def resolve_units(text: str, org: OrgData) -> tuple[list[str], list[str]]:
    """Unit codes named in ``text`` (in order, groups expanded, no duplicates) and unresolved fragments."""
    codes: list[str] = []
    unresolved: list[str] = []
    for named in resolve_names(text, org):
        if named.codes is None:
            if named.name not in unresolved:
                unresolved.append(named.name)
        else:
            codes.extend(code for code in named.codes if code not in codes)
    return codes, unresolved


# --- Loading -------------------------------------------------------------------------------------


def _as_date(value: Any, where: str, problems: list[str]) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.append(f"{where}: ngày «{value}» không đúng dạng YYYY-MM-DD.")
        return None


def _unit_from_mapping(raw: Mapping[str, Any], problems: list[str]) -> UnitRecord | None:
    code = str(raw.get("code") or "").strip()
    if not code or not raw.get("name"):
        problems.append(f"Đơn vị thiếu mã hoặc tên: {dict(raw)}.")
        return None
    kind = str(raw.get("kind") or "")
    if kind not in UNIT_KINDS:
        problems.append(f"Đơn vị {code}: loại «{kind}» không thuộc {', '.join(UNIT_KINDS)}.")
    return UnitRecord(
        code=code,
        name=str(raw["name"]),
        short_name=str(raw.get("short_name") or raw["name"]),
        kind=kind,
        parent=raw.get("parent") or None,
        valid_from=_as_date(raw.get("valid_from"), f"Đơn vị {code}", problems),
        valid_to=_as_date(raw.get("valid_to"), f"Đơn vị {code}", problems),
        aliases=tuple(str(a) for a in raw.get("aliases") or ()),
    )


_CODE_RE = re.compile(r"[A-Z0-9_]{1,50}")


def organisation_from_mapping(raw: Any, problems: list[str]) -> OrganisationRecord | None:
    """The ``organisation:`` header of a data file (None when the file has none)."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.append("Phần «organisation» phải gồm các trường code, name, kind, ….")
        return None
    code = str(raw.get("code") or "").strip()
    name = str(raw.get("name") or "").strip()
    kind = str(raw.get("kind") or "").strip()
    if not _CODE_RE.fullmatch(code):
        problems.append(f"Tổ chức: mã «{code}» phải gồm chữ in hoa không dấu, chữ số hoặc dấu gạch dưới.")
    if not name:
        problems.append("Tổ chức: thiếu tên.")
    if kind not in ORGANISATION_KINDS:
        problems.append(f"Tổ chức {code}: loại «{kind}» không thuộc {', '.join(ORGANISATION_KINDS)}.")

    def text(key: str) -> str | None:
        value = raw.get(key)
        return str(value).strip() or None if value is not None else None

    return OrganisationRecord(
        code=code,
        name=name,
        kind=kind,
        parent=text("parent"),
        issuing_body=text("issuing_body"),
        parent_body=text("parent_body"),
        place_name=text("place_name"),
        valid_from=_as_date(raw.get("valid_from"), f"Tổ chức {code}", problems),
        valid_to=_as_date(raw.get("valid_to"), f"Tổ chức {code}", problems),
        successor=text("successor"),
        aliases=tuple(str(a) for a in raw.get("aliases") or ()),
    )



def org_from_mapping(data: Mapping[str, Any]) -> OrgData:
    """Build and check organisation data from a parsed YAML document."""
    problems: list[str] = []
    organisation = organisation_from_mapping(data.get("organisation"), problems)
    units = [u for raw in data.get("units") or () if (u := _unit_from_mapping(raw, problems))]
    codes = [u.code for u in units]
    known = set(codes)
    problems += [f"Mã đơn vị {c} bị trùng." for c in sorted({c for c in codes if codes.count(c) > 1})]
    problems += [
        f"Đơn vị {u.code}: đơn vị cấp trên {u.parent} không có." for u in units if u.parent and u.parent not in known
    ]
    groups: dict[str, tuple[str, ...]] = {}
    for raw in data.get("groups") or ():
        members = tuple(str(m) for m in raw.get("members") or ())
        problems += [f"Nhóm «{raw.get('name')}»: không có đơn vị {m}." for m in members if m not in known]
        for name in (raw.get("name"), *(raw.get("aliases") or ())):
            if name:
                groups[str(name)] = members
    rotation: list[tuple[int, str]] = []
    for raw in (data.get("news_rotation") or {}).get("months") or ():
        month = int(raw.get("month"))
        if not 1 <= month <= 12:
            problems.append(f"Lịch đăng tin: tháng {month} không hợp lệ.")
        for code in raw.get("units") or ():
            if code not in known:
                problems.append(f"Lịch đăng tin tháng {month}: không có đơn vị {code}.")
            rotation.append((month, str(code)))
    if problems:
        raise InvalidInput("Dữ liệu tổ chức không hợp lệ.", code="org_data_invalid", details=problems)
    org = OrgData(
        units=tuple(units),
        groups=groups,
        news_rotation=tuple(rotation),
        organisation=organisation,
    )
    _ = org._name_index  # fail now, not at the first import, when two units share a name
    return org


def load_org_file(path: str | Path) -> OrgData:
    """Load the organisation YAML file at ``path``."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, Mapping):
        raise InvalidInput(f"Tệp tổ chức {path} không đúng định dạng.", code="org_data_invalid")
    return org_from_mapping(data)
