"""The WebSocket routes and the pusher against moto's DynamoDB: connections registered per user and
forgotten on $disconnect or 410; each event to exactly its user's connections, an oversized one as
a notice; a dead or failing connection neither fails the batch nor holds back the others."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from runtime import permissions
from runtime.realtime import connections, dependencies, pusher
from runtime.realtime.messages import MAX_FRAME_BYTES, TOO_LARGE
from runtime.realtime.registry import ConnectionRegistry
from runtime.realtime.schema import create_connections_table_request
from tests.support.dynamodb_calls import DynamoDBCallRecorder
from tests.support.events import LambdaContext

TABLE = os.environ["CONNECTIONS_TABLE_NAME"]


class FakeManagementApi:
    """API Gateway's @connections API as the pusher sees it: `gone` ids answer 410, `failing`
    ones time out; the others receive."""

    def __init__(self) -> None:
        self.received: dict[str, list[Any]] = {}
        self.gone: set[str] = set()
        self.failing: set[str] = set()
        self._lock = threading.Lock()

    def post_to_connection(self, *, ConnectionId: str, Data: bytes) -> None:  # noqa: N803 - boto3's names
        if ConnectionId in self.gone:
            raise ClientError({"Error": {"Code": "GoneException", "Message": "gone"}}, "PostToConnection")
        if ConnectionId in self.failing:
            raise ReadTimeoutError(endpoint_url="http://127.0.0.1:9")
        with self._lock:
            self.received.setdefault(ConnectionId, []).append(json.loads(Data))


@pytest.fixture
def realtime_calls(aws: None) -> Iterator[DynamoDBCallRecorder]:
    dependencies.table_client.cache_clear()
    boto3.client("dynamodb").create_table(**create_connections_table_request(TABLE))
    recorder = DynamoDBCallRecorder()
    recorder.attach(dependencies.table_client())
    yield recorder
    dependencies.table_client.cache_clear()


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> FakeManagementApi:
    fake = FakeManagementApi()
    monkeypatch.setattr(pusher, "management_client", lambda: fake)
    return fake


def route(route_key: str, connection_id: str, user_id: str | None = None, query: dict[str, str] | None = None) -> Any:
    context: dict[str, Any] = {"routeKey": route_key, "connectionId": connection_id}
    if user_id is not None:
        context["authorizer"] = {"userId": user_id, "principalId": user_id}
    return connections.lambda_handler({"requestContext": context, "queryStringParameters": query}, LambdaContext())


def connect(user_id: str, *connection_ids: str) -> None:
    for connection_id in connection_ids:
        assert route("$connect", connection_id, user_id) == {"statusCode": 200}


def sqs_event(*bodies: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"m{index}",
                "receiptHandle": f"r{index}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:users-items-realtime-test",
            }
            for index, body in enumerate(bodies)
        ]
    }


def event(user_id: str, event_id: str = "e1", **data: Any) -> str:
    return json.dumps({"type": "item.created", "version": 1, "id": event_id, "userId": user_id, "data": data})


def push(*bodies: str) -> dict[str, Any]:
    return pusher.lambda_handler(sqs_event(*bodies), LambdaContext())


def registry() -> ConnectionRegistry:
    """The tests' own view of the table, on a client apart from the functions'."""
    return ConnectionRegistry(boto3.client("dynamodb"), TABLE)


def test_each_event_reaches_exactly_its_users_connections(realtime_calls, api):
    connect("alice", "a1", "a2")
    connect("bob", "b1")

    assert push(event("alice", "e1"), event("bob", "e2")) == {"batchItemFailures": []}
    assert {connection: [m["id"] for m in messages] for connection, messages in api.received.items()} == {
        "a1": ["e1"],
        "a2": ["e1"],
        "b1": ["e2"],
    }
    assert (
        realtime_calls.undeclared({TABLE: permissions.CONNECTIONS_ACTIONS + permissions.PUSHER_CONNECTIONS_ACTIONS})
        == {}
    )


def test_the_event_is_pushed_as_published(realtime_calls, api):
    connect("alice", "a1")
    body = event("alice", task="Write the pusher")

    push(body)

    assert api.received["a1"] == [json.loads(body)]


def test_a_gone_connection_is_forgotten_and_the_others_still_receive(realtime_calls, api):
    connect("alice", "a1", "a2", "a3")
    api.gone.add("a2")

    assert push(event("alice")) == {"batchItemFailures": []}
    assert sorted(api.received) == ["a1", "a3"]
    assert sorted(registry().connections_of("alice")) == ["a1", "a3"]


def test_a_failing_connection_fails_no_record_and_stays_registered(realtime_calls, api):
    connect("alice", "a1", "a2")
    api.failing.add("a1")

    assert push(event("alice")) == {"batchItemFailures": []}
    assert sorted(api.received) == ["a2"]
    assert sorted(registry().connections_of("alice")) == ["a1", "a2"]


def test_an_event_over_a_frame_is_sent_as_a_notice_with_its_id_and_type(realtime_calls, api):
    connect("alice", "a1")
    body = event("alice", "e-big", task="x" * MAX_FRAME_BYTES)

    push(body)

    assert api.received["a1"] == [{"type": TOO_LARGE, "id": "e-big", "eventType": "item.created", "userId": "alice"}]


def test_a_message_that_is_no_event_fails_alone_and_the_batch_goes_on(realtime_calls, api):
    connect("alice", "a1")

    answer = push("not json", json.dumps({"id": "e0"}), event("alice", "e1"))

    assert answer == {"batchItemFailures": [{"itemIdentifier": "m0"}, {"itemIdentifier": "m1"}]}
    assert [m["id"] for m in api.received["a1"]] == ["e1"]


def test_an_event_of_a_user_without_connections_is_pushed_to_no_one(realtime_calls, api):
    assert push(event("nobody")) == {"batchItemFailures": []}
    assert api.received == {}


def test_disconnect_forgets_the_connection_by_its_id_alone(realtime_calls):
    connect("alice", "a1", "a2")

    assert route("$disconnect", "a1") == {"statusCode": 200}
    assert route("$disconnect", "a1") == {"statusCode": 200}  # API Gateway may say it twice
    assert registry().connections_of("alice") == ["a2"]
    assert realtime_calls.undeclared({TABLE: permissions.CONNECTIONS_ACTIONS}) == {}


def test_connections_expire_with_api_gateways_two_hours(realtime_calls):
    later = ConnectionRegistry(boto3.client("dynamodb"), TABLE, clock=lambda: 1_000_000.0)
    later.register("a1", "alice")
    item = boto3.client("dynamodb").get_item(
        TableName=TABLE, Key={"PK": {"S": "CONNECTION#a1"}, "SK": {"S": "CONNECTION"}}
    )

    assert item["Item"]["expiresAt"] == {"N": str(1_000_000 + 7200)}
    assert ConnectionRegistry(boto3.client("dynamodb"), TABLE, clock=lambda: 1_007_201.0).connections_of("alice") == []


def test_ping_answers_pong_and_anything_else_an_error_message(realtime_calls):
    assert json.loads(route("ping", "a1")["body"]) == {"type": "pong"}
    assert json.loads(route("$default", "a1")["body"])["type"] == "error"


@pytest.mark.parametrize("query", [None, {"userId": "a#b"}, {"userId": ""}, {"userId": "x" * 65}])
def test_without_an_authorizer_a_connection_needs_a_valid_user_id(realtime_calls, monkeypatch, query):
    monkeypatch.setenv("CONNECT_AUTH", "query")
    dependencies.connections_settings.cache_clear()
    try:
        assert route("$connect", "c1", query=query)["statusCode"] == 400
        assert route("$connect", "c2", query={"userId": "alice"}) == {"statusCode": 200}
    finally:
        dependencies.connections_settings.cache_clear()
    assert registry().connections_of("alice") == ["c2"]


def test_the_functions_call_exactly_the_declared_operations_and_actions_on_the_connections_table(realtime_calls, api):
    """What the table's alarms add up (`CONNECTIONS_TABLE_OPERATIONS`) and what the roles grant."""
    connect("alice", "a1", "a2")
    api.gone.add("a2")
    push(event("alice"))
    route("$disconnect", "a1")

    assert set(realtime_calls.calls_by_table[TABLE]) == set(permissions.CONNECTIONS_TABLE_OPERATIONS)
    assert realtime_calls.actions_by_table[TABLE] == {
        *permissions.CONNECTIONS_ACTIONS,
        *permissions.PUSHER_CONNECTIONS_ACTIONS,
    }
