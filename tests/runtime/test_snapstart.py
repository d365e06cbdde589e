"""SnapStart: only its start-up builds the DynamoDB client into the snapshot, and restored environments retry apart.

Each start-up is a fresh interpreter importing the handler as Lambda does, under Lambda's
`AWS_LAMBDA_INITIALIZATION_TYPE`; it refuses (and records) every name lookup and connection, so
a start-up that called AWS shows, and reaches nothing. A restore is simulated as Lambda performs
it: the `random` state the snapshot holds, then the after-restore hooks the handler registered.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from botocore.retries.standard import ExponentialBackoff, RetryContext

from runtime.snapstart import reseed_random
from runtime.writes import jitter

ROOT = Path(__file__).resolve().parents[2]

_START_UP = """
import json, random, socket, sys

connections = []
def refuse_lookup(host, *args, **kwargs):
    connections.append(str(host))
    raise socket.gaierror(host)
def refuse_connection(sock, address):
    connections.append(str(address))
    raise ConnectionRefusedError(address)
socket.getaddrinfo = refuse_lookup
socket.socket.connect = refuse_connection

import runtime.handler
from runtime import dependencies
from runtime.writes import jitter

report = {
    "connections": connections,
    "clients_built": dependencies.dynamodb_client.cache_info().currsize,
    "loaded": sorted({"runtime.snapstart", "snapshot_restore_py"} & set(sys.modules)),
}
if "snapshot_restore_py" in sys.modules:
    from snapshot_restore_py import get_after_restore

    hooks = get_after_restore()
    snapshot = random.getstate()

    def restore():
        random.setstate(snapshot)
        for hook, args, kwargs in hooks:
            hook(*args, **kwargs)
        return jitter(3)

    report["after_restore"] = [f"{hook.__module__}.{hook.__qualname__}" for hook, _, _ in hooks]
    report["jitter_after_each_restore"] = [restore(), restore()]
print(json.dumps(report))
"""


def _start_up(initialization_type: str | None) -> dict[str, Any]:
    environment = {
        "TABLE_NAME": "t",
        "IDEMPOTENCY_TABLE_NAME": "i",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_LAMBDA_FUNCTION_NAME": "api",
        "LAMBDA_TASK_ROOT": str(ROOT),
        "POWERTOOLS_METRICS_DISABLED": "true",
    }
    if initialization_type is not None:
        environment["AWS_LAMBDA_INITIALIZATION_TYPE"] = initialization_type
    completed = subprocess.run(  # noqa: S603 - this interpreter and a probe of our own
        [sys.executable, "-c", _START_UP], capture_output=True, text=True, check=True, cwd=ROOT, env=environment
    )
    report: dict[str, Any] = json.loads(completed.stdout)
    return report


@pytest.fixture(scope="module")
def snapshot_start_up() -> dict[str, Any]:
    return _start_up("snap-start")


def test_the_snapshot_holds_the_dynamodb_client_and_start_up_connected_nowhere(snapshot_start_up):
    assert snapshot_start_up["clients_built"] == 1
    assert snapshot_start_up["connections"] == []


def test_every_restore_reseeds_random_so_restored_environments_draw_different_jitter(snapshot_start_up):
    assert snapshot_start_up["after_restore"] == ["runtime.snapstart.reseed_random"]
    first, second = snapshot_start_up["jitter_after_each_restore"]
    assert first != second


@pytest.mark.parametrize("initialization_type", [None, "on-demand", "provisioned-concurrency"])
def test_any_other_start_up_leaves_the_client_to_the_first_request_and_loads_no_hooks(initialization_type):
    start_up = _start_up(initialization_type)

    assert start_up["clients_built"] == 0
    assert start_up["loaded"] == []
    assert start_up["connections"] == []


def _next_retry_delays(snapshot: tuple[Any, ...], *, reseeded: bool) -> tuple[float, float]:
    """The next write-retry jitter and botocore retry delay of an environment restored from `snapshot`."""
    random.setstate(snapshot)
    if reseeded:
        reseed_random()
    # Built as botocore's standard retry mode builds the DynamoDB client's: drawing from `random.random`.
    botocore_backoff = ExponentialBackoff(service_name="dynamodb")
    return jitter(3), botocore_backoff.delay_amount(RetryContext(attempt_number=4))


@pytest.fixture
def snapshot() -> tuple[Any, ...]:
    """The `random` state a snapshot would hand every environment restored from it."""
    return random.getstate()


def test_reseeded_environments_retry_apart_in_our_writes_and_in_botocore(snapshot):
    (ours, botocores), (other_ours, other_botocores) = (_next_retry_delays(snapshot, reseeded=True) for _ in range(2))

    assert ours != other_ours
    assert botocores != other_botocores


def test_without_the_reseed_restored_environments_would_retry_in_lockstep(snapshot):
    assert _next_retry_delays(snapshot, reseeded=False) == _next_retry_delays(snapshot, reseeded=False)
