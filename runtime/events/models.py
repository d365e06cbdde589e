"""The domain events: one envelope, a `data` shape per event type, each type with its schema version.

The topic is shared with other teams, so no event carries an email address: `user.*` events say
whether the email changed, never what it is, and `item.reminder_due` leaves out whom it reminds.
Item events are at version 2 since items have a due time (`dueAt`). Bump a type's `version` on any change to its shape
that a consumer could notice, and regenerate the committed schemas (`runtime.events.schemas`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from runtime.models import ItemStatus, Timestamp, Version

T = TypeVar("T")


class DeletionCause(StrEnum):
    """Why a record left the table: a request through the API, or DynamoDB's time to live."""

    REQUEST = "request"
    EXPIRY = "expiry"


class _Shape(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        extra="forbid",
        json_schema_serialization_defaults_required=True,
    )


def _absent_rather_than_null(schema: dict[str, Any]) -> None:
    """Events leave an unchanged field out (`to_json`), never null: say so in the schema."""
    for field_schema in schema["properties"].values():
        field_schema.update(next(v for v in field_schema.pop("anyOf") if v.get("type") != "null"))
        field_schema.pop("default")
    schema.pop("required", None)


def _absent_when_none(*names: str) -> Any:
    """These fields are left out when they have no value (`to_json`), never null: say so in the schema."""

    def adjust(schema: dict[str, Any]) -> None:
        for name in names:
            field_schema = schema["properties"][name]
            field_schema.update(next(v for v in field_schema.pop("anyOf") if v.get("type") != "null"))
            field_schema.pop("default")
            schema["required"].remove(name)

    return adjust


class Change(_Shape, Generic[T]):
    """A field's value before and after the write."""

    before: T
    after: T


class UserSnapshot(_Shape):
    """A profile as the write left it, without its email address."""

    name: str
    created_at: Timestamp
    updated_at: Timestamp
    version: Version


class ItemSnapshot(_Shape):
    model_config = ConfigDict(json_schema_extra=_absent_when_none("dueAt"))

    item_id: str
    task: str
    status: ItemStatus
    due_at: Timestamp | None = Field(default=None, description="When the item falls due; absent: never.")
    created_at: Timestamp
    updated_at: Timestamp
    version: Version


class UserChanges(_Shape):
    """The changed fields of a profile; absent ones did not change."""

    model_config = ConfigDict(json_schema_extra=_absent_rather_than_null)

    name: Change[str] | None = None


class DueAtChange(_Shape):
    """The due time before and after the write; an absent side had none."""

    model_config = ConfigDict(json_schema_extra=_absent_when_none("before", "after"))

    before: Timestamp | None = None
    after: Timestamp | None = None


class ItemChanges(_Shape):
    """The changed fields of an item; absent ones did not change."""

    model_config = ConfigDict(json_schema_extra=_absent_rather_than_null)

    task: Change[str] | None = None
    status: Change[ItemStatus] | None = None
    due_at: DueAtChange | None = None


class UserUpdatedData(_Shape):
    user: UserSnapshot
    changes: UserChanges
    email_changed: bool = Field(description="Whether the email address changed (the address is never in an event).")


class UserDeletedData(_Shape):
    version: int = Field(ge=1, description="The profile's last version.")
    cause: DeletionCause


class ItemUpdatedData(_Shape):
    item: ItemSnapshot
    changes: ItemChanges


class ItemCompletedData(_Shape):
    item: ItemSnapshot


class ItemDeletedData(_Shape):
    item_id: str
    version: int = Field(ge=1, description="The item's last version.")
    cause: DeletionCause


class ItemReminderDueData(_Shape):
    """An item fell due and its owner's reminder was recorded (the address is never in an event)."""

    item_id: str
    task: str
    due_at: Timestamp
    reminded_at: Timestamp = Field(description="When the reminder was recorded, at or just after `dueAt`.")


class AttachmentRemovedData(_Shape):
    item_id: str
    attachment_id: str
    cause: DeletionCause = Field(
        description="`request`: removed through the API; `expiry`: its upload never arrived in its window."
    )


class _Envelope(_Shape):
    # Each event type narrows these two to its own literals; declared here, they lead the JSON.
    type: str
    version: int
    id: str = Field(
        description=(
            "Derived from the stream record and the type: a redelivered record carries the same id; dedupe on it."
        )
    )
    occurred_at: str = Field(
        json_schema_extra={"format": "date-time"},
        description="The write's `updatedAt` (milliseconds, UTC); for deletions, the stream record's time.",
    )
    user_id: str


class UserCreated(_Envelope):
    type: Literal["user.created"] = "user.created"
    version: Literal[1] = 1
    data: UserSnapshot


class UserUpdated(_Envelope):
    type: Literal["user.updated"] = "user.updated"
    version: Literal[1] = 1
    data: UserUpdatedData


class UserDeleted(_Envelope):
    type: Literal["user.deleted"] = "user.deleted"
    version: Literal[1] = 1
    data: UserDeletedData


class ItemCreated(_Envelope):
    type: Literal["item.created"] = "item.created"
    version: Literal[2] = 2
    data: ItemSnapshot


class ItemUpdated(_Envelope):
    type: Literal["item.updated"] = "item.updated"
    version: Literal[2] = 2
    data: ItemUpdatedData


class ItemCompleted(_Envelope):
    """The item's status became DONE; the same write also emits `item.updated`."""

    type: Literal["item.completed"] = "item.completed"
    version: Literal[2] = 2
    data: ItemCompletedData


class ItemDeleted(_Envelope):
    type: Literal["item.deleted"] = "item.deleted"
    version: Literal[1] = 1
    data: ItemDeletedData


class ItemReminderDue(_Envelope):
    """Published once per item and due time, when the reminders function records the reminder."""

    type: Literal["item.reminder_due"] = "item.reminder_due"
    version: Literal[1] = 1
    data: ItemReminderDueData


class AttachmentRemoved(_Envelope):
    """An attachment left its item (not when the whole item goes: `item.deleted` covers its
    attachments). Its object must go too. No file name: the topic is shared."""

    type: Literal["attachment.removed"] = "attachment.removed"
    version: Literal[1] = 1
    data: AttachmentRemovedData


DomainEvent = (
    UserCreated
    | UserUpdated
    | UserDeleted
    | ItemCreated
    | ItemUpdated
    | ItemCompleted
    | ItemDeleted
    | ItemReminderDue
    | AttachmentRemoved
)
EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    UserCreated,
    UserUpdated,
    UserDeleted,
    ItemCreated,
    ItemUpdated,
    ItemCompleted,
    ItemDeleted,
    ItemReminderDue,
    AttachmentRemoved,
)


def event_type_name(event_type: type[DomainEvent]) -> str:
    return str(event_type.model_fields["type"].default)


def to_json(event: DomainEvent) -> str:
    """The message body: the envelope in camelCase, unchanged fields left out of `changes`."""
    return event.model_dump_json(by_alias=True, exclude_none=True)
