"""The province view's pure rules: which organisations are under a province, how organisations are ranked."""

from __future__ import annotations

from workflows.access import organisation_subtree
from workflows.province import IndexEntry, OrganisationRollup, assign_ranks


def test_the_subtree_follows_parent_chains_and_survives_a_cycle() -> None:
    tree = [
        ("DT", None), ("SADEC", "DT"), ("P1", "SADEC"), ("XA", "DT"),
        ("AG", None), ("LX", "AG"),
        ("LOOP_A", "LOOP_B"), ("LOOP_B", "LOOP_A"),
    ]  # fmt: skip
    assert organisation_subtree(tree, "DT") == {"DT", "SADEC", "P1", "XA"}
    assert organisation_subtree(tree, "SADEC") == {"SADEC", "P1"}
    assert organisation_subtree(tree, "LX") == {"LX"}
    assert organisation_subtree(tree, "LOOP_A") == {"LOOP_A", "LOOP_B"}


def _row(code: str, percent: float | None) -> OrganisationRollup:
    row = OrganisationRollup(code, f"Xã {code}", "xa", "DT")
    if percent is not None:
        row.index = IndexEntry(f"{code}_UBND", f"UBND {code}", percent, "A", "Xuất sắc", 1, "Chỉ số CCHC 2024")
    return row


def test_equal_indexes_share_a_rank_and_the_unscored_have_none() -> None:
    rows = [_row("A", 88.5), _row("B", 92.0), _row("C", 88.5), _row("D", None), _row("E", 70.0)]
    assign_ranks(rows)
    assert {r.code: r.rank for r in rows} == {"B": 1, "A": 2, "C": 2, "E": 4, "D": None}
