"""Shared fixtures: a moto-backed table built from the key schema, and the handler wired to it.

The environment is set before anything imports `runtime`, as Lambda sets it before the import.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

os.environ.update(
    {
        "TABLE_NAME": "users-items-test",
        "IDEMPOTENCY_TABLE_NAME": "users-items-idempotency-test",
        "EVENTS_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:users-items-events-test",
        "SCHEDULE_GROUP_NAME": "users-items-reminders-test",
        "REMINDERS_FUNCTION_ARN": "arn:aws:lambda:us-east-1:123456789012:function:users-items-reminders-test",
        "SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/users-items-scheduler-test",
        "SCHEDULES_DEAD_LETTER_QUEUE_ARN": "arn:aws:sqs:us-east-1:123456789012:users-items-schedules-dlq-test",
        "NOTIFICATION_SENDER": "reminders@example.com",
        "SES_CONFIGURATION_SET": "users-items-reminders-test",
        # The WebSocket functions' (runtime.realtime); tests of the authorizer's JWKS set their own issuer.
        "CONNECTIONS_TABLE_NAME": "users-items-connections-test",
        "CONNECT_AUTH": "authorizer",
        "JWT_ISSUER": "http://127.0.0.1:9/issuer-of-the-tests",
        "JWT_AUDIENCES": "test-client",
        "WEBSOCKET_MANAGEMENT_ENDPOINT": "http://127.0.0.1:9",
        "ATTACHMENTS_BUCKET": "users-items-attachments-test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
)
for variable in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
    os.environ.pop(variable, None)

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from runtime import dependencies, idempotency, permissions  # noqa: E402
from runtime.events import dependencies as relay_dependencies  # noqa: E402
from runtime.reminders import dependencies as reminders_dependencies  # noqa: E402
from runtime.repository import Repository  # noqa: E402
from runtime.table_schema import create_idempotency_table_request, create_table_request  # noqa: E402
from tests.support.dynamodb_calls import DynamoDBCallRecorder  # noqa: E402
from tests.support.events import LambdaContext, http_event  # noqa: E402

TABLE_NAME = os.environ["TABLE_NAME"]
IDEMPOTENCY_TABLE_NAME = os.environ["IDEMPOTENCY_TABLE_NAME"]


def _forget_clients() -> None:
    """Clients are cached per container; each test gets its own mocked account."""
    dependencies.dynamodb_client.cache_clear()
    dependencies.get_repository.cache_clear()
    dependencies.s3_client.cache_clear()
    dependencies.get_attachment_repository.cache_clear()
    relay_dependencies.sns_client.cache_clear()
    relay_dependencies.scheduler_client.cache_clear()
    reminders_dependencies.dynamodb_client.cache_clear()
    reminders_dependencies.ses_mailer.cache_clear()
    idempotency.clear_persistence()


# What `runtime/permissions.py` lets the function do, per table: every test checks its calls against it.
DECLARED_ACTIONS = {
    TABLE_NAME: frozenset(permissions.DYNAMODB_ACTIONS),
    IDEMPOTENCY_TABLE_NAME: frozenset(permissions.IDEMPOTENCY_TABLE_ACTIONS),
}


@pytest.fixture
def dynamodb_calls() -> DynamoDBCallRecorder:
    """The DynamoDB calls the runtime's own client makes during the test."""
    return DynamoDBCallRecorder()


@pytest.fixture
def aws(dynamodb_calls: DynamoDBCallRecorder) -> Iterator[None]:
    """A mocked account; afterwards, a call of the runtime that its role would not allow fails the test."""
    _forget_clients()
    with mock_aws():
        dynamodb_calls.attach(dependencies.dynamodb_client())
        yield
    _forget_clients()
    undeclared = dynamodb_calls.undeclared(DECLARED_ACTIONS)
    if undeclared:
        pytest.fail(f"the runtime used DynamoDB actions runtime/permissions.py does not grant: {undeclared}")


@pytest.fixture
def dynamodb(aws: None) -> Any:
    """A client for the tests' own set-up and inspection, apart from the runtime's."""
    return boto3.client("dynamodb")


@pytest.fixture
def table(dynamodb: Any) -> str:
    dynamodb.create_table(**create_table_request(TABLE_NAME))
    dynamodb.create_table(**create_idempotency_table_request(IDEMPOTENCY_TABLE_NAME))
    return TABLE_NAME


@pytest.fixture
def repository(table: str) -> Repository:
    return Repository(dependencies.dynamodb_client(), table)


@pytest.fixture
def table_items(dynamodb: Any, table: str) -> Any:
    """Every record in the table, to assert on state rather than on calls."""

    def read_all() -> list[dict[str, Any]]:
        return boto3.resource("dynamodb").Table(table).scan(ConsistentRead=True)["Items"]  # test inspection only

    return read_all


class ApiResponse:
    def __init__(self, result: dict[str, Any]) -> None:
        self.status = result["statusCode"]
        self.headers = {name.lower(): value for name, value in result.get("headers", {}).items()}
        self.text = result.get("body") or ""

    def json(self) -> Any:
        return json.loads(self.text)

    @property
    def error_code(self) -> str:
        return self.json()["error"]["code"]


@pytest.fixture
def send(table: str) -> Any:
    """Call `runtime.handler.lambda_handler` with a whole event, for shapes `http_event` does not build."""
    from runtime.handler import lambda_handler

    def call(event: dict[str, Any]) -> ApiResponse:
        return ApiResponse(lambda_handler(event, LambdaContext()))

    return call


@pytest.fixture
def api(send: Any) -> Any:
    """Call `runtime.handler.lambda_handler` with a payload-2.0 event, as API Gateway would."""

    def call(method: str, path: str, **event_options: Any) -> ApiResponse:
        return send(http_event(method, path, **event_options))

    return call
