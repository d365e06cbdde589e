"""The attachments' access patterns, on the map in their item's record (`runtime.attachments.records`).

| access pattern                       | DynamoDB call                                                    |
|--------------------------------------|------------------------------------------------------------------|
| add a PENDING attachment             | GetItem, then UpdateItem of the whole map at the version read    |
| one attachment                       | GetItem                                                          |
| remove one                           | UpdateItem REMOVE attachments.<id>                               |
| settle one (READY or REJECTED)       | UpdateItem of its status, only while it is PENDING               |

Every write bumps the item's version (its representation, attachments included, changed) and
`updatedAt`. Adding reads first: the limit counts the attachments that are not EXPIRED, and the
write drops the expired ones, which a condition alone cannot express; a concurrent write in
between (another add, a PATCH) makes it read again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from runtime import table_schema as schema
from runtime.attachments.records import ATTRIBUTE, StoredAttachment, entry, stored_attachments
from runtime.errors import NotFoundError, TooManyAttachmentsError, WriteConflictError
from runtime.ids import new_id
from runtime.models import Attachment, AttachmentStatus
from runtime.records import from_attributes, to_attributes
from runtime.repository import Clock, utc_now
from runtime.writes import EXISTS, Condition, Writes, backoff

_READ_THEN_WRITE_ATTEMPTS = 3


class _ChangedMeanwhile(Exception):  # noqa: N818 - a signal to read again, never leaves the repository
    pass


def later(timestamp: str, seconds: int) -> str:
    moment = datetime.fromisoformat(timestamp) + timedelta(seconds=seconds)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class AttachmentRepository:
    def __init__(
        self, client: Any, table_name: str, clock: Clock = utc_now, id_source: Callable[[], str] = new_id
    ) -> None:
        self._client = client
        self._table = table_name
        self._clock = clock
        self._new_id = id_source
        self._writes = Writes(client, table_name)

    def now(self) -> str:
        return self._clock()

    def add(
        self,
        user_id: str,
        item_id: str,
        *,
        file_name: str,
        content_type: str,
        size: int,
        limit: int,
        upload_seconds: int,
    ) -> StoredAttachment:
        """A new PENDING attachment of the item, whose upload is due within `upload_seconds`."""
        for attempt in range(_READ_THEN_WRITE_ATTEMPTS):
            values = self._item_values(user_id, item_id)
            now = self._clock()
            kept = {key: stored for key, stored in stored_attachments(values).items() if not stored.expired(now)}
            if len(kept) >= limit:
                raise TooManyAttachmentsError(f"item {item_id} holds {len(kept)} attachments, the most it may hold")
            added = StoredAttachment(
                attachment=Attachment(
                    attachment_id=self._new_id(),
                    file_name=file_name,
                    content_type=content_type,
                    size=size,
                    status=AttachmentStatus.PENDING,
                    created_at=now,
                ),
                upload_expires_at=later(now, upload_seconds),
            )
            kept[added.attachment.attachment_id] = added
            attachments = {key: entry(stored) for key, stored in kept.items()}
            at_version = Condition("#version = :read", {"#version": "version"}, {":read": int(values["version"])})
            request = self._writes.update(
                schema.item_key(user_id, item_id), {ATTRIBUTE: attachments, "updatedAt": now}, EXISTS & at_version
            )
            try:
                self._writes.conditional("update_item", request, f"item {item_id}", mismatch=_ChangedMeanwhile)
            except _ChangedMeanwhile:
                backoff(attempt)
                continue
            return added
        raise WriteConflictError(f"item {item_id} kept changing; nothing changed, retry shortly")

    def get(self, user_id: str, item_id: str, attachment_id: str) -> Attachment:
        """The attachment as of now (a PENDING one past its window is EXPIRED)."""
        stored = self.find(user_id, item_id, attachment_id)
        if stored is None:
            raise NotFoundError(f"attachment {attachment_id} not found")
        return stored.as_of(self._clock())

    def find(self, user_id: str, item_id: str, attachment_id: str) -> StoredAttachment | None:
        """The attachment as stored; None when it, or its item, is gone."""
        response = self._client.get_item(
            TableName=self._table, Key=to_attributes(schema.item_key(user_id, item_id)), ConsistentRead=True
        )
        if "Item" not in response:
            return None
        return stored_attachments(from_attributes(response["Item"])).get(attachment_id)

    def remove(self, user_id: str, item_id: str, attachment_id: str) -> None:
        """Remove the attachment's summary; already gone (or its item) is fine."""
        names = {"#attachments": ATTRIBUTE, "#id": attachment_id, "#version": "version", "#updated": "updatedAt"}
        try:
            self._writes.call(
                "update_item",
                TableName=self._table,
                Key=to_attributes(schema.item_key(user_id, item_id)),
                UpdateExpression="REMOVE #attachments.#id SET #version = #version + :one, #updated = :now",
                ConditionExpression="attribute_exists(#attachments.#id)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=to_attributes({":one": 1, ":now": self._clock()}),
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return

    def settle(
        self, user_id: str, item_id: str, attachment_id: str, status: AttachmentStatus, reason: str | None
    ) -> bool:
        """PENDING to READY or REJECTED; False when it was no longer PENDING (settled before, or gone)."""
        names = {
            "#attachments": ATTRIBUTE,
            "#id": attachment_id,
            "#status": "status",
            "#version": "version",
            "#updated": "updatedAt",
        }
        values: dict[str, Any] = {
            ":one": 1,
            ":now": self._clock(),
            ":settled": status.value,
            ":pending": AttachmentStatus.PENDING.value,
        }
        assignments = ["#attachments.#id.#status = :settled", "#version = #version + :one", "#updated = :now"]
        if reason is not None:
            names["#reason"] = "reason"
            values[":reason"] = reason
            assignments.append("#attachments.#id.#reason = :reason")
        try:
            self._writes.call(
                "update_item",
                TableName=self._table,
                Key=to_attributes(schema.item_key(user_id, item_id)),
                UpdateExpression="SET " + ", ".join(assignments),
                ConditionExpression="#attachments.#id.#status = :pending",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=to_attributes(values),
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def _item_values(self, user_id: str, item_id: str) -> dict[str, Any]:
        response = self._client.get_item(
            TableName=self._table, Key=to_attributes(schema.item_key(user_id, item_id)), ConsistentRead=True
        )
        if "Item" not in response:
            raise NotFoundError(f"item {item_id} not found")
        return from_attributes(response["Item"])
