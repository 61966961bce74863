"""Checking an uploaded criteria set: every problem with its row, and files built to hurt the reader."""

from __future__ import annotations

import io
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook
from sqlalchemy.orm import Session

from engine.db import Base, make_engine
from engine.errors import UnsupportedType
from workflows.criteria_files import MAX_CRITERIA_BYTES, MAX_YAML_DEPTH, read_criteria_file
from workflows.criteria_rules import MAX_NODES, CriteriaSetInvalid, check_criteria_set
from workflows.criteria_sets import check_upload, default_grouping
from workflows.models import CriteriaSetRow, Organisation, Unit
from workflows.script_helpers import CRITERIA_DIR, CriteriaLibrary, HelperRefused

ROOT = Path(__file__).resolve().parents[2]
GROUPING = [{"group": "A", "label": "Tốt", "min_percent": 80}, {"group": "B", "label": "Đạt", "min_percent": 0}]


def header(**extra: Any) -> dict[str, Any]:
    return {"code": "T-2024", "name": "Bộ tiêu chí thử", "year": 2024, "unit_kind": "xa", "grouping": GROUPING, **extra}


def row(code: str, name: str, points: Any, parent: str = "", number: int | None = None) -> dict[str, Any]:
    out = {"code": code, "name": name, "max_points": points, "parent": parent}
    if number is not None:
        out["row"] = number
    return out


GOOD_ROWS = [
    row("1", "Chỉ đạo điều hành", 6),
    row("1.1", "Kế hoạch", 4, "1"),
    row("1.1.1", "Ban hành kế hoạch", 1.5, "1.1"),
    row("1.1.2", "Thực hiện kế hoạch", "2,5", "1.1"),
    row("1.2", "Báo cáo", 2, "1"),
    row("2", "Thủ tục hành chính", 4),
    row("2.1", "Giải quyết hồ sơ đúng hạn", 4, "2"),
]


def problems(raw: Any, **kw: Any) -> list[dict[str, Any]]:
    with pytest.raises(CriteriaSetInvalid) as caught:
        check_criteria_set(raw, **kw)
    assert caught.value.code == "criteria_set_invalid" and caught.value.message
    return list(caught.value.details["problems"])


def errors(raw: Any, **kw: Any) -> set[str]:
    return {p["error"] for p in problems(raw, **kw)}


# ---------------------------------------------------------------- what is accepted


@pytest.mark.parametrize("path", sorted((ROOT / "processes" / "criteria").rglob("*.yaml")), ids=lambda p: p.name)
def test_the_shipped_and_demo_sets_pass_the_upload_checks(path: Path) -> None:
    checked = check_upload(path.read_bytes(), path.name, {})
    assert checked.criteria.total_max_points == 100
    assert check_criteria_set(checked.document).document == checked.document  # the stored form is a fixed point


def test_flat_rows_become_the_tree_with_sums_and_decimal_commas() -> None:
    checked = check_criteria_set(header(rows=GOOD_ROWS))
    cs = checked.criteria
    assert list(cs.sub_criteria) == ["1.1.1", "1.1.2", "1.2", "2.1"]
    assert [float(a.max_points) for a in cs.areas] == [6.0, 4.0]
    assert float(cs.sub_criteria["1.1.2"].max_points) == 2.5
    assert checked.document["total_max_points"] == 10.0
    assert cs.sub_criteria["1.2"].evidence_required and not cs.sub_criteria["1.2"].allow_not_assessed


def test_an_excel_sheet_takes_its_set_header_from_the_form_and_grouping_from_the_shared_set() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Mã tiêu chí", "Tên", "Điểm tối đa", "Cha", "Được không đánh giá"])
    for r in GOOD_ROWS:
        sheet.append([r["code"], r["name"], r["max_points"], r["parent"] or None, "Có" if r["code"] == "1.2" else None])
    buffer = io.BytesIO()
    book.save(buffer)
    form = {"code": "BT-X", "name": "Bộ của xã", "year": "2024", "unit_kind": "xa"}
    checked = check_upload(buffer.getvalue(), "bo-tieu-chi.xlsx", form)
    assert checked.criteria.code == "BT-X" and checked.criteria.year == 2024
    assert checked.criteria.sub_criteria["1.2"].allow_not_assessed
    assert checked.document["grouping"] == default_grouping("xa")


