"""Baseline (b): a minimal handler built the way powertools' documentation builds one.

A module-level boto3 client, Logger, Tracer, Metrics, `APIGatewayHttpResolver(enable_validation=True)`,
pydantic models, and `lambda_handler` decorated as `runtime.handler`'s is. Its routes make the
same DynamoDB calls as ours on the same records (the keys of `runtime.table_schema`, spelled out
here: the baseline imports nothing of ours): `GET /users/<id>` one GetItem, `POST
/users/<id>/items` one TransactWriteItems (ConditionCheck on the profile + Put). It reads its
settings from the same environment variables, so both run under the same Lambda-like
environment. Only the benchmarks' child processes import it.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from typing import Any, Literal

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

logger = Logger()
tracer = Tracer()
metrics = Metrics()
dynamodb = boto3.client("dynamodb")
TABLE_NAME = os.environ["TABLE_NAME"]
app = APIGatewayHttpResolver(enable_validation=True)

Status = Literal["TODO", "IN_PROGRESS", "DONE"]


class Health(BaseModel):
    status: Literal["ok"]


class User(BaseModel):
    userId: str  # noqa: N815 - the API's field names
    email: str
    name: str
    createdAt: str  # noqa: N815
    updatedAt: str  # noqa: N815
    version: int


class NewItem(BaseModel):
    task: str
    status: Status = "TODO"


class Item(NewItem):
    userId: str  # noqa: N815
    itemId: str  # noqa: N815
    createdAt: str  # noqa: N815
    updatedAt: str  # noqa: N815
    version: int


def _profile_key(user_id: str) -> dict[str, Any]:
    return {"PK": {"S": f"USER#{user_id}"}, "SK": {"S": "METADATA"}}


@app.get("/health")
def health() -> Health:
    return Health(status="ok")


@app.get("/users/<user_id>")
def get_user(user_id: str) -> User:
    record = dynamodb.get_item(TableName=TABLE_NAME, Key=_profile_key(user_id), ConsistentRead=True)["Item"]
    return User(
        userId=record["userId"]["S"],
        email=record["email"]["S"],
        name=record["name"]["S"],
        createdAt=record["createdAt"]["S"],
        updatedAt=record["updatedAt"]["S"],
        version=int(record["version"]["N"]),
    )


@app.post("/users/<user_id>/items")
def create_item(user_id: str, new: NewItem) -> Response[Item]:
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    item = Item(userId=user_id, itemId=uuid.uuid4().hex, createdAt=now, updatedAt=now, version=1, **new.model_dump())
    record = {
        "PK": {"S": f"USER#{user_id}"},
        "SK": {"S": f"ITEM#{item.itemId}"},
        "statusSK": {"S": f"STATUS#{item.status}#{item.itemId}"},
        "entity": {"S": "ITEM"},
        **{name: {"S": value} for name, value in item.model_dump(exclude={"version"}).items()},
        "version": {"N": "1"},
    }
    dynamodb.transact_write_items(
        TransactItems=[
            {
                "ConditionCheck": {
                    "TableName": TABLE_NAME,
                    "Key": _profile_key(user_id),
                    "ConditionExpression": "attribute_exists(PK)",
                }
            },
            {"Put": {"TableName": TABLE_NAME, "Item": record, "ConditionExpression": "attribute_not_exists(PK)"}},
        ]
    )
    return Response(status_code=201, content_type="application/json", body=item)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
