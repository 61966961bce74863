"""Browser tests: the app on a free port (waitress in a thread, demo database), Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, Playwright, expect, sync_playwright
from waitress.server import create_server

from api import create_app
from tests.document_files import file_bytes
from workflows.demo import load_demo
from workflows.schema import upgrade

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "api" / "web" / "static" / "dist"
SCREENSHOTS = ROOT / "test-output"
CHROMIUM = os.environ.get("CCHC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1366, "height": 768}
expect.set_options(timeout=20_000)  # two shared cores: deploying a diagram can take a few seconds
PHONE = {"width": 390, "height": 844}


def _free_port() -> int:
    """A free port: any, or the first free one of ``CCHC_E2E_PORTS`` ("5150-5159") on a shared machine."""
    low, _, high = os.environ.get("CCHC_E2E_PORTS", "0-0").partition("-")
    for port in range(int(low), int(high or low) + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise RuntimeError(f"no free port in CCHC_E2E_PORTS={os.environ['CCHC_E2E_PORTS']}")


@dataclass
class Server:
    url: str
    app: Any

    @property
    def services(self) -> Any:
        return self.app.extensions["cchc"]


@contextmanager
def demo_server(directory: Path, threads: int = 6) -> Iterator[Server]:
    """The whole app with the demo organisation, accounts and processes (a database in ``directory``), served by
    waitress on a free port."""
    if not (DIST / "manifest.json").is_file():
        pytest.fail("Giao diện chưa được biên dịch: chạy `make web` trước (make e2e tự làm việc này).")
    url = f"sqlite:///{directory / 'cchc.db'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "e2e-secret", "LOGIN_RATE_LIMIT": "1000 per minute"})
    load_demo(app.extensions["cchc"])
    port = int(os.environ.get("CCHC_E2E_PORT") or 0) or _free_port()  # a fixed port where ports are shared out
    httpd = create_server(app, host="127.0.0.1", port=port, threads=threads)
    thread = threading.Thread(target=httpd.run, daemon=True)
    thread.start()
    yield Server(f"http://127.0.0.1:{port}", app)
    httpd.close()
    app.extensions["cchc"].close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The shared server of the browser tests."""
    with demo_server(tmp_path_factory.mktemp("e2e")) as shared:
        yield shared


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Không có Chromium tại {CHROMIUM}: cài bằng `apt-get install -y chromium`.")
    b = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


@dataclass
class Problems:
    """Uncaught page errors and console errors seen while a test ran (a 404 of an optional endpoint aside)."""

    items: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        text = message.text
        if "404" in text and "Failed to load resource" in text:
            return  # optional endpoints (notifications) answer 404 until they exist; the page hides them
        self.items.append(f"console: {text}")


def new_page(browser: Browser, viewport: dict[str, int] = DESKTOP) -> tuple[Page, Problems]:
    context = browser.new_context(viewport=viewport, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems = Problems()
    page.on("console", problems.console)
    page.on("pageerror", lambda exc: problems.items.append(f"pageerror: {exc}"))
    return page, problems


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, Problems]]:
    page, problems = new_page(browser)
    yield page, problems
    page.context.close()


def login(page: Page, server: Server, username: str, password: str = "demo") -> None:
    """Log in through the login page (the session cookie), landing on the inbox."""
    page.goto(f"{server.url}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{server.url}/")
    page.wait_for_selector("[data-testid=user-name]")


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def attach(form: Locator, label: str, *names: str) -> None:
    """Upload real small files (tests/document_files.py, by extension) through a form's file field and wait for each."""
    field = form.get_by_test_id("documents-field").filter(has_text=label)
    for name in names:
        payload = {"name": name, "mimeType": "application/octet-stream", "buffer": file_bytes(name)}
        field.get_by_label(label).set_input_files(payload)
        expect(field.locator(".doc-item", has_text=name)).to_be_visible()
        expect(field.locator(".doc-uploading")).to_have_count(0)


def api_token(page: Page, server: Server, username: str) -> str:
    response = page.request.post(f"{server.url}/api/v1/auth/login", data={"username": username, "password": "demo"})
    assert response.ok, response.text()
    return str(response.json()["token"])


def start_report(page: Page, server: Server, period: str, *, username: str = "cv.pnv", unit: str = "PNV") -> Any:
    """A periodic report of ``unit`` for ``period`` (due in 30 days) started through the API: the new instance."""
    response = page.request.post(
        f"{server.url}/api/v1/process-instances",
        headers={"Authorization": f"Bearer {api_token(page, server, username)}"},
        data={
            "process_key": "periodic_report",
            "version": 1,  # the demo's version (the modeler test deploys newer ones)
            "unit_code": unit,
            "data": {
                "activity_code": "VII.3.2",
                "activity_title": "Báo cáo kết quả thực hiện công tác CCHC",
                "deadline": (date.today() + timedelta(days=30)).isoformat(),
                "period_label": period,
                "period_kind": "quarter",
            },
        },
    )
    assert response.status == 201, response.text()
    return response.json()
