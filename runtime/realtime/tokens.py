"""The rules API Gateway's JWT authorizer applies to the HTTP API, applied with PyJWT for the
WebSocket API's $connect: signature (the issuer's JWKS), issuer, audience (`aud`, or a Cognito
access token's `client_id`), expiry, `token_use` and required scopes; and a `sub` that is a user id."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import jwt

from runtime.config import TokenRules
from runtime.ids import USER_ID_PATTERN

# Cognito and the usual OIDC issuers sign with RS256; accepting only it keeps `alg: none` and
# HMAC-with-the-public-key forgeries out.
ALGORITHMS = ["RS256"]
_USER_ID = re.compile(USER_ID_PATTERN)

SigningKeyOf = Callable[[str], Any]
"""The issuer's key a token names (its `kid`), e.g. `PyJWKClient.get_signing_key_from_jwt`."""


class TokenRefusedError(Exception):
    """The token is not one the HTTP API would accept: the connection gets 401."""


def verified_user_id(token: str | None, rules: TokenRules, signing_key_of: SigningKeyOf) -> str:
    """The `sub` of a token the HTTP API's authorizer would accept, or TokenRefusedError. An
    issuer whose keys cannot be fetched raises jwt.PyJWKClientConnectionError: that is the
    authorizer failing, not the token."""
    if not token:
        raise TokenRefusedError("no token")
    try:
        claims = jwt.decode(
            token,
            signing_key_of(token),
            algorithms=ALGORITHMS,
            issuer=rules.issuer,
            options={"require": ["exp", "iss", "sub"], "verify_aud": False},
        )
    except jwt.PyJWKClientConnectionError:
        raise
    except jwt.PyJWTError as error:
        raise TokenRefusedError(str(error)) from error
    _check_claims(claims, rules)
    return str(claims["sub"])


def _check_claims(claims: dict[str, Any], rules: TokenRules) -> None:
    if not set(_audiences(claims)) & set(rules.audiences):
        raise TokenRefusedError("the token is not for this client")
    if rules.token_use and claims.get("token_use") != rules.token_use:
        raise TokenRefusedError(f"the token is not an {rules.token_use} token")
    if rules.required_scopes and not set(_scopes(claims)) & set(rules.required_scopes):
        raise TokenRefusedError(f"the token carries none of the scopes {list(rules.required_scopes)}")
    if not isinstance(claims["sub"], str) or not _USER_ID.fullmatch(claims["sub"]):
        raise TokenRefusedError("the token's sub is not a user id")


def _audiences(claims: dict[str, Any]) -> list[str]:
    """`aud` when present (a string or a list), else `client_id`: what API Gateway evaluates."""
    if "aud" in claims:
        audience = claims["aud"]
        return [str(value) for value in audience] if isinstance(audience, list) else [str(audience)]
    return [str(claims["client_id"])] if "client_id" in claims else []


def _scopes(claims: dict[str, Any]) -> list[str]:
    """`scope` (or else `scp`), space-separated or a list, as API Gateway reads them."""
    for name in ("scope", "scp"):
        if name in claims:
            value = claims[name]
            return value.split() if isinstance(value, str) else [str(scope) for scope in value or []]
    return []
