"""Stream records (NEW_AND_OLD_IMAGES) to domain events, read through the runtime's own record mapping.

A record is a profile (`SK = METADATA`) or an item (`SK = ITEM#…`) of `USER#<id>`; anything else
that reaches the relay is a record it cannot read, and fails (to its retries, then the on-failure
queue) rather than being dropped unseen. A write that changes no field an event carries (a PATCH
with the values already stored) yields no event.

An item's attachments (the `attachments` map of its record) are not fields of `item.updated`: a
write that only adds or settles one publishes nothing, and each attachment a write takes out of
the item publishes an `attachment.removed` (its object must go). The item's own deletion covers
its attachments with `item.deleted`.

Deletions by DynamoDB's time to live (REMOVE records whose `userIdentity` is the DynamoDB service)
are published like any deletion, with `cause: expiry`: nothing the API writes to a profile or an
item expires today, but if a record ever does, its consumers must still learn that it is gone.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)

from runtime import records
from runtime import table_schema as schema
from runtime.attachments import records as attachment_records
from runtime.events import models
from runtime.models import Item, ItemStatus, User

# Fixed for good: event ids are uuid5(namespace, "<stream eventID>/<event type>").
EVENT_ID_NAMESPACE = uuid.UUID("5b0f6c1e-2d47-4c83-9a59-8e7f0c8e1a6d")
_TTL_PRINCIPAL = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


class UnreadableRecordError(ValueError):
    """A stream record the relay cannot turn into events: not a profile or an item, or malformed."""


def event_id(stream_event_id: str, event_type: str) -> str:
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, f"{stream_event_id}/{event_type}"))


def user_id_of(record: DynamoDBRecord) -> str:
    """The user a record belongs to, from its partition key: what per-user ordering goes by."""
    partition = str(_stream(record).raw_event.get("Keys", {}).get(schema.PARTITION_KEY, {}).get("S", ""))
    if not partition.startswith(schema.USER_PREFIX):
        raise UnreadableRecordError(f"record {record.event_id} is not in a user's partition: {partition!r}")
    return partition.removeprefix(schema.USER_PREFIX)


def events_of(record: DynamoDBRecord) -> list[models.DomainEvent]:
    try:
        return _events_of(record)
    except (KeyError, TypeError, ValueError) as error:
        raise UnreadableRecordError(f"record {record.event_id} cannot be read: {error!r}") from error


def _events_of(record: DynamoDBRecord) -> list[models.DomainEvent]:
    sort_key = _stream(record).raw_event["Keys"][schema.SORT_KEY]["S"]
    name = record.event_name
    if sort_key == schema.PROFILE_SORT_KEY:
        return _profile_events(record, name)
    if sort_key.startswith(schema.ITEM_PREFIX):
        return _item_events(record, name) + _attachment_events(record, name)
    if sort_key.startswith(schema.REMINDER_PREFIX):
        return _reminder_events(record, name)
    raise UnreadableRecordError(
        f"record {record.event_id} is neither a profile, an item nor a reminder: SK {sort_key!r}"
    )


def _profile_events(record: DynamoDBRecord, name: DynamoDBRecordEventName | None) -> list[models.DomainEvent]:
    if name is DynamoDBRecordEventName.REMOVE:
        last = _old_user(record)
        deletion = models.UserDeletedData(version=last.version, cause=_deletion_cause(record))
        envelope = _envelope(record, "user.deleted", last.user_id, _record_time(record))
        return [models.UserDeleted(**envelope, data=deletion)]
    user = _new_user(record)
    if name is DynamoDBRecordEventName.INSERT:
        created = _envelope(record, "user.created", user.user_id, user.updated_at)
        return [models.UserCreated(**created, data=_user_snapshot(user))]
    before = _old_user(record)
    changes = models.UserChanges(name=_change(before.name, user.name))
    email_changed = before.email != user.email
    if changes == models.UserChanges() and not email_changed:
        return []
    data = models.UserUpdatedData(user=_user_snapshot(user), changes=changes, email_changed=email_changed)
    return [models.UserUpdated(**_envelope(record, "user.updated", user.user_id, user.updated_at), data=data)]


def _item_events(record: DynamoDBRecord, name: DynamoDBRecordEventName | None) -> list[models.DomainEvent]:
    if name is DynamoDBRecordEventName.REMOVE:
        last = records.item_from(_stream(record).raw_event["OldImage"])
        data = models.ItemDeletedData(item_id=last.item_id, version=last.version, cause=_deletion_cause(record))
        return [models.ItemDeleted(**_envelope(record, "item.deleted", last.user_id, _record_time(record)), data=data)]
    item = records.item_from(_stream(record).raw_event["NewImage"])
    snapshot = _item_snapshot(item)
    if name is DynamoDBRecordEventName.INSERT:
        return [models.ItemCreated(**_envelope(record, "item.created", item.user_id, item.updated_at), data=snapshot)]
    before = records.item_from(_stream(record).raw_event["OldImage"])
    changes = models.ItemChanges(
        task=_change(before.task, item.task),
        status=_change(before.status, item.status),
        due_at=None if before.due_at == item.due_at else models.DueAtChange(before=before.due_at, after=item.due_at),
    )
    if changes == models.ItemChanges():
        return []
    updated = models.ItemUpdated(
        **_envelope(record, "item.updated", item.user_id, item.updated_at),
        data=models.ItemUpdatedData(item=snapshot, changes=changes),
    )
    if item.status is not ItemStatus.DONE or before.status is ItemStatus.DONE:
        return [updated]
    completed = models.ItemCompleted(
        **_envelope(record, "item.completed", item.user_id, item.updated_at),
        data=models.ItemCompletedData(item=snapshot),
    )
    return [updated, completed]


def _reminder_events(record: DynamoDBRecord, name: DynamoDBRecordEventName | None) -> list[models.DomainEvent]:
    """A reminder record written is a reminder due; its expiry, or its user's deletion, is no event."""
    if name is not DynamoDBRecordEventName.INSERT:
        return []
    reminder = records.reminder_from(_stream(record).raw_event["NewImage"])
    data = models.ItemReminderDueData(
        item_id=reminder.item_id, task=reminder.task, due_at=reminder.due_at, reminded_at=reminder.reminded_at
    )
    envelope = _envelope(record, "item.reminder_due", reminder.user_id, reminder.reminded_at)
    return [models.ItemReminderDue(**envelope, data=data)]


