"""What the WebSocket API sends: domain events as published, `pong`, and notices in their place.

API Gateway's WebSocket frames hold 32 KB: an event over that is sent as a notice naming it (its
id, type and user), for the client to read the resource over HTTP.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MAX_FRAME_BYTES = 32 * 1024
PONG = {"type": "pong"}
TOO_LARGE = "event.too-large"
UNKNOWN_ACTION = {"type": "error", "message": 'unknown action: send {"action": "ping"}'}


class MalformedEventError(ValueError):
    """A queue message that is not a domain event's envelope."""


@dataclass(frozen=True)
class Push:
    user_id: str
    payload: bytes


def push_of(body: str) -> Push:
    """The message for an event's owner: the envelope's JSON as published, or a notice when over a frame."""
    try:
        envelope: Any = json.loads(body)
    except json.JSONDecodeError as error:
        raise MalformedEventError(f"not JSON: {error}") from error
    if not isinstance(envelope, dict) or not all(isinstance(envelope.get(f), str) for f in ("id", "type", "userId")):
        raise MalformedEventError("not an event envelope: id, type and userId are required strings")
    payload = body.encode()
    if len(payload) > MAX_FRAME_BYTES:
        notice = {"type": TOO_LARGE, "id": envelope["id"], "eventType": envelope["type"], "userId": envelope["userId"]}
        payload = json.dumps(notice).encode()
    return Push(user_id=envelope["userId"], payload=payload)
