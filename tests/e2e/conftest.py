"""A real local API: `python -m local_api` in a subprocess on a free port, driven over HTTP.

With `API_URL` set (`make e2e API_URL=…`), the same tests run against that API instead, a local
API started apart or a deployed stack: what needs the embedded database (inspecting the table) or
a local API of its own, and what only the local API does (`local_only`), is skipped.

Against an API with an authorizer, `TOKEN` is one user's access token: every request carries it,
and that user is the only one the tests can have. Each test that asks for a user gets it afresh
(deleted and signed up again, with the token's verified email); a test that needs a second user,
or calls anonymously (`open_api`), is skipped. The tests then run one at a time.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import boto3
import jwt
import pytest
import requests

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# A front-end origin besides the dev stack's own, given on the command line.
EXTRA_CORS_ORIGIN = "http://localhost:8080"
_DATABASE_LINE = re.compile(r"DynamoDB \(moto\) on (?P<endpoint>\S+) \(table (?P<table>[^)]+)\)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LocalApi:
    process: subprocess.Popen[str]
    url: str
    announcement: list[str]
    outputs_file: Path

    @property
    def table(self) -> Any:
        match = next(m for line in self.announcement if (m := _DATABASE_LINE.search(line)))
        resource = boto3.resource(
            "dynamodb",
            endpoint_url=match["endpoint"],
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        return resource.Table(match["table"])

    def table_records(self) -> list[dict[str, Any]]:
        """The whole table (test inspection only: the API never scans)."""
        return sorted(self.table.scan(ConsistentRead=True)["Items"], key=lambda r: (r["PK"], r["SK"]))

    def aws_client(self, service: str) -> Any:
        """A boto3 client of the embedded moto server, found as a user finds it: in the outputs file."""
        return boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=read_outputs(self)["awsEndpointUrl"],
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    @property
    def issuer(self) -> str:
        """The `--auth` server's jwtIssuer, which carries its WebSocket API's port (serving its keys)."""
        return str(read_outputs(self)["jwtIssuer"])

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=30)


def start_local_api(tmp_path: Path, *options: str, stderr: IO[str] | int = subprocess.DEVNULL) -> LocalApi:
    if REMOTE_API_URL:
        pytest.skip("starts a local API of its own; the suite runs against API_URL")
    port = free_port()
    outputs_file = tmp_path / f"outputs-{port}.json"
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    process = subprocess.Popen(  # noqa: S603 - our own entry point
        [
            *(sys.executable, "-m", "local_api", "--port", str(port), "--ws-port", "0"),
            *("--outputs-file", str(outputs_file), *options),
        ],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    announcement = []
    assert process.stdout is not None
    for line in process.stdout:
        announcement.append(line.rstrip())
        if line.startswith("Ctrl-C"):
            break
    else:
        raise RuntimeError(f"the local API did not start: {announcement}")
    api = LocalApi(process, f"http://127.0.0.1:{port}", announcement, outputs_file)
    _wait_until_healthy(api.url)
    return api


def _wait_until_healthy(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError("the local API never became healthy")


# The API the suite drives when it is not the one it starts itself, and one user's token for it.
REMOTE_API_URL = os.environ.get("API_URL", "").rstrip("/")
REMOTE_TOKEN = os.environ.get("TOKEN", "").removeprefix("Bearer ").strip()


@dataclass
class RemoteApi:
    """An API the suite did not start: reachable over HTTP, and nothing else."""

    url: str

    @property
    def table(self) -> Any:
        pytest.skip("inspects the embedded database, which an API at API_URL does not expose")

    def table_records(self) -> list[dict[str, Any]]:
        pytest.skip("inspects the embedded database, which an API at API_URL does not expose")


def pytest_configure(config: pytest.Config) -> None:
    if REMOTE_TOKEN and not REMOTE_API_URL:
        raise pytest.UsageError("TOKEN is for the API at API_URL; the local APIs the suite starts mint their own")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not REMOTE_API_URL:
        return
    for item in items:
        if item.get_closest_marker("local_only"):
            item.add_marker(pytest.mark.skip(reason="tests what only the local API does, not an API at API_URL"))
        elif REMOTE_TOKEN and item.get_closest_marker("open_api"):
            item.add_marker(pytest.mark.skip(reason="calls anonymously or as many users; TOKEN is one user's"))


def auth_headers() -> dict[str, str]:
    """What every request of the suite carries: the token, when TOKEN gives one."""
    return {"Authorization": f"Bearer {REMOTE_TOKEN}"} if REMOTE_TOKEN else {}


@pytest.fixture(scope="session")
def local_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalApi | RemoteApi]:
    if REMOTE_API_URL:
        yield RemoteApi(REMOTE_API_URL)
        return
    api = start_local_api(
        tmp_path_factory.mktemp("local-api"),
        *("--no-demo-data", "--concurrency", "4", "--quiet", "--cors-origin", EXTRA_CORS_ORIGIN),
    )
    yield api
    api.stop()


@pytest.fixture
def http(local_api: LocalApi) -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers.update(auth_headers())
        yield session


def _unique_email() -> str:
    return f"user-{time.monotonic_ns()}@example.com"


def _token_user_email(session: requests.Session, url: str) -> str:
    """Make way for the token's user to sign up again: delete it, and name the email it must use.

    The claims are read, not verified: the API verifies them.
    """
    claims = jwt.decode(REMOTE_TOKEN, options={"verify_signature": False})
    response = session.delete(f"{url}/users/{claims['sub']}", timeout=10)
    assert response.status_code in (204, 404), response.text
    verified = str(claims.get("email_verified")).lower() == "true" and claims.get("email")
    return str(verified) if verified else _unique_email()


@pytest.fixture
def sign_up(local_api: LocalApi, http: requests.Session) -> Any:
    """POST /users for a new user with a unique email (the token's user, with TOKEN); returns the response."""
    signed_up = 0

    def create(name: str = "Test User") -> requests.Response:
        nonlocal signed_up
        if REMOTE_TOKEN and signed_up:
            pytest.skip("needs a second user; TOKEN is one user's")
        signed_up += 1
        email = _token_user_email(http, local_api.url) if REMOTE_TOKEN else _unique_email()
        return http.post(f"{local_api.url}/users", json={"email": email, "name": name}, timeout=10)

    return create


@pytest.fixture
def new_user(sign_up: Any) -> Any:
    """Create a user with a unique email; returns the user's JSON."""

    def create(name: str = "Test User") -> dict[str, Any]:
        response = sign_up(name)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return create


def read_outputs(api: LocalApi) -> dict[str, Any]:
    return dict(json.loads(api.outputs_file.read_text()))
