"""Checks on a request body that must happen before the resolver parses it.

Powertools' validation turns only `JSONDecodeError` into a validation error; a body that is too
large, not JSON, not UTF-8, badly base64-encoded or nested past Python's recursion limit must
still get a 4xx, never a 500.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response

from runtime.api.common import JSON, error_response
from runtime.models import MAX_BODY_BYTES

_METHODS_WITH_BODY = frozenset({"POST", "PATCH"})


def _encoded_size(event: Mapping[str, Any]) -> int:
    body: str = event["body"]
    return len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode())


def _is_json(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == JSON


def _is_parseable_json(event: Mapping[str, Any]) -> bool:
    try:
        text = event["body"]
        if event.get("isBase64Encoded"):
            text = base64.b64decode(text, validate=True).decode("utf-8")
        json.loads(text)
    except (ValueError, RecursionError):  # binascii.Error and UnicodeDecodeError are ValueErrors
        return False
    return True


def refuse_unacceptable_body(event: dict[str, Any]) -> Response[str] | None:
    """413 over 16 KiB, 415 when not declared JSON, 400 when it does not parse; None when acceptable.

    An accepted body's media type is rewritten in the lower case powertools matches on, since
    media types are case-insensitive (`Application/JSON` is JSON).
    """
    if not event.get("body") or event["requestContext"]["http"]["method"] not in _METHODS_WITH_BODY:
        return None
    if _encoded_size(event) > MAX_BODY_BYTES:
        message = f"the body exceeds {MAX_BODY_BYTES} bytes"
        return error_response(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large", message)
    if not _is_json(event.get("headers", {}).get("content-type", JSON)):
        return error_response(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "send the body as JSON")
    if not _is_parseable_json(event):
        return error_response(HTTPStatus.BAD_REQUEST, "malformed_json", "the body is not valid JSON")
    event["headers"]["content-type"] = JSON
    return None
