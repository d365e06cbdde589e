"""The local HTTP front door: API Gateway's routing, JWT authorizer and proxy integration.

Explicit routes only, as the deployed API: a method and path that no route declares gets API
Gateway's 404 `{"message":"Not Found"}` without invoking the handler. Besides the API it serves
`/openapi.json` and an offline API explorer at `/docs`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler.openapi import swagger_ui
from aws_lambda_powertools.event_handler.openapi.swagger_ui.html import generate_swagger_html

from local_api.auth import InsufficientScopeError, JwtAuthorizer, UnauthorizedError, VerifiedToken
from local_api.cors import CorsPolicy
from local_api.gateway_events import (
    HttpRequest,
    HttpResponse,
    UndecodablePathError,
    build_event,
    gateway_error,
    gateway_path,
    to_http_response,
)
from runtime.routes import ROUTES, Route, match_path

# API Gateway's own limit on a request payload; the handler refuses far smaller bodies itself.
MAX_REQUEST_BYTES = 10 * 1024 * 1024
_MAX_CHUNK_LINE = 1024
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]+")
_SWAGGER_ASSETS = Path(swagger_ui.__file__).parent
_ASSET_TYPES = {".js": "application/javascript", ".css": "text/css"}

Invoke = Callable[[dict[str, Any]], Any]
# No allowed origins: no CORS answers, as on an API without a CORS configuration.
CORS_OFF = CorsPolicy(allowed_origins=())


def match_route(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route in ROUTES:
        parameters = match_path(route.path, path)
        if parameters is not None and route.method == method:
            return route, parameters
    return None


class LocalGateway:
    """Everything a request meets before and after the function, as on API Gateway."""

    def __init__(
        self,
        invoke: Invoke,
        openapi_document: str,
        authorizer: JwtAuthorizer | None,
        cors: CorsPolicy = CORS_OFF,
    ) -> None:
        self._invoke = invoke
        self._cors = cors
        self._openapi = openapi_document.encode()
        self._docs = generate_swagger_html(
            spec=openapi_document,
            swagger_js="/docs/swagger-ui-bundle.min.js",
            swagger_css="/docs/swagger-ui.min.css",
            swagger_base_url="/docs",
            oauth2_config=None,
        ).encode()
        self._authorizer = authorizer

    def handle(self, request: HttpRequest) -> HttpResponse:
        return self._cors.preflight(request) or self._cors.apply(request, self._route(request))

    def _route(self, request: HttpRequest) -> HttpResponse:
        local = self._local_page(request)
        if local is not None:
            return local
        try:
            path = gateway_path(request.raw_path)
        except UndecodablePathError:
            return gateway_error(HTTPStatus.BAD_REQUEST, "Bad Request")
        matched = match_route(request.method, path)
        if matched is None:
            return gateway_error(HTTPStatus.NOT_FOUND, "Not Found")
        route, path_parameters = matched
        verified: VerifiedToken | None = None
        if self._authorizer is not None and route.requires_auth:
            try:
                verified = self._authorizer.verify(request.header("authorization"))
            except UnauthorizedError:
                return gateway_error(HTTPStatus.UNAUTHORIZED, "Unauthorized")
            except InsufficientScopeError:
                return gateway_error(HTTPStatus.FORBIDDEN, "Forbidden")
        claims, scopes = (verified.claims, verified.scopes) if verified else (None, None)
        try:
            result = self._invoke(build_event(request, path, route, path_parameters, claims, scopes=scopes))
        except Exception as error:
            print(f"handler failed: {error!r}", file=sys.stderr)
            return gateway_error(HTTPStatus.INTERNAL_SERVER_ERROR, "Internal Server Error")
        return to_http_response(result)

    def _local_page(self, request: HttpRequest) -> HttpResponse | None:
        if request.method != "GET":
            return None
        if request.raw_path == "/openapi.json":
            return HttpResponse(200, [("content-type", "application/json")], self._openapi)
        if request.raw_path == "/docs":
            return HttpResponse(200, [("content-type", "text/html; charset=utf-8")], self._docs)
        asset = request.raw_path.removeprefix("/docs/")
        if request.raw_path.startswith("/docs/") and asset in {"swagger-ui-bundle.min.js", "swagger-ui.min.css"}:
            content_type = _ASSET_TYPES[Path(asset).suffix]
            return HttpResponse(200, [("content-type", content_type)], (_SWAGGER_ASSETS / asset).read_bytes())
        return None


class _UnreadableBodyError(Exception):
    def __init__(self, status: HTTPStatus) -> None:
        super().__init__(status.phrase)
        self.status = status


class _RequestHandler(BaseHTTPRequestHandler):
    server: LocalHttpServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle on, a keep-alive client's delayed ACK
    # holds the body back about 40 ms per request.
    disable_nagle_algorithm = True

    def do_request(self) -> None:
        try:
            body = self._read_body()
        except _UnreadableBodyError as refusal:
            self._send(gateway_error(refusal.status, refusal.status.phrase))
            self.close_connection = True  # the rest of the stream cannot be trusted to be a request
            return
        raw_path, _, raw_query = self.path.partition("?")
        request = HttpRequest(
            method=self.command,
            raw_path=raw_path,
            raw_query=raw_query,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
        )
        self._send(self.server.gateway.handle(request))

    def _read_body(self) -> bytes:
        """The body framed by Content-Length or chunked transfer coding (which wins, per RFC 9112)."""
        transfer_coding = self.headers.get("transfer-encoding")
        if transfer_coding is not None:
            if transfer_coding.strip().lower() != "chunked":
                raise _UnreadableBodyError(HTTPStatus.NOT_IMPLEMENTED)
            return self._read_chunks()
        declared_values = set(self.headers.get_all("content-length", ["0"]))
        if len(declared_values) != 1:
            raise _UnreadableBodyError(HTTPStatus.BAD_REQUEST)  # conflicting lengths (RFC 9112, 6.3)
        declared = declared_values.pop()
        if not declared.isascii() or not declared.isdigit():
            raise _UnreadableBodyError(HTTPStatus.BAD_REQUEST)
        if int(declared) > MAX_REQUEST_BYTES:
            raise _UnreadableBodyError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        body = self.rfile.read(int(declared))
        if len(body) < int(declared):
            raise _UnreadableBodyError(HTTPStatus.BAD_REQUEST)  # the client ended its side short of the length
        return body

    def _read_chunks(self) -> bytes:
        body = bytearray()
        while True:
            size_field = self.rfile.readline(_MAX_CHUNK_LINE).split(b";", 1)[0].strip()
            if not _CHUNK_SIZE.fullmatch(size_field):
                raise _UnreadableBodyError(HTTPStatus.BAD_REQUEST)
            size = int(size_field, 16)
            if len(body) + size > MAX_REQUEST_BYTES:
                raise _UnreadableBodyError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            if size == 0:
                break
            body += self.rfile.read(size)
            if self.rfile.readline(_MAX_CHUNK_LINE) != b"\r\n":
                raise _UnreadableBodyError(HTTPStatus.BAD_REQUEST)
        while self.rfile.readline(_MAX_CHUNK_LINE) not in (b"\r\n", b"\n", b""):
            pass  # trailer fields: API Gateway does not pass them on either
        return bytes(body)

    def __getattr__(self, name: str) -> Any:
        # Any method (TRACE, PROPFIND…) reaches the gateway, which answers 404 for undeclared ones.
        if name.startswith("do_"):
            return self.do_request
        raise AttributeError(name)

    def _send(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in {"content-length", "connection"}:
                self.send_header(name, value)
        self.send_header("content-length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.access_log:
            sys.stderr.write(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else ''}\n")


class LocalHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default listen backlog is 5: a burst of 20 new connections gets resets.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], gateway: LocalGateway, *, access_log: bool = True) -> None:
        super().__init__(address, _RequestHandler)
        self.gateway = gateway
        self.access_log = access_log

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"
