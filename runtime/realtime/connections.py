"""The WebSocket API's routes: $connect registers the connection under its user, $disconnect
forgets it, `ping` answers `pong`, anything else an error message.

Whose connection it is comes from the authorizer's verified user, or, in a stack with no
authorizer (`CONNECT_AUTH=query`), from `?userId=`, checked like the HTTP API's path ids.
"""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from runtime.ids import USER_ID_PATTERN
from runtime.observability import logger, metrics
from runtime.realtime.dependencies import connection_registry, connections_settings
from runtime.realtime.messages import PONG, UNKNOWN_ACTION
from runtime.realtime.names import PING_ROUTE, USER_ID_CONTEXT_KEY, USER_ID_PARAMETER

_USER_ID = re.compile(USER_ID_PATTERN)

connections_settings()  # fail at start, not on the first connection, when the environment is incomplete


def _answer(status: HTTPStatus, body: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"statusCode": int(status)}
    if body is not None:
        answer["body"] = json.dumps(body)
    return answer


def connection_owner(event: dict[str, Any]) -> str | None:
    """The user the connection is for, or None when the request names none (or an invalid one)."""
    if connections_settings().connect_auth == "authorizer":
        return (event["requestContext"].get("authorizer") or {}).get(USER_ID_CONTEXT_KEY)
    user_id = (event.get("queryStringParameters") or {}).get(USER_ID_PARAMETER)
    return user_id if isinstance(user_id, str) and _USER_ID.fullmatch(user_id) else None


def connect(event: dict[str, Any]) -> dict[str, Any]:
    user_id = connection_owner(event)
    if user_id is None:
        return _answer(
            HTTPStatus.BAD_REQUEST,
            {"message": f"{USER_ID_PARAMETER} must be a user id (letters, digits and ._~-, 1 to 64 characters)"},
        )
    connection_registry(connections_settings().connections_table_name).register(
        event["requestContext"]["connectionId"], user_id
    )
    return _answer(HTTPStatus.OK)


def handle_route(event: dict[str, Any]) -> dict[str, Any]:
    route = event["requestContext"]["routeKey"]
    if route == "$connect":
        return connect(event)
    if route == "$disconnect":
        registry = connection_registry(connections_settings().connections_table_name)
        registry.remove(event["requestContext"]["connectionId"])
        return _answer(HTTPStatus.OK)
    if route == PING_ROUTE:
        return _answer(HTTPStatus.OK, PONG)
    return _answer(HTTPStatus.OK, UNKNOWN_ACTION)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_route(event)
