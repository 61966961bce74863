"""HTTP clients of the isolated engines a draft's scenarios run in: one Flask app per run (the same API as the
live one, on the isolated services), its services swapped for each scenario's fresh copy."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from . import create_app

# The address a scenario's requests come from (TEST-NET-1, never a real client's): should the process-wide login
# limiter count one of their failed logins, it is this address's, not anyone's.
SCENARIO_ADDRESS = "192.0.2.1"


class ScenarioClients:
    """Called with an isolated engine's services, gives a test client of the API on them."""

    def __init__(self) -> None:
        self._app: Flask | None = None

    def __call__(self, services: Any) -> FlaskClient:
        if self._app is None:
            self._app = create_app(
                {
                    "SERVICES": services,
                    "SECRET_KEY": secrets.token_hex(32),
                    "TESTING": True,
                    "RATE_LIMITER": False,
                    "SCENARIOS_ON_DEPLOY": False,
                }
            )
        else:
            self._app.extensions["cchc"] = services
        client = self._app.test_client()
        client.environ_base["REMOTE_ADDR"] = SCENARIO_ADDRESS
        return client
