"""Domain events to the SNS topic, ten to a PublishBatch call (SNS's limit per call).

Each message carries `eventType` and `userId` as String attributes, for subscription filter
policies; its body is the envelope's JSON. A call SNS refuses as a whole fails every entry in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from runtime.events.models import DomainEvent, to_json
from runtime.observability import logger

MAX_ENTRIES_PER_CALL = 10


def _entry(event: DomainEvent) -> dict[str, Any]:
    return {
        # An event id is a UUID: within SNS's 80 characters of letters, digits, `-` and `_`.
        "Id": event.id,
        "Message": to_json(event),
        "MessageAttributes": {
            "eventType": {"DataType": "String", "StringValue": event.type},
            "userId": {"DataType": "String", "StringValue": event.user_id},
        },
    }


class EventPublisher:
    def __init__(self, client: Any, topic_arn: str) -> None:
        self._client = client
        self._topic_arn = topic_arn

    def publish(self, events: Sequence[DomainEvent]) -> set[str]:
        """Publish up to ten events in one call; the ids of those SNS did not take."""
        if len(events) > MAX_ENTRIES_PER_CALL:
            raise ValueError(f"PublishBatch takes at most {MAX_ENTRIES_PER_CALL} entries, not {len(events)}")
        if not events:
            return set()
        try:
            response = self._client.publish_batch(
                TopicArn=self._topic_arn, PublishBatchRequestEntries=[_entry(event) for event in events]
            )
        except (BotoCoreError, ClientError):
            logger.exception("PublishBatch failed as a whole", extra={"entries": len(events)})
            return {event.id for event in events}
        failed = response.get("Failed", [])
        if failed:
            logger.warning("PublishBatch refused entries", extra={"failed": failed})
        return {entry["Id"] for entry in failed}
