"""The local JWT authorizer accepts exactly the tokens API Gateway's JWT authorizer would."""

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from local_api.auth import AUDIENCE, ISSUER, JwtAuthorizer, UnauthorizedError, load_or_create_key, mint_token

SUB = "3f1c2a4e-8b7d-4c1e-9f00-123456789abc"


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def authorizer(key):
    return JwtAuthorizer(key.public_key())


def test_a_valid_token_passes_its_claims_on_as_strings(key, authorizer):
    claims = authorizer.verify(f"Bearer {mint_token(key, subject=SUB, email='a@example.com')}")

    assert claims["sub"] == SUB
    assert claims["email"] == "a@example.com"
    assert all(isinstance(value, str) for value in claims.values())


def test_a_list_claim_arrives_as_api_gateway_stringifies_it(key, authorizer):
    token = jwt.encode(
        {
            "sub": SUB,
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
            "cognito:groups": ["admins", "ops"],
        },
        key,
        algorithm="RS256",
    )

    assert authorizer.verify(f"Bearer {token}")["cognito:groups"] == "[admins ops]"


def _refused(authorizer, header):
    with pytest.raises(UnauthorizedError):
        authorizer.verify(header)


def test_missing_or_malformed_tokens_are_refused(authorizer):
    for header in (None, "", "Bearer", "Bearer not.a.jwt", "Basic dXNlcjpwYXNz"):
        _refused(authorizer, header)


def test_expired_wrong_issuer_wrong_audience_and_foreign_keys_are_refused(key, authorizer):
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for token in (
        mint_token(key, subject=SUB, now=time.time() - 7200),
        mint_token(key, subject=SUB, issuer="https://evil.example.com"),
        mint_token(key, subject=SUB, audience="another-client"),
        mint_token(other_key, subject=SUB),
    ):
        _refused(authorizer, f"Bearer {token}")


def test_an_unsigned_token_is_refused(authorizer):
    unsigned = jwt.encode({"sub": SUB, "iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 60}, None, "none")

    _refused(authorizer, f"Bearer {unsigned}")


def test_the_signing_key_is_created_once_and_reused(tmp_path):
    path = tmp_path / "keys" / "signing.pem"

    first, second = load_or_create_key(path), load_or_create_key(path)

    assert first.private_numbers() == second.private_numbers()
    assert path.stat().st_mode & 0o777 == 0o600