def _attachment_events(record: DynamoDBRecord, name: DynamoDBRecordEventName | None) -> list[models.DomainEvent]:
    """An `attachment.removed` per attachment the write took out of the item (the API's removal, or
    an expired upload dropped); changes of attachments alone are no `item.updated`."""
    if name is not DynamoDBRecordEventName.MODIFY:
        return []
    images = _stream(record).raw_event
    before = attachment_records.stored_attachments(records.from_attributes(images["OldImage"]))
    after_values = records.from_attributes(images["NewImage"])
    after = attachment_records.stored_attachments(after_values)
    occurred_at, user_id = str(after_values["updatedAt"]), str(after_values["userId"])
    return [
        models.AttachmentRemoved(
            **_envelope(record, "attachment.removed", user_id, occurred_at, subject=attachment_id),
            data=models.AttachmentRemovedData(
                item_id=str(after_values["itemId"]),
                attachment_id=attachment_id,
                cause=models.DeletionCause.EXPIRY if stored.expired(occurred_at) else models.DeletionCause.REQUEST,
            ),
        )
        for attachment_id, stored in before.items()
        if attachment_id not in after
    ]


def _stream(record: DynamoDBRecord) -> Any:
    stream = record.dynamodb
    if stream is None:
        raise UnreadableRecordError(f"record {record.event_id} has no `dynamodb` part")
    return stream


def _new_user(record: DynamoDBRecord) -> User:
    return records.profile_from(_stream(record).raw_event["NewImage"]).user


def _old_user(record: DynamoDBRecord) -> User:
    return records.profile_from(_stream(record).raw_event["OldImage"]).user


def _envelope(
    record: DynamoDBRecord, event_type: str, user_id: str, occurred_at: str, subject: str | None = None
) -> dict[str, Any]:
    """`subject` tells apart the events of one type a record gives several of (one per attachment)."""
    if record.event_id is None:
        raise UnreadableRecordError("a stream record without an eventID cannot give its events stable ids")
    kind = event_type if subject is None else f"{event_type}/{subject}"
    return {"id": event_id(record.event_id, kind), "occurred_at": _milliseconds(occurred_at), "user_id": user_id}


def _milliseconds(timestamp: str) -> str:
    """`updatedAt` as the API writes it (ISO 8601, UTC), normalised to milliseconds and `Z`."""
    moment = datetime.fromisoformat(timestamp).astimezone(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _record_time(record: DynamoDBRecord) -> str:
    """When DynamoDB wrote the stream record (whole seconds): the time of a deletion."""
    seconds = _stream(record).approximate_creation_date_time
    if seconds is None:
        raise UnreadableRecordError(f"record {record.event_id} has no ApproximateCreationDateTime")
    return _milliseconds(datetime.fromtimestamp(seconds, UTC).isoformat())


def _deletion_cause(record: DynamoDBRecord) -> models.DeletionCause:
    identity = record.user_identity
    expired = all(identity.get(key) == value for key, value in _TTL_PRINCIPAL.items())
    return models.DeletionCause.EXPIRY if expired else models.DeletionCause.REQUEST


def _change(before: models.T, after: models.T) -> models.Change[models.T] | None:
    return None if before == after else models.Change(before=before, after=after)


def _user_snapshot(user: User) -> models.UserSnapshot:
    return models.UserSnapshot(
        name=user.name, created_at=user.created_at, updated_at=user.updated_at, version=user.version
    )


def _item_snapshot(item: Item) -> models.ItemSnapshot:
    return models.ItemSnapshot(
        item_id=item.item_id,
        task=item.task,
        status=item.status,
        due_at=item.due_at,
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=item.version,
    )
