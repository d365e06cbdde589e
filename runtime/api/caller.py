"""Who is calling, and per-user isolation: a caller with a verified JWT may only touch its own user.

Open mode follows only from the absence of an authorizer. API Gateway's JWT authorizer does not
require a `sub` (a client-credentials token has none), so a token without a `sub` usable as a user
id is refused on every guarded route: isolation fails closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from runtime.api.common import error_response
from runtime.errors import ForbiddenError
from runtime.ids import is_user_id
from runtime.routes import ROUTES

# Public routes have no path parameters, so a request's own method and path name them exactly.
_PUBLIC_ROUTES = frozenset((route.method, route.path) for route in ROUTES if not route.requires_auth)


def verified_claims(event: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The claims API Gateway's JWT authorizer verified: None when no authorizer ran (open mode),
    empty when one ran but passed no claims."""
    context = event.get("requestContext")
    authorizer = context.get("authorizer") if isinstance(context, Mapping) else None
    if authorizer is None:
        return None
    jwt = authorizer.get("jwt") if isinstance(authorizer, Mapping) else None
    claims = jwt.get("claims") if isinstance(jwt, Mapping) else None
    return claims if isinstance(claims, Mapping) else {}


def verified_subject(event: Mapping[str, Any]) -> str | None:
    """The caller's user id, the verified `sub`; None in open mode.

    Raises ForbiddenError when an authorizer ran but its claims carry no `sub` usable as a user id.
    """
    claims = verified_claims(event)
    if claims is None:
        return None
    subject = claims.get("sub")
    if not (isinstance(subject, str) and is_user_id(subject)):
        raise ForbiddenError("the token carries no subject usable as a user id")
    return subject


def refuse_unusable_token(event: dict[str, Any]) -> Response[str] | None:
    """403 on a guarded route when the token has no usable `sub`; None otherwise.

    Runs before the resolver, so the refusal comes before any validation of the request.
    """
    request = APIGatewayProxyEventV2(event)
    if (request.http_method.upper(), request.path) in _PUBLIC_ROUTES:
        return None
    try:
        verified_subject(event)
    except ForbiddenError as error:
        return error_response(HTTPStatus.FORBIDDEN, error.code, error.message)
    return None


def _path_parameters(app: APIGatewayHttpResolver) -> dict[str, str]:
    """The path parameters the resolver matched, by the matched route's own compiled rule.

    `app.request.path_parameters` cannot serve: request validation has renamed its keys to the
    route function's argument names by the time a middleware runs.
    """
    match = app.context["_route"].rule.match(app.context["_path"])
    return match.groupdict() if match else {}


def only_own_user(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[Any]:
    request = app.request
    if (request.method, request.route) not in _PUBLIC_ROUTES:
        subject = verified_subject(app.current_event.raw_event)
        if subject is not None and _path_parameters(app).get("userId", subject) != subject:
            raise ForbiddenError("the token's subject may only access its own user")
    return next_middleware(app)


def verified_email(event: Mapping[str, Any]) -> str | None:
    """The `email` claim when the issuer also says it verified it (`email_verified`), else None.

    API Gateway passes every claim as a string, so `email_verified` arrives as "true".
    """
    claims = verified_claims(event) or {}
    if str(claims.get("email_verified")).lower() != "true":
        return None
    email = claims.get("email")
    return email if isinstance(email, str) and email else None
