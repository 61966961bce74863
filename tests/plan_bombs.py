"""Hostile plan uploads built in memory: .xlsx zip and XML bombs, oversized Markdown, and the seed plan as .xlsx.

Each bomb is written by hand with ``zipfile`` (the XML as text), so that it says about itself exactly what an
attacker would make it say: a lying ``<dimension>``, a lying zip directory, a DTD. ``BOMBS`` lists them with the
answer the import must give; ``tests/unit/test_import_bombs.py``, ``tests/api/test_api_plan_bombs.py`` and
``bench/import_bombs.py`` use it.
"""

from __future__ import annotations

import random
import struct
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from openpyxl import Workbook

from workflows.plan.markdown_import import markdown_rows

ROOT = Path(__file__).resolve().parents[1]
SEED_MARKDOWN = ROOT / "processes/plans/ke-hoach-cchc-2024.md"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
HEADER = ("STT", "1- Mục tiêu", "2- Nhiệm vụ", "3- Hoạt động", "4- Kết quả/ sản phẩm", "5-Chủ trì", "6- Phối hợp",
          "7- Thời gian", "8- Kinh phí")  # fmt: skip
PREAMBLE = (
    "KẾ HOẠCH",
    "Cải cách hành chính năm 2024",
    "(Ban hành kèm theo Kế hoạch số /KH-UBND ngày tháng năm của UBND thành phố Sa Đéc)",
)
SMALL_PLAN = [
    ["KẾ HOẠCH Cải cách hành chính năm 2025"],
    ["(Ban hành kèm theo Kế hoạch số 15/KH-UBND ngày 12 tháng 01 năm 2025 của UBND thành phố Sa Đéc)"],
    list(HEADER),
    ["I", "CẢI CÁCH THỂ CHẾ"],
    ["", "1.1. Nâng cao chất lượng văn bản", "2.1. Rà soát văn bản", "3.1. Rà soát VBQPPL.", "Quyết định",
     "Phòng Tư pháp", "Văn phòng HĐND và UBND Thành phố", "Quý II/2025", ""],
]  # fmt: skip


# --- Writing a workbook by hand --------------------------------------------------------------------


def _content_types(parts: Iterable[tuple[str, str]]) -> str:
    overrides = "".join(f'<Override PartName="/{name}" ContentType="{kind}"/>' for name, kind in parts)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f"{overrides}</Types>"
    )


SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
BOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def workbook_xml(sheets: int = 1, prolog: str = "") -> str:
    """A workbook part naming ``sheets`` sheets, all on relationship rId1."""
    names = "".join(f'<sheet name="Trang {i}" sheetId="{i}" r:id="rId1"/>' for i in range(1, sheets + 1))
    return f'{prolog}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>{names}</sheets></workbook>'


Chunks = bytes | str | Iterable[bytes]


def _write(archive: zipfile.ZipFile, name: str, content: Chunks) -> None:
    entry = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))  # the same bytes on every run
    entry.compress_type = zipfile.ZIP_DEFLATED
    if isinstance(content, str):
        content = content.encode()
    if isinstance(content, bytes):
        archive.writestr(entry, content, compresslevel=archive.compresslevel)
        return
    with archive.open(entry, "w", force_zip64=True) as stream:
        for chunk in content:
            stream.write(chunk)


