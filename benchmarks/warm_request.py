"""Warm requests: GET and POST of an item through `lambda_handler`, against a bare resolver, on moto.

Both sides run in this process, in the same Lambda-like environment, against the same moto
table. Ours is `runtime.handler.lambda_handler` with everything Lambda runs (Logger context,
Tracer, Metrics, validation, middleware, error mapping). The baseline is a bare
`APIGatewayHttpResolver()` whose routes make the same single DynamoDB call (GetItem with the same
key and consistency; TransactWriteItems with the same ConditionCheck + Put) and return its result.

Tracing: by default the Lambda-like environment keeps the Tracer active and every invocation
sampled, as a function with active tracing runs; X-Ray's botocore patch is process-wide, so the
baseline's DynamoDB call is traced too. `--no-tracing` sets POWERTOOLS_TRACE_DISABLED for both.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from benchmarks._support import (
    IDEMPOTENCY_TABLE_NAME,
    REPO_ROOT,
    TABLE_NAME,
    XRayDaemonSink,
    apply_environment,
    heading,
    lambda_environment,
    median,
    new_trace_header,
    spread,
    stdout_silenced,
    verdict,
)

TARGET_RATIO = 1.3

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass
class Variant:
    label: str
    handler: Handler
    event: dict[str, Any]
    expected_status: int
    samples_ms: list[float]
    # Runs after each timed call: POSTs delete what they created, so the table keeps its size.
    cleanup: Callable[[dict[str, Any]], None] | None = None


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="measured requests per variant (default 300)")
    parser.add_argument("--warmup", type=int, default=30, help="discarded requests per variant first (default 30)")
    parser.add_argument("--no-tracing", action="store_true", help="POWERTOOLS_TRACE_DISABLED=true on both sides")
    return parser.parse_args()


def bare_resolver(client: Any, table_name: str) -> Any:
    """The baseline: a resolver with no validation, middleware, Logger, Tracer or Metrics."""
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

    from runtime.ids import new_id

    app = APIGatewayHttpResolver()

    @app.get("/users/<user_id>/items/<item_id>")
    def get_item(user_id: str, item_id: str) -> dict[str, Any]:
        key = {"PK": {"S": f"USER#{user_id}"}, "SK": {"S": f"ITEM#{item_id}"}}
        item: dict[str, Any] = client.get_item(TableName=table_name, Key=key, ConsistentRead=True)["Item"]
        return item

    def new_item_record(user_id: str) -> dict[str, Any]:
        body = app.current_event.json_body
        item_id = new_id()
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        status = body.get("status", "TODO")
        return {
            "PK": {"S": f"USER#{user_id}"},
            "SK": {"S": f"ITEM#{item_id}"},
            "statusSK": {"S": f"STATUS#{status}#{item_id}"},
            "entity": {"S": "ITEM"},
            "userId": {"S": user_id},
            "itemId": {"S": item_id},
            "task": {"S": body["task"]},
            "status": {"S": status},
            "createdAt": {"S": now},
            "updatedAt": {"S": now},
            "version": {"N": "1"},
        }

    @app.post("/users/<user_id>/items")
    def create_item(user_id: str) -> Response[str]:
        record = new_item_record(user_id)
        profile = {"PK": {"S": f"USER#{user_id}"}, "SK": {"S": "METADATA"}}
        client.transact_write_items(
            TransactItems=[
                {
                    "ConditionCheck": {
                        "TableName": table_name,
                        "Key": profile,
                        "ConditionExpression": "attribute_exists(PK)",
                    }
                },
                {"Put": {"TableName": table_name, "Item": record, "ConditionExpression": "attribute_not_exists(PK)"}},
            ]
        )
        return Response(status_code=201, content_type="application/json", body=json.dumps(record))

    @app.post("/put-item/users/<user_id>/items")
    def put_item(user_id: str) -> Response[str]:
        record = new_item_record(user_id)
        client.put_item(TableName=table_name, Item=record, ConditionExpression="attribute_not_exists(PK)")
        return Response(status_code=201, content_type="application/json", body=json.dumps(record))

    return app


def measure(variants: list[Variant], rounds: int, context: Any, sink: XRayDaemonSink, *, keep: bool) -> None:
    """Round-robin over the variants, rotating who goes first, so drift and moto's growth hit all alike."""
    for index in range(rounds):
        shift = index % len(variants)
        for variant in variants[shift:] + variants[:shift]:
            event = copy.deepcopy(variant.event)
            os.environ["_X_AMZN_TRACE_ID"] = new_trace_header()  # Lambda sets one per invocation
            start = time.perf_counter_ns()
            response = variant.handler(event, context)
            elapsed = time.perf_counter_ns() - start
            if response["statusCode"] != variant.expected_status:
                raise RuntimeError(f"{variant.label}: {response['statusCode']} {response.get('body')}")
            if keep:
                variant.samples_ms.append(elapsed / 1e6)
            if variant.cleanup is not None:
                variant.cleanup(response)
        sink.drain()


