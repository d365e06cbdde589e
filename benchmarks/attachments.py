"""Attachments: the API's DynamoDB round trips per attachment route, and the local upload-to-READY latency.

Round trips: each attachment route through `runtime.handler.lambda_handler` on moto, counted by
the botocore hook of `round_trips` on the runtime's client (presigning makes no call).
**Target: POST 2 (GetItem of the item, UpdateItem of its attachments at the version read), GET 1,
DELETE 1.**

Latency: `python -m local_api` in a subprocess; one at a time, declare a PNG, POST it to the
embedded S3 with the presigned form, then GET the attachment until it is READY. Figures: from the
upload's answer to READY (S3's notification to SQS, the local queue feed's polling every 0.1 s,
the processor's check and copy), and the whole declare + upload + READY. No target: locally the
poll interval dominates; on AWS, S3's notification and Lambda's SQS poller do.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import requests

from benchmarks._support import REPO_ROOT, apply_environment, heading, stdout_silenced
from benchmarks.local_events import start_local_api
from benchmarks.round_trips import Case, Measured, environment, print_table

BUCKET = "users-items-attachments-bench"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(4096)


def round_trips() -> None:
    apply_environment({**environment(), "ATTACHMENTS_BUCKET": BUCKET})
    warnings.filterwarnings("ignore", "No application metrics to publish")
    sys.path.insert(0, str(REPO_ROOT))

    import boto3
    from moto import mock_aws

    from runtime import dependencies
    from runtime.models import AttachmentStatus
    from runtime.table_schema import create_idempotency_table_request, create_table_request
    from tests.support.dynamodb_calls import DynamoDBCallRecorder
    from tests.support.events import LambdaContext, http_event

    heading("Attachments: DynamoDB calls per request (botocore hook on the runtime's client)")
    results: list[Measured] = []
    with mock_aws(), stdout_silenced():
        from runtime.handler import lambda_handler

        for cached in (dependencies.dynamodb_client, dependencies.get_attachment_repository, dependencies.s3_client):
            cached.cache_clear()
        database = boto3.client("dynamodb")
        database.create_table(**create_table_request(environment()["TABLE_NAME"]))
        database.create_table(**create_idempotency_table_request(environment()["IDEMPOTENCY_TABLE_NAME"]))
        recorder = DynamoDBCallRecorder()
        recorder.attach(dependencies.dynamodb_client())
        context = LambdaContext()

        def call(case: Case) -> dict[str, Any]:
            recorder.reset()
            response = lambda_handler(http_event(case.method, case.path, **case.options), context)
            results.append(Measured(case, response["statusCode"], Counter(recorder.calls)))
            return json.loads(response["body"]) if response.get("body") else {}

        user = json.loads(
            lambda_handler(http_event("POST", "/users", body={"email": "a@example.com", "name": "A"}), context)["body"]
        )
        item_path = f"/users/{user['userId']}/items"
        item = json.loads(lambda_handler(http_event("POST", item_path, body={"task": "t"}), context)["body"])
        attachments = f"{item_path}/{item['itemId']}/attachments"
        declared = {"fileName": "chart.png", "contentType": "image/png", "size": len(PNG)}
        created = call(Case("POST .../attachments", "POST", attachments, {"body": declared}, 201, 2))
        one = f"{attachments}/{created['attachmentId']}"
        call(Case("GET .../attachments/{attachmentId}  (PENDING)", "GET", one, {}, 409, 1))
        # As the processor leaves it once the upload checks out (not counted: not the API's call).
        dependencies.get_attachment_repository().settle(
            user["userId"], item["itemId"], created["attachmentId"], AttachmentStatus.READY, None
        )
        call(Case("GET .../attachments/{attachmentId}  (READY, download URL)", "GET", one, {}, 200, 1))
        call(Case("DELETE .../attachments/{attachmentId}", "DELETE", one, {}, 204, 1))
        call(
            Case(
                "GET /users/{userId}/items/{itemId}  (with attachments)",
                "GET",
                f"{item_path}/{item['itemId']}",
                {},
                200,
                1,
            )
        )
    print_table(results)
    met = sum(m.verdict == "OK" for m in results)
    print(f"targets met: {met}/{len(results)}  ->  {'PASS' if met == len(results) else 'MISS'}")


def upload_latency(uploads: int) -> None:
    heading("Local API: presigned upload -> READY (S3 notification, SQS, the processor in-process)")
    with tempfile.TemporaryDirectory(prefix="bench-attachments-") as directory:
        outputs_file = Path(directory) / "outputs.json"
        process = start_local_api(outputs_file)
        try:
            api = json.loads(outputs_file.read_text())["apiUrl"]
            session = requests.Session()
            user = session.post(f"{api}/users", json={"email": "bench@example.com", "name": "Bench"}, timeout=10).json()
            item = session.post(f"{api}/users/{user['userId']}/items", json={"task": "t"}, timeout=10).json()
            attachments = f"{api}/users/{user['userId']}/items/{item['itemId']}/attachments"
            to_ready, whole = [], []
            for _ in range(uploads):
                started = time.perf_counter()
                declared = {"fileName": "chart.png", "contentType": "image/png", "size": len(PNG)}
                created = session.post(attachments, json=declared, timeout=10).json()
                upload = created["upload"]
                sent = requests.post(upload["url"], data=upload["fields"], files={"file": PNG}, timeout=10)
                assert sent.status_code == 204, sent.text
                uploaded = time.perf_counter()
                while session.get(f"{attachments}/{created['attachmentId']}", timeout=10).status_code == 409:
                    time.sleep(0.005)
                ready = time.perf_counter()
                to_ready.append((ready - uploaded) * 1000)
                whole.append((ready - started) * 1000)
                session.delete(f"{attachments}/{created['attachmentId']}", timeout=10)
        finally:
            process.terminate()
            process.wait(timeout=30)
    for label, samples in (("upload answered -> READY", to_ready), ("declare + upload + READY", whole)):
        p90 = statistics.quantiles(samples, n=10)[8]
        print(f"{label}: {uploads} uploads, p50 {statistics.median(samples):.0f} ms, p90 {p90:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=30, help="uploads, one at a time (default 30)")
    uploads = parser.parse_args().uploads
    round_trips()
    upload_latency(uploads)


if __name__ == "__main__":
    main()
