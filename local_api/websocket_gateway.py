"""API Gateway's WebSocket API as an ASGI application: the handshake through the $connect
authorizer and route, messages routed on their `action` ($request.body.action), $disconnect, and
the @connections management API (POST, GET, DELETE), 410 Gone included, which moto never answers.

The functions are called as API Gateway calls them, with its event shapes; `Unauthorized` raised
by the authorizer is 401, any other error of it 500, a Deny policy 403, and a $connect answer
other than 2xx refuses the connection with that status. The issuer's JWKS is served here too
(`jwks_path`), so the authorizer fetches the local keys as it fetches Cognito's.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote

from local_api.asgi import Receive, Scope, Send

Invoke = Callable[[dict[str, Any]], dict[str, Any]]
STAGE = "local"
API_ID = "local"
_CONNECTIONS_PREFIX = "/@connections/"


@dataclass
class _Connection:
    send: Send
    connected_at: float
    source_ip: str
    authorizer: dict[str, Any] | None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_active_at: float = 0.0


class _RefusedError(Exception):
    def __init__(self, status: HTTPStatus) -> None:
        super().__init__(status.phrase)
        self.status = status


@dataclass(frozen=True)
class WebSocketFunctions:
    routes: Invoke
    """The routes function ($connect, $disconnect, ping, $default)."""
    authorizer: Invoke | None
    """The $connect authorizer; None: $connect is open (a stack with no authorizer)."""
    message_routes: frozenset[str]
    """The route keys a message's `action` selects; any other message goes to $default."""
    identity_source: str
    """The query parameter the authorizer needs; API Gateway refuses a request without it (401)."""


