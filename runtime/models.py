"""The API's JSON shapes: request bodies are strict, responses are what the table holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StringConstraints, model_validator
from pydantic.alias_generators import to_camel

from runtime.attachments.content import CHECKED_TYPES, DEFAULT_MAX_BYTES
from runtime.emails import EMAIL_PATTERN, typed_email

MAX_BODY_BYTES = 16 * 1024

# At least one character that is not white space.
NOT_BLANK = r"\S"

# Kept as typed (in NFC); unique in its canonical form (runtime.emails), which must exist.
Email = Annotated[
    str,
    StringConstraints(max_length=254, pattern=EMAIL_PATTERN),
    AfterValidator(typed_email),
    Field(
        json_schema_extra={"format": "idn-email"},
        description=(
            "Kept as sent (NFC). Unique once normalised: the local part NFKC and case-folded, the domain"
            " as IDNA ASCII, lower-cased, without a trailing dot; it must be a valid host name, and no"
            " control, format, private-use or unassigned characters are allowed."
        ),
    ),
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NOT_BLANK)]
Task = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=NOT_BLANK)]
# What every stored resource carries, in responses and in domain events alike.
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Version = Annotated[int, Field(ge=1)]

# A due time set by a client may lie this far in the past of the server's clock (clock skew).
DUE_AT_SKEW = timedelta(seconds=60)


def utc_milliseconds(moment: datetime) -> str:
    """The one way instants are stored: UTC, milliseconds, `Z`."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# RFC 3339's date-time (what `format: date-time` means), its offset required; `T` and `Z` in either case.
DATE_TIME_PATTERN = r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"


def _utc_instant(text: str) -> str:
    try:
        return utc_milliseconds(datetime.fromisoformat(text.upper().replace("Z", "+00:00")))
    except (ValueError, OverflowError):  # no such day or second; or past year 9999 in UTC
        raise ValueError("must be a real date and time, e.g. 2030-01-31T09:00:00Z") from None


def is_ahead(due_at: str, now: datetime) -> bool:
    """Whether a due time (as stored) is later than `now`, give or take the clock skew tolerated.

    Checked by the routes, not the schema: it depends on the clock, which the schema cannot describe."""
    return datetime.fromisoformat(due_at) > now - DUE_AT_SKEW


# When an item falls due: a reminder goes to its owner then (runtime.reminders).
DueAt = Annotated[
    str,
    StringConstraints(max_length=40, pattern=DATE_TIME_PATTERN),
    AfterValidator(_utc_instant),
    Field(
        json_schema_extra={"format": "date-time"},
        description=(
            "When the item falls due, with `Z` or an offset; stored as UTC with millisecond precision. It must be"
            " later than now, 60 s of clock skew tolerated (400 `due_at_passed` otherwise). The owner gets one"
            " reminder then (within a minute) unless the item is DONE."
        ),
    ),
]


class ItemStatus(StrEnum):
    TODO = "TODO"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"


def _optional_fields_are_not_nullable(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """A PATCH field may be left out but never sent as null (but those that null clears): say so in
    the OpenAPI schema."""
    clearable: frozenset[str] = getattr(model, "CLEARABLE", frozenset())
    for name, field_schema in schema.get("properties", {}).items():
        variants = None if name in clearable else field_schema.pop("anyOf", None)
        if variants:
            field_schema.update(next(v for v in variants if v.get("type") != "null"))
        field_schema.pop("default", None)
    schema["minProperties"] = 1


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Patch(_Request):
    model_config = ConfigDict(json_schema_extra=_optional_fields_are_not_nullable)
    # Fields (by their JSON names) that null clears.
    CLEARABLE: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _reject_null_and_empty(cls, data: Any) -> Any:
        if isinstance(data, dict):
            if not data:
                raise ValueError("at least one field must be given")
            nulls = sorted(key for key, value in data.items() if value is None and key not in cls.CLEARABLE)
            if nulls:
                raise ValueError(f"fields may be left out but not set to null: {', '.join(nulls)}")
        return data

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class NotificationsUpdate(_Patch):
    """The channels given are switched on (true) or off (false); those left out stay as they are."""

    email: StrictBool | None = Field(default=None, description="Email reminders when an item falls due.")


class UserCreate(_Request):
    email: Email
    name: Name
    notifications: NotificationsUpdate | None = Field(default=None, description="Every channel is off by default.")


class UserUpdate(_Patch):
    email: Email | None = None
    name: Name | None = None
    notifications: NotificationsUpdate | None = None


class ItemCreate(_Request):
    task: Task
    status: ItemStatus = ItemStatus.TODO
    due_at: DueAt | None = Field(default=None, alias="dueAt")


class ItemUpdate(_Patch):
    CLEARABLE = frozenset({"dueAt"})

    task: Task | None = None
    status: ItemStatus | None = None
    due_at: DueAt | None = Field(default=None, alias="dueAt", description="`null` clears the due time.")

    def changes(self) -> dict[str, Any]:
        """The fields given, by their stored names (`dueAt` None: cleared)."""
        return self.model_dump(exclude_unset=True, by_alias=True)


class _Resource(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class Notifications(_Resource):
    email: bool = Field(default=False, description="Email reminders when an item falls due.")


# Attachments (runtime.attachments): files on items, uploaded straight to S3.


class AttachmentStatus(StrEnum):
    PENDING = "PENDING"
    """Waiting for its upload; past the upload window it reads as EXPIRED."""
    READY = "READY"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"


# No path separator and no control character (Unicode's Cc: U+0000-U+001F, U+007F-U+009F).
FILE_NAME_PATTERN = r"^[^/\\\x00-\x1f\x7f-\x9f]+$"
FileName = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=FILE_NAME_PATTERN)]