# ---------------------------------------------------------------- structure, per row


def test_duplicate_codes_are_reported_on_the_row_that_repeats() -> None:
    rows = [*GOOD_ROWS, row("1.1.1", "Lặp lại", 1, "1.1", number=42)]
    found = problems(header(rows=rows))
    duplicate = [p for p in found if p["error"] == "code_duplicate"]
    assert duplicate == [
        {
            "error": "code_duplicate",
            "message": "Dòng 42: mã tiêu chí 1.1.1 trùng với dòng 3.",
            "row": 42,
            "code": "1.1.1",
        }
    ]


def test_duplicate_codes_in_a_tree_are_refused() -> None:
    tree = header(areas=[{"code": "1", "name": "A", "children": [{"code": "1.1", "name": "x", "max_points": 1}]},
                         {"code": "1", "name": "B", "max_points": 2}])  # fmt: skip
    assert "code_duplicate" in errors(tree)


def test_parent_cycles_self_parents_and_unknown_parents_are_each_named() -> None:
    rows = [
        row("1", "Gốc", 1),
        row("2", "Vòng A", 1, "3", number=5),
        row("3", "Vòng B", 1, "2", number=6),
        row("4", "Tự làm cha", 1, "4", number=7),
        row("5", "Cha lạ", 1, "9", number=8),
    ]
    found = problems(header(rows=rows))
    by_error = {(p["error"], p.get("row")) for p in found}
    assert {("parent_cycle", 5), ("parent_cycle", 6), ("parent_self", 7), ("parent_unknown", 8)} <= by_error
    assert all("Dòng" in p["message"] for p in found if p.get("row"))


def test_points_must_add_up_and_the_total_must_match() -> None:
    rows = [row("1", "A", 5), row("1.1", "x", 1, "1"), row("1.2", "y", 1, "1")]
    assert errors(header(rows=rows)) == {"points_sum"}
    assert "total_mismatch" in errors(header(rows=GOOD_ROWS, total_max_points=100))


@pytest.mark.parametrize(
    ("points", "error"),
    [
        ("1e400", "points_too_large"),
        ("9" * 30, "points_invalid"),  # over 20 characters of text is no number
        (10**30, "points_too_large"),
        (1e308, "points_too_large"),
        (float("inf"), "points_invalid"),
        (float("nan"), "points_invalid"),
        (-1, "points_not_positive"),
        (0, "points_not_positive"),
        ("0.001", "points_precision"),
        (True, "points_invalid"),
        ("mười", "points_invalid"),
        (None, "points_missing"),
    ],
)
def test_leaf_points_must_be_a_positive_bounded_number_with_two_decimals(points: Any, error: str) -> None:
    assert error in errors(header(rows=[row("1", "Tiêu chí", points)]))


def test_names_with_nul_or_hidden_characters_and_overlong_names_are_refused() -> None:
    rows = [
        row("1", "Tên\x00có NUL", 1, number=2),
        row("2", "Tên\u202eđảo chiều", 1, number=3),
        row("3", "x" * 1001, 1, number=4),
        row("4", "", 1, number=5),
    ]
    found = {(p["error"], p["row"]) for p in problems(header(rows=rows))}
    assert {("name_invalid", 2), ("name_invalid", 3), ("name_too_long", 4), ("name_missing", 5)} <= found


def test_codes_must_be_dotted_under_their_parent_and_plain() -> None:
    rows = [row("1", "A", 2), row("2.1", "Sai cha", 1, "1"), row("1.x y", "Có dấu cách", 1, "1")]
    assert {"code_not_under_parent", "code_invalid"} <= errors(header(rows=rows))


