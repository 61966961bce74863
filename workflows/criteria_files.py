"""Reading an uploaded criteria set file (YAML, JSON or Excel .xlsx) into a document, without trusting it.

Bounds as the other uploads (``plan/import_limits``, ``unit_files``): the size, UTF-8 without NUL; YAML without
anchors, aliases or tags (a "billion laughs" file expands from a few lines) and with a bounded number of tokens;
nesting that would exhaust the parser's stack is a 422; an .xlsx is inspected (zip entries, unpacked size,
compression ratio, XML depth and elements) before openpyxl opens it, and read by its column titles
(mã tiêu chí, tên, điểm tối đa, cha, …) with at most ``criteria_rules.MAX_NODES`` rows. What the document says
is then checked by ``criteria_rules.check_criteria_set``.
"""

from __future__ import annotations

import io
import json
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook

from engine.errors import InvalidInput, UnsupportedType

from .criteria_rules import MAX_NODES, CriteriaSetInvalid
from .plan.import_limits import MAX_CELL_CHARS, MAX_COLUMNS, MB, vietnamese_number
from .plan.parsed_plan import NotAPlan
from .plan.xlsx_inspect import inspect_xlsx
from .yaml_bounds import MAX_YAML_DEPTH, YamlRefused, load_untrusted_yaml

MAX_CRITERIA_BYTES = 2 * MB  # a shipped set is 16 KB
MAX_YAML_TOKENS = 200_000
COLUMNS = ("code", "name", "max_points", "parent", "evidence_required", "allow_not_assessed")
_TITLES = {
    "code": ("code", "ma", "ma tieu chi"),
    "name": ("name", "ten", "ten tieu chi", "noi dung"),
    "max_points": ("max_points", "diem toi da", "diem"),
    "parent": ("parent", "cha", "ma cha", "tieu chi cha", "ma tieu chi cha"),
    "evidence_required": ("evidence_required", "bat buoc minh chung", "can minh chung", "minh chung"),
    "allow_not_assessed": ("allow_not_assessed", "duoc khong danh gia", "khong danh gia"),
}
TOO_DEEP = "Tệp YAML bộ tiêu chí lồng quá sâu hoặc có số quá lớn."
UNREADABLE_XLSX = "Không đọc được bảng tính Excel (.xlsx) bộ tiêu chí."


