"""Local API: write-to-queue latency of domain events (POST an item -> its `item.created` on the queue).

Starts `python -m local_api` in a subprocess (empty table, `--quiet`), creates one user, then one at
a time POSTs an item and long-polls the local integration queue until that item's event arrives.
The figure is the whole local path: HTTP, handler, moto's stream, the pump's polling (every 0.25 s)
and its 1 s batching window, the relay in-process, SNS and SQS. The batching window dominates it,
as it does on AWS, where the mapping's polling adds to it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3

from benchmarks._support import REPO_ROOT, clean_environment, heading
from local_api.embedded_aws import CREDENTIALS


def start_local_api(outputs_file: Path, *options: str) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        "-m",
        "local_api",
        "--port",
        "0",
        "--ws-port",
        "0",
        "--no-demo-data",
        "--quiet",
        *options,
    ]
    process = subprocess.Popen(
        [*command, "--outputs-file", str(outputs_file)],
        cwd=REPO_ROOT,
        env=clean_environment({}),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("Ctrl-C"):
            break
    return process


def post(connection: http.client.HTTPConnection, path: str, body: dict[str, str]) -> dict[str, Any]:
    connection.request("POST", path, body=json.dumps(body), headers={"content-type": "application/json"})
    response = connection.getresponse()
    answer = json.loads(response.read())
    assert response.status == 201, answer
    return dict(answer)


def wait_for_event(sqs: Any, queue_url: str, wanted: Callable[[dict[str, Any]], bool]) -> None:
    """Until an event `wanted` holds for comes; the queue's other events are deleted on the way."""
    while True:
        answer = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=5)
        messages = answer.get("Messages", [])
        for message in messages:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        if any(wanted(json.loads(message["Body"])) for message in messages):
            return


def created_event_of(item_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda event: event["type"] == "item.created" and event["data"].get("itemId") == item_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=40, help="items written, one at a time (default 40)")
    writes = parser.parse_args().writes
    heading("Local API: POST /users/{id}/items -> item.created on the local integration queue")
    with tempfile.TemporaryDirectory(prefix="bench-local-events-") as directory:
        outputs_file = Path(directory) / "outputs.json"
        process = start_local_api(outputs_file)
        try:
            outputs = json.loads(outputs_file.read_text())
            host, port = outputs["apiUrl"].removeprefix("http://").rsplit(":", 1)
            sqs = boto3.client(
                "sqs",
                endpoint_url=outputs["awsEndpointUrl"],
                region_name=outputs["region"],
                aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            )
            connection = http.client.HTTPConnection(host, int(port), timeout=30)
            user = post(connection, "/users", {"email": "events-bench@example.com", "name": "Bench"})
            wait_for_event(sqs, outputs["eventsQueueUrl"], lambda event: event["type"] == "user.created")
            latencies_ms = []
            for _ in range(writes):
                started = time.perf_counter()
                item = post(connection, f"/users/{user['userId']}/items", {"task": "Benchmark task"})
                wait_for_event(sqs, outputs["eventsQueueUrl"], created_event_of(item["itemId"]))
                latencies_ms.append((time.perf_counter() - started) * 1000)
        finally:
            process.terminate()
            process.wait(timeout=30)
    p99 = statistics.quantiles(latencies_ms, n=100)[98]
    print(f"{writes} writes: p50 {statistics.median(latencies_ms):.0f} ms, p99 {p99:.0f} ms")


if __name__ == "__main__":
    main()
