"""PublishBatch's per-entry failures, on botocore's Stubber: the records whose events SNS refused fail."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from botocore.stub import ANY, Stubber

from runtime.events.batch import HeldBackError, NotPublishedError, relay
from runtime.events.publisher import EventPublisher
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
