"""A local stand-in for API Gateway's JWT authorizer, and a way to mint tokens it accepts.

Like the real authorizer it reads `Authorization: Bearer <jwt>`, checks the signature, expiry,
issuer and audience, answers 401 `{"message":"Unauthorized"}` without invoking the handler when
any check fails, and passes the verified claims on in `requestContext.authorizer.jwt.claims`
as strings (API Gateway stringifies them; a list arrives as "[a b]").

Tokens are RS256, signed with a key kept in a local file (created on first use), so that
`python -m local_api token …` and a running server agree without sharing any process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "http://127.0.0.1/local-api-issuer"
AUDIENCE = "local-api-client"
ALGORITHM = "RS256"
DEFAULT_KEY_FILE = Path(".local_api") / "jwt-signing-key.pem"
DEFAULT_LIFETIME_SECONDS = 3600


class UnauthorizedError(Exception):
    """The request carries no token API Gateway's JWT authorizer would accept."""


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
    lifetime_seconds: int = DEFAULT_LIFETIME_SECONDS,
    issuer: str = ISSUER,
    audience: str = AUDIENCE,
    now: float | None = None,
) -> str:
    issued_at = int(time.time() if now is None else now)
    claims: dict[str, Any] = {
        "sub": subject,
        "iss": issuer,
        "aud": audience,
        "iat": issued_at,
        "exp": issued_at + lifetime_seconds,
        "token_use": "id",
    }
    if email is not None:
        claims["email"] = email
    return jwt.encode(claims, key, algorithm=ALGORITHM)


@dataclass(frozen=True)
class JwtAuthorizer:
    key: rsa.RSAPublicKey
    issuer: str = ISSUER
    audience: str = AUDIENCE

    def verify(self, authorization: str | None) -> dict[str, str]:
        """The token's claims as API Gateway passes them on, or UnauthorizedError."""
        if not authorization:
            raise UnauthorizedError("no Authorization header")
        token = authorization.removeprefix("Bearer ").strip()
        try:
            claims = jwt.decode(
                token,
                self.key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise UnauthorizedError(str(error)) from error
        return {name: _as_claim_string(value) for name, value in claims.items()}


def _as_claim_string(value: Any) -> str:
    if isinstance(value, list):
        return "[" + " ".join(str(item) for item in value) + "]"
    return str(value)
