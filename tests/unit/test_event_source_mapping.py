"""The local pump's event source mapping: filter, batching window, partial failures, retries,
bisect on error, record age and the on-failure records, with a fake relay and a fake clock."""

from typing import Any

import pytest

from local_api.event_source_mapping import MappingSettings, ShardConsumer, matches
from runtime.events.stream_filter import DOMAIN_RECORD_PATTERN

NOW = 1_800_000_000.0


def record(sequence: int, partition: str = "USER#a", created: float = NOW) -> dict[str, Any]:
    return {
        "eventID": f"event-{sequence}",
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "dynamodb": {
            "Keys": {"PK": {"S": partition}, "SK": {"S": "METADATA"}},
            "SequenceNumber": str(100 + sequence),
            "ApproximateCreationDateTime": created,
        },
    }


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


class FakeRelay:
    """Fails the sequence numbers in `poisoned` (and, like the relay, later records of their
    partition) by `batchItemFailures`, or raises on them when `raises`; remembers each batch."""

    def __init__(self, poisoned: set[str] = frozenset(), *, raises: bool = False) -> None:  # type: ignore[assignment]
        self.poisoned = poisoned
        self.raises = raises
        self.batches: list[list[str]] = []
        self.delivered: list[str] = []

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        sequences = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
        self.batches.append(sequences)
        failed, failed_partitions = [], set()
        for r in event["Records"]:
            sequence, partition = r["dynamodb"]["SequenceNumber"], r["dynamodb"]["Keys"]["PK"]["S"]
            if sequence in self.poisoned or partition in failed_partitions:
                failed.append(sequence)
                failed_partitions.add(partition)
            else:
                self.delivered.append(sequence)
        if failed and self.raises:
            raise RuntimeError("poisoned")
        return {"batchItemFailures": [{"itemIdentifier": s} for s in failed]}


def consumer(relay: FakeRelay, clock: Clock, failures: list[dict[str, Any]], **settings: Any) -> ShardConsumer:
    return ShardConsumer(
        handler=relay,
        on_failure=failures.append,
        shard_id="shardId-1",
        stream_arn="arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/1",
        function_arn="arn:aws:lambda:us-east-1:123456789012:function:relay",
        filter_patterns=[DOMAIN_RECORD_PATTERN],
        settings=MappingSettings(**settings),
        clock=clock,
    )


def drain(shard: ShardConsumer) -> None:
    while shard.step():
        pass


@pytest.mark.parametrize(
    ("partition", "kept"), [("USER#01", True), ("EMAIL#jane@example.com", False), ("IDEMPOTENCY", False)]
)
def test_the_stacks_filter_keeps_only_user_partitions(partition, kept):
    assert matches(DOMAIN_RECORD_PATTERN, record(1, partition)) is kept


def test_a_record_without_the_filtered_key_does_not_match():
    assert not matches(DOMAIN_RECORD_PATTERN, {"dynamodb": {"Keys": {"SK": {"S": "METADATA"}}}})


def test_an_unsupported_filter_rule_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="only `prefix`"):
        matches({"dynamodb": [{"anything-but": "x"}]}, {"dynamodb": "y"})


def test_records_wait_for_the_batching_window_then_go_in_shard_order_without_filtered_ones():
    relay, clock, failures = FakeRelay(), Clock(), []
    shard = consumer(relay, clock, failures)
    shard.add([record(1), record(2, "EMAIL#x"), record(3, "USER#b")])

    drain(shard)
    assert relay.batches == []

    clock.now += 1.0
    drain(shard)
    assert relay.batches == [["101", "103"]]
    assert shard.pending == 0


def test_a_full_batch_goes_at_once():
    relay, clock, failures = FakeRelay(), Clock(), []
    shard = consumer(relay, clock, failures, batch_size=2)
    shard.add([record(1), record(2), record(3)])

    assert shard.step()
    assert relay.batches == [["101", "102"]]


