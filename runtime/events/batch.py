"""One invocation's stream records relayed in order, with per-user ordering on failure.

Records are read in the order the shard holds them and their events gathered into PublishBatch
calls of at most ten entries, one call at a time. A record fails when it cannot be read or when
SNS did not take one of its events (a redelivery then republishes all of them, with the same ids).
Once a record of a user fails, every later record of that user in the batch fails too, unpublished
if not sent yet, so that it is delivered again after the failed one: Lambda restarts the shard at
the lowest failed sequence number. A later record sent in the same call as the failed one may reach
consumers once before it as well; it comes again after it, with the same id. Other users' records
carry on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from runtime.events.models import DomainEvent
from runtime.events.publisher import MAX_ENTRIES_PER_CALL, EventPublisher
from runtime.events.translate import events_of, user_id_of


class HeldBackError(RuntimeError):
    """An earlier record of the same user failed in this batch; this one waits for its redelivery."""


class NotPublishedError(RuntimeError):
    """SNS did not take every event of this record."""


@dataclass(frozen=True)
class _Pending:
    sequence_number: str
    user_id: str
    events: list[DomainEvent]


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
    records: Iterable[DynamoDBRecord], publisher: EventPublisher, side_effect: RecordSideEffect | None = None
) -> RelayedBatch:
    batch = RelayedBatch()
    waiting: list[_Pending] = []
    for record in records:
        pending = _read(record, batch, side_effect)
        if pending is None:
            continue
        if sum(len(p.events) for p in waiting) + len(pending.events) > MAX_ENTRIES_PER_CALL:
            _send(waiting, publisher, batch)
            waiting = []
        if batch.holds_back(pending.user_id):
            batch.fail(pending.sequence_number, pending.user_id, HeldBackError(pending.user_id))
        else:
            waiting.append(pending)
    _send(waiting, publisher, batch)
    return batch


def _read(record: DynamoDBRecord, batch: RelayedBatch, side_effect: RecordSideEffect | None) -> _Pending | None:
    sequence_number = _sequence_number(record)
    user_id: str | None = None
    try:
        user_id = user_id_of(record)
        if batch.holds_back(user_id):
            raise HeldBackError(user_id)
        events = events_of(record)
        if side_effect is not None:
            side_effect(record)
        return _Pending(sequence_number, user_id, events)
    except Exception as error:
        batch.fail(sequence_number, user_id, error)
        return None


def _send(waiting: list[_Pending], publisher: EventPublisher, batch: RelayedBatch) -> None:
    events = [event for pending in waiting for event in pending.events]
    batch.settle(waiting, publisher.publish(events) if events else set())


def _sequence_number(record: DynamoDBRecord) -> str:
    stream = record.dynamodb
    sequence_number = None if stream is None else stream.sequence_number
    if sequence_number is None:
        raise ValueError(f"record {record.event_id} has no sequence number to report it by")
    return sequence_number
