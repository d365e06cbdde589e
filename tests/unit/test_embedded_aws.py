"""The embedded DynamoDB keeps what moto ignores: a TransactWriteItems repeated with its
ClientRequestToken (a botocore retry of a call whose answer was late) is answered, not re-applied."""

import threading
import time

import pytest
from botocore.exceptions import ClientError
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodbstreams.models import dynamodbstreams_backends

from local_api import embedded_aws
from local_api.embedded_aws import REGION, TABLE_NAME, EmbeddedAws
from local_api.event_source_mapping import MappingSettings, ShardConsumer
from local_api.stream_pump import StreamPump


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
    assert poller.is_alive(), "the poll ended before anything was published"
    database.client("sns").publish(TopicArn=events.topic_arn, Message='{"type": "user.created"}')
    poller.join(timeout=5)

    assert not poller.is_alive()
    assert received == ['{"type": "user.created"}']


def _stream_records(database, iterator_type="TRIM_HORIZON"):
    streams = database.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=database.stream_arn())["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=database.stream_arn(), ShardId=shard["ShardId"], ShardIteratorType=iterator_type
    )["ShardIterator"]
    return streams.get_records(ShardIterator=iterator)["Records"]


def test_stream_records_once_read_are_forgotten_and_later_ones_keep_their_order(database):
    client = database.client()
    for n in range(3):
        client.put_item(TableName=TABLE_NAME, Item={"PK": {"S": f"USER#forget-{n}"}, "SK": {"S": "METADATA"}})
    read = _stream_records(database)
    database.forget_stream_records(read[-1]["dynamodb"]["SequenceNumber"], [])
    client.put_item(TableName=TABLE_NAME, Item={"PK": {"S": "USER#forget-3"}, "SK": {"S": "METADATA"}})

    left = _stream_records(database)

    assert [record["dynamodb"]["Keys"]["PK"]["S"] for record in left] == ["USER#forget-3"]
    assert int(left[0]["dynamodb"]["SequenceNumber"]) == int(read[-1]["dynamodb"]["SequenceNumber"]) + 1


def test_forgetting_what_the_pump_read_leaves_other_readers_iterators_working(database):
    streams = database.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=database.stream_arn())["StreamDescription"]["Shards"][0]
    theirs = streams.get_shard_iterator(
        StreamArn=database.stream_arn(), ShardId=shard["ShardId"], ShardIteratorType="LATEST"
    )["ShardIterator"]
    read = _stream_records(database)

    database.forget_stream_records(read[-1]["dynamodb"]["SequenceNumber"] if read else None, [])
    database.client().put_item(TableName=TABLE_NAME, Item={"PK": {"S": "USER#later"}, "SK": {"S": "METADATA"}})

    records = streams.get_records(ShardIterator=theirs)["Records"]
    assert [record["dynamodb"]["Keys"]["PK"]["S"] for record in records] == ["USER#later"]


def test_the_pump_drops_its_own_iterators_after_each_poll(database):
    delivered: list[dict] = []

    def consumer(shard_id: str) -> ShardConsumer:
        return ShardConsumer(
            handler=lambda event: delivered.append(event) or {"batchItemFailures": []},
            on_failure=lambda failure: None,
            shard_id=shard_id,
            stream_arn=database.stream_arn(),
            function_arn="arn:aws:lambda:us-east-1:123456789012:function:relay",
            filter_patterns=[{"dynamodb": {"Keys": {"PK": {"S": ["USER#pumped"]}}}}],
            settings=MappingSettings(batching_window_seconds=0),
        )

    pump = StreamPump(
        database.client("dynamodbstreams"),
        database.stream_arn(),
        consumer,
        poll_interval=1,
        forget_read=database.forget_stream_records,
    )
    before = set(dynamodbstreams_backends[DEFAULT_ACCOUNT_ID][REGION].shard_iterators)
    database.client().put_item(TableName=TABLE_NAME, Item={"PK": {"S": "USER#pumped"}, "SK": {"S": "METADATA"}})
    pump.poll()
    pump.poll()

    assert delivered, "the pump read nothing"
    assert set(dynamodbstreams_backends[DEFAULT_ACCOUNT_ID][REGION].shard_iterators) == before


def test_a_queue_keeps_its_newest_waiting_messages_up_to_the_limit_and_those_in_flight(database, monkeypatch):
    limit = 20
    monkeypatch.setattr(embedded_aws, "QUEUE_MESSAGE_LIMIT", limit)
    sqs = database.client("sqs")
    queue_url = sqs.create_queue(QueueName="trimmed")["QueueUrl"]
    sqs.send_message(QueueUrl=queue_url, MessageBody="in flight")
    in_flight = sqs.receive_message(QueueUrl=queue_url, VisibilityTimeout=60)["Messages"][0]
    for start in range(0, limit + 10, 10):
        sqs.send_message_batch(
            QueueUrl=queue_url, Entries=[{"Id": str(n), "MessageBody": str(start + n)} for n in range(10)]
        )

    database.trim_queues()

    counts = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    assert (counts["ApproximateNumberOfMessages"], counts["ApproximateNumberOfMessagesNotVisible"]) == (
        str(limit - 1),
        "1",
    )
    waiting = []
    while batch := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        waiting += [message["Body"] for message in batch]
    assert sorted(waiting, key=int) == [str(n) for n in range(11, limit + 10)]
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=in_flight["ReceiptHandle"])
