"""Server-generated ids: ULIDs, 26 Crockford base32 characters that sort by creation time.

Within one process, ids minted in the same millisecond are strictly increasing, so a user's
items keep their creation order even when written in a burst.
"""

from __future__ import annotations

import os
import re
import threading
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RANDOM_BITS = 80
_RANDOM_MASK = (1 << _RANDOM_BITS) - 1

ITEM_ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"
# User ids are ULIDs, or the `sub` claim of a verified JWT (a Cognito sub is a UUID): RFC 3986
# unreserved characters only, so no key separator ("#") or path character can reach a key.
USER_ID_PATTERN = r"^[A-Za-z0-9._~-]{1,64}$"
USER_ID_MAX_LENGTH = 64

_ITEM_ID = re.compile(ITEM_ID_PATTERN)
_USER_ID = re.compile(USER_ID_PATTERN)


class _UlidClock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_millis = -1
        self._last_random = 0

    def next(self) -> int:
        with self._lock:
            millis = time.time_ns() // 1_000_000
            if millis <= self._last_millis:
                millis = self._last_millis
                random_part = (self._last_random + 1) & _RANDOM_MASK
            else:
                random_part = int.from_bytes(os.urandom(10), "big")
            self._last_millis, self._last_random = millis, random_part
            return (millis << _RANDOM_BITS) | random_part


_clock = _UlidClock()


def new_id() -> str:
    value = _clock.next()
    return _encode(value)


def ulid(millis: int, random_part: int) -> str:
    """The ULID of a given instant (milliseconds since the epoch) and random part, for fixed ids."""
    return _encode((millis << _RANDOM_BITS) | (random_part & _RANDOM_MASK))


def _encode(value: int) -> str:
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def is_item_id(value: str) -> bool:
    return _ITEM_ID.fullmatch(value) is not None


def is_user_id(value: str) -> bool:
    return _USER_ID.fullmatch(value) is not None
