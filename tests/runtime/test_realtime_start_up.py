"""Each WebSocket function starts with exactly the environment the stack gives it (its declared
variables): none needs another function's settings (the routes function runs in stacks without an
authorizer, whose settings it never gets)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from components import lambda_package
from runtime import config

ROOT = Path(__file__).resolve().parents[2]
# Values as the stack sets them, for the settings that are checked beyond being present.
_VALUES = {config.CONNECT_AUTH.name: "query", config.JWT_AUDIENCES.name: "client"}
FUNCTIONS = [
    pytest.param(lambda_package.WEBSOCKET_AUTHORIZER_HANDLER, config.AUTHORIZER_ENVIRONMENT, id="authorizer"),
    pytest.param(lambda_package.WEBSOCKET_ROUTES_HANDLER, config.CONNECTIONS_ENVIRONMENT, id="routes"),
    pytest.param(lambda_package.WEBSOCKET_PUSHER_HANDLER, config.PUSHER_ENVIRONMENT, id="pusher"),
]


def _start(handler: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    module = handler.rsplit(".", 1)[0]
    return subprocess.run(  # noqa: S603 - this interpreter and a module of our own
        [sys.executable, "-c", f"import {module}"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_TRACE_DISABLED": "true", **environment},
    )


def _declared(declared: tuple[config.EnvironmentVariable, ...]) -> dict[str, str]:
    return {v.name: _VALUES.get(v.name, v.default or "x") for v in declared if v.required or v.name in _VALUES}


@pytest.mark.parametrize(("handler", "declared"), FUNCTIONS)
def test_each_function_starts_with_its_declared_environment_alone(handler, declared):
    started = _start(handler, _declared(declared))

    assert started.returncode == 0, started.stderr