def _fold(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(folded.lower().replace("_", " ").split())


_BY_TITLE = {_fold(title): column for column, titles in _TITLES.items() for title in titles}


def _invalid(message: str, error: str, code: str | None = None, **details: Any) -> CriteriaSetInvalid:
    problems = [{"error": error, "message": message}]
    return CriteriaSetInvalid(message, code=code, details={"problems": problems, **details})


def _too_large(what: str, bound: str, limit: int) -> CriteriaSetInvalid:
    message = f"Tệp bộ tiêu chí quá lớn: {what}."
    return _invalid(message, "file_too_large", code="file_too_large", bound=bound, limit=limit)


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _invalid("Tệp bộ tiêu chí phải được lưu với bảng mã UTF-8.", "encoding") from exc
    if "\x00" in text:
        raise _invalid("Tệp bộ tiêu chí chứa ký tự NUL.", "nul")
    return text


def _yaml(data: bytes) -> Any:
    try:
        return load_untrusted_yaml(_decode(data), max_tokens=MAX_YAML_TOKENS)
    except YamlRefused as refused:
        if refused.reason == "alias":
            message = "Tệp YAML bộ tiêu chí không được dùng neo, tham chiếu (&, *) hay thẻ (!)."
            raise _invalid(message, "yaml_alias") from refused
        if refused.reason == "tokens":
            raise _too_large("tệp YAML quá nhiều phần tử", "yaml_tokens", MAX_YAML_TOKENS) from refused
        if refused.reason == "depth":
            raise _invalid(TOO_DEEP, "yaml_too_deep", bound="yaml_depth", limit=MAX_YAML_DEPTH) from refused
        raise _invalid(f"Tệp YAML bộ tiêu chí viết sai cú pháp{refused.where}.", "yaml_syntax") from refused


def _json(data: bytes) -> Any:
    text = _decode(data)
    try:
        return json.loads(text, parse_constant=_no_constant)
    except RecursionError as exc:
        raise _invalid("Tệp JSON bộ tiêu chí lồng quá sâu.", "json_too_deep") from exc
    except ValueError as exc:  # JSONDecodeError, NaN/Infinity, an integer past Python's digit limit
        raise _invalid(f"Tệp JSON bộ tiêu chí không hợp lệ: {str(exc)[:200]}.", "json_syntax") from exc


def _no_constant(name: str) -> Any:
    raise ValueError(f"giá trị {name} không được phép")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _grid_rows(rows: Iterable[tuple[int, list[str]]]) -> list[dict[str, Any]]:
    """Rows of the first sheet; the first non-empty one names the columns."""
    columns: dict[int, str] | None = None
    out: list[dict[str, Any]] = []
    for number, cells in rows:
        if len(cells) > MAX_COLUMNS:
            raise _too_large(f"dòng {number} có {len(cells)} cột", "columns", MAX_COLUMNS)
        if max(map(len, cells), default=0) > MAX_CELL_CHARS:
            raise _too_large(f"dòng {number} có ô quá dài", "cell_chars", MAX_CELL_CHARS)
        if any("\x00" in cell for cell in cells):
            raise _invalid(f"Dòng {number} chứa ký tự NUL.", "nul")
        if not any(cell.strip() for cell in cells):
            continue
        if columns is None:
            columns = {}
            for index, cell in enumerate(cells):
                column = _BY_TITLE.get(_fold(cell))
                if column is not None and column not in columns.values():
                    columns[index] = column
            missing = [c for c in ("code", "name", "max_points", "parent") if c not in columns.values()]
            if missing:
                raise _invalid(
                    "Dòng đầu của bảng tính phải là tên các cột: mã tiêu chí, tên, điểm tối đa, cha "
                    "(có thể thêm: bắt buộc minh chứng, được không đánh giá).",
                    "columns_missing",
                    missing_columns=missing,
                )
            continue
        if len(out) >= MAX_NODES:
            raise _too_large(f"có hơn {vietnamese_number(MAX_NODES)} dòng tiêu chí", "rows", MAX_NODES)
        values = {col: cells[i].strip() for i, col in columns.items() if i < len(cells)}
        out.append({"row": number, **values})
    if columns is None:
        raise _invalid("Tệp bộ tiêu chí trống.", "empty")
    return out


def _xlsx(data: bytes) -> list[dict[str, Any]]:
    try:
        inspection = inspect_xlsx(data)
    except NotAPlan as exc:
        raise _invalid(UNREADABLE_XLSX, "xlsx_unreadable") from exc
    except InvalidInput as exc:  # a bound of the upload passed: the same finding, said of a criteria file
        raise _invalid(
            "Tệp bộ tiêu chí quá lớn hoặc có cấu trúc không an toàn để đọc.", exc.code, exc.code, **exc.details
        ) from exc
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook; all mean "unreadable"
        raise _invalid(UNREADABLE_XLSX, "xlsx_unreadable") from exc
    try:
        if not workbook.worksheets:
            raise _invalid(UNREADABLE_XLSX, "xlsx_unreadable")
        sheet = workbook.worksheets[0]
        extent = inspection.extent(getattr(sheet, "_worksheet_path", ""))
        if extent is None or extent.rows == 0:
            raise _invalid("Tệp bộ tiêu chí trống.", "empty")
        width = min(extent.columns, MAX_COLUMNS + 1)
        try:
            rows = sheet.iter_rows(min_row=1, max_row=extent.rows, max_col=width, values_only=True)
            return _grid_rows((n, [_cell_text(v) for v in row]) for n, row in enumerate(rows, start=1))
        except InvalidInput:
            raise
        except Exception as exc:  # as above
            raise _invalid(UNREADABLE_XLSX, "xlsx_unreadable") from exc
    finally:
        workbook.close()


def read_criteria_file(data: bytes, filename: str) -> Any:
    """The document of a criteria file by its extension: a mapping (YAML, JSON) or ``{"rows": [...]}`` (.xlsx)."""
    if len(data) > MAX_CRITERIA_BYTES:
        raise _too_large(f"tệp có {vietnamese_number(len(data))} byte, tối đa 2 MB", "upload_bytes", MAX_CRITERIA_BYTES)
    if not data:
        raise _invalid("Tệp bộ tiêu chí trống.", "empty")
    name = filename.lower()
    if name.endswith((".yaml", ".yml")):
        return _yaml(data)
    if name.endswith(".json"):
        return _json(data)
    if name.endswith(".xlsx"):
        return {"rows": _xlsx(data)}
    raise UnsupportedType(
        "Chỉ nhận bộ tiêu chí dạng YAML (.yaml), JSON (.json) hoặc Excel (.xlsx).",
        code="criteria_file_type",
        details={"filename": filename[:200]},
    )
