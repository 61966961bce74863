"""Web assets and compressed responses (issue #16 item 6): what each page downloads, and what compressing costs.

1. Bytes per page, from the build's manifest (``make web`` first): the JavaScript a page loads before it runs
   (``common.js`` and the page's entry with their static chunks) and what it may load later (``import()``: the
   modeler, the diff, the PDF viewer), as sent uncompressed (the baseline: how every file went before), with
   gzip -9 and with brotli 11 (the precompressed files WhiteNoise sends).
2. Dynamic JSON: a 377-row inbox page (the size issue #16 measured, ~250 KB) — the time to serialise it
   (``json.dumps``, the baseline the app pays anyway) against the time flask-compress adds (brotli 4, gzip 6),
   and the bytes; then ``GET /api/v1/openapi.json`` through the app, identity against ``br`` and ``gzip``.

Usage: ``.venv/bin/python bench/assets.py [--repeat 30]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import brotli  # noqa: E402

from api import create_app  # noqa: E402
from api.compression import SETTINGS  # noqa: E402
from api.web.assets import DIST, AssetIndex, Manifest  # noqa: E402

PAGES = ["inbox", "task", "unit", "instances", "start", "instance", "plans", "province", "processes", "admin"]


def _sizes(manifest: Manifest, files: list[str]) -> tuple[int, int, int]:
    raw = gz = br = 0
    for name in files:
        sizes = manifest.files[name]
        raw += sizes["bytes"]
        gz += sizes.get("gzip", sizes["bytes"])
        br += sizes.get("br", sizes["bytes"])
    return raw, gz, br


def page_bytes(manifest: Manifest) -> None:
    print("## JavaScript per page (KB; ratio = sent / sent uncompressed, the baseline)")
    print(f"{'page':<11} {'up front':>9} {'gzip':>8} {'brotli':>8} {'br ratio':>9} {'later':>8} {'later br':>9}")
    for page in PAGES:
        raw, gz, br = _sizes(manifest, manifest.page_scripts(page))
        later_raw, _, later_br = _sizes(manifest, manifest.lazy(f"{page}.js"))
        print(
            f"{page:<11} {raw / 1024:>9.0f} {gz / 1024:>8.0f} {br / 1024:>8.0f} {br / raw:>9.3f} "
            f"{later_raw / 1024:>8.0f} {later_br / 1024:>9.0f}"
        )
    worker = manifest.file("pdf.worker.js") or ""
    raw, gz, br = _sizes(manifest, [worker])
    print(f"{'pdf.worker':<11} {raw / 1024:>9.0f} {gz / 1024:>8.0f} {br / 1024:>8.0f} {br / raw:>9.3f}")


def _median_ms(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _inbox_rows(n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": 100000 + i,
            "instance_id": 5000 + i // 3,
            "process_key": "periodic_report",
            "process_name": "Báo cáo định kỳ",
            "element_id": "Task_review",
            "name": "Duyệt báo cáo",
            "lane": "Lãnh đạo đơn vị",
            "role": "head",
            "unit_code": f"U{i % 40:03d}",
            "unit_name": f"Phòng Nội vụ số {i % 40}",
            "assignee": None if i % 4 else f"cv.{i % 17}",
            "status": "open",
            "created_at": "2026-03-02T08:15:00+07:00",
            "due_at": "2026-03-09T17:00:00+07:00",
            "deadline_state": ["on_track", "due_soon", "overdue"][i % 3],
            "instance_title": f"Báo cáo kết quả thực hiện công tác CCHC quý I năm 2026 — đơn vị {i % 40}",
            "activity_code": f"VII.{i % 9}.{i % 5}",
            "activity_title": "Báo cáo kết quả thực hiện công tác cải cách hành chính định kỳ",
            "claimable": i % 4 == 0,
        }
        for i in range(n)
    ]


def dynamic_json(repeat: int) -> None:
    print("\n## Dynamic JSON: a 377-row inbox page (ms, median; ratio = added / serialising, the baseline)")
    rows = _inbox_rows(377)
    body = json.dumps(rows, ensure_ascii=False).encode()
    serialise = _median_ms(lambda: json.dumps(rows, ensure_ascii=False).encode(), repeat)
    br_level, gz_level = int(str(SETTINGS["COMPRESS_BR_LEVEL"])), int(str(SETTINGS["COMPRESS_LEVEL"]))
    br_ms = _median_ms(lambda: brotli.compress(body, quality=br_level), repeat)
    gz_ms = _median_ms(lambda: gzip.compress(body, compresslevel=gz_level), repeat)
    br_size = len(brotli.compress(body, quality=br_level))
    gz_size = len(gzip.compress(body, compresslevel=gz_level))
    print(f"body {len(body) / 1024:.0f} KB, json.dumps {serialise:.2f} ms (baseline)")
    for label, ms, size in ((f"brotli {br_level}", br_ms, br_size), (f"gzip {gz_level}", gz_ms, gz_size)):
        print(f"{label:<9} +{ms:.2f} ms ({ms / serialise:.2f} ×), {size / 1024:.1f} KB ({size / len(body):.3f})")

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.db", "SECRET_KEY": "bench", "TESTING": True})
        client = app.test_client()

        def fetch(encoding: str) -> Any:
            return client.get("/api/v1/openapi.json", headers={"Accept-Encoding": encoding} if encoding else {})

        print("\n## GET /api/v1/openapi.json through the app (ms, median; ratio against identity, the baseline)")
        base = _median_ms(lambda: fetch(""), repeat)
        size = len(fetch("").data)
        print(f"identity {base:.2f} ms, {size / 1024:.0f} KB")
        for encoding in ("br", "gzip"):

            def fetch_encoded(encoding: str = encoding) -> Any:
                return fetch(encoding)

            ms = _median_ms(fetch_encoded, repeat)
            sent = len(fetch(encoding).data)
            print(f"{encoding:<8} {ms:.2f} ms ({ms / base:.2f} ×), {sent / 1024:.1f} KB ({sent / size:.3f})")
        app.extensions["cchc"].close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    manifest = AssetIndex(DIST).manifest()
    if not manifest.entries:
        sys.exit("The front end is not built: run `make web` first.")
    page_bytes(manifest)
    dynamic_json(args.repeat)


if __name__ == "__main__":
    main()