def test_depth_and_size_are_bounded() -> None:
    rows = [row("1", "A", 1)]
    for level in range(2, 7):
        parent = rows[-1]["code"]
        rows[-1]["max_points"] = None
        rows.append(row(f"{parent}.1", f"Cấp {level}", 1, parent))
    assert "too_deep" in errors(header(rows=rows))
    many = [row(str(n), f"Tiêu chí {n}", 1) for n in range(1, 10_001)]
    found = problems(header(rows=many))
    assert [p["error"] for p in found] == ["too_many_nodes"]
    wide = header(areas=[{"code": str(n), "name": "x", "max_points": 0.01} for n in range(MAX_NODES + 5)])
    assert "too_many_nodes" in errors(wide)


def test_the_header_is_checked() -> None:
    raw = {"code": "có dấu", "name": "", "year": 1999, "unit_kind": "Xã!", "rows": GOOD_ROWS, "extra": 1}
    assert {
        "set_code_invalid",
        "name_missing",
        "year_invalid",
        "unit_kind_invalid",
        "field_unknown",
        "grouping_invalid",
    } <= (errors(raw))
    assert errors([1, 2]) == {"set_invalid"}


def test_many_problems_are_capped_in_the_answer() -> None:
    rows = [row(str(n), "", -1) for n in range(1, 500)]
    assert len(problems(header(rows=rows))) == 200


# ---------------------------------------------------------------- the files


BILLION_LAUGHS = b"""
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
"""


def file_error(data: bytes, name: str) -> dict[str, Any]:
    with pytest.raises(CriteriaSetInvalid) as caught:
        read_criteria_file(data, name)
    return {"code": caught.value.code, **caught.value.details["problems"][0]}


def test_yaml_billion_laughs_and_tags_are_refused_before_expanding() -> None:
    assert file_error(BILLION_LAUGHS, "bomb.yaml")["error"] == "yaml_alias"
    assert file_error(b"code: !!python/object:os.system ls\n", "tag.yaml")["error"] == "yaml_alias"


def test_nul_bad_encoding_size_and_nesting_are_refused() -> None:
    assert file_error(yaml.safe_dump(header(rows=GOOD_ROWS)).encode() + b"\x00", "nul.yaml")["error"] == "nul"
    assert file_error("mã: 1".encode("utf-16"), "utf16.yaml")["error"] == "encoding"
    assert file_error(b" " * (MAX_CRITERIA_BYTES + 1), "big.json")["code"] == "file_too_large"
    assert file_error(b"[" * 100_000 + b"]" * 100_000, "deep.json")["error"] in {"json_too_deep", "json_syntax"}
    assert file_error(b"a: " + b"[" * 50_000, "deep.yaml")["error"] in {"yaml_too_deep", "yaml_syntax"}
    assert file_error(b'{"x": NaN}', "nan.json")["error"] == "json_syntax"
    assert file_error(b'{"x": ' + b"9" * 5000 + b"}", "digits.json")["error"] == "json_syntax"
    assert file_error(b"", "empty.yaml")["error"] == "empty"
    with pytest.raises(UnsupportedType):
        read_criteria_file(b"code,name", "criteria.csv")


def test_deep_yaml_is_refused_at_its_nesting_bound_while_it_is_scanned() -> None:
    """50,000 brackets in 50 KB: PyYAML's scanner slows with the square of the nesting (47 s of CPU before the parser's
    stack gave out), so the bound stops the scan itself; a file just inside the bound is read."""
    cpu = time.process_time()
    with pytest.raises(CriteriaSetInvalid) as caught:
        read_criteria_file(b"a: " + b"[" * 50_000, "deep.yaml")
    assert time.process_time() - cpu < 2.0  # a guard against the slow scan, far above the few milliseconds it takes
    assert caught.value.details["problems"][0]["error"] == "yaml_too_deep"
    assert caught.value.details["bound"] == "yaml_depth" and caught.value.details["limit"] == MAX_YAML_DEPTH
    inside = b"a: " + b"[" * (MAX_YAML_DEPTH - 1) + b"]" * (MAX_YAML_DEPTH - 1)  # the mapping is one level more
    nested: list[Any] = []
    for _ in range(MAX_YAML_DEPTH - 2):
        nested = [nested]
    assert read_criteria_file(inside, "inside.yaml") == {"a": nested}
    over = b"a: " + b"[" * MAX_YAML_DEPTH + b"]" * MAX_YAML_DEPTH
    assert file_error(over, "over.yaml")["error"] == "yaml_too_deep"


