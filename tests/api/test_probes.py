"""``/healthz`` and ``/readyz``: public, cheap; readiness answers 503 with a Vietnamese message when the database is
out of reach or behind the code's newest migration."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from api import cli, create_app
from tests.api.conftest import Api, assert_error
from workflows.schema import head_revisions

UNREACHABLE_PG = "postgresql://postgres@127.0.0.1:5129/nothing"  # a port of this suite's range where nothing listens


def test_health_and_readiness_need_no_login_and_are_not_cached(api: Api) -> None:
    health = api.get("/healthz")
    assert health.status_code == 200 and health.json == {"status": "ok"}
    ready = api.get("/readyz")
    assert ready.status_code == 200 and ready.json == {"status": "ready"}
    assert health.headers["Cache-Control"] == ready.headers["Cache-Control"] == "no-store"


def test_not_ready_while_the_schema_is_behind_the_code(api: Api) -> None:
    url = api.app.config["DATABASE_URL"]
    sql = create_engine(url)
    with sql.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    sql.dispose()
    error = assert_error(api.get("/readyz"), 503, "schema_outdated")
    assert "cchc migrate" in error["message"]
    assert error["details"] == {"database": ["0001"], "code": sorted(head_revisions())}
    assert api.get("/healthz").status_code == 200  # alive all the same: the orchestrator must not kill it
    with sql.begin() as conn:  # a release's migration ran before this process restarted: it still serves
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_next_release'"))
    sql.dispose()
    assert api.get("/readyz").status_code == 200
    with sql.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
    sql.dispose()
    assert_error(api.get("/readyz"), 503, "schema_outdated")


def test_not_ready_when_the_database_does_not_answer() -> None:
    app = create_app({"DATABASE_URL": UNREACHABLE_PG, "SECRET_KEY": "test", "TESTING": True})
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    error = assert_error(client.get("/readyz"), 503, "database_unavailable")
    assert error["message"] == "Không kết nối được cơ sở dữ liệu; máy chủ chưa sẵn sàng."
    app.extensions["cchc"].close()


def test_cchc_migrate_brings_an_empty_database_to_ready(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("CCHC_DATABASE_URL", url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "TESTING": True})
    client = app.test_client()
    assert_error(client.get("/readyz"), 503, "schema_outdated")
    assert cli.main(["migrate"]) == 0
    assert client.get("/readyz").status_code == 200
    with app.extensions["cchc"].read() as uow:  # the schema only: no demo accounts
        assert uow.session.scalar(text("SELECT count(*) FROM app_user")) == 0
    app.extensions["cchc"].close()


@pytest.mark.parametrize("argv", [["--workers", "0"], ["--workers", "2", "--threads", "0"]])
def test_serve_refuses_no_web_process_or_thread(argv: list[str]) -> None:
    with pytest.raises(SystemExit, match="lớn hơn 0"):
        cli.main(["serve", *argv])
