"""One invocation's stream records relayed in order, with per-user ordering on failure.

Records are read in the order the shard holds them and their events gathered into PublishBatch
calls within SNS's limits (ten entries, 256 KiB), one call at a time. A record fails when it cannot be read or when
SNS did not take one of its events (a redelivery then republishes all of them, with the same ids).
Once a record of a user fails, every later record of that user in the batch fails too, unpublished
if not sent yet, so that it is delivered again after the failed one: Lambda restarts the shard at
the lowest failed sequence number. A later record sent in the same call as the failed one may reach
consumers once before it as well; it comes again after it, with the same id. Other users' records
carry on.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from runtime.events.dependencies import PUBLISH_CALL_WORST_CASE_MS
from runtime.events.models import DomainEvent
from runtime.events.publisher import MAX_BYTES_PER_CALL, MAX_ENTRIES_PER_CALL, EventPublisher, message_size
from runtime.events.translate import events_of, user_id_of


class HeldBackError(RuntimeError):
    """An earlier record of the same user failed in this batch; this one waits for its redelivery."""


class NotPublishedError(RuntimeError):
    """SNS did not take every event of this record."""


class OutOfTimeError(RuntimeError):
    """Too little of the invocation was left to publish this record's events; its redelivery will."""


class TooLargeError(ValueError):
    """This record's events exceed what one PublishBatch call takes: no retry publishes them."""


@dataclass(frozen=True)
class _Pending:
    sequence_number: str
    user_id: str
    events: list[DomainEvent]
    size: int


@dataclass
class RelayedBatch:
    """What became of each record, by sequence number: its published events, or why it failed."""

    published: dict[str, list[DomainEvent]] = field(default_factory=dict)
    failures: dict[str, Exception] = field(default_factory=dict)
    _failed_users: set[str] = field(default_factory=set)

    def outcome(self, record: DynamoDBRecord) -> list[DomainEvent]:
        """The batch processor's record handler: a failed record raises what failed it."""
        sequence_number = _sequence_number(record)
        if sequence_number in self.failures:
            raise self.failures[sequence_number]
        return self.published[sequence_number]

    def fail(self, sequence_number: str, user_id: str | None, error: Exception) -> None:
        self.failures[sequence_number] = error
        if user_id is not None:
            self._failed_users.add(user_id)

    def holds_back(self, user_id: str) -> bool:
        return user_id in self._failed_users

    def settle(self, sent: list[_Pending], refused_ids: set[str]) -> None:
        """Record what one PublishBatch call did, in shard order, holding back behind a refused record.

        Only a refusal within this call holds back the records after it: every record in the call
        passed the hold when it was read, and a later record that failed meanwhile holds back none
        sent before it.
        """
        refused_users: set[str] = set()
        for pending in sent:
            if pending.user_id in refused_users:
                self.fail(pending.sequence_number, pending.user_id, HeldBackError(pending.user_id))
            elif refused_ids & {event.id for event in pending.events}:
                self.fail(pending.sequence_number, pending.user_id, NotPublishedError(pending.sequence_number))
                refused_users.add(pending.user_id)
            else:
                self.published[pending.sequence_number] = pending.events

    @property
    def events_published(self) -> int:
        return sum(len(events) for events in self.published.values())


# What else the relay does with a record before its events are published (the items' reminder
# schedules); raising fails the record as a refused publish does, with the same per-user hold-back.
RecordSideEffect = Callable[[DynamoDBRecord], object]


def relay(
    records: Iterable[DynamoDBRecord],
    publisher: EventPublisher,
    *,
    time_left_ms: Callable[[], int] = lambda: sys.maxsize,
    side_effect: RecordSideEffect | None = None,
) -> RelayedBatch:
    """Relay `records`, starting no call (PublishBatch, or the side effect's) with less than a
    call's worst case left of the invocation (`time_left_ms`): the records not done by then fail,
    to come again, rather than the whole batch timing out."""
    batch = RelayedBatch()

    def has_time() -> bool:
        return time_left_ms() > PUBLISH_CALL_WORST_CASE_MS

    waiting: list[_Pending] = []
    for record in records:
        pending = _read(record, batch, side_effect, has_time)
        if pending is None:
            continue
        if not _fits([*waiting, pending]):
            _send(waiting, publisher, batch, has_time)
            waiting = []
        if batch.holds_back(pending.user_id):
            batch.fail(pending.sequence_number, pending.user_id, HeldBackError(pending.user_id))
        elif not _fits([pending]):
            batch.fail(pending.sequence_number, pending.user_id, TooLargeError(_too_large(pending)))
        else:
            waiting.append(pending)
    _send(waiting, publisher, batch, has_time)
    return batch


def _fits(pending: list[_Pending]) -> bool:
    entries = sum(len(each.events) for each in pending)
    return entries <= MAX_ENTRIES_PER_CALL and sum(each.size for each in pending) <= MAX_BYTES_PER_CALL


def _too_large(pending: _Pending) -> str:
    return (
        f"record {pending.sequence_number}: {len(pending.events)} events of {pending.size} bytes, over "
        f"PublishBatch's {MAX_ENTRIES_PER_CALL} entries or {MAX_BYTES_PER_CALL} bytes"
    )


def _read(
    record: DynamoDBRecord,
    batch: RelayedBatch,
    side_effect: RecordSideEffect | None,
    has_time: Callable[[], bool],
) -> _Pending | None:
    sequence_number = _sequence_number(record)
    user_id: str | None = None
    try:
        user_id = user_id_of(record)
        if batch.holds_back(user_id):
            raise HeldBackError(user_id)
        events = events_of(record)
        if side_effect is not None:
            if not has_time():
                raise OutOfTimeError(sequence_number)
            side_effect(record)
        return _Pending(sequence_number, user_id, events, sum(message_size(event) for event in events))
    except Exception as error:
        batch.fail(sequence_number, user_id, error)
        return None


def _send(
    waiting: list[_Pending], publisher: EventPublisher, batch: RelayedBatch, has_time: Callable[[], bool]
) -> None:
    if not waiting:
        return
    if not has_time():
        for pending in waiting:
            batch.fail(pending.sequence_number, pending.user_id, OutOfTimeError(pending.sequence_number))
        return
    events = [event for pending in waiting for event in pending.events]
    batch.settle(waiting, publisher.publish(events, may_retry=has_time) if events else set())


def _sequence_number(record: DynamoDBRecord) -> str:
    stream = record.dynamodb
    sequence_number = None if stream is None else stream.sequence_number
    if sequence_number is None:
        raise ValueError(f"record {record.event_id} has no sequence number to report it by")
    return sequence_number
