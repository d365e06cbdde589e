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
from runtime.models import Item, ItemStatus, User

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


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
        created_at=values["createdAt"],
        updated_at=values["updatedAt"],
        version=int(values["version"]),
    )
    return Profile(user=user, incarnation=values.get("incarnation"))


def item_from(attributes: Mapping[str, Any], now: str | None = None) -> Item:
    """The item, its PENDING attachments past their upload window EXPIRED as of `now` (if given)."""
    values = from_attributes(attributes)
    return Item(
        user_id=values["userId"],
        item_id=values["itemId"],
        task=values["task"],
        status=ItemStatus(values["status"]),
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
