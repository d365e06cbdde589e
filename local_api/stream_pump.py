"""The local stand-in for the relay's event source mapping: a thread reading the table's stream
through the embedded moto server and handing Lambda-shaped batches to the relay in-process.

moto runs event source mappings only through Docker, so the pump reads the shards itself
(GetShardIterator, GetRecords) and `event_source_mapping.ShardConsumer` applies the mapping's
filter, batching, partial failures, retries and on-failure queue to each shard's records.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from local_api.event_source_mapping import StreamRecord
from local_api.polling import PollingThread

# Lambda polls a stream's shards four times a second.
POLL_INTERVAL_SECONDS = 0.25


class ShardReader(Protocol):
    """What reads one shard for its mappings: a `ShardConsumer`, or several (`reminders.ShardReaders`)."""

    def add(self, records: Sequence[StreamRecord]) -> None: ...

    def step(self) -> bool: ...


def lambda_record(record: dict[str, Any], stream_arn: str) -> StreamRecord:
    """A record as GetRecords gives it (boto3 parses the creation time) as Lambda hands it on:
    with the stream's ARN and the time in epoch seconds."""
    stream = dict(record["dynamodb"])
    created = stream.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        stream["ApproximateCreationDateTime"] = created.timestamp()
    return {**record, "dynamodb": stream, "eventSourceARN": stream_arn}


def on_failure_queue(sqs: Any, queue_url: str) -> Callable[[dict[str, Any]], None]:
    def send(failure: dict[str, Any]) -> None:
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(failure))

    return send


class StreamPump:
    """Reads every shard of one stream from its start, one consumer per shard, until stopped."""

    def __init__(
        self,
        streams: Any,
        stream_arn: str,
        new_consumer: Callable[[str], ShardReader],
        *,
        poll_interval: float,
        forget_read: Callable[[str | None, list[str]], None] = lambda sequence_number, iterators: None,
    ) -> None:
        self._streams = streams
        self._forget_read = forget_read
        self._stream_arn = stream_arn
        self._new_consumer = new_consumer
        self._consumers: dict[str, ShardReader] = {}
        self._thread = PollingThread(
            "stream-pump", self.poll, interval=poll_interval, failure="reading the table's stream failed"
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._thread.stop()

    def poll(self) -> None:
        """Read what each shard has and hand due batches to the consumers.

        Each poll asks for a new iterator from the shard's start rather than following the last
        answer's `NextShardIterator`: moto restores a copy of the whole table, its stream shard
        included, when a transaction is cancelled, and an iterator of the replaced shard never
        sees another record. From the start is right because what was read is forgotten.
        """
        for shard_id in self._shard_ids():
            consumer = self._consumers.setdefault(shard_id, self._new_consumer(shard_id))
            iterator = self._streams.get_shard_iterator(
                StreamArn=self._stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            response = self._streams.get_records(ShardIterator=iterator)
            records = response["Records"]
            consumer.add([lambda_record(record, self._stream_arn) for record in records])
            # The consumer holds what it has read until it is delivered or given up.
            self._forget_read(
                records[-1]["dynamodb"]["SequenceNumber"] if records else None,
                [iterator, *filter(None, [response.get("NextShardIterator")])],
            )
            while consumer.step():
                pass

    def _shard_ids(self) -> list[str]:
        description = self._streams.describe_stream(StreamArn=self._stream_arn)["StreamDescription"]
        return [shard["ShardId"] for shard in description["Shards"]]
