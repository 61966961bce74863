"""Schemathesis over every operation with valid and invalid data: never a 5xx, every refusal our Vietnamese body."""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.api.conftest import Api
from tests.api.hostile.support import VIETNAMESE

EXAMPLES = {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 8}


def test_generated_requests_never_get_a_server_error(api: Api) -> None:
    """Bounded: a handful of examples per operation and mode (about 15 s of CPU on the CI machine)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api.app)
    headers = {"Authorization": f"Bearer {api.token('admin')}"}
    failures: list[str] = []
    counts = dict.fromkeys(EXAMPLES, 0)

    def check(case: Any, mode: GenerationMode) -> None:
        counts[mode] += 1
        response = case.call(headers=headers)
        where = f"{mode.value} {case.method} {case.formatted_path} {case.query or ''} → {response.status_code}"
        if response.status_code >= 500:
            failures.append(f"{where}: {response.text[:200]}")
        elif response.status_code >= 400 and "json" in response.headers.get("Content-Type", ""):
            body = response.json()
            error = body.get("error") if isinstance(body, dict) else None
            if not (
                isinstance(error, dict)
                and set(error) == {"code", "message", "details"}
                and VIETNAMESE.search(str(error["message"]))
            ):
                failures.append(f"{where}: not our error body: {response.text[:200]}")

    def runner(operation: Any, mode: GenerationMode) -> Any:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES[mode], deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: Any) -> None:
            check(case, mode)

        return run

    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode in EXAMPLES:
            runner(operation, mode)()
    assert len(operations) >= 20
    assert counts[GenerationMode.NEGATIVE] >= 3 * len(operations)  # invalid data really was sent
    assert failures == []


# NaN and Infinity cannot be sent through schemathesis (its JSON writer refuses them): see test_json_bodies.py.
HOSTILE = [
    "\x00",
    "a\x00b",
    "\ud800",
    "\u202eevil",
    "periodic_r\u0435port",
    "' OR '1'='1' --",
    "x" * 5000,
    "9999-12-31",
    "0001-01-01",
    "2024-02-30",
    "9999-12-31T23:59:59-12:00",
    -1,
    0,
    2**31,
    2**53,
    2**63,
    10**400,
    -(10**400),
    1e308,
    True,
    None,
    [],
    {},
    json.loads("[" * 100 + "]" * 100),
]


def test_hostile_values_in_otherwise_valid_requests_never_get_a_server_error(api: Api) -> None:
    """Valid requests (positive mode) with one query parameter, path parameter or body field made hostile."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api.app)
    headers = {"Authorization": f"Bearer {api.token('admin')}"}
    failures: list[str] = []
    sent = [0]

    def runner(operation: Any) -> Any:
        @given(case=operation.as_strategy(), data=st.data())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: Any, data: st.DataObject) -> None:
            # a JSON body takes any value; multipart parts, like URLs, are text the client must encode itself
            json_body = case.body if "json" in (case.media_type or "") else None
            places = [
                (name, container)
                for name, container in (("query", case.query), ("path", case.path_parameters), ("body", json_body))
                if isinstance(container, dict) and container
            ]
            if not places:
                return
            where, container = data.draw(st.sampled_from(places))
            key = data.draw(st.sampled_from(sorted(container)))
            value = data.draw(st.sampled_from(HOSTILE))
            if where != "body":  # a URL carries text, and cannot carry a lone surrogate at all
                value = str(value).replace("\ud800", "\ufffd")
            container[key] = value
            sent[0] += 1
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.path} {where}.{key}={str(value)[:40]!r} → {response.status_code}")

        return run

    for result in schema.get_all_operations():
        runner(result.ok())()
    assert sent[0] >= 100
    assert failures == []
