"""Records the table's stream (NEW_AND_OLD_IMAGES) while the API handler runs a scenario on moto.

`python -m tests.support.record_stream tests/support/recorded/dynamodb_stream.json` writes the
records each step of the scenario wrote, by step, each as the Lambda service hands a record to a
function (moto's GetRecords answer plus `eventSourceARN`, ApproximateCreationDateTime in epoch
seconds). The relay's tests replay them (`tests/support/stream_events.py`).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.update(
    {
        "TABLE_NAME": "users-items-test",
        "IDEMPOTENCY_TABLE_NAME": "users-items-idempotency-test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
)

import boto3
from moto import mock_aws

from runtime.table_schema import create_idempotency_table_request, create_table_request
from tests.support.events import LambdaContext, http_event

_STREAM = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}


def _call(method: str, path: str, body: Any = None) -> Any:
    from runtime.handler import lambda_handler

    response = lambda_handler(http_event(method, path, body=body), LambdaContext())
    assert response["statusCode"] < 300, response
    return json.loads(response["body"]) if response.get("body") else None


def _scenario() -> Iterator[str]:
    """The scenario's API calls, each named once it is done."""
    user = _call("POST", "/users", {"email": "jane.doe@example.com", "name": "Jane"})
    yield "create user"
    users = f"/users/{user['userId']}"
    item = _call("POST", f"{users}/items", {"task": "buy milk"})
    yield "create item"
    items = f"{users}/items/{item['itemId']}"
    _call("PATCH", items, {"task": "buy oat milk"})
    yield "rename item"
    _call("PATCH", items, {"status": "DONE"})
    yield "complete item"
    _call("PATCH", items, {"status": "DONE"})
    yield "complete item again"
    _call("PATCH", users, {"name": "Jane Doe"})
    yield "rename user"
    _call("PATCH", users, {"email": "jane@example.org"})
    yield "change email"
    _call("POST", f"{users}/items", {"task": "water plants", "status": "IN_PROGRESS"})
    yield "create second item"
    _call("DELETE", f"{users}/items/{item['itemId']}")
    yield "delete item"
    _call("DELETE", users)
    yield "delete user"


def _as_lambda_delivers(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    stream = dict(record["dynamodb"])
    stream["ApproximateCreationDateTime"] = int(stream["ApproximateCreationDateTime"].timestamp())
    return {**record, "dynamodb": stream, "eventSourceARN": stream_arn}


def record() -> dict[str, list[dict[str, Any]]]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        table = dynamodb.create_table(**create_table_request(os.environ["TABLE_NAME"]), StreamSpecification=_STREAM)
        dynamodb.create_table(**create_idempotency_table_request(os.environ["IDEMPOTENCY_TABLE_NAME"]))
        stream_arn = table["TableDescription"]["LatestStreamArn"]
        streams = boto3.client("dynamodbstreams")
        shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
        position = iterator["ShardIterator"]
        recorded: dict[str, list[dict[str, Any]]] = {}
        for step in _scenario():
            found = streams.get_records(ShardIterator=position)
            position = found["NextShardIterator"]
            recorded[step] = [_as_lambda_delivers(stream_record, stream_arn) for stream_record in found["Records"]]
        return recorded


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(json.dumps(record(), indent=2, sort_keys=True) + "\n")
