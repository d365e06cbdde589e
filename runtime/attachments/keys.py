"""The bucket's key layout, defined once for the API, the processor, the cleanup and the stack.

| key                                                    | what                                   |
|--------------------------------------------------------|----------------------------------------|
| attachments/pending/<userId>/<itemId>/<attachmentId>   | an upload not yet checked              |
| attachments/ready/<userId>/<itemId>/<attachmentId>     | a checked file, served for download    |

Only uploads under the pending prefix notify the processor; a lifecycle rule deletes what is left
there after a day (uploads never checked). The API signs uploads to the pending prefix and
downloads from the ready one: its role may put and get under `attachments/` and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

ROOT_PREFIX = "attachments/"
PENDING_PREFIX = f"{ROOT_PREFIX}pending/"
READY_PREFIX = f"{ROOT_PREFIX}ready/"


@dataclass(frozen=True)
class AttachmentRef:
    user_id: str
    item_id: str
    attachment_id: str

    @property
    def pending_key(self) -> str:
        return f"{PENDING_PREFIX}{self.user_id}/{self.item_id}/{self.attachment_id}"

    @property
    def ready_key(self) -> str:
        return f"{READY_PREFIX}{self.user_id}/{self.item_id}/{self.attachment_id}"


def item_prefixes(user_id: str, item_id: str) -> tuple[str, str]:
    """Every key of one item's attachments starts with one of these."""
    return f"{PENDING_PREFIX}{user_id}/{item_id}/", f"{READY_PREFIX}{user_id}/{item_id}/"


def pending_ref(key: str) -> AttachmentRef | None:
    """The attachment an upload's key names; None for a key outside the pending layout."""
    if not key.startswith(PENDING_PREFIX):
        return None
    parts = key.removeprefix(PENDING_PREFIX).split("/")
    if len(parts) != 3 or not all(parts):
        return None
    return AttachmentRef(*parts)
