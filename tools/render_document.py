"""Render a .docx (or .xlsx) to PNG images of its pages, as printed: LibreOffice headless → PDF → pdftoppm.

    .venv/bin/python tools/render_document.py FILE.docx [OUTPUT_DIR] [--dpi 70]

Writes OUTPUT_DIR/<name>.pdf and OUTPUT_DIR/<name>-<page>.png (default OUTPUT_DIR: test-output/). Needs the
Debian packages libreoffice-writer-nogui (``/usr/bin/soffice``) and poppler-utils (``/usr/bin/pdftoppm``);
.ci/run installs both. Each conversion uses its own LibreOffice profile, so runs in parallel do not collide.
The browser test tests/e2e/test_report_render.py uses it for the screenshot of the periodic report.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

SOFFICE = "soffice"
PDFTOPPM = "pdftoppm"
TIMEOUT = 180  # seconds; the first start of LibreOffice on two busy cores takes a while


class RenderUnavailable(RuntimeError):
    """A program the rendering needs is not installed."""


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        package = "libreoffice-writer-nogui" if name == SOFFICE else "poppler-utils"  # pdftoppm, pdftotext
        raise RenderUnavailable(f"{name} not found: apt-get install -y {package}")
    return found


def to_pdf(document: Path, output_dir: Path) -> Path:
    """Convert ``document`` to ``output_dir/<stem>.pdf`` with LibreOffice headless."""
    soffice = _program(SOFFICE)
    output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(output_dir),
                str(document),
            ],
            check=True,
            capture_output=True,
            timeout=TIMEOUT,
        )
    pdf = output_dir / f"{document.stem}.pdf"
    if not pdf.is_file():
        raise RuntimeError(f"LibreOffice wrote no PDF for {document}")
    return pdf


def to_pngs(pdf: Path, prefix: Path, dpi: int = 70) -> list[Path]:
    """Render every page of ``pdf`` to ``<prefix>-<page>.png``; returns them in page order."""
    subprocess.run([_program(PDFTOPPM), "-png", "-r", str(dpi), str(pdf), str(prefix)], check=True, timeout=TIMEOUT)
    pages = sorted(prefix.parent.glob(f"{prefix.name}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    if not pages:
        raise RuntimeError(f"pdftoppm wrote no page for {pdf}")
    return pages


def page_text(pdf: Path, first: int, last: int | None = None) -> str:
    """The text of pages ``first``–``last`` as laid out on the page (``pdftotext -layout``, poppler-utils)."""
    pdftotext = _program("pdftotext")
    result = subprocess.run(
        [pdftotext, "-layout", "-f", str(first), "-l", str(last or first), str(pdf), "-"],
        check=True,
        capture_output=True,
        timeout=TIMEOUT,
    )
    return result.stdout.decode("utf-8")


def render(document: Path, output_dir: Path, dpi: int = 70) -> list[Path]:
    """``document`` → PDF → one PNG per page, all in ``output_dir``."""
    pdf = to_pdf(document, output_dir)
    for old in output_dir.glob(f"{document.stem}-*.png"):
        old.unlink()
    return to_pngs(pdf, output_dir / document.stem, dpi)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("document", type=Path)
    parser.add_argument("output_dir", type=Path, nargs="?", default=Path("test-output"))
    parser.add_argument("--dpi", type=int, default=70)
    args = parser.parse_args()
    for page in render(args.document, args.output_dir, args.dpi):
        print(page)


if __name__ == "__main__":
    main()
