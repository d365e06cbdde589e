"""Domain events to the SNS topic in PublishBatch calls within SNS's limits per call: ten entries,
256 KiB of messages and attributes together.

Each message carries `eventType` and `userId` as String attributes, for subscription filter
policies; its body is the envelope's JSON. A call SNS refuses as a whole fails every entry in it;
entries SNS refuses for its own reasons (throttling, an internal error: not a sender fault) are
sent again in a call of their own, up to `ENTRY_RETRIES` times, while the caller has time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from runtime.events.models import DomainEvent, to_json
from runtime.observability import logger

MAX_ENTRIES_PER_CALL = 10
MAX_BYTES_PER_CALL = 256 * 1024
ENTRY_RETRIES = 2
# Full jitter on 50 ms, then 100 ms: a throttled topic gets a moment, the batch no timeout.
_RETRY_BASE_SECONDS = 0.05


def _attributes(event: DomainEvent) -> dict[str, dict[str, str]]:
    return {
        "eventType": {"DataType": "String", "StringValue": event.type},
        "userId": {"DataType": "String", "StringValue": event.user_id},
    }


def message_size(event: DomainEvent) -> int:
    """The bytes SNS counts against a call's 256 KiB: the body, and each attribute's name, type and value."""
    attributes = sum(
        len(name.encode()) + len(value["DataType"].encode()) + len(value["StringValue"].encode())
        for name, value in _attributes(event).items()
    )
    return len(to_json(event).encode()) + attributes


def _entry(event: DomainEvent) -> dict[str, Any]:
    # An event id is a UUID: within SNS's 80 characters of letters, digits, `-` and `_`.
    return {"Id": event.id, "Message": to_json(event), "MessageAttributes": _attributes(event)}


def _jittered_pause(attempt: int) -> None:
    # From os.urandom: restored or forked environments never share a sequence.
    fraction = int.from_bytes(os.urandom(2)) / 65536
    time.sleep(fraction * _RETRY_BASE_SECONDS * 2**attempt)


class EventPublisher:
    def __init__(self, client: Any, topic_arn: str, *, pause: Callable[[int], None] = _jittered_pause) -> None:
        self._client = client
        self._topic_arn = topic_arn
        self._pause = pause

    def publish(self, events: Sequence[DomainEvent], *, may_retry: Callable[[], bool] = lambda: True) -> set[str]:
        """Publish events that fit one call; the ids of those SNS did not take in the end."""
        if len(events) > MAX_ENTRIES_PER_CALL:
            raise ValueError(f"PublishBatch takes at most {MAX_ENTRIES_PER_CALL} entries, not {len(events)}")
        size = sum(message_size(event) for event in events)
        if size > MAX_BYTES_PER_CALL:
            raise ValueError(f"PublishBatch takes at most {MAX_BYTES_PER_CALL} bytes of messages, not {size}")
        given_up: set[str] = set()
        for attempt in range(ENTRY_RETRIES + 1):
            if not events:
                break
            if attempt:
                self._pause(attempt - 1)
            refused, retriable = self._call(events)
            if not retriable or attempt == ENTRY_RETRIES or not may_retry():
                return given_up | refused
            given_up |= refused - retriable
            events = [event for event in events if event.id in retriable]
        return given_up

    def _call(self, events: Sequence[DomainEvent]) -> tuple[set[str], set[str]]:
        """The ids SNS refused, and those of them worth sending again."""
        try:
            response = self._client.publish_batch(
                TopicArn=self._topic_arn, PublishBatchRequestEntries=[_entry(event) for event in events]
            )
        except (BotoCoreError, ClientError):
            logger.exception("PublishBatch failed as a whole", extra={"entries": len(events)})
            return {event.id for event in events}, set()
        failed = response.get("Failed", [])
        if failed:
            logger.warning("PublishBatch refused entries", extra={"failed": failed})
        refused = {entry["Id"] for entry in failed}
        return refused, {entry["Id"] for entry in failed if not entry["SenderFault"]}
