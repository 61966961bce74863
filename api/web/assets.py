"""The built web assets (``static/dist``, frontend/build.mjs): names from the manifest, served by WhiteNoise.

Every built file carries a hash of its content in its name, so the browser may keep it for a year without asking
again (``immutable``); the pages (HTML) and the manifest are revalidated on each load. The build writes a
``.gz`` and a ``.br`` beside each text file, which WhiteNoise sends (``Content-Encoding``, ``Vary:
Accept-Encoding``) to a browser that accepts them. See docs/web-assets.md.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, Response
from whitenoise import WhiteNoise

DIST = Path(__file__).resolve().parent / "static" / "dist"
PREFIX = "/ui/static/dist/"
YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class Manifest:
    """What manifest.json says: each page's logical name → its file and the chunks it loads; every built file."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, dict[str, int]] = field(default_factory=dict)

    def file(self, name: str) -> str | None:
        """The hashed file of ``name`` ("task.js", "common.css"), relative to dist; None when not built."""
        entry = self.entries.get(name)
        return str(entry["file"]) if entry else None

    def imports(self, name: str) -> list[str]:
        """The chunks an entry imports statically (the browser fetches them with the page)."""
        entry = self.entries.get(name)
        return [str(f) for f in entry["imports"]] if entry else []

    def lazy(self, name: str) -> list[str]:
        """The chunks an entry may load later (``import()``: the modeler, the PDF viewer)."""
        entry = self.entries.get(name)
        return [str(f) for f in entry.get("lazy", [])] if entry else []

    def page_scripts(self, page: str) -> list[str]:
        """Every JavaScript file a page loads before it runs: common.js and the page's entry, with their chunks."""
        files: list[str] = []
        for name in ("common.js", f"{page}.js"):
            main = self.file(name)
            for path in ([main] if main else []) + self.imports(name):
                if path not in files:
                    files.append(path)
        return files


_EMPTY = Manifest()


class AssetIndex:
    """manifest.json read once, and again when a new build replaces it (``make web`` while serving)."""

    def __init__(self, dist: Path = DIST) -> None:
        self.dist = dist
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._manifest = _EMPTY

    def manifest(self) -> Manifest:
        """The current manifest (empty when the front end is not built)."""
        path = self.dist / "manifest.json"
        try:
            stat = path.stat()
        except FileNotFoundError:
            return _EMPTY
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if stamp != self._stamp:
                data = json.loads(path.read_text(encoding="utf-8"))
                self._manifest = Manifest(entries=data.get("entries", {}), files=data.get("files", {}))
                self._stamp = stamp
            return self._manifest

    def immutable(self, path: str, url: str) -> bool:
        """WhiteNoise's test: a file the build named by its content (every file of the manifest's list)."""
        return url.startswith(PREFIX) and url[len(PREFIX) :] in self.manifest().files


class _AssetServer(WhiteNoise):  # type: ignore[misc]
    FOREVER = YEAR  # "public, max-age=31536000, immutable" (WhiteNoise's own default is ten years)

    def add_cache_headers(self, headers: Any, path: str, url: str) -> None:
        if self.immutable_file_test(path, url):
            headers["Cache-Control"] = f"public, max-age={self.FOREVER}, immutable"
        else:
            headers["Cache-Control"] = "no-cache"


def init_assets(app: Flask, index: AssetIndex) -> None:
    """Serve ``static/dist`` before Flask sees the request; pages (HTML) are never cached without asking."""
    server = _AssetServer(
        app.wsgi_app,
        root=str(index.dist),
        prefix=PREFIX,
        immutable_file_test=index.immutable,
        autorefresh=bool(app.debug),
        allow_all_origins=False,
    )
    app.wsgi_app = server  # type: ignore[method-assign]
    app.extensions["cchc_assets"] = index

    @app.after_request
    def _html_revalidates(response: Response) -> Response:
        if response.mimetype == "text/html" and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-cache"
        return response
