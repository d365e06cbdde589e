"""Checks on a request body that must happen before the resolver parses it.

Powertools' validation turns only `JSONDecodeError` into a validation error; a body that is too
large, not JSON, not UTF-8, badly base64-encoded or nested deeply enough to exhaust Python's
recursion limit in any parse of it must still get a 4xx, never a 500.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response

from runtime.api.common import JSON, error_response
from runtime.models import MAX_BODY_BYTES

_METHODS_WITH_BODY = frozenset({"POST", "PATCH"})
MAX_JSON_DEPTH = 32
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


def _encoded_size(event: Mapping[str, Any]) -> int:
    body: str = event["body"]
    return len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode())


def _is_json(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == JSON


def _body_text(event: Mapping[str, Any]) -> str:
    text: str = event["body"]
    if event.get("isBase64Encoded"):
        text = base64.b64decode(text, validate=True).decode("utf-8")
    return text


def _nesting_depth(text: str) -> int:
    """Deepest bracket nesting outside strings, counted without recursion."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _parse_problem(event: Mapping[str, Any]) -> str | None:
    """Why the body cannot be parsed, or None when it can.

    The depth limit (RFC 8259 allows one) keeps every later parse of the body, such as
    powertools' own deeper in the call stack, far from Python's recursion limit.
    """
    try:
        text = _body_text(event)
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
        return "the body is not valid base64-encoded UTF-8"
    if _nesting_depth(text) > MAX_JSON_DEPTH:
        return f"the body nests deeper than {MAX_JSON_DEPTH} levels"
    try:
        json.loads(text)
    except ValueError:
        return "the body is not valid JSON"
    return None


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
    if problem := _parse_problem(event):
        return error_response(HTTPStatus.BAD_REQUEST, "malformed_json", problem)
    event["headers"]["content-type"] = JSON
    return None