def main() -> None:
    arguments = parse_arguments()
    sink = XRayDaemonSink()
    environment = lambda_environment(REPO_ROOT, sink.address)
    if arguments.no_tracing:
        environment["POWERTOOLS_TRACE_DISABLED"] = "true"
    apply_environment(environment)
    # A GET invocation publishes no metric, and powertools warns about it each time.
    warnings.filterwarnings("ignore", "No application metrics to publish")
    sys.path.insert(0, str(REPO_ROOT))

    import boto3
    from moto import mock_aws

    from runtime import dependencies, idempotency
    from runtime.table_schema import create_idempotency_table_request, create_table_request
    from tests.support.events import LambdaContext, http_event

    heading("Warm requests: through lambda_handler vs a bare resolver making the same DynamoDB call")
    dependencies.dynamodb_client.cache_clear()
    dependencies.get_repository.cache_clear()
    idempotency.clear_persistence()
    with mock_aws(), stdout_silenced():
        from runtime.handler import lambda_handler

        setup_client = boto3.client("dynamodb")
        setup_client.create_table(**create_table_request(TABLE_NAME))
        setup_client.create_table(**create_idempotency_table_request(IDEMPOTENCY_TABLE_NAME))
        context = LambdaContext()
        user = lambda_handler(
            http_event("POST", "/users", body={"email": "bench@example.com", "name": "Bench"}), context
        )
        user_id = json.loads(user["body"])["userId"]
        item = lambda_handler(http_event("POST", f"/users/{user_id}/items", body={"task": "measure"}), context)
        item_id = json.loads(item["body"])["itemId"]

        bare = bare_resolver(boto3.client("dynamodb"), TABLE_NAME).resolve
        raw_client = boto3.client("dynamodb")
        raw_key = {"PK": {"S": f"USER#{user_id}"}, "SK": {"S": f"ITEM#{item_id}"}}

        def raw_get_item(_event: dict[str, Any], _context: Any) -> dict[str, Any]:
            raw_client.get_item(TableName=TABLE_NAME, Key=raw_key, ConsistentRead=True)
            return {"statusCode": 200}

        def delete_created(response: dict[str, Any]) -> None:
            """moto copies the whole table for each transaction: keep it the same size throughout."""
            body = json.loads(response["body"])
            created = body["itemId"]["S"] if isinstance(body["itemId"], dict) else body["itemId"]
            key = {"PK": {"S": f"USER#{user_id}"}, "SK": {"S": f"ITEM#{created}"}}
            setup_client.delete_item(TableName=TABLE_NAME, Key=key)

        item_path = f"/users/{user_id}/items/{item_id}"
        items_path = f"/users/{user_id}/items"
        new_item = {"task": "write the benchmark", "status": "IN_PROGRESS"}
        variants = {
            "get-ours": Variant("GET item, lambda_handler", lambda_handler, http_event("GET", item_path), 200, []),
            "get-bare": Variant("GET item, bare resolver", bare, http_event("GET", item_path), 200, []),
            "get-raw": Variant("GetItem, boto3 alone", raw_get_item, {}, 200, []),
            "post-ours": Variant(
                "POST item, lambda_handler",
                lambda_handler,
                http_event("POST", items_path, body=new_item),
                201,
                [],
                delete_created,
            ),
            "post-bare": Variant(
                "POST item, bare resolver", bare, http_event("POST", items_path, body=new_item), 201, [], delete_created
            ),
            "post-put": Variant(
                "POST item, bare, PutItem",
                bare,
                http_event("POST", f"/put-item{items_path}", body=new_item),
                201,
                [],
                delete_created,
            ),
        }
        order = list(variants.values())
        measure(order, arguments.warmup, context, sink, keep=False)
        measure(order, arguments.requests, context, sink, keep=True)
    segments = sink.drain()
    sink.close()

    tracing = "off (POWERTOOLS_TRACE_DISABLED=true, both sides)" if arguments.no_tracing else "on, sampled"
    print(f"requests per variant: {arguments.requests} measured after {arguments.warmup} warm-up, interleaved")
    print("environment: Lambda-like (AWS_LAMBDA_FUNCTION_NAME, LAMBDA_TASK_ROOT, ... set), in one process on moto")
    print(f"tracing: {tracing}; X-Ray packets sent to the stand-in daemon: {segments}")
    print("note: moto serves every DynamoDB call in-process, and its latency dominates the absolute times;")
    print("      the ratios compare what each side adds around the same call.")
    print()
    print(f"{'variant':<28} {'median ms':>10}   spread (ms)")
    for variant in order:
        print(f"{variant.label:<28} {median(variant.samples_ms):>10.3f}   {spread(variant.samples_ms)}")
    print()
    for route, ours_key, bare_key in (("GET item", "get-ours", "get-bare"), ("POST item", "post-ours", "post-bare")):
        ours = median(variants[ours_key].samples_ms)
        baseline = median(variants[bare_key].samples_ms)
        ratio = ours / baseline
        print(
            f"{route:<10} ratio {ours:.3f} / {baseline:.3f} ms = {ratio:.3f} (+{ours - baseline:.3f} ms)"
            f"   target <= {TARGET_RATIO}  ->  {verdict(ratio, TARGET_RATIO)}"
        )
    print("(GET item: one GetItem on both sides; POST item: one TransactWriteItems, ConditionCheck + Put, on both;")
    print(" 'bare, PutItem' is a plain PutItem for reference only. 'boto3 alone' is the call with no resolver.)")


if __name__ == "__main__":
    main()
