"""Opaque pagination cursors for a user's item lists.

A cursor names the list it came from (user and status filter) and the last item returned. The
query's start key is rebuilt from the request's own user id and the cursor's validated item id,
so a cursor can only ever move within the caller's own items.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from runtime.errors import InvalidCursorError
from runtime.ids import is_item_id, is_user_id
from runtime.models import ItemStatus

_VERSION = 1
MAX_CURSOR_LENGTH = 512


@dataclass(frozen=True)
class Cursor:
    user_id: str
    status: ItemStatus | None
    last_item_id: str

    def encode(self) -> str:
        payload = {"v": _VERSION, "u": self.user_id, "s": self.status, "i": self.last_item_id}
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    @classmethod
    def decode(cls, token: str) -> Cursor:
        if len(token) > MAX_CURSOR_LENGTH:
            raise InvalidCursorError("cursor is too long")
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            payload = json.loads(raw)
        except (binascii.Error, ValueError) as exc:
            raise InvalidCursorError("cursor is not one this API issued") from exc
        return cls._from_payload(payload)

    @classmethod
    def _from_payload(cls, payload: object) -> Cursor:
        if not isinstance(payload, dict) or set(payload) != {"v", "u", "s", "i"} or payload["v"] != _VERSION:
            raise InvalidCursorError("cursor is not one this API issued")
        user_id, status, item_id = payload["u"], payload["s"], payload["i"]
        if not (isinstance(user_id, str) and is_user_id(user_id)):
            raise InvalidCursorError("cursor is not one this API issued")
        if not (isinstance(item_id, str) and is_item_id(item_id)):
            raise InvalidCursorError("cursor is not one this API issued")
        if status is not None and not (isinstance(status, str) and status in ItemStatus.__members__):
            raise InvalidCursorError("cursor is not one this API issued")
        return cls(user_id=user_id, status=ItemStatus(status) if status else None, last_item_id=item_id)

    def check_belongs_to(self, user_id: str, status: ItemStatus | None) -> None:
        if self.user_id != user_id:
            raise InvalidCursorError("cursor belongs to another user's list")
        if self.status != status:
            raise InvalidCursorError("cursor belongs to a list with another status filter")
