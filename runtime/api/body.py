"""Checks on a request body that must happen before the resolver parses it.

Powertools' validation turns only `JSONDecodeError` into a validation error; a body that is too
large, not JSON, not UTF-8, badly base64-encoded or nested deeply enough to exhaust Python's
recursion limit in any parse of it must still get a 4xx, never a 500. So must a body of another
declared media type even when empty: powertools raises an unmapped error for it.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from http import HTTPStatus
from itertools import accumulate
from typing import Any

from aws_lambda_powertools.event_handler import Response

from runtime.api.common import JSON, error_response
from runtime.models import MAX_BODY_BYTES

_METHODS_WITH_BODY = frozenset({"POST", "PATCH"})
MAX_JSON_DEPTH = 32
# A string, possessive and with its closing quote optional so that no input makes the scan go
# back: one left-to-right pass removes every string, whatever quotes and escapes it holds.
_STRING = re.compile(r'"(?:[^"\\]++|\\[\s\S])*+"?')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# A JSON escape of a UTF-16 surrogate, \uD800 to \uDFFF (an escaped backslash before `u` matches
# too: a needless second look, never a missed one).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


def _encoded_size(event: Mapping[str, Any]) -> int:
    body: str = event["body"]
    return len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode(errors="surrogatepass"))


def _declared_media_type(headers: Mapping[str, str]) -> str | None:
    for name, value in headers.items():
        if name.lower() == "content-type":
            return value.split(";", 1)[0].strip().lower()
    return None


def _body_text(event: Mapping[str, Any]) -> str:
    text: str = event["body"]
    if event.get("isBase64Encoded"):
        return base64.b64decode(text, validate=True).decode("utf-8")
    text.encode("utf-8")  # a lone surrogate is not UTF-8: UnicodeEncodeError
    return text


def _nesting_depth(text: str) -> int:
    """Deepest bracket nesting outside strings, in time linear in the length of `text`."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def _holds_lone_surrogate(text: str, value: Any) -> bool:
    """Whether a parsed body holds a string that is not Unicode text, from a `\\ud800`-style escape.

    The text itself is UTF-8 by then, so only such an escape can make one: without any, the parsed
    value needs no second look.
    """
    if not _SURROGATE_ESCAPE.search(text):
        return False
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _parse_problem(event: Mapping[str, Any]) -> str | None:
    """Why the body cannot be parsed, or None when it can.

    The depth limit (RFC 8259 allows one) keeps every later parse of the body, such as
    powertools' own deeper in the call stack, far from Python's recursion limit.
    """
    try:
        text = _body_text(event)
    except ValueError:  # binascii.Error, UnicodeDecodeError and UnicodeEncodeError are ValueErrors
        return "the body is not valid UTF-8 (base64-encoded or not)"
    if _nesting_depth(text) > MAX_JSON_DEPTH:
        return f"the body nests deeper than {MAX_JSON_DEPTH} levels"
    try:
        value = json.loads(text)
    except ValueError:
        return "the body is not valid JSON"
    if _holds_lone_surrogate(text, value):
        return "the body escapes a lone surrogate, which is not Unicode text"
    return None


def refuse_unacceptable_body(event: dict[str, Any]) -> Response[str] | None:
    """413 over 16 KiB, 415 when not declared JSON, 400 when it does not parse; None when acceptable.

    The media type is checked even with no body, and an accepted one is rewritten in the lower
    case powertools matches on, since media types are case-insensitive (`Application/JSON` is JSON).
    """
    if event["requestContext"]["http"]["method"].upper() not in _METHODS_WITH_BODY:
        return None
    if event.get("body") and _encoded_size(event) > MAX_BODY_BYTES:
        message = f"the body exceeds {MAX_BODY_BYTES} bytes"
        return error_response(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large", message)
    headers = event.get("headers") or {}
    if _declared_media_type(headers) not in {None, JSON}:
        return error_response(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "send the body as JSON")
    if event.get("body") and (problem := _parse_problem(event)):
        return error_response(HTTPStatus.BAD_REQUEST, "malformed_json", problem)
    event["headers"] = {name: value for name, value in headers.items() if name.lower() != "content-type"}
    event["headers"]["content-type"] = JSON
    return None
