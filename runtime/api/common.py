"""What every route shares: path and header parameters, the caller, ETags and error responses."""

from __future__ import annotations

import re
from collections.abc import Sequence
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse, OpenAPIResponseHeader
from pydantic import BaseModel

from runtime.errors import InvalidParameterError, PreconditionFailedError
from runtime.ids import ITEM_ID_PATTERN, USER_ID_MAX_LENGTH, USER_ID_PATTERN, is_item_id
from runtime.models import ErrorDetail, ErrorResponse, FieldError
from runtime.records import Profile
from runtime.repository import IfMatch
from runtime.routes import Route

JSON = "application/json"
# Printable ASCII without spaces, as an HTTP token may be.
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]+$"
# One entity-tag of RFC 9110 (weak or strong): the quotes are part of it. Its obs-text (bytes
# from 0x80) arrives decoded, as any character from U+0080.
_ENTITY_TAG = re.compile(r'(?:W/)?"[\x21\x23-\x7e\x80-\U0010ffff]*"')

UserId = Annotated[
    str,
    Path(
        alias="userId",
        pattern=USER_ID_PATTERN,
        max_length=USER_ID_MAX_LENGTH,
        description="A user id (ULID, or a JWT `sub`).",
    ),
]
ItemId = Annotated[str, Path(alias="itemId", pattern=ITEM_ID_PATTERN, description="An item id (ULID).")]
IfMatchHeader = Annotated[
    str | None,
    Header(
        max_length=64,
        description="The ETag last read, or `*`: the write happens only while the resource is at that version.",
    ),
]
IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=128,
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description="Repeat a create safely: the same key and body replay the first response.",
    ),
]

_ERROR_DESCRIPTIONS = {
    400: (
        "Malformed JSON; an invalid query parameter, header (e.g. an If-Match without its quotes) or cursor;"
        " a query parameter the operation does not take; or a `dueAt` that has passed (`due_at_passed`)"
    ),
    403: (
        "The token is for another user or has no `sub` usable as a user id, or it vouches for an email"
        " other than the one sent"
    ),
    404: "No such resource",
    409: (
        "Conflicts with the current state (email taken, user exists, Idempotency-Key in use or reused),"
        " or concurrent writes kept this one from happening (retry)"
    ),
    412: "If-Match does not match the current version",
    413: "Body larger than 16 KiB",
    415: "Body is not JSON",
    422: "Body does not match the schema",
}


_ETAG: OpenAPIResponseHeader = {
    "description": "The version read or written: send it back in If-Match to write only that version",
    "schema": {"type": "string"},
}
LOCATION: OpenAPIResponseHeader = {"description": "The new resource's path", "schema": {"type": "string"}}


def etag_response(description: str) -> OpenAPIResponse:
    """A response carrying one resource and its ETag."""
    return {"description": description, "headers": {"ETag": _ETAG}}


def created_response(description: str) -> OpenAPIResponse:
    """A 201 carrying the new resource, its ETag and its Location."""
    return {"description": description, "headers": {"ETag": _ETAG, "Location": LOCATION}}


def error_responses(route: Route, *, body: bool = False, if_match: bool = False) -> dict[int, OpenAPIResponse]:
    """The errors an operation can answer, from what it takes: every one 400 (query parameters);
    a guarded route 403; path parameters 404; a write 409 (conflicts and lost races); a body 413,
    415 and 422; If-Match 412."""
    statuses = [HTTPStatus.BAD_REQUEST]
    if route.requires_auth:
        statuses.append(HTTPStatus.FORBIDDEN)
    if "{" in route.path:
        statuses.append(HTTPStatus.NOT_FOUND)
    if route.method != "GET":
        statuses.append(HTTPStatus.CONFLICT)
    if if_match:
        statuses.append(HTTPStatus.PRECONDITION_FAILED)
    if body:
        statuses += [
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            HTTPStatus.UNPROCESSABLE_ENTITY,
        ]
    return {
        status: {"description": _ERROR_DESCRIPTIONS[status], "content": {JSON: {"model": ErrorResponse}}}
        for status in sorted(statuses)
    }


def entity_tag(version: int, incarnation: str | None = None) -> str:
    """A resource's ETag: `"<version>"`, or a profile's `"<incarnation>.<version>"`.

    Opaque to clients; the incarnation keeps a tag of a deleted profile from matching the profile
    created again under the same id. Items need none: an item id is never used twice.
    """
    return f'"{version}"' if incarnation is None else f'"{incarnation}.{version}"'


def profile_tag(profile: Profile) -> str:
    return entity_tag(profile.user.version, profile.incarnation)


def parse_if_match(header: str | None) -> IfMatch | None:
    """`*`, or an ETag this API gave, weak or strong.

    A value that is not one entity-tag (RFC 9110: quotes included), such as `2` for `"2"`, is a
    malformed header: 400, saying how to send it. A well-formed tag this API never gives can
    match no version: 412, as for a tag of another version.
    """
    if header is None:
        return None
    value = header.strip()
    if value == "*":
        return IfMatch(version=None)
    if not _ENTITY_TAG.fullmatch(value):
        message = (
            f"If-Match {header!r} is not an ETag: send one ETag with its quotes, exactly as the ETag header"
            ' gave it (e.g. "2"), or *'
        )
        raise InvalidParameterError(message, field="header.if-match")
    incarnation, _, version = value.removeprefix("W/")[1:-1].rpartition(".")
    # isdigit() alone accepts digits such as "²" that int() refuses
    well_formed = version.isascii() and version.isdigit() and len(version) < 18
    # an incarnation is a ULID, as an item id is
    if well_formed and (not incarnation or is_item_id(incarnation)):
        return IfMatch(version=int(version), incarnation=incarnation or None)
    raise PreconditionFailedError(f"If-Match {header!r} matches no version")


def resource_response(
    resource: BaseModel, *, etag: str, status: int = 200, location: str | None = None
) -> Response[Any]:
    headers = {"ETag": etag}
    if location is not None:
        headers["Location"] = location
    return Response(status_code=status, content_type=JSON, body=resource, headers=headers)


def no_content() -> Response[None]:
    return Response(status_code=204)


def _encodable(text: str) -> str:
    """`text` with each lone surrogate (request data can hold one) written as its escape, so it encodes as UTF-8."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def error_response(status: HTTPStatus, code: str, message: str, details: Sequence[FieldError] = ()) -> Response[str]:
    """Every error leaves the API in this one shape; messages may quote the request."""
    fields = [FieldError(field=_encodable(detail.field), message=_encodable(detail.message)) for detail in details]
    body = ErrorResponse(error=ErrorDetail(code=code, message=_encodable(message), details=fields))
    return Response(status_code=status, content_type=JSON, body=body.model_dump_json())
