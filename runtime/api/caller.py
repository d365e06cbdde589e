"""Per-user isolation: a caller with verified JWT claims may only touch their own user."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from runtime.errors import ForbiddenError
from runtime.ids import is_user_id
from runtime.routes import match_path


def verified_subject(event: Mapping[str, Any]) -> str | None:
    """The `sub` claim API Gateway's JWT authorizer verified, or None when no authorizer ran."""
    claims = event.get("requestContext", {}).get("authorizer", {}).get("jwt", {}).get("claims", {})
    subject = claims.get("sub") if isinstance(claims, Mapping) else None
    return subject if isinstance(subject, str) and subject else None


def subject_as_user_id(event: Mapping[str, Any]) -> str | None:
    subject = verified_subject(event)
    if subject is not None and not is_user_id(subject):
        raise ForbiddenError("the token's subject cannot be used as a user id")
    return subject


def only_own_user(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[Any]:
    subject = verified_subject(app.current_event.raw_event)
    if subject is not None:
        parameters = match_path(app.request.route, app.current_event.path)
        if parameters is None or parameters.get("userId", subject) != subject:
            raise ForbiddenError("the token's subject may only access its own user")
    return next_middleware(app)


def verified_email(event: Mapping[str, Any]) -> str | None:
    """The `email` claim when the issuer also says it verified it (`email_verified`), else None.

    API Gateway passes every claim as a string, so `email_verified` arrives as "true".
    """
    context = event.get("requestContext")
    authorizer = context.get("authorizer") if isinstance(context, Mapping) else None
    jwt = authorizer.get("jwt") if isinstance(authorizer, Mapping) else None
    claims = jwt.get("claims") if isinstance(jwt, Mapping) else None
    if not isinstance(claims, Mapping) or str(claims.get("email_verified")).lower() != "true":
        return None
    email = claims.get("email")
    return email if isinstance(email, str) and email else None
