"""A real local API: `python -m local_api` in a subprocess on a free port, driven over HTTP.

With `API_URL` set (`make e2e API_URL=…`), the same tests run against that API instead, a local
API started apart or an open deployed stack: what needs the embedded database (inspecting the
table) or a local API of its own, and what only the local API does (`local_only`), is skipped.
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
        [sys.executable, "-m", "local_api", "--port", str(port), "--outputs-file", str(outputs_file), *options],
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


# The API the suite drives when it is not the one it starts itself.
REMOTE_API_URL = os.environ.get("API_URL", "").rstrip("/")


@dataclass
class RemoteApi:
    """An API the suite did not start: reachable over HTTP, and nothing else."""

    url: str

    @property
    def table(self) -> Any:
        pytest.skip("inspects the embedded database, which an API at API_URL does not expose")

    def table_records(self) -> list[dict[str, Any]]:
        pytest.skip("inspects the embedded database, which an API at API_URL does not expose")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not REMOTE_API_URL:
        return
    for item in items:
        if item.get_closest_marker("local_only"):
            item.add_marker(pytest.mark.skip(reason="tests what only the local API does, not an API at API_URL"))


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
        yield session


@pytest.fixture
def new_user(local_api: LocalApi, http: requests.Session) -> Any:
    """Create a user with a unique email; returns the user's JSON."""

    def create(name: str = "Test User") -> dict[str, Any]:
        email = f"user-{time.monotonic_ns()}@example.com"
        response = http.post(f"{local_api.url}/users", json={"email": email, "name": name}, timeout=10)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return create


def read_outputs(api: LocalApi) -> dict[str, Any]:
    return dict(json.loads(api.outputs_file.read_text()))
