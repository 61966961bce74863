"""file_types.detect on the files where the libraries we evaluated fail (docs/documents.md, "Why not a library")."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

from docx import Document

from workflows import file_types


def _docx() -> bytes:
    out = io.BytesIO()
    Document().save(out)
    return out.getvalue()


def _repacked(first: tuple[str, bytes], source: bytes) -> bytes:
    """The package ``source`` with ``first`` written before its other entries."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as new:
        new.writestr(*first)
        for name in old.namelist():
            new.writestr(name, old.read(name))
    return out.getvalue()


def test_a_docx_whose_first_entry_is_a_large_thumbnail_is_still_a_docx() -> None:
    # filetype 1.2.0 calls this a plain zip: the word/ parts start after its 8 KB window
    data = _repacked(("docProps/preview.jpeg", bytes(range(256)) * 64), _docx())
    assert file_types.detect(data) == file_types.DOCX


def test_a_zip_naming_a_word_part_is_not_a_docx() -> None:
    # filetype 1.2.0 calls this a DOCX from the entry's path alone
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/evil.exe", b"MZ" + b"\x00" * 64)
    assert file_types.detect(out.getvalue()) is None


def test_a_package_with_a_huge_content_types_entry_is_refused_without_unpacking_it() -> None:
    # puremagic 2.2.0 reads this entry whole: 64 MB here, as many gigabytes as an attacker likes
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("[Content_Types].xml", "w") as entry:
            for _ in range(64):
                entry.write(b" " * (1 << 20))
        archive.writestr("word/document.xml", "<w:document/>")
    data = out.getvalue()
    assert len(data) < 1 << 20
    tracemalloc.start()
    try:
        assert file_types.detect(data) is None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * file_types.MAX_MARKER_BYTES + len(data)
