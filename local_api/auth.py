"""A local stand-in for API Gateway's JWT authorizer, and a way to mint tokens it accepts.

Like the real authorizer it reads `Authorization: Bearer <jwt>` (or the bare token), checks the signature, expiry,
issuer and audience (`aud`, or `client_id` when a token has no `aud`, as in Cognito access
tokens) and answers 401 `{"message":"Unauthorized"}` without invoking the handler when any check
fails. A valid token that carries none of the required scopes (in `scope` or `scp`) gets 403
`{"message":"Forbidden"}`: by default the scope of Cognito's SRP access tokens, which ID tokens
(no `scope` claim) never carry, as the deployed `cognito` stack requires. It passes the verified
claims on in `requestContext.authorizer.jwt.claims` as strings (API Gateway stringifies them; a
list arrives as "[a b]") and the token's scopes in `requestContext.authorizer.jwt.scopes` (null
on a route that requires none). Like API Gateway it does not require `sub`: the runtime refuses
a verified caller without one.

Tokens are RS256, shaped like Cognito access tokens and signed with a key kept in a local file
(created on first use), so that `python -m local_api token …` and a running server agree without
sharing any process. Like Cognito's they name their key (`kid`, the key's RFC 7638 thumbprint),
and `jwks` is the key set a running server publishes for the WebSocket authorizer to fetch.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

# The local issuer lives on the local WebSocket API's port, which serves its keys (`jwks`): this is
# its URL on the default port, what `python -m local_api token` mints for unless told another.
ISSUER_PATH = "/local-api-issuer"
DEFAULT_ISSUER_PORT = 3101
ISSUER = f"http://127.0.0.1:{DEFAULT_ISSUER_PORT}{ISSUER_PATH}"
AUDIENCE = "local-api-client"
ALGORITHM = "RS256"
DEFAULT_KEY_FILE = Path(".local_api") / "jwt-signing-key.pem"
DEFAULT_LIFETIME_SECONDS = 3600
# What SRP access tokens of a Cognito user pool carry, and the deployed cognito routes require
# (`components.user_pool.SIGNIN_SCOPE`; a test keeps the two equal).
COGNITO_SIGNIN_SCOPE = "aws.cognito.signin.user.admin"
# The claims API Gateway reads scopes from, in the order it is documented to.
_SCOPE_CLAIMS = ("scope", "scp")
_BEARER_PREFIX = "Bearer "
# A JWS in compact form: three base64url segments (an unsigned token's last one is empty).
_COMPACT_JWT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


class UnauthorizedError(Exception):
    """The request carries no token API Gateway's JWT authorizer would accept: 401."""


class InsufficientScopeError(Exception):
    """A valid token with none of the scopes the route requires: 403."""


@dataclass(frozen=True)
class VerifiedToken:
    """What API Gateway passes the function in `requestContext.authorizer.jwt`."""

    claims: dict[str, str]
    scopes: list[str] | None


def load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{path} does not hold an RSA private key")
        return key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.write_bytes(pem)
    path.chmod(0o600)
    return key


def mint_token(
    key: rsa.RSAPrivateKey,
    *,
    subject: str,
    email: str | None = None,
    email_verified: bool = True,
    scopes: Sequence[str] = (COGNITO_SIGNIN_SCOPE,),
    lifetime_seconds: int = DEFAULT_LIFETIME_SECONDS,
    issuer: str = ISSUER,
    audience: str = AUDIENCE,
    now: float | None = None,
) -> str:
    """An access token shaped like Cognito's: `client_id` (no `aud`), `token_use: access` and
    `scope`; with `email`, also `email` and `email_verified` as the user pool's token-claims
    trigger adds them. No scopes: no `scope` claim."""
    issued_at = int(time.time() if now is None else now)
    claims: dict[str, Any] = {
        "sub": subject,
        "iss": issuer,
        "client_id": audience,
        "token_use": "access",
        "auth_time": issued_at,
        "iat": issued_at,
        "exp": issued_at + lifetime_seconds,
        "jti": str(uuid.uuid4()),
        "username": subject,
    }
    if scopes:
        claims["scope"] = " ".join(scopes)
    if email is not None:
        claims["email"] = email
        claims["email_verified"] = email_verified
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": key_id(key.public_key())})