def xlsx(
    sheet: Chunks,
    *,
    shared_strings: Chunks | None = None,
    book: str | None = None,
    sheet_part: str = "xl/worksheets/sheet1.xml",
    extra: Sequence[tuple[str, Chunks]] = (),
    compresslevel: int = 6,
) -> bytes:
    """A minimal workbook (content types, relationships, workbook, one sheet) written by hand."""
    parts = [("xl/workbook.xml", BOOK_TYPE), (sheet_part, SHEET_TYPE)]
    book_rels = f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="/{sheet_part}"/>'
    if shared_strings is not None:
        parts.append(("xl/sharedStrings.xml", STRINGS_TYPE))
        book_rels += f'<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
        _write(archive, "[Content_Types].xml", _content_types(parts))
        _write(
            archive,
            "_rels/.rels",
            f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
            f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        _write(archive, "xl/workbook.xml", book if book is not None else workbook_xml())
        rels = f'<Relationships xmlns="{PKG_REL_NS}">{book_rels}</Relationships>'
        _write(archive, "xl/_rels/workbook.xml.rels", rels)
        _write(archive, sheet_part, sheet)
        if shared_strings is not None:
            _write(archive, "xl/sharedStrings.xml", shared_strings)
        for name, content in extra:
            _write(archive, name, content)
    return buffer.getvalue()


def inline_cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def sheet_xml(
    rows: Sequence[Sequence[str]], *, dimension: str | None = None, tail_rows: str = "", merges: str = ""
) -> str:
    """A worksheet of inline strings; ``tail_rows`` is raw <row> XML after the rows, ``merges`` raw <mergeCell>s."""
    body = "".join(
        f'<row r="{r}">'
        + "".join(inline_cell(f"{_letters(c)}{r}", text) for c, text in enumerate(row, 1) if text)
        + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    dim = f"<dimension ref={quoteattr(dimension)}/>" if dimension else ""
    merged = f"<mergeCells>{merges}</mergeCells>" if merges else ""
    return f'<worksheet xmlns="{MAIN_NS}">{dim}<sheetData>{body}{tail_rows}</sheetData>{merged}</worksheet>'


SHARED_CELL_SHEET = (
    f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
)


def _repeat(chunk: bytes, times: int, head: bytes, tail: bytes) -> Iterable[bytes]:
    yield head
    for _ in range(times):
        yield chunk
    yield tail


# --- The bombs -------------------------------------------------------------------------------------


def lying_dimension() -> bytes:
    """The 1.4 KB file that took the server down: a <dimension> of the whole grid and one cell at XFD1048576."""
    row = f'<row r="1048576">{inline_cell("XFD1048576", "x")}</row>'
    return xlsx(sheet_xml([], dimension="A1:XFD1048576", tail_rows=row))


def stray_empty_cell_plan() -> bytes:
    """Not a bomb: a real plan whose sheet claims the whole grid and has an empty styled cell at XFD1048576."""
    row = '<row r="1048576"><c r="XFD1048576" s="0"/></row>'
    return xlsx(sheet_xml(SMALL_PLAN, dimension="A1:XFD1048576", tail_rows=row))


def uniform_cells(rows: int, columns: int = 50) -> bytes:
    """rows × columns cells holding 1 under a matching <dimension>: 1 million cells pack into about 100 KB."""
    cells = b"<c><v>1</v></c>" * columns
    head = f'<worksheet xmlns="{MAIN_NS}"><dimension ref="A1:{_letters(columns)}{rows}"/><sheetData>'.encode()
    chunks = (b'<row r="%d">%s</row>' % (r, cells) for r in range(1, rows + 1))
    return xlsx([head, *_batched(chunks), b"</sheetData></worksheet>"])


def dense_cells(rows: int = 4_000, columns: int = 50) -> bytes:
    """200,000 cells of random numbers: little compression, within the rows and columns, past the cell count."""
    generator = random.Random(12)
    cells = "".join(
        f"<row>{''.join(f'<c><v>{generator.randrange(10**6)}</v></c>' for _ in range(columns))}</row>"
        for _ in range(rows)
    )
    return xlsx(f'<worksheet xmlns="{MAIN_NS}"><sheetData>{cells}</sheetData></worksheet>')


def classic_zip_bomb(megabytes: int = 100) -> bytes:
    """One sheet part of ``megabytes`` MB of spaces: a ratio of about 1,000 to 1."""
    block = b" " * (1024 * 1024)
    return xlsx(_repeat(block, megabytes, f'<worksheet xmlns="{MAIN_NS}">'.encode(), b"<sheetData/></worksheet>"))


def lying_zip_sizes() -> bytes:
    """The classic bomb whose zip directory claims the sheet unpacks to 1,000 bytes (it unpacks to 50 MB)."""
    data = bytearray(classic_zip_bomb(50))
    name = b"xl/worksheets/sheet1.xml"
    record = data.find(b"PK\x01\x02")  # the central directory, which zipfile trusts for sizes
    while record >= 0:
        if data[record + 46 : record + 46 + len(name)] == name:
            struct.pack_into("<I", data, record + 24, 1000)  # uncompressed size
        record = data.find(b"PK\x01\x02", record + 4)
    return bytes(data)


def many_entries(count: int = 5_000) -> bytes:
    return xlsx(sheet_xml(SMALL_PLAN), extra=[(f"xl/media/pad{i}.bin", b"x") for i in range(count)])


def many_big_entries(count: int = 30) -> bytes:
    """``count`` entries of 1 MB, each compressing about 50 times: no ratio alarm, but 30 MB unpacked."""
    generator = random.Random(7)
    block = bytes(generator.randrange(256) for _ in range(20 * 1024))
    entry = (block * 52)[: 1024 * 1024]
    return xlsx(sheet_xml(SMALL_PLAN), extra=[(f"xl/media/image{i}.bin", entry) for i in range(count)])


_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)


def billion_laughs_shared_strings() -> bytes:
    strings = f'{_LAUGHS}<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    return xlsx(SHARED_CELL_SHEET, shared_strings=strings)


def billion_laughs_workbook() -> bytes:
    return xlsx(sheet_xml(SMALL_PLAN), book=workbook_xml(prolog=_LAUGHS))


def external_entity() -> bytes:
    """XXE: the sheet asks for /etc/passwd as a cell."""
    prolog = '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return xlsx(prolog + sheet_xml([["&xxe;"]]).replace("&amp;xxe;", "&xxe;"))


def huge_shared_strings(count: int = 200_000) -> bytes:
    generator = random.Random(3)
    items = "".join(f"<si><t>{generator.randrange(10**9)}</t></si>" for _ in range(count))
    strings = f'<sst xmlns="{MAIN_NS}" count="{count}" uniqueCount="{count}">{items}</sst>'
    return xlsx(SHARED_CELL_SHEET, shared_strings=strings)


def huge_cell_text(chars: int = 3_000_000) -> bytes:
    """One shared string of 3 million random letters: within every zip and XML bound, past a cell's length."""
    letters = bytes(random.Random(5).randbytes(chars)).translate(bytes(range(97, 123)) * 9 + b" " * 22).decode()
    return xlsx(SHARED_CELL_SHEET, shared_strings=f'<sst xmlns="{MAIN_NS}"><si><t>{letters}</t></si></sst>')


def thousands_of_sheets(count: int = 5_000) -> bytes:
    """One sheet part, named 5,000 times by the workbook."""
    return xlsx(sheet_xml(SMALL_PLAN), book=workbook_xml(sheets=count))


def thousands_of_sheet_parts(count: int = 2_000) -> bytes:
    return xlsx(sheet_xml(SMALL_PLAN), extra=[(f"xl/worksheets/s{i}.xml", sheet_xml([["x"]])) for i in range(count)])


def sheet_not_xml() -> bytes:
    return xlsx(bytes(random.Random(9).randrange(256) for _ in range(4096)))


def deep_nesting(depth: int = 100_000) -> bytes:
    return xlsx(f'<worksheet xmlns="{MAIN_NS}">' + "<x>" * depth + "</x>" * depth + "<sheetData/></worksheet>")


def element_flood(count: int = 350_000) -> bytes:
    generator = random.Random(4)
    junk = "".join(f'<x a="{generator.randrange(10**6)}"/>' for _ in range(count))
    return xlsx(f'<worksheet xmlns="{MAIN_NS}"><sheetData/><extLst>{junk}</extLst></worksheet>')


def merge_flood(count: int = 10_000) -> bytes:
    """10,000 merged ranges over the same 5,000 rows: each copies the top value down its column."""
    return xlsx(sheet_xml([["x"]], merges='<mergeCell ref="A1:A5000"/>' * count))


def whole_sheet_merge() -> bytes:
    """One merged range over the whole grid (openpyxl's normal mode would create 17 billion merged cells)."""
    return xlsx(sheet_xml([["x"]], merges='<mergeCell ref="A1:XFD1048576"/>'))


# --- Markdown ----------------------------------------------------------------------------------------


def _markdown_table(rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    return "\n".join([*lines, *("| " + " | ".join(row) + " |" for row in rows)])


def markdown_long_line() -> bytes:
    return ("KẾ HOẠCH\n\nCải cách hành chính năm 2024\n\n" + "x" * 30_000 + "\n").encode()


def markdown_many_lines() -> bytes:
    return ("KẾ HOẠCH\n" + "a\n" * 30_000).encode()


def markdown_huge() -> bytes:
    return ("KẾ HOẠCH\n" + ("Cải cách hành chính. " * 40 + "\n") * 3_000).encode()


def markdown_wide_table() -> bytes:
    return ("KẾ HOẠCH năm 2024\n\n" + _markdown_table([["x"] * 60])).encode()


def markdown_many_rows() -> bytes:
    row = ["", "", "", "3.1. Việc", "Báo cáo", "Phòng Nội vụ", "", "Quý I/2024", ""]
    return ("KẾ HOẠCH năm 2024\n\n" + _markdown_table([row] * 6_000)).encode()


def markdown_whitespace_runs() -> bytes:
    """The seed plan with runs of 4,000 spaces in its text and a table cell (a cubic regex took minutes)."""
    lines = SEED_MARKDOWN.read_text(encoding="utf-8").splitlines()
    table = next(i for i, line in enumerate(lines) if line.startswith("| I"))
    lines[table] = lines[table].replace("| I |", "| I" + " " * 4_000 + "|", 1)
    lines.insert(2, "x" + " " * 4_000 + "y")
    return "\n".join(lines).encode()


# --- The seed plan as a workbook (the baseline) ----------------------------------------------------------


def seed_xlsx() -> bytes:
    """The seed plan's appendix as pasted into Excel, header repeated on every printed page (openpyxl writes it)."""
    raw_rows, _, _ = markdown_rows(SEED_MARKDOWN.read_text(encoding="utf-8").splitlines())
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Phụ lục"
    for line in PREAMBLE:
        sheet.append([line])
    for raw in raw_rows:
        if raw.starts_table:
            sheet.append(list(HEADER))
        sheet.append([cell.strip() for cell in raw.cells])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- The list ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bomb:
    """A hostile upload and the answer the import owes it: HTTP status, error code, the bound named."""

    name: str
    build: Callable[[], bytes]
    filename: str
    code: str
    bound: str | None
    status: int = 422


def _x(name: str, build: Callable[[], bytes], code: str, bound: str | None) -> Bomb:
    return Bomb(name, build, f"{name}.xlsx", code, bound)


def _md(name: str, build: Callable[[], bytes], bound: str) -> Bomb:
    return Bomb(name, build, f"{name}.md", "file_too_large", bound)


BOMBS: tuple[Bomb, ...] = (
    _x("lying_dimension", lying_dimension, "file_too_large", "rows"),
    _x("million_cells", lambda: uniform_cells(20_000), "file_too_large", "compression_ratio"),
    _x("five_million_cells", lambda: uniform_cells(100_000), "file_too_large", "compression_ratio"),
    _x("dense_cells", dense_cells, "file_too_large", "cells"),
    _x("classic_zip_bomb", classic_zip_bomb, "file_too_large", "compression_ratio"),
    _x("lying_zip_sizes", lying_zip_sizes, "not_a_plan", "zip_data"),
    _x("many_entries", many_entries, "file_too_large", "zip_entries"),
    _x("many_big_entries", many_big_entries, "file_too_large", "unpacked_bytes"),
    _x("billion_laughs_shared_strings", billion_laughs_shared_strings, "not_a_plan", "xml_dtd"),
    _x("billion_laughs_workbook", billion_laughs_workbook, "not_a_plan", "xml_dtd"),
    _x("external_entity", external_entity, "not_a_plan", "xml_dtd"),
    _x("huge_shared_strings", huge_shared_strings, "file_too_large", "shared_strings"),
    _x("huge_cell_text", huge_cell_text, "file_too_large", "cell_chars"),
    _x("thousands_of_sheets", thousands_of_sheets, "file_too_large", "sheets"),
    _x("thousands_of_sheet_parts", thousands_of_sheet_parts, "file_too_large", "zip_entries"),
    _x("sheet_not_xml", sheet_not_xml, "not_a_plan", "xml_syntax"),
    _x("deep_nesting", deep_nesting, "file_too_large", "xml_depth"),
    _x("element_flood", element_flood, "file_too_large", "xml_elements"),
    _x("merge_flood", merge_flood, "file_too_large", "merged_cells"),
    _x("whole_sheet_merge", whole_sheet_merge, "not_a_plan", None),
    _md("markdown_long_line", markdown_long_line, "line_chars"),
    _md("markdown_many_lines", markdown_many_lines, "lines"),
    _md("markdown_huge", markdown_huge, "markdown_chars"),
    _md("markdown_wide_table", markdown_wide_table, "columns"),
    _md("markdown_many_rows", markdown_many_rows, "rows"),
)


def _letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _batched(chunks: Iterable[bytes], size: int = 1 << 20) -> Iterable[bytes]:
    buffer: list[bytes] = []
    length = 0
    for chunk in chunks:
        buffer.append(chunk)
        length += len(chunk)
        if length >= size:
            yield b"".join(buffer)
            buffer, length = [], 0
    if buffer:
        yield b"".join(buffer)
