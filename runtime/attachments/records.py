"""How attachments are stored: a map in their item's record, `attachments: {<attachmentId>: {…}}`.

The item's reads (GetItem, the lists, the status index) then carry its attachments in the same
round trip and read no row that is not an item. A PENDING entry past its upload window reads as
EXPIRED, and the next write of the item's attachments drops it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runtime.models import Attachment, AttachmentStatus, AttachmentSummary

ATTRIBUTE = "attachments"


@dataclass(frozen=True)
class StoredAttachment:
    attachment: Attachment
    upload_expires_at: str

    def expired(self, now: str) -> bool:
        # Timestamps are ISO 8601 UTC at milliseconds: they order as strings.
        return self.attachment.status is AttachmentStatus.PENDING and now > self.upload_expires_at

    def as_of(self, now: str | None) -> Attachment:
        if now is not None and self.expired(now):
            return self.attachment.model_copy(update={"status": AttachmentStatus.EXPIRED})
        return self.attachment


def stored_attachments(values: Mapping[str, Any]) -> dict[str, StoredAttachment]:
    """An item record's attachments by id, oldest first (ids are ULIDs)."""
    stored = values.get(ATTRIBUTE) or {}
    return {attachment_id: _stored(attachment_id, stored[attachment_id]) for attachment_id in sorted(stored)}


def summaries(values: Mapping[str, Any], now: str | None) -> list[AttachmentSummary]:
    return [
        AttachmentSummary.model_validate(stored.as_of(now).model_dump(include=set(AttachmentSummary.model_fields)))
        for stored in stored_attachments(values).values()
    ]


def _stored(attachment_id: str, entry: Mapping[str, Any]) -> StoredAttachment:
    attachment = Attachment(
        attachment_id=attachment_id,
        file_name=entry["fileName"],
        content_type=entry["contentType"],
        size=int(entry["size"]),
        status=AttachmentStatus(entry["status"]),
        created_at=entry["createdAt"],
        reason=entry.get("reason"),
    )
    return StoredAttachment(attachment=attachment, upload_expires_at=entry["uploadExpiresAt"])


def entry(stored: StoredAttachment) -> dict[str, Any]:
    """The map entry of one attachment."""
    attachment = stored.attachment
    values: dict[str, Any] = {
        "fileName": attachment.file_name,
        "contentType": attachment.content_type,
        "size": attachment.size,
        "status": attachment.status.value,
        "createdAt": attachment.created_at,
        "uploadExpiresAt": stored.upload_expires_at,
    }
    if attachment.reason is not None:
        values["reason"] = attachment.reason
    return values
