"""The embedded DynamoDB keeps what moto ignores: a TransactWriteItems repeated with its
ClientRequestToken (a botocore retry of a call whose answer was late) is answered, not re-applied."""

import threading
import time

import pytest
from botocore.exceptions import ClientError

from local_api.embedded_aws import TABLE_NAME, EmbeddedAws


@pytest.fixture(scope="module")
def database():
    embedded = EmbeddedAws()
    embedded.start()
    embedded.create_tables()
    yield embedded
    embedded.stop()


def put_new(client, key: str, token: str) -> dict:
    item = {"PK": {"S": key}, "SK": {"S": "METADATA"}}
    put = {"TableName": TABLE_NAME, "Item": item, "ConditionExpression": "attribute_not_exists(PK)"}
    return client.transact_write_items(TransactItems=[{"Put": put}], ClientRequestToken=token)


def test_a_repeated_token_gets_the_first_answer_and_writes_nothing_again(database):
    client = database.client()

    put_new(client, "USER#once", token="token-1")
    repeat = put_new(client, "USER#once", token="token-1")

    assert repeat["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_another_token_is_another_transaction(database):
    client = database.client()
    put_new(client, "USER#twice", token="token-2")

    with pytest.raises(ClientError, match="TransactionCanceledException"):
        put_new(client, "USER#twice", token="token-3")


def test_a_long_poll_ends_when_the_topic_delivers_to_its_queue(database):
    """The poll waits outside the lock SNS and SQS share, so a publish meanwhile reaches the queue."""
    events = database.create_event_resources()
    received = []
    sqs = database.client("sqs")

    def poll():
        answer = sqs.receive_message(QueueUrl=events.queue_url, WaitTimeSeconds=10)
        received.extend(message["Body"] for message in answer.get("Messages", []))

    poller = threading.Thread(target=poll)
    poller.start()
    time.sleep(0.3)
    database.client("sns").publish(TopicArn=events.topic_arn, Message='{"type": "user.created"}')
    poller.join(timeout=5)

    assert not poller.is_alive()
    assert received == ['{"type": "user.created"}']
