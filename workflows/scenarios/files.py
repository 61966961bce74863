"""Real small files, built on demand: a PDF, a Word, an Excel, an ODT or a PNG file by the extension of a name.

The scenarios attach them to forms as users would (``World.upload``); the tests use them too.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable

import docx
import openpyxl

# The first bytes of a Windows executable: what a renamed ``.exe`` starts with.
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 240


def pdf_bytes(*pages: str) -> bytes:
    """A real PDF, one A4 page per text of ``pages`` (default one page "CCHC"): Helvetica text, its page number and
    a rule; ASCII only, parentheses and backslashes dropped; the cross-reference offsets computed."""
    pages = tuple("".join(c for c in text if c.isascii() and c not in "()\\") for text in pages or ("CCHC",))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, once the pages are known
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    kids = []
    for number, text in enumerate(pages, start=1):
        kids.append(len(objects) + 1)
        content = (
            f"BT /F1 30 Tf 60 720 Td ({text}) Tj ET BT /F1 16 Tf 60 680 Td (Trang {number}/{len(pages)}) Tj ET "
            "0 0 0.6 RG 6 w 60 650 m 535 650 l S"
        ).encode()
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % (len(objects) + 2)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def docx_bytes(text: str = "Báo cáo") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(text: str = "Bảng") -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Tệp", text])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def odt_bytes(text: str = "Văn bản") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        package.writestr("content.xml", f"<office:document-content>{text}</office:document-content>")
    return out.getvalue()


def png_bytes(text: str = "") -> bytes:
    """A 1×1 PNG (``text`` in a tEXt chunk, so that two names give two contents)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    note = chunk(b"tEXt", b"Title\x00" + text.encode("latin-1", "replace")) if text else b""
    pixels = chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + note + pixels + chunk(b"IEND", b"")


BUILDERS: dict[str, Callable[[str], bytes]] = {
    "pdf": pdf_bytes,
    "docx": docx_bytes,
    "xlsx": xlsx_bytes,
    "odt": odt_bytes,
    "png": png_bytes,
}


def file_bytes(name: str) -> bytes:
    """A real small file of the type ``name``'s extension says (pdf, docx, xlsx, odt, png), naming ``name``."""
    extension = name.rsplit(".", 1)[-1].lower()
    if extension not in BUILDERS:
        raise ValueError(f"no test file builder for {name!r}")
    return BUILDERS[extension](name)
