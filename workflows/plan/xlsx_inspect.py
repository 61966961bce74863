"""Look inside an uploaded .xlsx before openpyxl opens it: the zip directory, then every XML part, streamed.

Nothing is trusted that the file says about itself: not the sizes in the zip directory (every entry is
decompressed in 64 KB chunks and counted), not the sheet's ``<dimension>`` (the rows and columns that hold
values are found from the cells themselves), not the ``count`` attributes. One pass with expat (no tree is
built) checks what openpyxl will parse later: well-formed XML without a DTD (entity bombs, external entities),
at most so many elements, nesting levels, cells, shared strings, sheets and merged ranges. Each bound is
checked as the pass reaches it, so a bomb is refused after reading just past the bound, never in full.

Entries that are not XML (pictures, printer settings, embedded files — a nested archive is one) are only
decompressed and counted: nothing here or in openpyxl's read-only mode opens them.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import PurePosixPath
from xml.parsers import expat

from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter, range_boundaries
from openpyxl.xml.constants import SHEET_MAIN_NS

from .import_limits import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ENTRIES,
    MAX_MERGES,
    MAX_PART_ELEMENTS,
    MAX_RATIO,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    MAX_SHEETS,
    MAX_UNPACKED_BYTES,
    MAX_XML_DEPTH,
    MAX_XML_ELEMENTS,
    MB,
    RATIO_FLOOR_BYTES,
    PlanTooLarge,
    too_large,
    unsafe_file,
    vietnamese_number,
)
from .parsed_plan import NotAPlan

UNREADABLE = "Tệp không phải kế hoạch CCHC: không đọc được bảng tính Excel (.xlsx)."
_CHUNK = 64 * 1024
_XML_NAMES = (".xml", ".rels")
# Excel's legacy drawings (comments) are "XML" that is not always well formed; openpyxl never parses them in
# read-only mode. They are scanned for DTDs and counted, but a syntax error there is not a refusal.
_LENIENT_NAMES = (".vml",)
_XML_STARTS = (b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00<")
# expat reports namespaced names as "<namespace> <local name>".
_ROW, _CELL, _VALUE, _INLINE = (f"{SHEET_MAIN_NS} {name}" for name in ("row", "c", "v", "is"))
_MERGE, _STRING, _SHEET = (f"{SHEET_MAIN_NS} {name}" for name in ("mergeCell", "si", "sheet"))
_DATA_ROOTS = frozenset(f"{SHEET_MAIN_NS} {name}" for name in ("worksheet", "sst"))


@dataclass
class SheetExtent:
    """What one XML part holds as a worksheet: the last row and column with a value, and its merged ranges."""

    rows: int = 0
    columns: int = 0
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # min row, min col, max row, max col


@dataclass(frozen=True)
class XlsxInspection:
    """Every XML part read in full, by its name in the zip, with what it holds as a worksheet."""

    parts: dict[str, SheetExtent]

    def extent(self, part: str) -> SheetExtent | None:
        """The part's extent; None when it was not read as XML (then openpyxl must not read it either)."""
        return self.parts.get(part.lstrip("/"))


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f}".replace(".", ",") + " MB"


