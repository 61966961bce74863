"""The built web assets (issue #16 item 6): hashed names in the pages, a year of immutable caching, precompressed
.gz/.br, dynamic JSON compressed, the task page's JavaScript within its budget and the modeler on its page only."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

from api.web.assets import DIST, PREFIX, AssetIndex, Manifest
from tests.api.conftest import Api
from tests.api.test_web_errors import _login

TASK_PAGE_BUDGET = 250 * 1024  # bytes of gzipped JavaScript the task page may load before it runs
HASHED = re.compile(r"-[A-Z0-9]{8}\.(js|css)$")
IMMUTABLE = "public, max-age=31536000, immutable"
PAGES = ["inbox", "task", "unit", "instances", "start", "instance", "plans", "province", "processes", "admin"]


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    found = AssetIndex(DIST).manifest()
    if not found.entries:
        pytest.fail("Giao diện chưa được biên dịch: chạy `make web` trước (make test tự làm việc này).")
    return found


def _page_assets(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="' + re.escape(PREFIX) + r'([^"?]+)"', html)


@pytest.mark.parametrize(
    ("path", "page"), [("/", "inbox"), ("/tasks/1", "task"), ("/admin/processes", "processes"), ("/admin", "admin")]
)
def test_a_page_names_its_hashed_files_and_each_exists(api: Api, manifest: Manifest, path: str, page: str) -> None:
    _login(api.client, "admin")
    response = api.client.get(path)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"
    names = _page_assets(response.get_data(as_text=True))
    scripts = [n for n in names if n.endswith(".js")]
    assert manifest.file(f"{page}.js") in scripts and manifest.file("common.js") in scripts
    assert manifest.file("common.css") in names
    assert set(manifest.imports(f"{page}.js")) <= set(names)  # the chunks preloaded with the page
    for name in names:
        assert HASHED.search(name), name
        assert (DIST / name).is_file(), name
        asset = api.client.get(PREFIX + name)
        assert asset.status_code == 200 and asset.headers["Cache-Control"] == IMMUTABLE, name


def test_a_hashed_file_is_sent_compressed_when_the_browser_accepts_it(api: Api, manifest: Manifest) -> None:
    name = manifest.file("task.js")
    assert name
    plain = (DIST / name).read_bytes()
    identity = api.client.get(PREFIX + name)
    assert identity.data == plain and "Content-Encoding" not in identity.headers
    assert identity.headers["Cache-Control"] == IMMUTABLE and identity.mimetype == "text/javascript"
    gz = api.client.get(PREFIX + name, headers={"Accept-Encoding": "gzip, deflate"})
    assert gz.headers["Content-Encoding"] == "gzip" and gz.headers["Vary"] == "Accept-Encoding"
    assert gz.headers["Cache-Control"] == IMMUTABLE and gz.mimetype == "text/javascript"
    assert gzip.decompress(gz.data) == plain and len(gz.data) < len(plain) / 2
    br = api.client.get(PREFIX + name, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br.headers["Content-Encoding"] == "br" and brotli.decompress(br.data) == plain
    assert len(br.data) <= len(gz.data)


def test_only_built_names_are_immutable(api: Api) -> None:
    response = api.client.get(PREFIX + "manifest.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"
    assert api.client.get(PREFIX + "task.js").status_code == 404  # no unhashed copy to go stale


def test_dynamic_json_is_compressed_when_accepted(api: Api) -> None:
    token = api.token("admin")
    headers = {"Authorization": f"Bearer {token}"}
    plain = api.client.get("/api/v1/openapi.json", headers=headers)
    assert "Content-Encoding" not in plain.headers and len(plain.data) > 1400
    packed = api.client.get("/api/v1/openapi.json", headers={**headers, "Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data


def _gzipped(manifest: Manifest, name: str) -> int:
    """The file's gzip size, checked against the .gz the server sends."""
    size = manifest.files[name].get("gzip")
    if size is None:  # too small to be worth compressing
        return manifest.files[name]["bytes"]
    assert (DIST / f"{name}.gz").stat().st_size == size
    return size


def test_the_task_page_loads_at_most_250_kb_of_gzipped_javascript(manifest: Manifest) -> None:
    scripts = manifest.page_scripts("task")
    assert manifest.file("task.js") in scripts and manifest.file("common.js") in scripts
    total = sum(_gzipped(manifest, name) for name in scripts)
    assert total <= TASK_PAGE_BUDGET, f"{total} B gzip > {TASK_PAGE_BUDGET} B: {scripts}"


def _text(name: str) -> str:
    return (DIST / name).read_text(encoding="utf-8")


def test_the_modeler_loads_on_its_page_only_and_pdfjs_only_when_a_pdf_opens(manifest: Manifest) -> None:
    # markers: the properties panel's class names (the modeler's), a pdf.js exception name
    def has(files: list[str], marker: str) -> bool:
        return any(marker in _text(n) for n in files)

    assert has(manifest.lazy("processes.js"), "bio-properties-panel")  # loaded by the page when it shows the modeler
    assert has(manifest.lazy("task.js"), "InvalidPDFException")  # loaded when a PDF is opened
    for page in PAGES:
        scripts = manifest.page_scripts(page)
        assert scripts, page
        assert not has(scripts, "bio-properties-panel"), page  # not even the modeler's page loads it up front
        assert not has(scripts, "InvalidPDFException"), page
        if page != "processes":
            assert not has(manifest.lazy(f"{page}.js"), "bio-properties-panel"), page
