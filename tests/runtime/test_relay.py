"""The stream relay: recorded stream records in, domain events on SNS (read back from a subscribed queue)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from runtime import permissions
from runtime.events import dependencies
from runtime.events.stream_mapping import RELAY_TIMEOUT_SECONDS
from runtime.events.translate import event_id
from tests.support.events import LambdaContext
from tests.support.stream_events import (
    as_user,
    expired,
    poisoned,
    recorded,
    recorded_user_id,
    renumbered,
    sequence_numbers,
    stream_batch,
)

TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:users-items-events-test"


@pytest.fixture
def sns_entries_per_call(aws: None) -> Any:
    """How many entries each of the relay's SNS calls carried; afterwards, its actions must be declared."""
    calls: list[tuple[str, int]] = []

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        calls.append((model.name, len(params.get("PublishBatchRequestEntries", [params]))))

    dependencies.sns_client().meta.events.register("before-parameter-build.sns", record)
    yield calls
    undeclared = {permissions.SNS_OPERATION_ACTIONS.get(name, name) for name, _ in calls} - set(
        permissions.RELAY_SNS_ACTIONS
    )
    assert not undeclared, f"the relay used SNS actions runtime/permissions.py does not grant: {undeclared}"


@pytest.fixture
def integration_queue(sns_entries_per_call: Any) -> Any:
    """The events topic with a queue subscribed (raw delivery); reads every message delivered so far."""
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    topic = sns.create_topic(Name=TOPIC_ARN.rsplit(":", 1)[1])["TopicArn"]
    queue_url = sqs.create_queue(QueueName="events-test")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})

    def delivered() -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        while batch := sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        ).get("Messages", []):
            messages.extend(batch)
            sqs.delete_message_batch(
                QueueUrl=queue_url,
                Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(batch)],
            )
        return messages

    return delivered


@pytest.fixture
def relay_batch(integration_queue: Any) -> Any:
    from runtime.events.relay import lambda_handler

    def call(records: list[dict[str, Any]]) -> list[str]:
        """The sequence numbers the relay reports failed."""
        response = lambda_handler(stream_batch(records), LambdaContext(remaining_ms=RELAY_TIMEOUT_SECONDS * 1000))
        return [failure["itemIdentifier"] for failure in response["batchItemFailures"]]

    return call


def _bodies(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [json.loads(message["Body"]) for message in messages]


def _types(messages: list[dict[str, Any]]) -> list[str]:
    return [body["type"] for body in _bodies(messages)]


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ("create user", ["user.created"]),
        ("rename user", ["user.updated"]),
        ("change email", ["user.updated"]),
        ("delete user", ["user.deleted"]),
        ("create item", ["item.created"]),
        ("rename item", ["item.updated"]),
        ("complete item", ["item.updated", "item.completed"]),
        ("complete item again", []),
        ("delete item", ["item.deleted"]),
    ],
)
def test_each_recorded_write_publishes_its_events(relay_batch, integration_queue, step, expected):
    failed = relay_batch([recorded(step)])

    assert failed == []
    assert _types(integration_queue()) == expected


def test_messages_carry_type_and_user_as_attributes_and_the_envelope_as_body(relay_batch, integration_queue):
    record = recorded("rename item")

    relay_batch([record])

    (message,) = integration_queue()
    body = json.loads(message["Body"])
    assert message["MessageAttributes"] == {
        "eventType": {"DataType": "String", "StringValue": "item.updated"},
        "userId": {"DataType": "String", "StringValue": recorded_user_id()},
    }
    new_image = record["dynamodb"]["NewImage"]
    assert body == {
        "id": event_id(record["eventID"], "item.updated"),
        "type": "item.updated",
        "version": 2,
        "occurredAt": new_image["updatedAt"]["S"],
        "userId": recorded_user_id(),
        "data": {
            "item": {
                "itemId": new_image["itemId"]["S"],
                "task": "buy oat milk",
                "status": "TODO",
                "createdAt": new_image["createdAt"]["S"],
                "updatedAt": new_image["updatedAt"]["S"],
                "version": 2,
            },
            "changes": {"task": {"before": "buy milk", "after": "buy oat milk"}},
        },
    }