class _Scanner:
    """Counts what the XML parts hold, from expat's element events; raises as soon as a bound is passed."""

    def __init__(self) -> None:
        self.elements = 0
        self.cells = 0
        self.strings = 0
        self.sheets = 0
        self.merges = 0
        self.parts: dict[str, SheetExtent] = {}
        self._part = ""
        self._extent = SheetExtent()
        self._limit = 0
        self._depth = 0
        self._row = 0
        self._column = 0
        self._cell: tuple[int, int] | None = None
        self._handlers: dict[str, Callable[[dict[str, str]], None]] = {
            _CELL: self._start_cell,
            _VALUE: self._value,
            _INLINE: self._value,
            _ROW: self._start_row,
            _MERGE: self._merge,
            _STRING: self._string,
            _SHEET: self._sheet,
        }

    def parser(self, part: str) -> expat.XMLParserType:
        """A fresh expat parser for one part, reporting to this scanner."""
        self._part, self._extent = part, SheetExtent()
        self._limit = -1  # set by the part's root element
        self._depth = self._row = self._column = 0
        self._cell = None
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartDoctypeDeclHandler = self._doctype
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        return parser

    def finish(self) -> None:
        """The part was read to its end: keep what it holds."""
        self.parts[self._part] = self._extent

    def _doctype(self, *_: object) -> None:
        raise unsafe_file(
            f"phần «{self._part}» của tệp Excel có khai báo DTD (<!DOCTYPE …>), điều tệp Excel thật không có "
            "và là cách của «bom thực thể XML»",
            "xml_dtd",
            part=self._part,
        )

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        # Runs for every element of every part: the common path is two increments, one comparison, one lookup.
        self.elements += 1
        self._depth += 1
        if self.elements > self._limit or self._depth > MAX_XML_DEPTH:
            self._check_budget(name)
        handler = self._handlers.get(name)
        if handler is not None:
            handler(attrs)

    def _end(self, _name: str) -> None:
        self._depth -= 1

    def _check_budget(self, name: str) -> None:
        """The part's first element sets its element budget; past the budget or the depth bound, refuse."""
        if self._limit < 0:
            # Sheets and shared strings grow with the cells; any other part (styles, relationships, drawings)
            # is small in a real workbook, and openpyxl builds an object for each of its elements.
            per_part = MAX_XML_ELEMENTS if name in _DATA_ROOTS else MAX_PART_ELEMENTS
            self._limit = min(MAX_XML_ELEMENTS, self.elements - 1 + per_part)
        if self.elements > self._limit:
            shown = vietnamese_number(self._limit if self._limit == MAX_XML_ELEMENTS else MAX_PART_ELEMENTS)
            where = "tệp Excel" if self._limit == MAX_XML_ELEMENTS else f"phần «{self._part}» của tệp Excel"
            raise too_large(
                f"{where} có hơn {shown} phần tử XML",
                "xml_elements",
                self._limit,
                f"{shown} phần tử XML",
                part=self._part,
            )
        if self._depth > MAX_XML_DEPTH:
            raise too_large(
                f"phần «{self._part}» lồng XML sâu hơn {MAX_XML_DEPTH} cấp",
                "xml_depth",
                MAX_XML_DEPTH,
                f"{MAX_XML_DEPTH} cấp",
                part=self._part,
            )

    def _start_row(self, attrs: dict[str, str]) -> None:
        number = attrs.get("r")
        self._row = int(number) if number and number.isdigit() else self._row + 1
        self._column = 0

    def _value(self, _attrs: dict[str, str]) -> None:
        if self._cell is not None:
            self._holds_value(*self._cell)
            self._cell = None

    def _string(self, _attrs: dict[str, str]) -> None:
        self.strings += 1
        if self.strings > MAX_SHARED_STRINGS:
            limit = vietnamese_number(MAX_SHARED_STRINGS)
            raise too_large(
                f"bảng chuỗi dùng chung có hơn {limit} chuỗi", "shared_strings", MAX_SHARED_STRINGS, f"{limit} chuỗi"
            )

    def _sheet(self, _attrs: dict[str, str]) -> None:
        self.sheets += 1
        if self.sheets > MAX_SHEETS:
            raise too_large(
                f"tệp Excel có hơn {MAX_SHEETS} trang tính", "sheets", MAX_SHEETS, f"{MAX_SHEETS} trang tính"
            )

    def _start_cell(self, attrs: dict[str, str]) -> None:
        reference = attrs.get("r")
        self.cells += 1
        if self.cells > MAX_CELLS:
            limit = vietnamese_number(MAX_CELLS)
            raise too_large(f"tệp Excel có hơn {limit} ô", "cells", MAX_CELLS, f"{limit} ô", part=self._part)
        # As openpyxl places a cell: in its <row>'s line, in the column its reference names (or the next one).
        if reference:
            try:
                self._column = coordinate_to_tuple(reference)[1]
            except ValueError as exc:
                raise unsafe_file(f"ô «{reference[:20]}» có địa chỉ không hợp lệ", "cell_reference") from exc
        else:
            self._column += 1
        self._cell = (self._row, self._column)

    def _holds_value(self, row: int, column: int) -> None:
        """A cell with a value: it must lie in the grid a plan may use."""
        if row > MAX_ROWS:
            raise too_large(
                f"trang tính có dữ liệu ở dòng {vietnamese_number(row)}",
                "rows",
                MAX_ROWS,
                f"{vietnamese_number(MAX_ROWS)} dòng",
                part=self._part,
                row=row,
            )
        if column > MAX_COLUMNS:
            letters = f"cột {get_column_letter(column)}, " if column <= 18_278 else ""
            raise too_large(
                f"trang tính có dữ liệu ở {letters}cột thứ {vietnamese_number(column)}",
                "columns",
                MAX_COLUMNS,
                f"{MAX_COLUMNS} cột",
                part=self._part,
                column=column,
            )
        self._extent.rows = max(self._extent.rows, row)
        self._extent.columns = max(self._extent.columns, column)

    def _merge(self, attrs: dict[str, str]) -> None:
        reference = attrs.get("ref", "")
        self.merges += 1
        if self.merges > MAX_MERGES:
            limit = vietnamese_number(MAX_MERGES)
            raise too_large(f"tệp Excel có hơn {limit} vùng ô gộp", "merges", MAX_MERGES, f"{limit} vùng ô gộp")
        try:
            min_col, min_row, max_col, max_row = range_boundaries(reference)
        except (ValueError, TypeError) as exc:
            raise unsafe_file(f"vùng ô gộp «{reference[:40]}» không hợp lệ", "merge_reference") from exc
        # A whole-column or whole-row range has no bound on one side: it runs to the sheet's edge.
        self._extent.merges.append((min_row or 1, min_col or 1, max_row or 1_048_576, max_col or 16_384))