def key_id(key: rsa.RSAPublicKey) -> str:
    """The key's JWK thumbprint (RFC 7638): the same key file gives the same `kid` every time."""
    numbers = key.public_numbers()

    def b64(value: int) -> str:
        return base64.urlsafe_b64encode(value.to_bytes((value.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()

    canonical = json.dumps({"e": b64(numbers.e), "kty": "RSA", "n": b64(numbers.n)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def jwks(key: rsa.RSAPublicKey) -> dict[str, Any]:
    """The key set an issuer publishes at `<issuer>/.well-known/jwks.json`, as Cognito does."""
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key, as_dict=True)
    return {"keys": [{**jwk, "kid": key_id(key), "alg": ALGORITHM, "use": "sig"}]}


@dataclass(frozen=True)
class JwtAuthorizer:
    key: rsa.RSAPublicKey
    issuer: str = ISSUER
    audience: str = AUDIENCE
    required_scopes: tuple[str, ...] = (COGNITO_SIGNIN_SCOPE,)
    """A token needs one of these (empty: no scope check, and `scopes` null in the event)."""

    def verify(self, authorization: str | None) -> VerifiedToken:
        """The token's claims and scopes as API Gateway passes them on, or UnauthorizedError
        (401), or InsufficientScopeError (403)."""
        if not authorization:
            raise UnauthorizedError("no Authorization header")
        token = bearer_token(authorization)
        try:
            claims = jwt.decode(
                token,
                self.key,
                algorithms=[ALGORITHM],
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss"], "verify_aud": False},
            )
        except jwt.PyJWTError as error:
            raise UnauthorizedError(str(error)) from error
        if not self._is_for_this_client(claims):
            raise UnauthorizedError("the token does not have a valid audience")
        if not self.required_scopes:
            return VerifiedToken(claims=_as_claim_strings(claims), scopes=None)
        granted = token_scopes(claims)
        if not set(granted) & set(self.required_scopes):
            raise InsufficientScopeError(f"expected one of the scopes {list(self.required_scopes)}")
        return VerifiedToken(claims=_as_claim_strings(claims), scopes=granted)

    def _is_for_this_client(self, claims: dict[str, Any]) -> bool:
        """`aud` when present (a string or a list), else `client_id`: what API Gateway evaluates."""
        if "aud" in claims:
            audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
            return self.audience in audiences
        return claims.get("client_id") == self.audience


def bearer_token(authorization: str) -> str:
    """The JWT in an Authorization header, or UnauthorizedError.

    API Gateway documents that the header "can include only the token, or the token prefixed with
    Bearer", and says nothing of other spellings. Here only those two forms pass: `Bearer` as
    written, one space, then the token. `bearer <jwt>`, `BEARER <jwt>` or two spaces are refused
    (401), though RFC 9110 calls the scheme case-insensitive, because the deployed authorizer is
    not documented to accept them: whatever works locally works deployed.
    """
    token = authorization.strip().removeprefix(_BEARER_PREFIX)
    if not _COMPACT_JWT.fullmatch(token):
        raise UnauthorizedError("the Authorization header is neither a JWT nor `Bearer ` and a JWT")
    return token


def token_scopes(claims: dict[str, Any]) -> list[str]:
    """The scopes a token grants: its `scope` (or else `scp`) claim, space-separated or a list."""
    for name in _SCOPE_CLAIMS:
        if name in claims:
            value = claims[name]
            if isinstance(value, str):
                return value.split()
            if isinstance(value, list):
                return [scope for scope in value if isinstance(scope, str)]
            return []
    return []


def _as_claim_strings(claims: dict[str, Any]) -> dict[str, str]:
    return {name: _as_claim_string(value) for name, value in claims.items()}


def _as_claim_string(value: Any) -> str:
    if isinstance(value, list):
        return "[" + " ".join(str(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
