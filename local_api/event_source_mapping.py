"""What Lambda's event source mapping does with one shard of a DynamoDB stream, for the local pump.

The stack's mapping (batch size 100, batching window 1 s, `ReportBatchItemFailures`, bisect on
error, 3 retries, records up to an hour old, an on-failure queue) is played here in-process:

- records the filter patterns do not match are dropped before any batch is formed;
- a batch goes to the handler when it is full or its window has passed, a retry at once;
- `batchItemFailures` checkpoints the records before the lowest failed sequence number and
  delivers again from it (later records come again too: delivery is at least once); an unknown
  identifier fails the whole batch, as on Lambda;
- a handler exception fails the whole batch, which is split in two before its retry; splits do not
  use up retries, so a poisoned record ends up alone, and only it reaches the on-failure queue;
- after the retries, or when the oldest record is past the maximum age, the batch's range goes to
  the on-failure destination in Lambda's shape (`DDBStreamBatchInfo`) and the shard moves on.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from runtime.events import stream_mapping

StreamRecord = dict[str, Any]
Handler = Callable[[dict[str, Any]], Any]
OnFailure = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class MappingSettings:
    """The stack's event source mapping settings (`runtime.events.stream_mapping`, which the
    component deploys); tests play with others."""

    batch_size: int = stream_mapping.BATCH_SIZE
    batching_window_seconds: float = stream_mapping.BATCHING_WINDOW_SECONDS
    maximum_retry_attempts: int = stream_mapping.RETRY_ATTEMPTS
    maximum_record_age_seconds: int = stream_mapping.MAXIMUM_RECORD_AGE_SECONDS
    bisect_batch_on_function_error: bool = stream_mapping.BISECT_BATCH_ON_FUNCTION_ERROR


def matches(pattern: Mapping[str, Any], value: object) -> bool:
    """Lambda's filter syntax, the subset the stack's pattern uses: nested keys, lists of
    alternatives, exact values and `prefix`. A key the record lacks does not match."""
    if not isinstance(value, Mapping):
        return False
    return all(key in value and _field_matches(rule, value[key]) for key, rule in pattern.items())


def _field_matches(rule: Any, value: object) -> bool:
    if isinstance(rule, Mapping):
        return matches(rule, value)
    if isinstance(rule, list):
        return any(_value_matches(condition, value) for condition in rule)
    raise ValueError(f"a filter rule is an object or a list of values, not {rule!r}")


def _value_matches(condition: Any, value: object) -> bool:
    if isinstance(condition, Mapping):
        if set(condition) != {"prefix"}:
            raise ValueError(f"the local pump supports only `prefix` among the content filters, not {condition!r}")
        return isinstance(value, str) and value.startswith(condition["prefix"])
    return bool(condition == value)


def _sequence_number(record: StreamRecord) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


def _created_at(record: StreamRecord) -> float:
    return float(record["dynamodb"]["ApproximateCreationDateTime"])


def _iso(epoch_seconds: float, timespec: str = "seconds") -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


@dataclass(frozen=True)
class _Outcome:
    """`failed_at`: index of the first record to deliver again (None: all done)."""

    failed_at: int | None
    function_error: bool = False


class ShardConsumer:
    """One shard's position, batch window and retries."""

    def __init__(
        self,
        *,
        handler: Handler,
        on_failure: OnFailure,
        shard_id: str,
        stream_arn: str,
        function_arn: str,
        filter_patterns: Sequence[Mapping[str, Any]],
        settings: MappingSettings = MappingSettings(),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._handler = handler
        self._on_failure = on_failure
        self._shard_id = shard_id
        self._stream_arn = stream_arn
        self._function_arn = function_arn
        self._filter_patterns = filter_patterns
        self._settings = settings
        self._clock = clock
        self._pending: list[StreamRecord] = []
        self._window_opened_at = 0.0
        self._attempts = 0  # failed invocations of the batch at the head of the shard
        self._limit = settings.batch_size

    def add(self, records: Sequence[StreamRecord]) -> None:
        """Records read from the shard, in its order; those no pattern matches are dropped."""
        kept = [record for record in records if any(matches(p, record) for p in self._filter_patterns)]
        if kept and not self._pending:
            self._window_opened_at = self._clock()
        self._pending += kept

    @property
    def pending(self) -> int:
        return len(self._pending)

    def step(self) -> bool:
        """Invoke the handler once if a batch is due; whether it was."""
        self._expire_old_records()
        if not self._due():
            return False
        batch = self._pending[: self._limit]
        outcome = self._invoke(batch)
        if outcome.failed_at is None:
            self._checkpoint(len(batch))
        elif outcome.function_error:
            self._after_function_error(batch)
        else:
            self._after_partial_failure(batch, outcome.failed_at)
        return True

    def _due(self) -> bool:
        if not self._pending:
            return False
        if self._attempts or len(self._pending) >= self._settings.batch_size:
            return True
        return self._clock() - self._window_opened_at >= self._settings.batching_window_seconds

    def _invoke(self, batch: list[StreamRecord]) -> _Outcome:
        try:
            response = self._handler({"Records": batch})
        except Exception:
            return _Outcome(failed_at=0, function_error=True)
        failures = response.get("batchItemFailures") if isinstance(response, Mapping) else None
        if not failures:
            return _Outcome(failed_at=None)
        positions = {_sequence_number(record): index for index, record in enumerate(batch)}
        failed = [positions.get(str(failure.get("itemIdentifier"))) for failure in failures]
        if None in failed:
            return _Outcome(failed_at=0, function_error=True)
        return _Outcome(failed_at=min(index for index in failed if index is not None))

    def _after_function_error(self, batch: list[StreamRecord]) -> None:
        if self._settings.bisect_batch_on_function_error and len(batch) > 1:
            self._limit = len(batch) // 2
            return
        self._attempts += 1
        if self._attempts > self._settings.maximum_retry_attempts:
            self._give_up(batch, "RetryAttemptsExhausted", function_error=True)

    def _after_partial_failure(self, batch: list[StreamRecord], failed_at: int) -> None:
        if failed_at:
            self._checkpoint(failed_at)
        self._attempts += 1
        if self._attempts > self._settings.maximum_retry_attempts:
            self._give_up(batch[failed_at:], "RetryAttemptsExhausted", function_error=False)

    def _expire_old_records(self) -> None:
        oldest_allowed = self._clock() - self._settings.maximum_record_age_seconds
        expired = 0
        while expired < len(self._pending) and _created_at(self._pending[expired]) < oldest_allowed:
            expired += 1
        if expired:
            self._give_up(self._pending[:expired], "RecordAgeExceeded", function_error=False)

    def _give_up(self, records: list[StreamRecord], condition: str, *, function_error: bool) -> None:
        self._on_failure(self._failure_record(records, condition, function_error=function_error))
        self._checkpoint(len(records))

    def _checkpoint(self, count: int) -> None:
        """The shard moves past its first `count` pending records."""
        del self._pending[:count]
        self._attempts = 0
        self._limit = self._settings.batch_size

    def _failure_record(self, records: list[StreamRecord], condition: str, *, function_error: bool) -> dict[str, Any]:
        """Lambda's on-failure destination record for a stream batch: where the batch is, not its data."""
        response_context: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
        if function_error:
            response_context["functionError"] = "Unhandled"
        return {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": self._function_arn,
                "condition": condition,
                "approximateInvokeCount": self._attempts,
            },
            "responseContext": response_context,
            "version": "1.0",
            "timestamp": _iso(self._clock(), "milliseconds"),
            "DDBStreamBatchInfo": {
                "shardId": self._shard_id,
                "startSequenceNumber": _sequence_number(records[0]),
                "endSequenceNumber": _sequence_number(records[-1]),
                "approximateArrivalOfFirstRecord": _iso(_created_at(records[0])),
                "approximateArrivalOfLastRecord": _iso(_created_at(records[-1])),
                "batchSize": len(records),
                "streamArn": self._stream_arn,
            },
        }