def test_a_changed_email_is_announced_without_the_address(relay_batch, integration_queue):
    record = recorded("change email")

    relay_batch([record])

    (message,) = integration_queue()
    assert json.loads(message["Body"])["data"]["changes"] == {}
    assert json.loads(message["Body"])["data"]["emailChanged"] is True
    for image in ("OldImage", "NewImage"):
        assert record["dynamodb"][image]["email"]["S"] not in message["Body"]


def test_no_event_of_the_whole_scenario_carries_an_email_address(relay_batch, integration_queue):
    steps = ["create user", "rename user", "change email", "delete user"]

    relay_batch(renumbered([recorded(step) for step in steps]))

    bodies = [message["Body"] for message in integration_queue()]
    assert len(bodies) == 4
    assert not [body for body in bodies if "@" in body]


def test_a_redelivered_record_republishes_the_same_event_ids(relay_batch, integration_queue):
    record = recorded("complete item")

    relay_batch([record])
    first = [body["id"] for body in _bodies(integration_queue())]
    relay_batch([record])
    again = [body["id"] for body in _bodies(integration_queue())]

    assert len(set(first)) == 2
    assert again == first


def test_a_deletion_occurs_at_the_stream_records_time_and_a_write_at_its_updated_at(relay_batch, integration_queue):
    deletion, write = recorded("delete item"), recorded("create item")

    relay_batch(renumbered([write, deletion]))

    created, deleted = _bodies(integration_queue())
    assert created["occurredAt"] == write["dynamodb"]["NewImage"]["updatedAt"]["S"]
    assert deleted["occurredAt"].endswith(".000Z")
    assert deleted["occurredAt"][:19] == write["dynamodb"]["NewImage"]["updatedAt"]["S"][:19]


@pytest.mark.parametrize(("step", "event_type"), [("delete item", "item.deleted"), ("delete user", "user.deleted")])
def test_a_deletion_by_time_to_live_is_published_with_cause_expiry(relay_batch, integration_queue, step, event_type):
    failed = relay_batch([expired(recorded(step))])

    (body,) = _bodies(integration_queue())
    assert failed == []
    assert (body["type"], body["data"]["cause"]) == (event_type, "expiry")


def test_a_poisoned_record_holds_back_its_users_later_records_while_other_users_continue(
    relay_batch, integration_queue
):
    jane, joe = recorded_user_id(), "01M8V2W8B523DRXE9Y9CHAGJOE"
    records = renumbered(
        [
            recorded("create item"),  # jane, published
            as_user(recorded("create item"), joe),
            poisoned(recorded("rename item")),  # jane, unreadable
            as_user(recorded("rename item"), joe),
            recorded("complete item"),  # jane, held back
            as_user(recorded("complete item"), joe),
            recorded("delete item"),  # jane, held back
        ]
    )

    failed = relay_batch(records)

    published = [(body["userId"], body["type"]) for body in _bodies(integration_queue())]
    assert failed == sequence_numbers(records)[2:3] + sequence_numbers(records)[4:5] + sequence_numbers(records)[6:7]
    assert [event for event in published if event[0] == jane] == [(jane, "item.created")]
    assert [event for event in published if event[0] == joe] == [
        (joe, "item.created"),
        (joe, "item.updated"),
        (joe, "item.updated"),
        (joe, "item.completed"),
    ]


def test_a_record_the_filter_should_have_dropped_fails_alone(relay_batch, integration_queue):
    claim, profile = recorded("create user", index=1), recorded("create user")
    records = renumbered([claim, profile])

    failed = relay_batch(records)

    assert failed == sequence_numbers(records)[:1]
    assert _types(integration_queue()) == ["user.created"]


def test_a_batch_in_which_every_record_fails_raises_so_that_lambda_bisects_it(relay_batch):
    with pytest.raises(BatchProcessingError):
        relay_batch([poisoned(recorded("rename item"))])


def test_a_hundred_records_go_out_in_calls_of_at_most_ten_entries(relay_batch, integration_queue, sns_entries_per_call):
    records = renumbered([as_user(recorded("create item"), f"U-{n:03d}") for n in range(100)])

    failed = relay_batch(records)

    assert failed == []
    assert len(integration_queue()) == 100
    assert [entries for _, entries in sns_entries_per_call] == [10] * 10
