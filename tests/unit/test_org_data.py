"""The 2024 Sa Đéc organisation file and unit-name resolution against the spellings of the seed plan."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from engine.errors import InvalidInput
from workflows.org_data import OrgData, UnitRecord, load_org_file, org_from_mapping, resolve_units

ROOT = Path(__file__).parents[2]
ORG_FILE = ROOT / "processes/org/sa-dec-2024.yaml"
SEED = ROOT / "processes/plans/ke-hoach-cchc-2024.md"  # the seed, kept in the repository

CQCM = ("PNV", "PTP", "VP", "PVHTT", "PTCKH", "PTNMT", "PQLDT", "PGDDT", "PKT", "PLDTBXH", "TTRA")
XA = ("P1", "P2", "P3", "P4", "PAH", "PTQD", "XTQT", "XTPD", "XTKD")


@pytest.fixture(scope="module")
def org() -> OrgData:
    return load_org_file(ORG_FILE)


@pytest.fixture(scope="module")
def seed_markdown() -> str:
    return SEED.read_text(encoding="utf-8")


# --- The data file ---------------------------------------------------------------------------------


def test_units_by_kind(org: OrgData) -> None:
    assert org.codes_of_kind("ubnd") == ("UBND",)
    assert org.codes_of_kind("cqcm") == CQCM
    assert org.codes_of_kind("su_nghiep") == ("TTVHTT", "TTTH")
    assert org.codes_of_kind("ubnd_xa") == XA
    assert set(org.codes_of_kind("external")) >= {
        "CA", "BD", "BHXH", "CCT", "VPDKDD", "MTTQ", "BPC", "BCHQS", "SNV", "UBND_TINH", "TU", "HDND", "CTXH",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("code", "name", "short_name", "kind", "parent"),
    [
        ("UBND", "Ủy ban nhân dân thành phố Sa Đéc", "UBND Thành phố", "ubnd", None),
        ("PNV", "Phòng Nội vụ thành phố Sa Đéc", "Phòng Nội vụ", "cqcm", "UBND"),
        ("VP", "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân thành phố Sa Đéc", "Văn phòng HĐND và UBND",
         "cqcm", "UBND"),
        ("PTCKH", "Phòng Tài chính - Kế hoạch thành phố Sa Đéc", "Phòng Tài chính - Kế hoạch", "cqcm", "UBND"),
        ("PLDTBXH", "Phòng Lao động - Thương binh và Xã hội thành phố Sa Đéc",
         "Phòng Lao động - Thương binh và Xã hội", "cqcm", "UBND"),
        ("TTRA", "Thanh tra thành phố Sa Đéc", "Thanh tra Thành phố", "cqcm", "UBND"),
        ("TTVHTT", "Trung tâm Văn hóa - Thể thao và Truyền thanh thành phố Sa Đéc", "Trung tâm VH-TT và TT",
         "su_nghiep", "UBND"),
        ("XTQT", "Ủy ban nhân dân xã Tân Quy Tây", "UBND xã Tân Quy Tây", "ubnd_xa", "UBND"),
        ("PAH", "Ủy ban nhân dân phường An Hòa", "UBND phường An Hòa", "ubnd_xa", "UBND"),
        ("SNV", "Sở Nội vụ tỉnh Đồng Tháp", "Sở Nội vụ Tỉnh", "external", None),
        ("CCT", "Chi cục Thuế Khu vực II", "Chi cục thuế Khu vực II", "external", None),
        ("BPC", "Ban Pháp chế Hội đồng nhân dân thành phố Sa Đéc", "Ban pháp chế HĐND", "external", "HDND"),
    ],
)  # fmt: skip
def test_unit_records(org: OrgData, code: str, name: str, short_name: str, kind: str, parent: str | None) -> None:
    unit = org.unit(code)
    assert (unit.name, unit.short_name, unit.kind, unit.parent) == (name, short_name, kind, parent)


def test_every_unit_is_valid_from_2021_until_the_2025_reform(org: OrgData) -> None:
    assert {(u.valid_from, u.valid_to) for u in org.units} == {(date(2021, 1, 1), date(2025, 6, 30))}
    assert org.unit("PNV").is_valid_on(date(2024, 6, 1))
    assert not org.unit("PNV").is_valid_on(date(2020, 12, 31))
    assert not org.unit("PNV").is_valid_on(date(2025, 7, 1))  # the district tier ended: phường Sa Đéc follows
    assert org.organisation is not None and org.organisation.successor == "PHUONG_SADEC"


def test_unit_validity_window() -> None:
    unit = UnitRecord("X", "X", "X", "cqcm", None, date(2021, 1, 1), date(2025, 6, 30))
    assert unit.is_valid_on(date(2025, 6, 30))
    assert not unit.is_valid_on(date(2025, 7, 1))


def test_groups(org: OrgData) -> None:
    assert org.groups["UBND cấp xã"] == XA
    assert org.groups["UBND các xã, phường"] == XA
    for name in ("Các cơ quan, ngành Thành phố", "CQCM", "Các CQCM thuộc UBND Thành phố"):
        assert org.groups[name] == CQCM
    assert org.groups["Các đơn vị sự nghiệp thuộc UBND Thành phố"] == ("TTVHTT", "TTTH")


def test_news_rotation(org: OrgData) -> None:
    rotation = org.news_rotation
    assert rotation[:2] == ((1, "PNV"), (1, "P1"))
    assert (10, "TTRA") in rotation
    assert (11, "VP") in rotation
    assert [code for month, code in rotation if month == 8] == ["PTCKH", "XTPD"]
    # Every cơ quan chuyên môn and every UBND cấp xã posts exactly once in 2024; nobody posts in December.
    assert sorted(code for _, code in rotation) == sorted(CQCM + XA)
    assert {month for month, _ in rotation} == set(range(1, 12))


def test_news_rotation_matches_the_footnote_of_the_seed(org: OrgData, seed_markdown: str) -> None:
    footnote = re.findall(r"^\s*¹?\s*(\S.*?) đăng tin tháng (\d+) năm 2024", seed_markdown, re.M)
    from_seed: list[tuple[int, str]] = []
    for units_text, month in footnote:
        codes, unresolved = resolve_units(units_text, org)
        assert unresolved == [], units_text
        from_seed += [(int(month), code) for code in codes]
    assert tuple(from_seed) == org.news_rotation


def test_every_recipient_of_the_seed_resolves(org: OrgData, seed_markdown: str) -> None:
    block = seed_markdown.split("Nơi nhận:", 1)[1].split("**TM.", 1)[0]
    recipients = [line.strip("- ;").strip() for line in block.splitlines() if line.startswith("- ")]
    people_or_archive = {"CT, các PCT/UBND Thành phố", "Lưu: VT."}
    for recipient in recipients:
        if recipient in people_or_archive:
            continue
        codes, unresolved = resolve_units(recipient, org)
        assert codes and not unresolved, recipient
    assert resolve_units("Các CQCM thuộc UBND Thành phố", org)[0] == list(CQCM)
    assert resolve_units("Trung tâm VH-TT và TT Thành phố", org)[0] == ["TTVHTT"]


def test_every_name_and_alias_resolves_to_its_unit(org: OrgData) -> None:
    for unit in org.units:
        for name in (unit.name, unit.short_name, *unit.aliases):
            assert resolve_units(name, org) == ([unit.code], []), name


# --- Resolving unit lists --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Phòng Tư pháp, UBND cấp xã", ["PTP", *XA]),
        ("Các cơ quan, ngành Thành phố; UBND cấp xã", [*CQCM, *XA]),
        ("Phòng Tài chính – Kế hoạch Thành phố", ["PTCKH"]),
        ("Phòng Tài chính - Kế hoạch Thành phố", ["PTCKH"]),
        ("Phòng Tài chính Kế hoạch thành phố Sa Đéc", ["PTCKH"]),
        ("Văn Phòng HĐND và UBND, Phòng Nội vụ Thành phố, Phòng Văn hóa - Thông tin Thành phố ¹",
         ["VP", "PNV", "PVHTT"]),
        ("Phòng Nội vụ Thành phố và Văn phòng HĐND và UBND Thành phố", ["PNV", "VP"]),
        ("phòng Văn hoá - Thông tin Thành phố", ["PVHTT"]),
        ("Phòng Lao động - Thương binh và Xã hội", ["PLDTBXH"]),
        ("Trung tâm Văn hóa – Thể thao và Truyền thanh Thành phố.", ["TTVHTT"]),
        ("Phòng Nội vụ; Phòng Nội vụ Thành phố; PHÒNG NỘI VỤ", ["PNV"]),
        ("Ban pháp chế Hội đồng nhân dân Thành phố;.", ["BPC"]),
        ("UBND Thành phố", ["UBND"]),
        ("UBND Phường 1, UBND phường An Hòa và UBND xã Tân Khánh Đông", ["P1", "PAH", "XTKD"]),
        ("", []),
    ],
)  # fmt: skip
def test_resolve_units(org: OrgData, text: str, codes: list[str]) -> None:
    assert resolve_units(text, org) == (codes, [])


@pytest.mark.parametrize(
    ("text", "codes", "unresolved"),
    [
        ("Sở Y tế, Phòng Tư pháp", ["PTP"], ["Sở Y tế"]),
        ("Phòng Tư pháp và Ban ABC Thành phố", ["PTP"], ["Ban ABC Thành phố"]),
        ("UBND Phường 10", [], ["UBND Phường 10"]),
        ("UBND huyện Lai Vung; Phòng Kinh tế", ["PKT"], ["UBND huyện Lai Vung"]),
        ("Phối hợp với Sở Nội vụ", [], ["Phối hợp với Sở Nội vụ"]),
    ],
)
def test_resolve_units_reports_what_it_does_not_know(
    org: OrgData, text: str, codes: list[str], unresolved: list[str]
) -> None:
    assert resolve_units(text, org) == (codes, unresolved)


# --- Checks on load --------------------------------------------------------------------------------


def _unit(code: str, **extra: object) -> dict[str, object]:
    return {"code": code, "name": f"Đơn vị {code}", "kind": "cqcm", "parent": None, **extra}


def test_locality_suffixes_come_from_the_organisation(org: OrgData) -> None:
    assert org.locality_suffixes[:2] == (" thành phố sa đéc", " tp. sa đéc")
    assert " thành phố" in org.locality_suffixes and " tp" in org.locality_suffixes
    commune = org_from_mapping({"organisation": {"code": "X", "name": "Xã Tân Khánh Đông", "kind": "xa"}, "units": []})
    assert commune.locality_suffixes == (" xã tân khánh đông", " xã")
    assert org_from_mapping({"units": []}).locality_suffixes == ()


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"units": [_unit("A"), _unit("A")]}, "Mã đơn vị A bị trùng"),
        ({"units": [_unit("A", parent="ZZ")]}, "đơn vị cấp trên ZZ"),
        ({"units": [_unit("A", kind="phong")]}, "loại «phong»"),
        ({"units": [_unit("A")], "groups": [{"name": "G", "members": ["A", "B"]}]}, "không có đơn vị B"),
        ({"units": [_unit("A")], "news_rotation": {"months": [{"month": 13, "units": ["A"]}]}}, "tháng 13"),
        ({"units": [_unit("A", valid_from="01/01/2021")]}, "YYYY-MM-DD"),
        (
            {
                "organisation": {"code": "TPX", "name": "Thành phố X", "kind": "thanh_pho"},
                "units": [_unit("A", aliases=["X"]), _unit("B", aliases=["x Thành phố"])],
            },
            "trùng giữa A và B",
        ),
        ({"organisation": {"code": "tp x", "name": "", "kind": "lang"}, "units": []}, "mã «tp x»"),
    ],
)
def test_invalid_org_data_is_refused_with_every_problem(data: dict[str, object], fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        org_from_mapping(data)
    assert caught.value.code == "org_data_invalid"
    assert any(fragment in problem for problem in caught.value.details), caught.value.details


def test_the_file_is_plain_yaml_data() -> None:
    data = yaml.safe_load(ORG_FILE.read_text(encoding="utf-8"))
    assert {"units", "groups", "news_rotation"} <= set(data)
    assert org_from_mapping(data) == load_org_file(ORG_FILE)
