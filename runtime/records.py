"""How the domain is stored: models to DynamoDB records and back, in DynamoDB's attribute format.

The keys come from `runtime.table_schema`; the repository composes these records into its access
patterns and never spells an attribute of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from runtime import table_schema as schema
from runtime.attachments import records as attachment_records
from runtime.models import Item, ItemStatus, Notifications, User

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


# A profile's opt-ins, one boolean attribute per channel (a PATCH merges the channels it names).
NOTIFICATION_ATTRIBUTES = {"email": schema.NOTIFY_BY_EMAIL_ATTRIBUTE}
# Fields of an item that only the reminders function writes, never a client change.
DUE_AT = "dueAt"
REMINDED_AT = "remindedAt"


@dataclass(frozen=True)
class Profile:
    """A user as stored: what clients see, and the incarnation writes to it condition on.

    The incarnation is None only for a profile written before incarnations existed.
    """

    user: User
    incarnation: str | None


# Most attributes are plain strings; the (de)serializer's chain of type checks costs a warm
# request more than the rest of the mapping, so strings take the short way, with the same result.
def _attribute(value: Any) -> dict[str, Any]:
    return {"S": value} if type(value) is str else _serializer.serialize(value)


def _value(attribute: Mapping[str, Any]) -> Any:
    text = attribute.get("S")
    return text if type(text) is str and len(attribute) == 1 else _deserializer.deserialize(attribute)


def to_attributes(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _attribute(value) for name, value in values.items()}


def from_attributes(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _value(value) for name, value in attributes.items()}


def profile_from(attributes: Mapping[str, Any]) -> Profile:
    values = from_attributes(attributes)
    user = User(
        user_id=values["userId"],
        email=values["email"],
        name=values["name"],
        notifications=Notifications(
            **{channel: bool(values.get(attribute, False)) for channel, attribute in NOTIFICATION_ATTRIBUTES.items()}
        ),
        created_at=values["createdAt"],
        updated_at=values["updatedAt"],
        version=int(values["version"]),
    )
    return Profile(user=user, incarnation=values.get("incarnation"))


def notification_fields(notifications: Mapping[str, bool]) -> dict[str, bool]:
    """The attributes that store the opt-ins given (by channel)."""
    return {NOTIFICATION_ATTRIBUTES[channel]: enabled for channel, enabled in notifications.items()}


def item_from(attributes: Mapping[str, Any], now: str | None = None) -> Item:
    """The item, its PENDING attachments past their upload window EXPIRED as of `now` (if given)."""
    values = from_attributes(attributes)
    return Item(
        user_id=values["userId"],
        item_id=values["itemId"],
        task=values["task"],
        status=ItemStatus(values["status"]),
        due_at=values.get(DUE_AT),
        reminded_at=values.get(REMINDED_AT),
        created_at=values["createdAt"],
        updated_at=values["updatedAt"],
        version=int(values["version"]),
        attachments=attachment_records.summaries(values, now),
    )


def _incarnation_of(profile: Profile) -> dict[str, str]:
    return {} if profile.incarnation is None else {"incarnation": profile.incarnation}


def profile_record(profile: Profile) -> dict[str, Any]:
    user = profile.user
    return {
        **schema.profile_key(user.user_id),
        "entity": "USER",
        "userId": user.user_id,
        **_incarnation_of(profile),
        "email": user.email,
        "name": user.name,
        **notification_fields(user.notifications.model_dump()),
        "createdAt": user.created_at,
        "updatedAt": user.updated_at,
        "version": user.version,
    }


def item_record(item: Item) -> dict[str, Any]:
    """The record an item is stored as, with its keys and status index key."""
    return {
        **schema.item_key(item.user_id, item.item_id),
        schema.STATUS_SORT_KEY: schema.status_sort_key(item.status, item.item_id),
        "entity": "ITEM",
        "userId": item.user_id,
        "itemId": item.item_id,
        "task": item.task,
        "status": item.status.value,
        **({} if item.due_at is None else {DUE_AT: item.due_at}),
        "createdAt": item.created_at,
        "updatedAt": item.updated_at,
        "version": item.version,
    }


def email_claim_record(profile: Profile) -> dict[str, Any]:
    return {
        **schema.email_claim_key(profile.user.email),
        "entity": "EMAIL_CLAIM",
        "userId": profile.user.user_id,
        **_incarnation_of(profile),
    }


def reminder_record(profile: Profile, item: Item, *, reminded_at: str, expires_at: int) -> dict[str, Any]:
    """What the notifier needs to send the reminder of `item` at its due time, read from the stream."""
    if item.due_at is None:
        raise ValueError(f"item {item.item_id} has no due time to be reminded of")
    return {
        **schema.reminder_key(item.user_id, item.item_id, item.due_at),
        "entity": "REMINDER",
        "userId": item.user_id,
        "itemId": item.item_id,
        "task": item.task,
        DUE_AT: item.due_at,
        REMINDED_AT: reminded_at,
        "recipient": profile.user.email,
        **notification_fields(profile.user.notifications.model_dump()),
        schema.TTL_ATTRIBUTE: expires_at,
    }


@dataclass(frozen=True)
class Reminder:
    """A reminder record as the stream hands it to the relay and the notifier."""

    user_id: str
    item_id: str
    task: str
    due_at: str
    reminded_at: str
    recipient: str
    notify_by_email: bool


def reminder_from(attributes: Mapping[str, Any]) -> Reminder:
    values = from_attributes(attributes)
    return Reminder(
        user_id=values["userId"],
        item_id=values["itemId"],
        task=values["task"],
        due_at=values[DUE_AT],
        reminded_at=values[REMINDED_AT],
        recipient=values["recipient"],
        notify_by_email=bool(values.get(NOTIFICATION_ATTRIBUTES["email"], False)),
    )
