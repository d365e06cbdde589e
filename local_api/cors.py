"""API Gateway's CORS, locally: preflights answered by the gateway, CORS headers on every answer.

As the HTTP API does once CORS is configured: an `OPTIONS` request carrying `Origin` and
`Access-Control-Request-Method` is a preflight, answered 204 without a route or a token; any
answer to a request from an allowed origin gets the origin and the exposed headers; CORS headers
the function returns are dropped. A request from any other origin gets no CORS headers (the
browser then refuses it). The rules are `components.cors`, the ones the component deploys; the
origins are the dev stack's `corsAllowedOrigins` plus any given with `--cors-origin`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

import yaml

from components import cors as rules
from local_api.gateway_events import HttpRequest, HttpResponse
from runtime.routes import ROUTES

DEV_STACK_FILE = "Pulumi.dev.yaml"
ORIGINS_KEY = "corsAllowedOrigins"


def dev_stack_origins(project_root: Path) -> tuple[str, ...]:
    """The `corsAllowedOrigins` the dev stack deploys, read from its stack file."""
    project = yaml.safe_load((project_root / "Pulumi.yaml").read_text())["name"]
    config = yaml.safe_load((project_root / DEV_STACK_FILE).read_text()).get("config", {})
    return tuple(config.get(f"{project}:{ORIGINS_KEY}", ()))


@dataclass(frozen=True)
class CorsPolicy:
    allowed_origins: tuple[str, ...]

    def preflight(self, request: HttpRequest) -> HttpResponse | None:
        """The gateway's own answer when `request` is a preflight; None for any other request."""
        origin = request.header("origin")
        if request.method != "OPTIONS" or origin is None or request.header("access-control-request-method") is None:
            return None
        response = HttpResponse(HTTPStatus.NO_CONTENT)
        if origin in self.allowed_origins:
            response.headers += [
                ("access-control-allow-origin", origin),
                ("access-control-allow-methods", ",".join(rules.allowed_methods(r.route_key for r in ROUTES))),
                ("access-control-allow-headers", ",".join(rules.ALLOWED_HEADERS)),
                ("access-control-max-age", str(rules.MAX_AGE_SECONDS)),
                ("vary", "origin"),
            ]
        return response

    def apply(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """`response` with the function's CORS headers replaced by the gateway's."""
        headers = [(name, value) for name, value in response.headers if not _is_cors_header(name)]
        origin = request.header("origin")
        if origin is not None and origin in self.allowed_origins:
            headers += [
                ("access-control-allow-origin", origin),
                ("access-control-expose-headers", ",".join(rules.EXPOSE_HEADERS)),
                ("vary", "origin"),
            ]
        return HttpResponse(response.status, headers, response.body)


def policy(project_root: Path, extra_origins: Iterable[str]) -> CorsPolicy:
    return CorsPolicy(tuple(dict.fromkeys([*dev_stack_origins(project_root), *extra_origins])))


def _is_cors_header(name: str) -> bool:
    return name.lower().startswith("access-control-")
