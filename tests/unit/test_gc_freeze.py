"""Web processes freeze their long-lived heap once the app is built (``gc.freeze``): gunicorn's
``post_worker_init`` hook and ``cchc serve`` (docs/benchmarks.md, "Lists, load and processes, second pass")."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from api import cli, gunicorn_conf


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the test process keeps collecting everything


def test_gunicorn_freezes_the_heap_after_the_app_is_loaded(unfrozen: None) -> None:
    assert gc.get_freeze_count() == 0
    gunicorn_conf.post_worker_init(None)
    assert gc.get_freeze_count() > 10_000  # the modules and the app: tens of thousands of objects


def test_cchc_serve_freezes_the_heap_before_serving(unfrozen: None, monkeypatch: pytest.MonkeyPatch) -> None:
    frozen: list[int] = []

    class Server:
        def run(self) -> None:
            frozen.append(gc.get_freeze_count())

        def close(self) -> None:
            pass

    class Services:  # what cmd_serve asks of the app's services
        def __init__(self) -> None:
            self.calls: list[str] = []

        def start_wal_checkpoints(self) -> bool:
            self.calls.append("checkpoints")
            return True

        def close(self) -> None:
            self.calls.append("close")

    services = Services()
    app = type("App", (), {"extensions": {"cchc": services}})()
    monkeypatch.setenv("CCHC_NO_WORKER", "1")
    monkeypatch.setattr(cli, "_app_and_url", lambda: (app, "sqlite://"))
    monkeypatch.setattr("waitress.create_server", lambda *args, **kwargs: Server())
    monkeypatch.setattr(cli, "_raise_on_sigterm", lambda: None)
    args: Any = type("Args", (), {"workers": None, "host": "127.0.0.1", "port": 5399})()
    cli.cmd_serve(args)
    assert frozen and frozen[0] > 10_000
    assert services.calls == ["checkpoints", "close"]  # the WAL checkpoint thread started, then stopped on the way out
