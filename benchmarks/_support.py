"""What the benchmarks share: Lambda's environment, an X-Ray daemon stand-in, stdout silencing, verdicts."""

from __future__ import annotations

import os
import secrets
import socket
import statistics
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TABLE_NAME = "users-items-bench"
IDEMPOTENCY_TABLE_NAME = "users-items-idempotency-bench"
FUNCTION_NAME = "users-items-bench"
REGION = "us-east-1"

# Variables the benchmarks set themselves; anything inherited that points elsewhere is dropped.
_DROPPED = (
    "AWS_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "POWERTOOLS_TRACE_DISABLED",
    "POWERTOOLS_METRICS_DISABLED",
    "POWERTOOLS_LOG_LEVEL",
    "POWERTOOLS_DEV",
    "AWS_SAM_LOCAL",
    "AWS_CHALICE_CLI_MODE",
)


def new_trace_header() -> str:
    """An `_X_AMZN_TRACE_ID` as Lambda sets it per invocation with active tracing, sampled."""
    root = f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"
    return f"Root={root};Parent={secrets.token_hex(8)};Sampled=1"


def lambda_environment(task_root: Path, xray_daemon: str) -> dict[str, str]:
    """The variables the Lambda Python runtime sets, plus the function's own (see runtime/config.py)."""
    return {
        "AWS_LAMBDA_FUNCTION_NAME": FUNCTION_NAME,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{FUNCTION_NAME}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/01/01/[$LATEST]0123456789abcdef",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "LAMBDA_TASK_ROOT": str(task_root),
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "AWS_XRAY_DAEMON_ADDRESS": xray_daemon,
        "_AWS_XRAY_DAEMON_ADDRESS": xray_daemon.split(":")[0],
        "_AWS_XRAY_DAEMON_PORT": xray_daemon.split(":")[1],
        "_X_AMZN_TRACE_ID": new_trace_header(),
        "TABLE_NAME": TABLE_NAME,
        "IDEMPOTENCY_TABLE_NAME": IDEMPOTENCY_TABLE_NAME,
        "POWERTOOLS_SERVICE_NAME": "users-items-api",
        "POWERTOOLS_METRICS_NAMESPACE": "UsersItemsApi",
        "TZ": ":UTC",
        "LANG": "en_US.UTF-8",
    }


def apply_environment(variables: Mapping[str, str]) -> None:
    for name in _DROPPED:
        os.environ.pop(name, None)
    os.environ.update(variables)


def clean_environment(variables: Mapping[str, str]) -> dict[str, str]:
    """The parent's environment with `variables` applied, for a child process."""
    environment = {name: value for name, value in os.environ.items() if name not in _DROPPED}
    environment.update(variables)
    return environment


class XRayDaemonSink:
    """A UDP socket standing in for the X-Ray daemon, so traced invocations send their segments somewhere."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.setblocking(False)
        self.packets = 0

    @property
    def address(self) -> str:
        host, port = self._socket.getsockname()
        return f"{host}:{port}"

    def drain(self) -> int:
        """Read what arrived; returns the number of packets (segments and subsegments) so far."""
        while True:
            try:
                self._socket.recv(65536)
            except BlockingIOError:
                return self.packets
            self.packets += 1

    def close(self) -> None:
        self._socket.close()


@contextmanager
def stdout_silenced() -> Iterator[None]:
    """Send file descriptor 1 to /dev/null: log lines and EMF metrics still get written, unseen.

    Redirecting the descriptor (not `sys.stdout`) also covers handlers that kept a reference to
    the original stream at import, as powertools' Logger does.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(devnull)
        os.close(saved)


def verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "MISS"


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def spread(samples: Sequence[float]) -> str:
    """min / p25 / median / p75 / max, for a line of context under a median."""
    ordered = sorted(samples)
    quartiles = statistics.quantiles(ordered, n=4)
    low, middle, high = quartiles
    return f"min {ordered[0]:.2f}  p25 {low:.2f}  median {middle:.2f}  p75 {high:.2f}  max {ordered[-1]:.2f}"


def heading(title: str) -> None:
    print()
    print(title)
    print("=" * len(title))
