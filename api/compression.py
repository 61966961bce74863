"""Dynamic responses (JSON, HTML pages) compressed with brotli or gzip when the client accepts it (flask-compress).

The built web assets are compressed once at build time and served by WhiteNoise (api/web/assets.py); this is for
what the app computes per request. A body under one network packet goes as it is (nothing to gain); downloads
(streamed files: exports, documents) are left alone. Brotli at quality 4 costs about what gzip -6 does and
compresses a list of steps to roughly a tenth (bench/assets.py, docs/benchmarks.md).
"""

from __future__ import annotations

import os

from flask import Flask
from flask_compress import Compress

SETTINGS = {
    "COMPRESS_MIMETYPES": ["application/json", "application/problem+json", "text/html"],
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_BR_LEVEL": 4,
    "COMPRESS_LEVEL": 6,
    "COMPRESS_MIN_SIZE": 1400,
    "COMPRESS_STREAMS": False,
}


def init_compression(app: Flask) -> None:
    """Compress the app's own responses; ``CCHC_COMPRESS=0`` (or the config's ``COMPRESS_RESPONSES=False``) turns
    it off, e.g. behind a proxy that compresses."""
    default = os.environ.get("CCHC_COMPRESS", "1") != "0"
    if not app.config.get("COMPRESS_RESPONSES", default):
        return
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    Compress(app)
