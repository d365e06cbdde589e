"""HTTP requests to API Gateway HTTP API payload-2.0 events, and Lambda results back to HTTP.

Follows what AWS builds for a Lambda proxy integration with payload format 2.0: the path
percent-decoded (see `gateway_path`), lower-cased headers with repeated ones comma-joined,
cookies taken out of the headers, the query string as received and its parameters decoded with
repeated keys comma-joined, text bodies as text and anything else base64-encoded.
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

from runtime.routes import Route

ACCOUNT_ID = "000000000000"
API_ID = "local"
STAGE = "$default"
_MALFORMED_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript", "+json", "+xml")


@dataclass(frozen=True)
class HttpRequest:
    method: str
    raw_path: str
    raw_query: str
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str

    def header(self, name: str) -> str | None:
        """The first value of the header `name` (lower case), None if absent."""
        return next((value for key, value in self.headers if key.lower() == name), None)


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


class UndecodablePathError(ValueError):
    """A path API Gateway refuses with 400 before routing."""


def _percent_decoded(text: str) -> str:
    if _MALFORMED_ESCAPE.search(text):
        raise UndecodablePathError(text)
    try:
        return unquote_to_bytes(text).decode("utf-8")
    except UnicodeDecodeError as error:
        raise UndecodablePathError(text) from error


def gateway_path(raw_path: str) -> str:
    """The path an HTTP API routes on and hands the function as `rawPath` and `http.path`.

    Unlike REST APIs and function URLs, HTTP APIs deliver the path percent-decoded. Live
    captures (published in hotsock/voker's ingress probe) show it decoded, cut at a `?` that the
    first decoding revealed, then decoded again: `%2F` arrives as `/`, `a%3Fb` as `a`, `%252F` as
    `/`, and a `%` left invalid after the first pass (`%25done`) is refused with 400.
    """
    once = _percent_decoded(raw_path).split("?", 1)[0]
    return _percent_decoded(once)


def _joined(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    joined: dict[str, str] = {}
    for name, value in pairs:
        joined[name] = f"{joined[name]},{value}" if name in joined else value
    return joined


def _is_text(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return any(media_type.startswith(kind) or media_type.endswith(kind) for kind in _TEXT_TYPES)


def _body_fields(body: bytes, content_type: str) -> dict[str, Any]:
    if not body:
        return {"isBase64Encoded": False}
    if _is_text(content_type):
        try:
            return {"body": body.decode("utf-8"), "isBase64Encoded": False}
        except UnicodeDecodeError:
            pass
    return {"body": base64.b64encode(body).decode(), "isBase64Encoded": True}


def build_event(
    request: HttpRequest,
    path: str,
    route: Route,
    path_parameters: dict[str, str],
    claims: dict[str, str] | None,
    *,
    scopes: list[str] | None = None,
) -> dict[str, Any]:
    """The event API Gateway would send the function for `request`, whose `gateway_path` (`path`)
    matched `route` with these path parameters; `claims` and `scopes` as its JWT authorizer
    verified them (None: the route has no authorizer)."""
    headers = _joined((name.lower(), value) for name, value in request.headers)
    cookie_header = headers.pop("cookie", "")
    now = time.time()
    request_context: dict[str, Any] = {
        "accountId": ACCOUNT_ID,
        "apiId": API_ID,
        "domainName": headers.get("host", "127.0.0.1"),
        "domainPrefix": headers.get("host", "127.0.0.1").split(".")[0],
        "http": {
            "method": request.method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": uuid.uuid4().hex[:16] + "=",
        "routeKey": route.route_key,
        "stage": STAGE,
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
    }
    if claims is not None:
        request_context["authorizer"] = {"jwt": {"claims": claims, "scopes": scopes}}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": path,
        "rawQueryString": request.raw_query,
        "headers": headers,
        "requestContext": request_context,
        **_body_fields(request.body, headers.get("content-type", "")),
    }
    if cookie_header:
        event["cookies"] = [cookie.strip() for cookie in cookie_header.split(";") if cookie.strip()]
    query = _joined(parse_qsl(request.raw_query, keep_blank_values=True))
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    return event


def to_http_response(result: Any) -> HttpResponse:
    """A function result as API Gateway turns it into HTTP (payload 2.0 rules)."""
    if not (isinstance(result, dict) and "statusCode" in result):
        # Not a response object: API Gateway answers 200 with the result as a JSON body.
        return HttpResponse(200, [("content-type", "application/json")], json.dumps(result).encode())
    headers = [(name, str(value)) for name, value in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers += [(name, str(value)) for value in values]
    headers += [("set-cookie", cookie) for cookie in result.get("cookies") or []]
    body = result.get("body") or ""
    payload = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    return HttpResponse(int(result["statusCode"]), headers, payload)


def gateway_error(status: int, message: str) -> HttpResponse:
    """API Gateway's own error responses, e.g. 404 `{"message":"Not Found"}`."""
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    return HttpResponse(status, [("content-type", "application/json")], body)