def _check_entry(info: zipfile.ZipInfo, seen: set[str]) -> None:
    """What the zip directory says about one entry, before it is decompressed."""
    name = info.filename
    if name in seen:
        raise unsafe_file(f"tệp Excel có hai phần cùng tên «{name}»", "zip_duplicate", part=name)
    seen.add(name)
    if name.startswith("/") or "\\" in name or ".." in PurePosixPath(name).parts:
        raise unsafe_file(f"tệp Excel có phần mang tên không hợp lệ «{name[:80]}»", "zip_name", part=name[:80])
    if info.flag_bits & 0x1:
        raise unsafe_file(f"phần «{name}» của tệp Excel bị mã hoá", "zip_encrypted", part=name)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise unsafe_file(f"phần «{name}» của tệp Excel nén theo cách Excel không dùng", "zip_method", part=name)
    if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        ratio = info.file_size // max(info.compress_size, 1)
        raise too_large(
            f"phần «{name}» nén {vietnamese_number(ratio)} lần (giải nén ra {_megabytes(info.file_size)}), "
            "dấu hiệu của «bom nén» (zip bomb)",
            "compression_ratio",
            MAX_RATIO,
            f"{MAX_RATIO} lần",
            part=name,
        )


def _unpacked_too_large(size: int) -> PlanTooLarge:
    return too_large(
        f"tệp Excel giải nén ra hơn {_megabytes(size)}",
        "unpacked_bytes",
        MAX_UNPACKED_BYTES,
        _megabytes(MAX_UNPACKED_BYTES),
    )


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, scanner: _Scanner, unpacked: int) -> int:
    """Decompress one entry chunk by chunk, counting; an XML part goes through the scanner. The new total."""
    name = info.filename
    lower = name.lower()
    parser: expat.XMLParserType | None = None
    size = 0
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            if size == 0 and (lower.endswith(_XML_NAMES + _LENIENT_NAMES) or chunk.lstrip().startswith(_XML_STARTS)):
                parser = scanner.parser(name)
            size += len(chunk)
            unpacked += len(chunk)
            if size > info.file_size or unpacked > MAX_UNPACKED_BYTES:
                raise _unpacked_too_large(unpacked)
            if parser is not None:
                try:
                    parser.Parse(chunk, False)
                except expat.ExpatError as exc:
                    if lower.endswith(_LENIENT_NAMES):
                        parser = None  # the rest is only counted; the part is not marked as read
                        continue
                    raise unsafe_file(
                        f"phần «{name}» của tệp Excel không phải XML hợp lệ (dòng {exc.lineno}, cột {exc.offset})",
                        "xml_syntax",
                        part=name,
                    ) from exc
    if parser is not None:
        try:
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            if lower.endswith(_LENIENT_NAMES):
                return unpacked
            raise unsafe_file(f"phần «{name}» của tệp Excel không phải XML hợp lệ", "xml_syntax", part=name) from exc
        scanner.finish()
    return unpacked


def inspect_xlsx(data: bytes) -> XlsxInspection:
    """Check an .xlsx against the import's bounds without trusting it; raise a 422 at the first bound passed."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, NotImplementedError) as exc:
        raise NotAPlan(UNREADABLE) from exc  # NotImplementedError: a zip version or feature zipfile lacks
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise too_large(
                f"tệp Excel chứa {vietnamese_number(len(infos))} tệp con",
                "zip_entries",
                MAX_ENTRIES,
                f"{MAX_ENTRIES} tệp con",
            )
        seen: set[str] = set()
        for info in infos:
            _check_entry(info, seen)
        declared = sum(info.file_size for info in infos)
        if declared > MAX_UNPACKED_BYTES:
            raise _unpacked_too_large(declared)
        scanner = _Scanner()
        unpacked = 0
        for info in infos:
            if not info.is_dir():
                try:
                    unpacked = _read_entry(archive, info, scanner, unpacked)
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
                    raise NotAPlan(UNREADABLE, details={"bound": "zip_data", "part": info.filename}) from exc
    return XlsxInspection(scanner.parts)
