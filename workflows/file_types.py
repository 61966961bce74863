"""What an uploaded file is, read from its content (never its name): the short allow-list of office documents.

PDF, JPEG and PNG by their signatures; DOC and XLS as OLE2 compound files (the CFB signature; the two are told
apart by the directory's stream names, ``WordDocument`` or ``Workbook``/``Book``); DOCX, XLSX, ODT and ODS as
zip packages whose ``[Content_Types].xml`` (Office Open XML) or ``mimetype`` entry (OpenDocument) says what they
are. The zip is opened with bounds: so many entries at most, and only that one small entry read, at most
``MAX_MARKER_BYTES`` decompressed — a zip bomb is never unpacked. Anything else (a renamed executable, another
archive, HTML) is refused.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from io import BytesIO

PDF = "application/pdf"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
JPEG = "image/jpeg"
PNG = "image/png"

ALLOWED = (PDF, DOC, DOCX, XLS, XLSX, ODT, ODS, JPEG, PNG)
# The file extensions a form's attachment field may name in ``x-document.accept`` (docs/documents.md).
EXTENSIONS: dict[str, str] = {
    "pdf": PDF,
    "doc": DOC,
    "docx": DOCX,
    "xls": XLS,
    "xlsx": XLSX,
    "odt": ODT,
    "ods": ODS,
    "jpg": JPEG,
    "jpeg": JPEG,
    "png": PNG,
}
ALLOWED_LABEL = "PDF, Word (.doc, .docx), Excel (.xls, .xlsx), OpenDocument (.odt, .ods), ảnh JPG hoặc PNG"

MAX_ZIP_ENTRIES = 2_000  # a large Word document with pictures has a few hundred
MAX_MARKER_BYTES = 256 * 1024  # [Content_Types].xml of an office file is a few KB
_OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")
_OOXML_MAIN = {
    b"wordprocessingml.document.main+xml": DOCX,
    b"spreadsheetml.sheet.main+xml": XLSX,
}
_ODF = {ODT.encode(): ODT, ODS.encode(): ODS}


def content_types(extensions: Iterable[str]) -> tuple[str, ...]:
    """The content types of known file ``extensions`` (case and a leading dot ignored), each once, in order;
    unknown extensions are skipped (the deploy check refuses them)."""
    found: list[str] = []
    for extension in extensions:
        kind = EXTENSIONS.get(str(extension).lower().lstrip(".")) if isinstance(extension, str) else None
        if kind is not None and kind not in found:
            found.append(kind)
    return tuple(found)


def extensions_of(content_type: str) -> tuple[str, ...]:
    """The extensions of a content type, for messages (``image/jpeg`` → jpg, jpeg)."""
    return tuple(ext for ext, kind in EXTENSIONS.items() if kind == content_type)


# Why hand-written (evaluated 2026-12 against real and crafted files; docs/documents.md "Why not a library"):
# - filetype 1.2.0 reads only the first 8 KB and names OOXML parts by the path of the first zip entries: a plain
#   zip with an entry "word/x.exe" is a DOCX to it, and a real DOCX whose first entry is a 10 KB thumbnail is a
#   plain zip; DOC and XLS only when the stream happens to start in sector 1 (fixed bytes at offset 512).
# - puremagic 2.2.0 needs Python >= 3.12 (we run 3.11) and reads [Content_Types].xml whole (``ZipFile.read``): a
#   crafted package decompresses gigabytes in memory; it also weighs the file name's extension. puremagic 1.30
#   (the last for 3.11) cannot tell DOCX, XLSX, PPTX, ODT and a plain zip apart (all 0.4), nor DOC from XLS.
def detect(data: bytes) -> str | None:
    """The content type of ``data`` when it is one of ``ALLOWED``; None otherwise."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(_OLE2):
        return _ole2_kind(data)
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return None


def _ole2_kind(data: bytes) -> str | None:
    """DOC or XLS by the stream names of the compound file's directory (UTF-16 names, read as bytes)."""
    if "WordDocument".encode("utf-16-le") in data:
        return DOC
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return XLS
    return None


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                return None
            names = {info.filename: info for info in entries}
            if "mimetype" in names:
                return _ODF.get(_read_marker(archive, names["mimetype"]).strip())
            if "[Content_Types].xml" in names:
                marker = _read_marker(archive, names["[Content_Types].xml"])
                return next((kind for key, kind in _OOXML_MAIN.items() if key in marker), None)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        return None
    return None


def _read_marker(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """At most ``MAX_MARKER_BYTES`` of one entry, decompressed (a bigger entry is not an office marker)."""
    with archive.open(info) as entry:
        head = entry.read(MAX_MARKER_BYTES + 1)
    return b"" if len(head) > MAX_MARKER_BYTES else head
