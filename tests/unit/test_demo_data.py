"""The demo is a data set (processes/demo/demo.yaml), not code: it names existing units, files and organisations."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflows import demo, organisation


def test_the_shipped_demo_names_existing_units_files_and_organisations() -> None:
    data = demo.demo_data(demo.DEMO_FILE)
    orgs = organisation.load_org_files()
    units = {u.code for org in orgs for u in org.units}
    codes = {org.organisation.code for org in orgs if org.organisation is not None}
    assert data.accounts and {a.unit_code for a in data.accounts} <= units
    assert len({a.username for a in data.accounts}) == len(data.accounts)
    assert "admin" in {a.username for a in data.accounts if "admin" in a.roles}
    for plan in data.plans:
        assert plan.path.is_file() and plan.organisation_code in codes
    for path, code in data.criteria:
        assert path.is_file() and code in codes


def test_another_demo_file_is_read_instead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "demo.yaml"
    other.write_text(
        "accounts:\n- {username: cb.xa, full_name: Cán bộ xã, unit: BT_VP, roles: [coordinator]}\n", encoding="utf-8"
    )
    monkeypatch.setenv("CCHC_DEMO_FILE", str(other))
    data = demo.demo_data(demo.demo_file())
    assert [a.username for a in data.accounts] == ["cb.xa"] and data.plans == () and data.criteria == ()
