"""``/healthz`` and ``/readyz``: public, cheap; readiness answers 503 with a Vietnamese message when the database is
out of reach or behind the code's newest migration."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from api import create_app
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
    assert "cchc init" in error["message"]
    assert error["details"] == {"database": ["0001"], "code": sorted(head_revisions())}
    assert api.get("/healthz").status_code == 200  # alive all the same: the orchestrator must not kill it


def test_not_ready_when_the_database_does_not_answer() -> None:
    app = create_app({"DATABASE_URL": UNREACHABLE_PG, "SECRET_KEY": "test", "TESTING": True})
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    error = assert_error(client.get("/readyz"), 503, "database_unavailable")
    assert error["message"] == "Không kết nối được cơ sở dữ liệu; máy chủ chưa sẵn sàng."
    app.extensions["cchc"].close()
