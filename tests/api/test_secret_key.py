"""The generated secret key: created whole and private by the first of several web processes, read by the others."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path

import pytest

from api import _secret_key


def _read_key(folder: str, barrier: multiprocessing.synchronize.Barrier, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    barrier.wait()
    out.put(_secret_key(Path(folder)))


def test_processes_starting_together_share_one_private_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CCHC_SECRET_KEY", raising=False)
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=_read_key, args=(str(tmp_path), barrier, out)) for _ in range(4)]
    for p in procs:
        p.start()
    keys = {out.get(timeout=60) for _ in procs}
    for p in procs:
        p.join(timeout=60)
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no partial file left behind
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
