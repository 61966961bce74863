"""Lanes that name a unit resolve inside the instance's organisation (``DbUnitDirectory.within``): the unit itself
when it is that organisation's, else the organisation's unit carrying the code as an alias, else its one unit with
the same name; never another organisation's unit."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from engine.db import Base, make_engine, make_session_factory
from workflows.models import Organisation, Unit
from workflows.unit_directory import DbUnitDirectory

NOW = datetime(2024, 1, 2, tzinfo=UTC)


def directory(tmp_path: Path) -> DbUnitDirectory:
    sql = make_engine(f"sqlite:///{tmp_path / 'units.db'}")
    Base.metadata.create_all(sql)
    sessions = make_session_factory(sql)
    with sessions() as s:
        for code in ("A", "B", "C", "D"):
            s.add(Organisation(code=code, name=f"Tổ chức {code}", kind="xa", aliases=[], created_at=NOW))
        s.flush()
        units = [
            ("UBND", "Ủy ban nhân dân thành phố Sa Đéc", "UBND Thành phố", None, "A", []),
            ("PNV", "Phòng Nội vụ thành phố Sa Đéc", "Phòng Nội vụ", "UBND", "A", ["Phòng Nội vụ Thành phố"]),
            ("PTP", "Phòng Tư pháp thành phố Sa Đéc", "Phòng Tư pháp", "UBND", "A", []),
            ("B_UBND", "Ủy ban nhân dân huyện Thử", "UBND huyện", None, "B", []),
            ("B_NV", "Phòng Nội vụ huyện Thử", "Phòng Nội Vụ", "B_UBND", "B", []),  # same name, other case
            ("C_UBND", "Ủy ban nhân dân phường Thử", "UBND phường", None, "C", []),
            ("C_VP", "Văn phòng HĐND và UBND phường", "Văn phòng", "C_UBND", "C", ["PNV"]),  # the code as alias
            ("D_1", "Phòng Nội vụ (cũ)", "Phòng Nội vụ", None, "D", []),
            ("D_2", "Phòng Nội vụ (mới)", "Phòng Nội vụ", None, "D", []),  # two candidates: none chosen
        ]
        for code, name, short, parent, org, aliases in units:
            s.add(
                Unit(
                    code=code,
                    name=name,
                    short_name=short,
                    kind="cqcm",
                    parent_code=parent,
                    organisation_code=org,
                    aliases=aliases,
                )
            )
            s.flush()
        s.commit()
    return DbUnitDirectory(sessions)


def test_named_units_resolve_inside_the_tenant(tmp_path: Path) -> None:
    units = directory(tmp_path)
    assert units.within("PNV", "A") == "PNV"  # its own organisation's
    assert units.within("PNV", None) == "PNV"  # no tenant: as written
    assert units.within("PNV", "B") == "B_NV"  # the same name, folded
    assert units.within("PNV", "C") == "C_VP"  # the code among the aliases
    assert units.within("PNV", "D") is None  # ambiguous: no unit, never a guess
    assert units.within("PTP", "C") is None  # no counterpart: never Sa Đéc's PTP
    assert units.within("B_NV", "A") == "PNV"  # the other way round
    assert units.within("KHONGCO", "A") is None
    assert units.parent_of("C_VP") == "C_UBND"
    assert units.parent_of("PNV") == "UBND"
