"""Local API: fan-out latency of the real-time API (POST an item -> its `item.created` on each of
the user's WebSocket connections), for 1, 10 and 100 connections of one user.

Starts `python -m local_api` in a subprocess (empty table, `--quiet`, no `--auth`: connections
take `?userId=`; the authorizer runs on connect only), creates one user, connects N clients
(`websockets`, one asyncio loop in this process), then one at a time POSTs an item and waits
until every client has its event. Figures: the write-to-delivery latency of every delivery (p50,
p99), and the spread between an event's first and last delivery (p50, p99): the pusher's fan-out
itself. The write-to-delivery path is the events' (stream pump with its 1 s batching window, relay,
SNS, SQS) plus the pusher's queue poll and its posts to the local @connections stand-in.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
from websockets.asyncio.client import ClientConnection, connect

from benchmarks._support import heading
from benchmarks.local_events import start_local_api

CONNECTION_COUNTS = (1, 10, 100)


async def delivered_at(socket: ClientConnection, item_id: str) -> float:
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), 60))
        if message["type"] == "item.created" and message["data"]["itemId"] == item_id:
            return time.perf_counter()


async def measure(
    outputs: dict[str, Any], user_id: str, connections: int, writes: int
) -> tuple[list[float], list[float]]:
    """(write-to-delivery latencies, per-event spreads), in ms."""
    url = f"{outputs['wsUrl']}/?userId={user_id}"
    sockets = [await connect(url) for _ in range(connections)]
    latencies, spreads = [], []
    try:
        with requests.Session() as http:
            for _ in range(writes):
                started = time.perf_counter()
                answer = await asyncio.to_thread(
                    http.post, f"{outputs['apiUrl']}/users/{user_id}/items", json={"task": "Fan me out"}, timeout=30
                )
                item_id = answer.json()["itemId"]
                times = await asyncio.gather(*(delivered_at(socket, item_id) for socket in sockets))
                latencies += [(at - started) * 1000 for at in times]
                spreads.append((max(times) - min(times)) * 1000)
    finally:
        await asyncio.gather(*(socket.close() for socket in sockets))
    return latencies, spreads


def percentiles(samples: list[float]) -> str:
    if len(samples) < 2:
        return f"p50 {samples[0]:.0f} ms"
    return f"p50 {statistics.median(samples):.0f} ms, p99 {statistics.quantiles(samples, n=100)[98]:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=20, help="items written per connection count (default 20)")
    writes = parser.parse_args().writes
    heading("Local API: POST /users/{id}/items -> item.created on each of the user's WebSocket connections")
    with tempfile.TemporaryDirectory(prefix="bench-realtime-") as directory:
        outputs_file = Path(directory) / "outputs.json"
        process = start_local_api(outputs_file)
        try:
            outputs = json.loads(outputs_file.read_text())
            body = {"email": "realtime-bench@example.com", "name": "Bench"}
            user_id = requests.post(f"{outputs['apiUrl']}/users", json=body, timeout=30).json()["userId"]
            for connections in CONNECTION_COUNTS:
                latencies, spreads = asyncio.run(measure(outputs, user_id, connections, writes))
                print(
                    f"{connections:>3} connections, {writes} writes: write-to-delivery {percentiles(latencies)};"
                    f" fan-out spread {percentiles(spreads)}"
                )
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