class AttachmentCreate(_Request):
    # camelCase only, as every body field is spelt.
    model_config = ConfigDict(alias_generator=to_camel)

    file_name: FileName
    # The schema states the defaults; the stack's config may narrow them (checked by the route: 422).
    content_type: str = Field(
        min_length=1,
        max_length=255,
        json_schema_extra={"enum": list(CHECKED_TYPES)},
        description="One of the stack's `attachmentContentTypes` (by default these four).",
    )
    size: int = Field(
        ge=1,
        json_schema_extra={"maximum": DEFAULT_MAX_BYTES},
        description="The file's exact length in bytes, at most `maxAttachmentBytes` (by default 10 MiB).",
    )


class AttachmentSummary(_Resource):
    """An attachment as its item lists it."""

    attachment_id: str
    file_name: str
    content_type: str
    size: int
    status: AttachmentStatus


class Attachment(AttachmentSummary):
    created_at: Timestamp
    reason: str | None = Field(default=None, description="Why it was REJECTED; absent otherwise.")


class Upload(_Resource):
    url: str = Field(description="POST a multipart form here: `fields` as they are, then the file as `file`.")
    fields: dict[str, str]
    expires_at: Timestamp


class Download(_Resource):
    url: str = Field(description="GET it within 5 minutes; it names the file in Content-Disposition.")
    expires_at: Timestamp


class AttachmentCreated(Attachment):
    upload: Upload


class AttachmentRead(Attachment):
    download: Download | None = Field(default=None, description="Only when READY.")


class User(_Resource):
    user_id: str
    email: str
    name: str
    notifications: Notifications = Notifications()
    created_at: Timestamp
    updated_at: Timestamp
    version: Version


class Item(_Resource):
    user_id: str
    item_id: str
    task: str
    status: ItemStatus
    due_at: Timestamp | None = Field(default=None, description="When the item falls due (UTC); null: never.")
    reminded_at: Timestamp | None = Field(
        default=None,
        description=(
            "Read-only: the due time the owner was last reminded of (equal to `dueAt` once its reminder went out);"
            " recording it changes neither `version` nor the ETag."
        ),
    )
    created_at: Timestamp
    updated_at: Timestamp
    version: Version
    attachments: list[AttachmentSummary] = Field(
        default_factory=list, description="Oldest first; at most `maxAttachmentsPerItem`."
    )


class ItemPage(_Resource):
    items: list[Item]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last.")


class UserWithItems(_Resource):
    user: User
    items: list[Item]
    next_cursor: str | None = Field(description="Continues the list at GET /users/{userId}/items.")


class Health(BaseModel):
    status: Literal["ok"]


class FieldError(BaseModel):
    field: str = Field(description="Where the problem is, e.g. `body.email` or `query.limit`.")
    message: str


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable, e.g. `not_found`, `validation_error`.")
    message: str
    details: list[FieldError] = Field(default_factory=list)


class ErrorResponse(BaseModel):
    error: ErrorDetail
