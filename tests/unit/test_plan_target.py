"""The importer's knowledge of the target organisation: its suffixes, names without diacritics, the issuer check,
the parent's plan in time texts, a plan without its appendix (#15 item 2)."""

from __future__ import annotations

import pytest

from engine.errors import InvalidInput
from workflows.org_data import OrgData, UnitRecord, organisation_suffixes, resolve_names
from workflows.plan.parsed_plan import looks_like_a_plan, no_appendix
from workflows.plan.schedule import ScheduleConfig, parse_time_text
from workflows.plan.target import TargetOrganisation, check_issuer, issuer_matches


def _unit(code: str, name: str, short: str, kind: str = "cqcm") -> UnitRecord:
    return UnitRecord(code, name, short, kind, None, None, None)


DAKHA = OrgData(
    units=(
        _unit("DH_PNV", "Phòng Nội vụ huyện Đăk Hà", "Phòng Nội vụ"),
        _unit("DH_PTP", "Phòng Tư pháp huyện Đăk Hà", "Phòng Tư pháp"),
    ),
    groups={},
    suffixes=organisation_suffixes(["Huyện Đăk Hà", "ỦY BAN NHÂN DÂN HUYỆN ĐĂK HÀ"]),
)


def _target(**fields: object) -> TargetOrganisation:
    base: dict[str, object] = {
        "code": "DAKHA",
        "name": "Huyện Đăk Hà",
        "names": ("Huyện Đăk Hà", "ỦY BAN NHÂN DÂN HUYỆN ĐĂK HÀ"),
        "place_name": "Đăk Hà",
        "parent_names": ("ỦY BAN NHÂN DÂN TỈNH KON TUM", "Tỉnh Kon Tum"),
        "vocabulary": DAKHA,
        "issuing_unit": None,
    }
    return TargetOrganisation(**{**base, **fields})  # type: ignore[arg-type]


def test_the_organisations_names_are_its_suffixes() -> None:
    assert organisation_suffixes(["Thành phố Sa Đéc"]) == (" thành phố sa đéc", " thành phố", " tp sa đéc", " tp")
    assert " huyện đăk hà" in DAKHA.suffixes and " huyện" in DAKHA.suffixes
    assert organisation_suffixes(["Tổ chức mặc định"]) == (" tổ chức mặc định",)  # no locality word: no short forms


def test_names_resolve_with_or_without_diacritics_and_the_organisations_suffix() -> None:
    found = resolve_names("Phong Noi vu huyen Dak Ha, Phòng Tư pháp Huyện và Phòng Nội vụ Thành phố", DAKHA)
    assert [(n.name, n.codes) for n in found] == [
        ("Phong Noi vu huyen Dak Ha", ("DH_PNV",)),
        ("Phòng Tư pháp Huyện", ("DH_PTP",)),
        ("Phòng Nội vụ Thành phố", None),  # "Thành phố" is not this organisation
    ]


@pytest.mark.parametrize(
    ("issuer", "matches"),
    [
        ("UBND huyện Đăk Hà", True),
        ("Ủy ban nhân dân huyện Đắk Hà", True),  # compared without diacritics: Đăk / Đắk
        ("UBND huyen Dak Ha", True),
        ("Phòng Nội vụ huyện Đăk Hà", True),
        ("Đăk Hà", True),
        ("UBND thành phố Sa Đéc", False),
        ("UBND xã Đăk Hà", False),  # a commune of the same name is another organisation
    ],
)
def test_the_caption_issuer_is_checked_against_the_organisation(issuer: str, matches: bool) -> None:
    assert issuer_matches(issuer, _target()) is matches


def test_an_issuer_mismatch_names_both() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_issuer("UBND thành phố Sa Đéc", _target())
    assert caught.value.code == "issuer_mismatch"
    assert "UBND thành phố Sa Đéc" in caught.value.message and "Huyện Đăk Hà" in caught.value.message
    check_issuer("", _target())  # a caption without its issuer is not a mismatch


def test_the_parents_plan_is_named_from_data() -> None:
    config = _target().schedule_config(ScheduleConfig())
    assert "tinh kon tum" in config.parent_names and "huyen" in config.own_names

    def reference(text: str, cfg: ScheduleConfig) -> str | None:
        return parse_time_text(text, 2024, cfg).reference

    assert reference("Theo Kế hoạch của UBND tỉnh Kon Tum", config) == "provincial_plan"
    assert reference("Theo Kế hoạch của tỉnh", config) == "provincial_plan"
    assert reference("Theo Kế hoạch của UBND huyện", config) == "plan"
    assert reference("Theo Kế hoạch của tỉnh Đồng Tháp", config) is None  # another province: set by hand
    assert reference("Theo Kế hoạch của tỉnh Đồng Tháp", ScheduleConfig()) is None


def test_a_plan_without_its_appendix_is_told_apart_from_a_file_that_is_no_plan() -> None:
    plan = ["ỦY BAN NHÂN DÂN", "KẾ HOẠCH", "Cải cách hành chính năm 2025", "I. MỤC ĐÍCH, YÊU CẦU"]
    assert looks_like_a_plan(plan)
    assert no_appendix(plan).code == "plan_appendix_missing"
    report = ["BÁO CÁO", "Kết quả cải cách hành chính năm 2024"]
    assert not looks_like_a_plan(report) and no_appendix(report).code == "not_a_plan"
    assert not looks_like_a_plan(["KẾ HOẠCH", "Tổ chức hội thao năm 2024"])
