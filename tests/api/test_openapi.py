"""The OpenAPI document is valid, matches the routes, and a bounded schemathesis run finds no 5xx."""

from __future__ import annotations

import re

import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate

from tests.api.conftest import Api


def test_openapi_document_validates_and_matches_routes(api: Api) -> None:
    spec = api.get("/api/v1/openapi.json").json
    validate(spec)
    documented = {(m.upper(), path) for path, item in spec["paths"].items() for m in item if m != "parameters"}
    routes = set()
    for rule in api.app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.rule in ("/api/v1/openapi.json", "/api/v1/docs"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
        routes |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == routes


def test_docs_page_is_browsable(api: Api) -> None:
    page = api.get("/api/v1/docs")
    assert page.status_code == 200 and "Tài liệu API" in page.get_data(as_text=True)
    assert "/api/v1/process-instances" in page.get_data(as_text=True)


def test_schemathesis_finds_no_server_errors(api: Api) -> None:
    """Every operation, a bounded number of generated requests each, as an administrator: no 5xx."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api.app)
    headers = {"Authorization": f"Bearer {api.token('admin')}"}
    server_errors: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call(headers=headers)
            if response.status_code >= 500:
                server_errors.append(f"{case.method} {case.formatted_path} → {response.status_code}")

        run()
    assert operations >= 20
    assert server_errors == []