def test_a_partial_failure_is_delivered_again_from_the_lowest_failed_record():
    relay, clock, failures = FakeRelay({"102"}), Clock(), []
    shard = consumer(relay, clock, failures)
    shard.add([record(1, "USER#a"), record(2, "USER#b"), record(3, "USER#c")])
    clock.now += 1.0

    shard.step()
    relay.poisoned = set()
    shard.step()

    assert relay.batches == [["101", "102", "103"], ["102", "103"]]
    assert failures == []


def test_a_poisoned_record_is_retried_three_times_then_its_range_goes_to_the_on_failure_queue():
    relay, clock, failures = FakeRelay({"102"}), Clock(), []
    shard = consumer(relay, clock, failures)
    shard.add([record(1, "USER#a"), record(2, "USER#b"), record(3, "USER#c")])
    clock.now += 1.0

    drain(shard)

    assert relay.batches == [["101", "102", "103"]] + [["102", "103"]] * 3
    assert shard.pending == 0
    [failure] = failures
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["requestContext"]["approximateInvokeCount"] == 4
    info = failure["DDBStreamBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == ("102", "103", 2)
    assert info["shardId"] == "shardId-1"
    assert info["streamArn"].endswith("/stream/1")


def test_other_users_records_after_a_poisoned_one_reach_the_relay_on_the_first_attempt():
    relay, clock, failures = FakeRelay({"101"}), Clock(), []
    shard = consumer(relay, clock, failures)
    shard.add([record(1, "USER#a"), record(2, "USER#a"), record(3, "USER#b")])
    clock.now += 1.0

    drain(shard)

    assert relay.delivered[0] == "103"
    assert "102" not in relay.delivered  # held back behind its user's poisoned record, then given up with it
    assert failures[0]["DDBStreamBatchInfo"]["startSequenceNumber"] == "101"


def test_a_handler_error_splits_the_batch_until_the_poisoned_record_is_alone():
    relay, clock, failures = FakeRelay({"103"}, raises=True), Clock(), []
    shard = consumer(relay, clock, failures)
    shard.add([record(n, f"USER#{n}") for n in range(1, 5)])
    clock.now += 1.0

    drain(shard)

    assert relay.batches[:4] == [["101", "102", "103", "104"], ["101", "102"], ["103", "104"], ["103"]]
    assert relay.batches[4:] == [["103"]] * 3 + [["104"]]
    [failure] = failures
    assert failure["responseContext"]["functionError"] == "Unhandled"
    assert failure["DDBStreamBatchInfo"]["batchSize"] == 1
    assert failure["DDBStreamBatchInfo"]["startSequenceNumber"] == "103"


def test_an_unknown_item_identifier_fails_the_whole_batch():
    clock, failures, batches = Clock(), [], []

    def answers_nonsense(event: dict[str, Any]) -> dict[str, Any]:
        batches.append(len(event["Records"]))
        return {"batchItemFailures": [{"itemIdentifier": "not-in-the-batch"}]}

    shard = ShardConsumer(
        handler=answers_nonsense,
        on_failure=failures.append,
        shard_id="s",
        stream_arn="a",
        function_arn="f",
        filter_patterns=[DOMAIN_RECORD_PATTERN],
        clock=clock,
    )
    shard.add([record(1)])
    clock.now += 1.0
    drain(shard)

    assert batches == [1, 1, 1, 1]
    assert failures[0]["requestContext"]["condition"] == "RetryAttemptsExhausted"


def test_records_older_than_the_maximum_age_go_to_the_on_failure_queue_unprocessed():
    relay, clock, failures = FakeRelay(), Clock(), []
    shard = consumer(relay, clock, failures)
    shard.add([record(1, created=NOW - 3601), record(2, created=NOW)])
    clock.now += 1.0

    drain(shard)

    assert relay.batches == [["102"]]
    assert failures[0]["requestContext"]["condition"] == "RecordAgeExceeded"
    assert failures[0]["DDBStreamBatchInfo"]["startSequenceNumber"] == "101"
