"""The items' one-time schedules, kept by the stream relay from the item records it reads.

One schedule per item, named from its id, in the stack's own group. An item is armed while it has
a due time and is not DONE. Each change makes at most one Scheduler call on the normal path:
arming it creates the schedule, moving its due time updates it, disarming it (DONE, `dueAt`
cleared, deleted; its user's deletion deletes it) deletes it, and any other change (the task, the
reminder being recorded) makes none. A create that finds the schedule (a redelivered record)
updates it instead, an update that finds none (the schedule fired and deleted itself) creates it,
and a delete of a missing one is done: calls are idempotent, so a redelivered record is harmless.

A re-opened DONE item is armed again only when its due time is still ahead of the write; a due
time that passed while the stream was behind fires at once (a one-time schedule's `at()` is not
set in the past).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from botocore.exceptions import ClientError

from runtime import records
from runtime import table_schema as schema
from runtime.models import Item, ItemStatus

SCHEDULE_NAME_PREFIX = "item-"
# Scheduler's names: 1 to 64 of these characters.
_SCHEDULE_NAME = re.compile(r"[0-9a-zA-Z\-_.]{1,64}")
# Scheduler retries a failed invocation of the reminders function this often, for this long, then
# sends it to the dead-letter queue.
RETRY_ATTEMPTS = 3
MAXIMUM_EVENT_AGE_SECONDS = 3600

Clock = Callable[[], datetime]


def schedule_name(item_id: str) -> str:
    name = f"{SCHEDULE_NAME_PREFIX}{item_id}"
    if not _SCHEDULE_NAME.fullmatch(name):
        raise ValueError(f"item id {item_id!r} gives no valid schedule name")
    return name


@dataclass(frozen=True)
class ScheduleSettings:
    group_name: str
    target_arn: str
    """The reminders function."""
    role_arn: str
    """The role Scheduler invokes it with."""
    dead_letter_queue_arn: str


class ScheduleCall(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


def _armed(item: Item | None) -> bool:
    return item is not None and item.due_at is not None and item.status is not ItemStatus.DONE


def schedule_call(before: Item | None, after: Item | None) -> ScheduleCall | None:
    """The one call that keeps the item's schedule right after a change from `before` to `after`."""
    if after is None or after.due_at is None or after.status is ItemStatus.DONE:
        return ScheduleCall.DELETE if _armed(before) else None
    if before is not None and _armed(before):
        return ScheduleCall.UPDATE if before.due_at != after.due_at else None
    if before is not None and before.due_at == after.due_at:  # re-opened
        return ScheduleCall.CREATE if _instant(after.due_at) > _instant(after.updated_at) else None
    return ScheduleCall.CREATE


def reminder_input(item: Item) -> dict[str, str]:
    """What the schedule hands the reminders function: which item, due when."""
    if item.due_at is None:
        raise ValueError(f"item {item.item_id} has no due time")
    return {"userId": item.user_id, "itemId": item.item_id, "dueAt": item.due_at}


def at_expression(due_at: str, now: datetime) -> str:
    """`at()` of the due time rounded up to the second (Scheduler's precision), never in the past."""
    due = max(_instant(due_at), now)
    moment = datetime.fromtimestamp(math.ceil(due.timestamp()), UTC)
    return f"at({moment:%Y-%m-%dT%H:%M:%S})"


def _instant(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp).astimezone(UTC)


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class ItemSchedules:
    """The Scheduler calls for one stream record; a failed call raises, and fails the record."""

    def __init__(self, client: Any, settings: ScheduleSettings, clock: Clock = lambda: datetime.now(UTC)) -> None:
        self._client = client
        self._settings = settings
        self._clock = clock

    def follow(self, record: DynamoDBRecord) -> ScheduleCall | None:
        """Keep the schedule of the item this record changed (other records have none); the call made."""
        stream = record.dynamodb
        if stream is None or not stream.raw_event["Keys"][schema.SORT_KEY]["S"].startswith(schema.ITEM_PREFIX):
            return None
        before, after = (_image(stream.raw_event, image) for image in ("OldImage", "NewImage"))
        call = schedule_call(before, after)
        if call is ScheduleCall.DELETE and before is not None:
            self.delete(before.item_id)
        elif call is not None and after is not None:
            self.put(after, created=call is ScheduleCall.CREATE)
        return call

    def put(self, item: Item, *, created: bool) -> None:
        """Create (or, when it exists, update) the item's schedule; update (or, when gone, create) it."""
        request = self._request(item)
        first, fallback, expected = (
            (self._client.create_schedule, self._client.update_schedule, "ConflictException")
            if created
            else (self._client.update_schedule, self._client.create_schedule, "ResourceNotFoundException")
        )
        try:
            first(**request)
        except ClientError as error:
            if _error_code(error) != expected:
                raise
            fallback(**request)

    def delete(self, item_id: str) -> None:
        try:
            self._client.delete_schedule(Name=schedule_name(item_id), GroupName=self._settings.group_name)
        except ClientError as error:
            if _error_code(error) != "ResourceNotFoundException":
                raise

    def _request(self, item: Item) -> dict[str, Any]:
        settings, target_input = self._settings, reminder_input(item)
        return {
            "Name": schedule_name(item.item_id),
            "GroupName": settings.group_name,
            "ScheduleExpression": at_expression(target_input["dueAt"], self._clock()),
            "ScheduleExpressionTimezone": "UTC",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "ActionAfterCompletion": "DELETE",
            "Target": {
                "Arn": settings.target_arn,
                "RoleArn": settings.role_arn,
                "Input": json.dumps(target_input),
                "RetryPolicy": {
                    "MaximumRetryAttempts": RETRY_ATTEMPTS,
                    "MaximumEventAgeInSeconds": MAXIMUM_EVENT_AGE_SECONDS,
                },
                "DeadLetterConfig": {"Arn": settings.dead_letter_queue_arn},
            },
        }


def _image(stream: dict[str, Any], image: str) -> Item | None:
    attributes = stream.get(image)
    return None if not attributes else records.item_from(attributes)