def test_a_json_upload_is_checked_like_yaml() -> None:
    data = json.dumps(header(rows=[*GOOD_ROWS, row("2.1", "Trùng", 1, "2", number=9)]), ensure_ascii=False).encode()
    document = read_criteria_file(data, "bo.json")
    assert [(p["error"], p["row"]) for p in problems(document)] == [("code_duplicate", 9)]


def test_an_excel_bomb_and_a_sheet_without_the_columns_are_refused() -> None:
    assert file_error(b"PK\x03\x04 not really a zip", "x.xlsx")["error"] == "xlsx_unreadable"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Mã", "Tên"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert file_error(buffer.getvalue(), "x.xlsx")["error"] == "columns_missing"


def test_ten_thousand_excel_rows_are_refused_at_the_bound() -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["Mã tiêu chí", "Tên", "Điểm tối đa", "Cha"])
    for n in range(1, 10_001):
        sheet.append([str(n), f"Tiêu chí {n}", 1, None])
    buffer = io.BytesIO()
    book.save(buffer)
    found = file_error(buffer.getvalue(), "nhieu.xlsx")
    assert found["code"] == "file_too_large"


# ---------------------------------------------------------------- which set a round takes


def _database(path: Path, sets: list[tuple[str | None, str, str]]) -> Session:
    """A SQLite database with organisations A and B and the stored sets (owner, code, unit kind), all of 2024."""
    sql = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(sql)
    now = datetime(2024, 1, 2, tzinfo=UTC)
    session = Session(sql)
    for code in ("A", "B"):
        session.add(Organisation(code=code, name=f"Tổ chức {code}", kind="xa", aliases=[], created_at=now))
        session.flush()
        session.add(Unit(code=f"{code}_VP", name=f"Văn phòng {code}", kind="cqcm", organisation_code=code, aliases=[]))
    for owner, code, kind in sets:
        document = check_criteria_set(header(code=code, unit_kind=kind, rows=GOOD_ROWS)).document
        session.add(
            CriteriaSetRow(organisation_code=owner, code=code, name=document["name"], year=2024, unit_kind=kind,
                           tree=document, max_points=10, created_at=now)
        )  # fmt: skip
    session.flush()
    return session


def test_a_round_takes_its_organisations_newest_set_then_a_shared_stored_one_then_the_file(tmp_path: Path) -> None:
    library = CriteriaLibrary(CRITERIA_DIR)
    session = _database(tmp_path / "a.db", [("A", "A-OLD", "xa"), ("A", "A-NEW", "xa"), (None, "CHUNG", "xa")])
    assert library.choose("par-index-2024-xa", "A", 2024, session)["code"] == "A-NEW"
    assert library.choose("par-index-2024-xa", "B", 2024, session)["code"] == "CHUNG"  # B has none of its own
    shipped = library.choose("par-index-2024-cqcm", "A", 2024, session)  # no stored set of that kind
    assert (shipped["ref"], shipped["id"], shipped["form_code"]) == ("par-index-2024-cqcm", None, "par-index-2024-cqcm")
    assert library.choose("par-index-2024-xa", "A", 2025, session)["id"] is None  # nothing of 2025
    assert library.choose("par-index-2024-xa", "A", 2024, None)["id"] is None  # no database: the file
    chosen = library.choose("par-index-2024-xa", "A", 2024, session)
    assert library.get(chosen["ref"], session).code == "A-NEW"


def test_stored_sets_are_cached_per_database(tmp_path: Path) -> None:
    library = CriteriaLibrary(CRITERIA_DIR)
    first = _database(tmp_path / "a.db", [("A", "ONE", "xa")])
    second = _database(tmp_path / "b.db", [("A", "TWO", "xa")])
    assert library.get("set:1", first).code == "ONE"
    assert library.get("set:1", second).code == "TWO"  # the same id in another database is another set
    with pytest.raises(HelperRefused, match="set:9"):
        library.get("set:9", first)
    with pytest.raises(HelperRefused):
        library.choose("set:1", "A", 2024, first)  # a round chooses among the shared sets only
