"""Baseline (c): boto3 and a handler that makes the first request's GetItem itself, nothing else.

The floor of any Python function that reads DynamoDB: no framework, validation, logging,
tracing or metrics. Only the benchmarks' child processes import it.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

dynamodb = boto3.client("dynamodb")


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    user_id = (event.get("pathParameters") or {}).get("userId")
    if user_id is None:  # GET /health
        return {"statusCode": 200, "body": '{"status":"ok"}'}
    key = {"PK": {"S": f"USER#{user_id}"}, "SK": {"S": "METADATA"}}
    found = dynamodb.get_item(TableName=os.environ["TABLE_NAME"], Key=key, ConsistentRead=True).get("Item")
    return {"statusCode": 200 if found else 404, "body": json.dumps(found)}
