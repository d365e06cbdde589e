"""Round trips: how many DynamoDB calls each route makes, counted by a botocore hook on the runtime's client.

Every request goes through `runtime.handler.lambda_handler` on moto. The recorder sits on
`runtime.dependencies.dynamodb_client()`, the one client the repository and the idempotency
layer share, so every call the function makes is counted and nothing else is.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections import Counter
from dataclasses import dataclass
from typing import Any

from benchmarks._support import (
    IDEMPOTENCY_TABLE_NAME,
    REPO_ROOT,
    TABLE_NAME,
    apply_environment,
    heading,
    stdout_silenced,
)

# Powertools' idempotency layer: a PutItem of the in-progress record, an UpdateItem saving the result.
IDEMPOTENCY_WRITES = 2


@dataclass(frozen=True)
class Case:
    label: str
    method: str
    path: str
    options: dict[str, Any]
    expected_status: int
    # DynamoDB calls the issue requires; None where it sets no target.
    expected_calls: int | None


@dataclass(frozen=True)
class Measured:
    case: Case
    status: int
    calls: Counter[str]

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    @property
    def verdict(self) -> str:
        if self.status != self.case.expected_status:
            return f"HTTP {self.status}!"
        if self.case.expected_calls is None:
            return "-"
        return "OK" if self.total == self.case.expected_calls else "MISS"


def environment() -> dict[str, str]:
    """Not Lambda-like: calls are counted, not timed, so tracing and metrics are left off."""
    return {
        "TABLE_NAME": TABLE_NAME,
        "IDEMPOTENCY_TABLE_NAME": IDEMPOTENCY_TABLE_NAME,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }


def main() -> None:
    apply_environment(environment())
    warnings.filterwarnings("ignore", "No application metrics to publish")
    sys.path.insert(0, str(REPO_ROOT))

    import boto3
    from moto import mock_aws

    from runtime import dependencies, idempotency
    from runtime.routes import ROUTES
    from runtime.table_schema import create_idempotency_table_request, create_table_request
    from tests.support.dynamodb_calls import DynamoDBCallRecorder
    from tests.support.events import LambdaContext, http_event

    heading("Round trips: DynamoDB calls per request (botocore hook on the runtime's client)")
    dependencies.dynamodb_client.cache_clear()
    dependencies.get_repository.cache_clear()
    idempotency.clear_persistence()
    results: list[Measured] = []
    with mock_aws(), stdout_silenced():
        from runtime.handler import lambda_handler

        boto3.client("dynamodb").create_table(**create_table_request(TABLE_NAME))
        boto3.client("dynamodb").create_table(**create_idempotency_table_request(IDEMPOTENCY_TABLE_NAME))
        recorder = DynamoDBCallRecorder()
        recorder.attach(dependencies.dynamodb_client())
        context = LambdaContext()

        def call(method: str, path: str, **options: Any) -> tuple[int, dict[str, Any]]:
            response = lambda_handler(http_event(method, path, **options), context)
            body = json.loads(response["body"]) if response.get("body") else {}
            return response["statusCode"], body

        def run(case: Case) -> dict[str, Any]:
            recorder.reset()
            status, body = call(case.method, case.path, **case.options)
            results.append(Measured(case, status, Counter(recorder.calls)))
            return body

        def seed(method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
            status, created = call(method, path, body=body)
            if status != 201:
                raise RuntimeError(f"seeding {method} {path} answered {status}: {created}")
            return created

        # Users and items the cases read and change; seeding is not counted.
        user = seed("POST", "/users", {"email": "reader@example.com", "name": "Reader"})["userId"]
        items = [
            seed("POST", f"/users/{user}/items", {"task": f"task {n}", "status": status})["itemId"]
            for n, status in enumerate(("TODO", "DONE", "TODO", "IN_PROGRESS"))
        ]
        doomed = seed("POST", "/users", {"email": "doomed@example.com", "name": "Doomed"})["userId"]
        for n in range(3):
            seed("POST", f"/users/{doomed}/items", {"task": f"doomed {n}"})

        user_key = {"Idempotency-Key": "bench-user-key-1"}
        item_key = {"Idempotency-Key": "bench-item-key-1"}
        new_user = {"email": "keyed@example.com", "name": "Keyed"}
        new_item = {"task": "keyed item"}
        idempotent_expected = 1 + IDEMPOTENCY_WRITES
        cases = [
            Case("GET /health", "GET", "/health", {}, 200, 0),
            Case("POST /users", "POST", "/users", {"body": {"email": "new@example.com", "name": "New"}}, 201, 1),
            Case("POST /users  Idempotency-Key, first", "POST", "/users", {"body": new_user, "headers": user_key}, 201,
                 idempotent_expected),
            Case("POST /users  Idempotency-Key, replay", "POST", "/users", {"body": new_user, "headers": user_key}, 201,
                 None),
            Case("GET /users/{userId}", "GET", f"/users/{user}", {}, 200, 1),
            Case("GET /users/{userId}?include=items", "GET", f"/users/{user}", {"query": {"include": "items"}}, 200, 1),
            Case("PATCH /users/{userId}  name", "PATCH", f"/users/{user}", {"body": {"name": "Renamed"}}, 200, None),
            Case("PATCH /users/{userId}  email", "PATCH", f"/users/{user}", {"body": {"email": "moved@example.com"}},
                 200, None),
            Case("GET /users/{userId}/items", "GET", f"/users/{user}/items", {}, 200, 1),
            Case("GET /users/{userId}/items?status=TODO", "GET", f"/users/{user}/items", {"query": {"status": "TODO"}},
                 200, 1),
            Case("POST /users/{userId}/items", "POST", f"/users/{user}/items", {"body": {"task": "new"}}, 201, 1),
            Case("POST /users/{userId}/items  Idempotency-Key, first", "POST", f"/users/{user}/items",
                 {"body": new_item, "headers": item_key}, 201, idempotent_expected),
            Case("POST /users/{userId}/items  Idempotency-Key, replay", "POST", f"/users/{user}/items",
                 {"body": new_item, "headers": item_key}, 201, None),
            Case("GET /users/{userId}/items/{itemId}", "GET", f"/users/{user}/items/{items[0]}", {}, 200, 1),
            Case("PATCH /users/{userId}/items/{itemId}", "PATCH", f"/users/{user}/items/{items[0]}",
                 {"body": {"status": "DONE"}}, 200, 1),
            Case("DELETE /users/{userId}/items/{itemId}", "DELETE", f"/users/{user}/items/{items[1]}", {}, 204, 1),
            Case("DELETE /users/{userId}  (user with 3 items)", "DELETE", f"/users/{doomed}", {}, 204, None),
        ]  # fmt: skip
        for case in cases:
            run(case)

    print_table(results)
    covered = {(m.case.method, route_path(m.case.label)) for m in results}
    # The attachment routes' round trips are benchmarks.attachments' (they need a bucket and an upload).
    counted = [route for route in ROUTES if route.tag != "attachments"]
    missing = [route.route_key for route in counted if (route.method, route.path) not in covered]
    print(f"routes in runtime.routes.ROUTES covered: {len(counted) - len(missing)}/{len(counted)}", end="")
    print(" (the attachment routes: benchmarks.attachments)", end="")
    print(f"; not covered: {', '.join(missing)}" if missing else "")
    targeted = [m for m in results if m.case.expected_calls is not None]
    met = sum(m.verdict == "OK" for m in targeted)
    print(f"targets met: {met}/{len(targeted)}  ->  {'PASS' if met == len(targeted) else 'MISS'}")
    print(f"(expected for a create with an Idempotency-Key: 1 + {IDEMPOTENCY_WRITES} idempotency record writes,")
    print(" powertools' PutItem of the in-progress record and UpdateItem of the result; replays have no target)")


def route_path(label: str) -> str:
    return label.split()[1].split("?")[0]


def operations(calls: Counter[str]) -> str:
    listed = ", ".join(f"{name} x{count}" if count > 1 else name for name, count in sorted(calls.items()))
    return listed or "(none)"


def print_table(results: list[Measured]) -> None:
    width = max(len(m.case.label) for m in results)
    print(f"{'request':<{width}}  {'HTTP':>4}  {'calls':>5}  {'expected':>8}  {'verdict':<7}  operations")
    for measured in results:
        expected = "-" if measured.case.expected_calls is None else str(measured.case.expected_calls)
        print(
            f"{measured.case.label:<{width}}  {measured.status:>4}  {measured.total:>5}  {expected:>8}"
            f"  {measured.verdict:<7}  {operations(measured.calls)}"
        )


if __name__ == "__main__":
    main()
