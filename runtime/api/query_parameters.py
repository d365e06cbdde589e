"""A query parameter no route declares is refused, never ignored.

A client that sends `cursor` where a route takes none, or misspells `limit`, would otherwise get
an answer that looks right and is not the one it asked for. API Gateway adds no query parameters
of its own, so every one a route does not declare came from the client: 400, naming each.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from runtime.api.common import error_response
from runtime.models import FieldError


def only_declared_query_parameters(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[Any]:
    declared = {parameter.alias for parameter in app.context["_route"].dependant.query_params}
    unknown = sorted(set(app.current_event.query_string_parameters or {}) - declared)
    if not unknown:
        return next_middleware(app)
    takes = f"it takes {', '.join(sorted(declared))}" if declared else "it takes none"
    message = f"{app.current_event.http_method} {app.context['_route'].openapi_path} has no query parameter"
    message += f"{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: {takes}"
    details = [
        FieldError(field=f"query.{name}", message=f"{name} is not a query parameter of this route") for name in unknown
    ]
    return error_response(HTTPStatus.BAD_REQUEST, "invalid_parameter", message, details)
