"""Payload-2.0 events for the handler, built from a recorded API Gateway HTTP API event."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from runtime.routes import ROUTES, match_path

_RECORDED = Path(__file__).parent / "recorded" / "http_api_v2.json"


@cache
def _recorded_event() -> dict[str, Any]:
    return json.loads(_RECORDED.read_text())


def _matching_route(method: str, path: str) -> tuple[str, dict[str, str]]:
    for route in ROUTES:
        parameters = match_path(route.path, path)
        if route.method == method and parameters is not None:
            return route.route_key, parameters
    return "$default", {}


def http_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    raw_body: str | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    claims: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An event as API Gateway builds it for `method path`; `body` is sent as JSON."""
    event = copy.deepcopy(_recorded_event())
    route_key, path_parameters = _matching_route(method, path)
    event["routeKey"] = event["requestContext"]["routeKey"] = route_key
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["pathParameters"] = path_parameters or None
    event["rawQueryString"] = urlencode(query or {}, errors="surrogatepass")
    event["queryStringParameters"] = query or None
    if body is not None:
        raw_body = json.dumps(body)
        event["headers"]["content-type"] = "application/json"
    if raw_body is not None:
        event["body"] = raw_body
        event["headers"]["content-length"] = str(len(raw_body.encode(errors="surrogatepass")))
    event["headers"].update({name.lower(): value for name, value in (headers or {}).items()})
    if claims is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return event


@dataclass(frozen=True)
class LambdaContext:
    function_name: str = "users-items-test"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:users-items-test"
    aws_request_id: str = "c6af9ac6-7b61-11e6-9a41-93e812345678"
    log_group_name: str = "/aws/lambda/users-items-test"
    log_stream_name: str = "2026/11/23/[$LATEST]abcdef"
    remaining_ms: int = 15_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms
