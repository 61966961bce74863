"""Reading a units file (CSV, Excel .xlsx or YAML) into rows of text, without trusting it.

Bounds as the plan import's (``plan/import_limits``): the upload size, rows, columns and cell length; an .xlsx is
inspected (zip entries, unpacked size, compression ratio, XML depth and elements) before openpyxl opens it; YAML
is read through ``yaml_bounds`` (no anchors, aliases or tags; bounded tokens and nesting); no text may hold NUL.
Formulas are read as written (``=…``), never computed: the rules of ``unit_import`` refuse them.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook

from engine.errors import InvalidInput, UnsupportedType

from .plan.import_limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_UPLOAD_BYTES, MB, vietnamese_number
from .plan.parsed_plan import NotAPlan
from .plan.xlsx_inspect import inspect_xlsx
from .yaml_bounds import MAX_YAML_DEPTH, YamlRefused, load_untrusted_yaml

MAX_UNITS_BYTES = MAX_UPLOAD_BYTES
MAX_UNIT_ROWS = 2_000  # a province has a few hundred units; a commune a dozen
MAX_YAML_TOKENS = 500_000
COLUMNS = ("code", "name", "short_name", "kind", "parent", "aliases", "valid_from", "valid_to", "successor")
# Column titles as people write them (compared without case, diacritics or spaces).
_TITLES = {
    "code": ("code", "ma", "ma don vi"),
    "name": ("name", "ten", "ten don vi"),
    "short_name": ("short_name", "short name", "ten viet tat", "ten ngan", "ten goi tat"),
    "kind": ("kind", "loai", "loai don vi"),
    "parent": ("parent", "parent_code", "cap tren", "don vi cap tren", "ma don vi cap tren"),
    "aliases": ("aliases", "ten khac", "cac ten khac"),
    "valid_from": ("valid_from", "hieu luc tu", "tu ngay"),
    "valid_to": ("valid_to", "hieu luc den", "den ngay"),
    "successor": ("successor", "successor_code", "don vi ke thua", "ke thua"),
}
UNREADABLE_XLSX = "Không đọc được bảng tính Excel (.xlsx) danh sách đơn vị."


class UnitsFileInvalid(InvalidInput):
    code = "units_file_invalid"
    default_message = "Tệp danh sách đơn vị không hợp lệ."


@dataclass
class RawUnitRow:
    """One row as read: its number in the file (the sheet's row, the CSV line, the YAML item) and its values."""

    number: int
    values: dict[str, Any] = field(default_factory=dict)


def _fold(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(folded.lower().replace("_", " ").split())


_BY_TITLE = {_fold(title): column for column, titles in _TITLES.items() for title in titles}


def _too_large(what: str, bound: str, limit: int, shown: str) -> UnitsFileInvalid:
    return UnitsFileInvalid(
        f"Tệp danh sách đơn vị quá lớn: {what}, vượt giới hạn {shown}.",
        code="file_too_large",
        details={"bound": bound, "limit": limit},
    )


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise UnitsFileInvalid("Tệp danh sách đơn vị chứa ký tự NUL.", details={"bound": "nul"})


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnitsFileInvalid(
            "Tệp danh sách đơn vị phải được lưu với bảng mã UTF-8.", details={"bound": "encoding"}
        ) from exc
    _check_text(text)
    return text


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _header(cells: list[str]) -> dict[int, str]:
    columns: dict[int, str] = {}
    for index, cell in enumerate(cells):
        column = _BY_TITLE.get(_fold(cell))
        if column is not None and column not in columns.values():
            columns[index] = column
    missing = [c for c in ("code", "name") if c not in columns.values()]
    if missing:
        raise UnitsFileInvalid(
            "Tệp danh sách đơn vị: dòng đầu phải là tên các cột; thiếu cột "
            + ", ".join(f"«{c}»" for c in missing)
            + f". Các cột: {', '.join(COLUMNS)}.",
            details={"missing_columns": missing},
        )
    return columns


def _table_rows(rows: Iterable[tuple[int, list[str]]]) -> list[RawUnitRow]:
    """Rows of a grid (CSV lines or sheet rows); the first non-empty one names the columns."""
    columns: dict[int, str] | None = None
    out: list[RawUnitRow] = []
    for number, cells in rows:
        if len(cells) > MAX_COLUMNS:
            raise _too_large(f"dòng {number} có {len(cells)} cột", "columns", MAX_COLUMNS, f"{MAX_COLUMNS} cột")
        longest = max(map(len, cells), default=0)
        if longest > MAX_CELL_CHARS:
            raise _too_large(
                f"dòng {number} có ô dài {vietnamese_number(longest)} ký tự",
                "cell_chars",
                MAX_CELL_CHARS,
                f"{vietnamese_number(MAX_CELL_CHARS)} ký tự một ô",
            )
        for cell in cells:
            _check_text(cell)
        if not any(cell.strip() for cell in cells):
            continue
        if columns is None:
            columns = _header(cells)
            continue
        if len(out) >= MAX_UNIT_ROWS:
            raise _too_large(
                f"có hơn {vietnamese_number(MAX_UNIT_ROWS)} đơn vị", "rows", MAX_UNIT_ROWS, f"{MAX_UNIT_ROWS} đơn vị"
            )
        out.append(RawUnitRow(number, {col: cells[i].strip() for i, col in columns.items() if i < len(cells)}))
    if columns is None:
        raise UnitsFileInvalid("Tệp danh sách đơn vị trống.")
    return out


def _csv_rows(data: bytes) -> list[RawUnitRow]:
    text = _decode(data)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        return _table_rows((reader.line_num, row) for row in reader)
    except csv.Error as exc:  # a field over csv's own limit, a stray quote at the end
        raise UnitsFileInvalid(
            f"Không đọc được tệp CSV ở dòng {reader.line_num}: {exc}.", details={"line": reader.line_num}
        ) from exc


def _xlsx_rows(data: bytes) -> list[RawUnitRow]:
    try:
        inspection = inspect_xlsx(data)
    except NotAPlan as exc:
        raise UnitsFileInvalid(UNREADABLE_XLSX, details=exc.details) from exc
    except InvalidInput as exc:  # a bound of the import passed: the same finding, said of a units file
        raise UnitsFileInvalid(
            "Tệp danh sách đơn vị quá lớn hoặc có cấu trúc không an toàn để đọc.", code=exc.code, details=exc.details
        ) from exc
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook; all mean "unreadable"
        raise UnitsFileInvalid(UNREADABLE_XLSX) from exc
    try:
        if not workbook.worksheets:
            raise UnitsFileInvalid(UNREADABLE_XLSX)
        sheet = workbook.worksheets[0]
        extent = inspection.extent(getattr(sheet, "_worksheet_path", ""))
        if extent is None:
            raise UnitsFileInvalid(UNREADABLE_XLSX)
        if extent.rows == 0:
            raise UnitsFileInvalid("Tệp danh sách đơn vị trống.")
        width = min(extent.columns, MAX_COLUMNS + 1)
        try:
            rows = sheet.iter_rows(min_row=1, max_row=extent.rows, max_col=width, values_only=True)
            return _table_rows((n, [_cell_text(v) for v in row]) for n, row in enumerate(rows, start=1))
        except InvalidInput:
            raise
        except Exception as exc:  # as above
            raise UnitsFileInvalid(UNREADABLE_XLSX) from exc
    finally:
        workbook.close()


def _yaml_rows(data: bytes) -> list[RawUnitRow]:
    try:
        document = load_untrusted_yaml(_decode(data), max_tokens=MAX_YAML_TOKENS)
    except YamlRefused as refused:
        if refused.reason == "alias":
            message = "Tệp YAML danh sách đơn vị không được dùng neo, tham chiếu (&, *) hay thẻ (!)."
            raise UnitsFileInvalid(message, details={"bound": "yaml_alias"}) from refused
        if refused.reason == "tokens":
            raise _too_large("tệp YAML quá nhiều phần tử", "yaml_tokens", MAX_YAML_TOKENS, "tệp nhỏ hơn") from refused
        if refused.reason == "depth":
            message = "Tệp YAML danh sách đơn vị lồng quá sâu hoặc có số quá lớn."
            raise UnitsFileInvalid(message, details={"bound": "yaml_depth", "limit": MAX_YAML_DEPTH}) from refused
        message = f"Tệp YAML danh sách đơn vị viết sai cú pháp{refused.where}."
        raise UnitsFileInvalid(message, details={"bound": "yaml_syntax"}) from refused
    items = document.get("units") if isinstance(document, Mapping) else document
    if not isinstance(items, list):
        raise UnitsFileInvalid("Tệp YAML phải là danh sách đơn vị (hoặc có mục «units:» là danh sách đó).")
    if len(items) > MAX_UNIT_ROWS:
        raise _too_large(f"có {vietnamese_number(len(items))} đơn vị", "rows", MAX_UNIT_ROWS, f"{MAX_UNIT_ROWS} đơn vị")
    rows = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            raise UnitsFileInvalid(f"Đơn vị thứ {number} của tệp YAML không phải một mục có các trường.")
        values: dict[str, Any] = {}
        for key, value in item.items():
            column = _BY_TITLE.get(_fold(str(key)))
            if column is None:
                continue
            if column == "aliases" and isinstance(value, list):
                values[column] = [_cell_text(v).strip() for v in value]
            elif isinstance(value, Mapping | list):
                values[column] = "\x1f"  # a nested value where text belongs: the row rule refuses it
            else:
                values[column] = _cell_text(value).strip()
        rows.append(RawUnitRow(number, values))
    return rows


def read_units_file(data: bytes, filename: str) -> list[RawUnitRow]:
    """The rows of a units file, by its name's extension (.csv, .xlsx, .yaml/.yml)."""
    if len(data) > MAX_UNITS_BYTES:
        raise _too_large(
            f"tệp có {vietnamese_number(len(data))} byte",
            "upload_bytes",
            MAX_UNITS_BYTES,
            f"{MAX_UNITS_BYTES // MB} MB",
        )
    if not data:
        raise UnitsFileInvalid("Tệp danh sách đơn vị trống.")
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _xlsx_rows(data)
    if name.endswith(".csv"):
        return _csv_rows(data)
    if name.endswith((".yaml", ".yml")):
        return _yaml_rows(data)
    raise UnsupportedType(
        "Chỉ nhận tệp danh sách đơn vị dạng CSV (.csv), Excel (.xlsx) hoặc YAML (.yaml).",
        code="units_file_type",
        details={"filename": filename[:200]},
    )
