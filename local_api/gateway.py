"""API Gateway's side of a request, locally: routing, JWT authorizer, CORS and proxy integration.

Explicit routes only, as the deployed API: a method and path that no route declares gets API
Gateway's 404 `{"message":"Not Found"}` without invoking the handler. Besides the API it serves
`/openapi.json` and an offline API explorer at `/docs`. Transport-free: `local_api.asgi` hands it
requests read off the wire.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from http import HTTPStatus
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

_SWAGGER_ASSETS = Path(swagger_ui.__file__).parent
_ASSET_TYPES = {"swagger-ui-bundle.min.js": "application/javascript", "swagger-ui.min.css": "text/css"}

# The function behind the API: an event in, the Lambda result out, awaited without blocking the server.
Invoke = Callable[[dict[str, Any]], Awaitable[Any]]
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
        self._authorizer = authorizer
        docs = generate_swagger_html(
            spec=openapi_document,
            swagger_js="/docs/swagger-ui-bundle.min.js",
            swagger_css="/docs/swagger-ui.min.css",
            swagger_base_url="/docs",
            oauth2_config=None,
        )
        # Read once: the pages are served from the event loop, which must not wait on the disk.
        self._pages = {
            "/openapi.json": HttpResponse(200, [("content-type", "application/json")], openapi_document.encode()),
            "/docs": HttpResponse(200, [("content-type", "text/html; charset=utf-8")], docs.encode()),
        } | {
            f"/docs/{asset}": HttpResponse(200, [("content-type", kind)], (_SWAGGER_ASSETS / asset).read_bytes())
            for asset, kind in _ASSET_TYPES.items()
        }

    async def handle(self, request: HttpRequest) -> HttpResponse:
        return self._cors.preflight(request) or self._cors.apply(request, await self._route(request))

    async def _route(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET" and request.raw_path in self._pages:
            return self._pages[request.raw_path]
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
            result = await self._invoke(build_event(request, path, route, path_parameters, claims, scopes=scopes))
        except Exception as error:
            print(f"handler failed: {error!r}", file=sys.stderr)
            return gateway_error(HTTPStatus.INTERNAL_SERVER_ERROR, "Internal Server Error")
        return to_http_response(result)
