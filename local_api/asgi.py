"""The local API as an ASGI application: HTTP requests off the wire to the gateway, its answers back.

The server (uvicorn, `local_api.server`) parses and frames HTTP; this reads the body whole, as
API Gateway does before invoking the function, and refuses one over API Gateway's payload limit.
Only `http` scopes exist today; a WebSocket API on the same port would be a `websocket` branch
beside it in `GatewayApp.__call__`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from local_api.gateway import LocalGateway
from local_api.gateway_events import HttpRequest, HttpResponse, gateway_error

# API Gateway's own limit on a request payload; the handler refuses far smaller bodies itself.
MAX_REQUEST_BYTES = 10 * 1024 * 1024
# Headers the server frames the response with itself.
_FRAMING_HEADERS = {"content-length", "connection", "transfer-encoding"}

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class _ClientGoneError(Exception):
    """The client closed the connection before its request was whole: nobody to answer."""


class _TooLargeError(Exception):
    """The body is over API Gateway's payload limit: the gateway's 413."""


class GatewayApp:
    def __init__(self, gateway: LocalGateway) -> None:
        self._gateway = gateway

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            # The server runs without lifespan events or a WebSocket protocol.
            raise NotImplementedError(f"no {scope['type']} endpoint")
        try:
            body = await _read_body(scope, receive)
        except _ClientGoneError:
            return
        except _TooLargeError:
            response = gateway_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Request Entity Too Large")
        else:
            response = await self._gateway.handle(_request(scope, body))
        await _send(send, response)


def _request(scope: Scope, body: bytes) -> HttpRequest:
    return HttpRequest(
        method=scope["method"],
        raw_path=scope["raw_path"].decode("latin-1"),
        raw_query=scope["query_string"].decode("latin-1"),
        headers=[(name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]],
        body=body,
        source_ip=scope["client"][0],  # a TCP peer's (host, port): the server listens on TCP only
    )


async def _read_body(scope: Scope, receive: Receive) -> bytes:
    """The whole body (the server has checked its framing: one valid Content-Length, or chunks)."""
    declared = next((value for name, value in scope["headers"] if name == b"content-length"), None)
    if declared is not None and int(declared) > MAX_REQUEST_BYTES:
        raise _TooLargeError  # refused before it is sent, as the declared size says enough
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGoneError
        body += message.get("body", b"")
        if len(body) > MAX_REQUEST_BYTES:
            raise _TooLargeError
        if not message.get("more_body", False):
            return bytes(body)


async def _send(send: Send, response: HttpResponse) -> None:
    headers = [
        (name.encode("latin-1"), value.encode("latin-1"))
        for name, value in response.headers
        if name.lower() not in _FRAMING_HEADERS
    ]
    headers.append((b"content-length", str(len(response.body)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})
