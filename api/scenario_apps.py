"""HTTP clients of the isolated engines a draft's scenarios run in: one Flask app per run (the same API as the
live one, on the isolated services), its services swapped for each scenario's fresh copy."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from . import create_app


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
                    "RATELIMIT_ENABLED": False,
                    "SCENARIOS_ON_DEPLOY": False,
                }
            )
        else:
            self._app.extensions["cchc"] = services
        return self._app.test_client()
