"""The WebSocket API's REQUEST authorizer on $connect: the token in `?token=` verified as the HTTP
API's JWT authorizer would (`runtime.realtime.tokens`), an Allow policy for its user, or 401.

Browsers cannot set headers on a WebSocket handshake, hence the query string. Raising
`Unauthorized` is how a Lambda authorizer answers 401; Lambda counts it as an error, so each
refusal is also counted (`TokensRefused`) and the stack's alarm fires on the errors beyond them.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from runtime.observability import count, logger, metrics
from runtime.realtime.dependencies import jwks_client, token_rules
from runtime.realtime.names import TOKEN_PARAMETER, TOKENS_REFUSED, USER_ID_CONTEXT_KEY
from runtime.realtime.tokens import TokenRefusedError, verified_user_id

token_rules()  # fail at start, not on the first connection, when the environment is incomplete


class UnauthorizedError(Exception):
    """API Gateway turns an authorizer's `Unauthorized` error into 401."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


def signing_key_of(token: str) -> Any:
    return jwks_client().get_signing_key_from_jwt(token).key


def authorize_connection(event: dict[str, Any]) -> dict[str, Any]:
    token = (event.get("queryStringParameters") or {}).get(TOKEN_PARAMETER)
    try:
        user_id = verified_user_id(token, token_rules(), signing_key_of)
    except TokenRefusedError as refusal:
        count(TOKENS_REFUSED)
        logger.info("connection refused", extra={"reason": str(refusal)})
        raise UnauthorizedError from None
    return allow(user_id, event["methodArn"])


def allow(user_id: str, method_arn: str) -> dict[str, Any]:
    return {
        "principalId": user_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": method_arn}],
        },
        "context": {USER_ID_CONTEXT_KEY: user_id},
    }


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return authorize_connection(event)
