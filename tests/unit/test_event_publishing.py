"""PublishBatch on botocore's Stubber: refused entries, retries, the time budget and the size limit per call."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from botocore.stub import ANY, Stubber

from runtime.events.batch import HeldBackError, NotPublishedError, OutOfTimeError, TooLargeError, relay
from runtime.events.dependencies import PUBLISH_CALL_WORST_CASE_MS
from runtime.events.publisher import ENTRY_RETRIES, MAX_BYTES_PER_CALL, MAX_ENTRIES_PER_CALL, EventPublisher
from runtime.events.stream_mapping import RELAY_TIMEOUT_SECONDS
from runtime.events.translate import event_id
from tests.support.stream_events import as_user, recorded, renumbered, sequence_numbers

TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:users-items-events-test"


@pytest.fixture
def sns() -> Any:
    client = boto3.client("sns", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def _refusing(ids: list[str], entries: int) -> dict[str, Any]:
    return {
        "Successful": [{"Id": f"ok-{n}", "MessageId": f"m-{n}"} for n in range(entries - len(ids))],
        "Failed": [{"Id": refused, "Code": "InternalError", "SenderFault": False} for refused in ids],
    }


def test_a_record_whose_event_sns_refused_fails_with_its_users_later_records_in_the_call(sns):
    client, stubber = sns
    records = renumbered(
        [recorded("complete item"), as_user(recorded("create item"), "U-JOE"), recorded("delete item")]
    )
    refused = event_id(records[0]["eventID"], "item.completed")
    stubber.add_response(
        "publish_batch", _refusing([refused], 4), {"TopicArn": TOPIC_ARN, "PublishBatchRequestEntries": ANY}
    )

    outcome = relay([DynamoDBRecord(record) for record in records], EventPublisher(client, TOPIC_ARN))

    first, joes, later = sequence_numbers(records)
    assert isinstance(outcome.failures[first], NotPublishedError)
    assert isinstance(outcome.failures[later], HeldBackError)
    assert [event.type for event in outcome.published[joes]] == ["item.created"]


def test_a_call_sns_refuses_as_a_whole_fails_every_record_in_it(sns):
    client, stubber = sns
    records = renumbered([recorded("create item"), as_user(recorded("create item"), "U-JOE")])
    stubber.add_client_error("publish_batch", service_error_code="KMSThrottling", http_status_code=400)

    outcome = relay([DynamoDBRecord(record) for record in records], EventPublisher(client, TOPIC_ARN))

    assert sorted(outcome.failures) == sequence_numbers(records)
    assert outcome.published == {}


def _with_task(record: dict[str, Any], task: str) -> dict[str, Any]:
    record["dynamodb"]["NewImage"]["task"] = {"S": task}
    return record


def _accepting(entries: int) -> dict[str, Any]:
    return {"Successful": [{"Id": f"ok-{n}", "MessageId": f"m-{n}"} for n in range(entries)], "Failed": []}


def _entries(count: int) -> dict[str, Any]:
    return {"TopicArn": TOPIC_ARN, "PublishBatchRequestEntries": _Length(count)}


class _Length:
    """Stubber's expected parameter: a list of `count` entries, whatever they hold."""

    def __init__(self, count: int) -> None:
        self.count = count

    def __eq__(self, other: object) -> bool:
        return isinstance(other, list) and len(other) == self.count

    def __repr__(self) -> str:
        return f"<{self.count} entries>"


def _publisher(client: Any) -> EventPublisher:
    return EventPublisher(client, TOPIC_ARN, pause=lambda attempt: None)


def test_entries_sns_throttled_are_sent_again_alone_and_then_published(sns):
    client, stubber = sns
    records = renumbered([recorded("create item"), as_user(recorded("create item"), "U-JOE")])
    throttled = event_id(records[1]["eventID"], "item.created")
    stubber.add_response(
        "publish_batch",
        {**_accepting(1), "Failed": [{"Id": throttled, "Code": "Throttled", "SenderFault": False}]},
        _entries(2),
    )
    stubber.add_response("publish_batch", _accepting(1), _entries(1))

    outcome = relay([DynamoDBRecord(record) for record in records], _publisher(client))

    assert outcome.failures == {}
    assert sorted(outcome.published) == sequence_numbers(records)


