"""Local API over HTTP: requests/s and latency of `python -m local_api`, as a front-end drives it.

Starts the local API in a subprocess (empty table, `--quiet`, 4 handler instances), creates one
user and one item, then for GET (the item) and POST (a new item) with 1, 4 and 16 client threads,
each with and without keep-alive, sends requests for a fixed time and prints requests/s, p50 and
p99 latency and any failures (resets, non-2xx). The whole stack is measured: socket, uvicorn,
gateway, worker pool, handler and moto; the 40 ms steps of Nagle plus delayed ACK would show on
keep-alive rows.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from benchmarks._support import REPO_ROOT, clean_environment, heading

CLIENTS = (1, 4, 16)


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    failures: int = 0
    created_item_ids: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    user_id: str
    item_id: str


def _request(connection: http.client.HTTPConnection, method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
    headers = {"content-type": "application/json"} if body is not None else {}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def _client(target: Target, method: str, keep_alive: bool, deadline: float, tally: Tally) -> None:
    path = f"/users/{target.user_id}/items" + ("" if method == "POST" else f"/{target.item_id}")
    body = b'{"task": "Benchmark task"}' if method == "POST" else None
    connection = http.client.HTTPConnection(target.host, target.port, timeout=30)
    latencies, failures, created = [], 0, []
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            status, answer = _request(connection, method, path, body)
        except (OSError, http.client.HTTPException):
            status, answer = 0, b""
            connection.close()
        latencies.append((time.perf_counter() - started) * 1000)
        failures += not 200 <= status < 300
        if method == "POST" and status == 201:
            created.append(json.loads(answer)["itemId"])
        if not keep_alive:
            connection.close()
    connection.close()
    with tally.lock:
        tally.latencies_ms += latencies
        tally.failures += failures
        tally.created_item_ids += created


def delete_items(target: Target, item_ids: list[str]) -> None:
    """Untimed: moto copies the whole table on every transaction, so POST rows must not grow it."""
    connection = http.client.HTTPConnection(target.host, target.port, timeout=30)
    for item_id in item_ids:
        _request(connection, "DELETE", f"/users/{target.user_id}/items/{item_id}", None)
    connection.close()


def measure(target: Target, method: str, clients: int, keep_alive: bool, seconds: float) -> str:
    tally = Tally()
    deadline = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=_client, args=(target, method, keep_alive, deadline, tally)) for _ in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    delete_items(target, tally.created_item_ids)
    ordered = sorted(tally.latencies_ms)
    p99 = statistics.quantiles(ordered, n=100)[98] if len(ordered) > 1 else ordered[0]
    return (
        f"{method:<5} {clients:>3} {'keep-alive' if keep_alive else 'close':<11}"
        f"{len(ordered) / elapsed:>9.0f} {statistics.median(ordered):>9.1f} {p99:>9.1f} {tally.failures:>9}"
    )


def start_local_api() -> tuple[subprocess.Popen[str], int]:
    command = [sys.executable, "-m", "local_api", "--port", "0", "--no-demo-data", "--quiet", "--concurrency", "4"]
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=clean_environment({}), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    first = process.stdout.readline()  # "Local API on http://127.0.0.1:<port>  (OpenAPI: …"
    for line in process.stdout:
        if line.startswith("Ctrl-C"):
            break
    return process, int(first.split()[3].rsplit(":", 1)[1])


def seed(host: str, port: int) -> Target:
    connection = http.client.HTTPConnection(host, port, timeout=30)
    json_type = {"content-type": "application/json"}
    connection.request("POST", "/users", body=b'{"email": "bench@example.com", "name": "Bench"}', headers=json_type)
    user = json.loads(connection.getresponse().read())
    connection.request("POST", f"/users/{user['userId']}/items", body=b'{"task": "Read me"}', headers=json_type)
    item = json.loads(connection.getresponse().read())
    connection.close()
    return Target(host, port, user["userId"], item["itemId"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per row (default 2)")
    seconds = parser.parse_args().seconds
    heading("Local API over HTTP (python -m local_api, 4 handler instances)")
    process, port = start_local_api()
    try:
        target = seed("127.0.0.1", port)
        print(f"{'route':<5} {'cli':>3} {'connection':<11}{'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'failures':>9}")
        for method in ("GET", "POST"):
            for keep_alive in (True, False):
                for clients in CLIENTS:
                    print(measure(target, method, clients, keep_alive, seconds), flush=True)
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