class WebSocketGateway:
    def __init__(self, functions: WebSocketFunctions, *, jwks: dict[str, Any] | None, jwks_path: str) -> None:
        self._functions = functions
        self._jwks = jwks
        self._jwks_path = jwks_path
        self._connections: dict[str, _Connection] = {}

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    # WebSocket clients ------------------------------------------------------------------------

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (await receive())["type"] != "websocket.connect":
            return
        connection_id = secrets.token_urlsafe(12)
        query = dict(parse_qsl(scope["query_string"].decode("latin-1")))
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        source_ip = scope["client"][0]
        try:
            authorizer = await self._authorize(connection_id, query, headers, source_ip)
            connection = _Connection(send, time.time(), source_ip, authorizer)
            event = self._event("$connect", "CONNECT", connection_id, connection, query=query, headers=headers)
            status = (await asyncio.to_thread(self._functions.routes, event)).get("statusCode", 200)
            if not 200 <= int(status) < 300:
                raise _RefusedError(HTTPStatus(int(status)))
        except _RefusedError as refusal:
            await _deny(send, refusal.status)
            return
        await send({"type": "websocket.accept"})
        self._connections[connection_id] = connection
        try:
            await self._serve_messages(connection_id, connection, receive)
        finally:
            self._connections.pop(connection_id, None)
            event = self._event("$disconnect", "DISCONNECT", connection_id, connection)
            await asyncio.to_thread(self._functions.routes, event)

    async def _authorize(
        self, connection_id: str, query: dict[str, str], headers: dict[str, str], source_ip: str
    ) -> dict[str, Any] | None:
        authorizer = self._functions.authorizer
        if authorizer is None:
            return None
        if not query.get(self._functions.identity_source):
            raise _RefusedError(HTTPStatus.UNAUTHORIZED)
        event = {
            "type": "REQUEST",
            "methodArn": f"arn:aws:execute-api:us-east-1:000000000000:{API_ID}/{STAGE}/$connect",
            "headers": headers,
            "queryStringParameters": query,
            "stageVariables": {},
            "requestContext": {
                "routeKey": "$connect",
                "eventType": "CONNECT",
                "connectionId": connection_id,
                "stage": STAGE,
                "apiId": API_ID,
                "identity": {"sourceIp": source_ip},
            },
        }
        try:
            answer = await asyncio.to_thread(authorizer, event)
        except Exception as error:  # whatever the authorizer raised, API Gateway answers for it
            status = HTTPStatus.UNAUTHORIZED if str(error) == "Unauthorized" else HTTPStatus.INTERNAL_SERVER_ERROR
            raise _RefusedError(status) from error
        statements = answer.get("policyDocument", {}).get("Statement", [])
        if not statements or any(statement.get("Effect") != "Allow" for statement in statements):
            raise _RefusedError(HTTPStatus.FORBIDDEN)
        return {"principalId": answer.get("principalId"), **answer.get("context", {})}

    async def _serve_messages(self, connection_id: str, connection: _Connection, receive: Receive) -> None:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            body = text if isinstance(text, str) else (message.get("bytes") or b"").decode(errors="replace")
            connection.last_active_at = time.time()
            route = _route_of(body, self._functions.message_routes)
            event = self._event(route, "MESSAGE", connection_id, connection, body=body)
            answer = await asyncio.to_thread(self._functions.routes, event)
            if answer.get("body") is not None:
                await self._send_to(connection, str(answer["body"]).encode())

    def _event(
        self,
        route_key: str,
        event_type: str,
        connection_id: str,
        connection: _Connection,
        *,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        body: str | None = None,
    ) -> dict[str, Any]:
        now_ms = int(time.time() * 1000)
        context: dict[str, Any] = {
            "routeKey": route_key,
            "eventType": event_type,
            "connectionId": connection_id,
            "messageDirection": "IN",
            "stage": STAGE,
            "apiId": API_ID,
            "requestId": str(uuid.uuid4()),
            "connectedAt": int(connection.connected_at * 1000),
            "requestTimeEpoch": now_ms,
            "identity": {"sourceIp": connection.source_ip},
        }
        if connection.authorizer is not None:
            context["authorizer"] = connection.authorizer
        event: dict[str, Any] = {"requestContext": context, "isBase64Encoded": False}
        if event_type == "CONNECT":
            event.update(headers=headers or {}, queryStringParameters=query or None)
        if body is not None:
            event["body"] = body
        return event

    async def _send_to(self, connection: _Connection, data: bytes) -> None:
        async with connection.lock:  # one frame at a time per connection, as a socket writes them
            try:
                await connection.send({"type": "websocket.send", "text": data.decode()})
            except UnicodeDecodeError:
                await connection.send({"type": "websocket.send", "bytes": data})

    # The @connections management API and the issuer's keys -----------------------------------

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await _read_body(receive)
        path, method = scope["path"], scope["method"]
        if path == self._jwks_path and method == "GET" and self._jwks is not None:
            await _respond(send, HTTPStatus.OK, self._jwks)
        elif path.startswith(_CONNECTIONS_PREFIX):
            await self._manage(method, unquote(path.removeprefix(_CONNECTIONS_PREFIX)), body, send)
        else:
            await _respond(send, HTTPStatus.NOT_FOUND, {"message": "Not Found"})

    async def _manage(self, method: str, connection_id: str, body: bytes, send: Send) -> None:
        connection = self._connections.get(connection_id)
        if connection is None:
            await _respond(send, HTTPStatus.GONE, {"message": "Gone"}, error_type="GoneException")
        elif method == "POST":
            try:
                await self._send_to(connection, body)
            except OSError:  # the client went away while being written to
                await _respond(send, HTTPStatus.GONE, {"message": "Gone"}, error_type="GoneException")
                return
            await _respond(send, HTTPStatus.OK, None)
        elif method == "GET":
            identity = {"sourceIp": connection.source_ip}
            last_active = connection.last_active_at or connection.connected_at
            await _respond(
                send,
                HTTPStatus.OK,
                {"connectedAt": connection.connected_at, "identity": identity, "lastActiveAt": last_active},
            )
        elif method == "DELETE":
            async with connection.lock:
                await connection.send({"type": "websocket.close", "code": 1000})
            await _respond(send, HTTPStatus.NO_CONTENT, None)
        else:
            await _respond(send, HTTPStatus.METHOD_NOT_ALLOWED, {"message": "Method Not Allowed"})


def _route_of(body: str, routes: frozenset[str]) -> str:
    """`$request.body.action` when it names a route, else $default."""
    try:
        message = json.loads(body)
    except json.JSONDecodeError:
        return "$default"
    action = message.get("action") if isinstance(message, dict) else None
    return action if isinstance(action, str) and action in routes else "$default"


async def _deny(send: Send, status: HTTPStatus) -> None:
    """Refuse the handshake with an HTTP answer, as API Gateway does."""
    body = json.dumps({"message": status.phrase}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "websocket.http.response.start", "status": int(status), "headers": headers})
    await send({"type": "websocket.http.response.body", "body": body})


async def _read_body(receive: Receive) -> bytes:
    body = bytearray()
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body", False):
            return bytes(body)


async def _respond(
    send: Send, status: HTTPStatus, body: dict[str, Any] | None, *, error_type: str | None = None
) -> None:
    payload = b"" if body is None else json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    if error_type:
        headers.append((b"x-amzn-errortype", error_type.encode()))
    await send({"type": "http.response.start", "status": int(status), "headers": headers})
    await send({"type": "http.response.body", "body": payload})