def test_an_entry_refused_as_the_senders_fault_is_not_sent_again(sns):
    client, stubber = sns
    records = renumbered([recorded("create item")])
    refused = event_id(records[0]["eventID"], "item.created")
    stubber.add_response(
        "publish_batch",
        {"Successful": [], "Failed": [{"Id": refused, "Code": "InvalidParameter", "SenderFault": True}]},
    )

    outcome = relay([DynamoDBRecord(record) for record in records], _publisher(client))

    assert isinstance(outcome.failures[sequence_numbers(records)[0]], NotPublishedError)


def test_an_entry_throttled_on_every_attempt_fails_its_record_after_the_retries(sns):
    client, stubber = sns
    records = renumbered([recorded("create item")])
    throttled = {
        "Successful": [],
        "Failed": [{"Id": event_id(records[0]["eventID"], "item.created"), "Code": "Throttled", "SenderFault": False}],
    }
    for _ in range(ENTRY_RETRIES + 1):
        stubber.add_response("publish_batch", throttled, _entries(1))

    outcome = relay([DynamoDBRecord(record) for record in records], _publisher(client))

    assert isinstance(outcome.failures[sequence_numbers(records)[0]], NotPublishedError)


def test_with_too_little_time_left_no_call_starts_and_the_records_fail_to_come_again(sns):
    client, _ = sns  # no response stubbed: a call would fail the test
    records = renumbered([recorded("create item"), as_user(recorded("create item"), "U-JOE")])

    outcome = relay(
        [DynamoDBRecord(record) for record in records],
        _publisher(client),
        time_left_ms=lambda: PUBLISH_CALL_WORST_CASE_MS,
    )

    assert {type(error) for error in outcome.failures.values()} == {OutOfTimeError}
    assert sorted(outcome.failures) == sequence_numbers(records)


def test_records_sent_before_time_ran_short_stay_published_and_the_rest_fail(sns):
    client, stubber = sns
    records = renumbered([as_user(recorded("create item"), f"U-{n}") for n in range(MAX_ENTRIES_PER_CALL + 2)])
    stubber.add_response("publish_batch", _accepting(MAX_ENTRIES_PER_CALL), _entries(MAX_ENTRIES_PER_CALL))
    time_left = iter([PUBLISH_CALL_WORST_CASE_MS + 1, PUBLISH_CALL_WORST_CASE_MS])

    outcome = relay(
        [DynamoDBRecord(record) for record in records], _publisher(client), time_left_ms=lambda: next(time_left)
    )

    numbers = sequence_numbers(records)
    assert sorted(outcome.published) == numbers[:MAX_ENTRIES_PER_CALL]
    assert sorted(outcome.failures) == numbers[MAX_ENTRIES_PER_CALL:]


def test_calls_stay_within_256_kib_of_messages(sns):
    client, stubber = sns
    quarter = "x" * (MAX_BYTES_PER_CALL // 4)
    records = renumbered([_with_task(as_user(recorded("create item"), f"U-{n}"), quarter) for n in range(5)])
    for entries in (3, 2):
        stubber.add_response("publish_batch", _accepting(entries), _entries(entries))

    outcome = relay([DynamoDBRecord(record) for record in records], _publisher(client))

    assert sorted(outcome.published) == sequence_numbers(records)


def test_a_record_whose_events_exceed_one_call_fails_without_a_call_and_others_carry_on(sns):
    client, stubber = sns
    records = renumbered(
        [_with_task(recorded("create item"), "x" * MAX_BYTES_PER_CALL), as_user(recorded("create item"), "U-JOE")]
    )
    stubber.add_response("publish_batch", _accepting(1), _entries(1))

    outcome = relay([DynamoDBRecord(record) for record in records], _publisher(client))

    too_large, joes = sequence_numbers(records)
    assert isinstance(outcome.failures[too_large], TooLargeError)
    assert list(outcome.published) == [joes]


def test_the_relay_keeps_time_for_more_than_one_worst_case_call():
    assert RELAY_TIMEOUT_SECONDS * 1000 >= 2 * PUBLISH_CALL_WORST_CASE_MS


def test_with_too_little_time_left_no_side_effect_starts_either(sns):
    client, _ = sns
    records = renumbered([recorded("create item")])
    called: list[object] = []

    outcome = relay(
        [DynamoDBRecord(record) for record in records],
        _publisher(client),
        time_left_ms=lambda: PUBLISH_CALL_WORST_CASE_MS,
        side_effect=called.append,
    )

    assert called == []
    assert isinstance(outcome.failures[sequence_numbers(records)[0]], OutOfTimeError)
