"""The local JWT authorizer accepts exactly the tokens API Gateway's JWT authorizer would, on
routes that require the scope of Cognito access tokens as the deployed cognito stack's do."""

import asyncio
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from components.user_pool import SIGNIN_SCOPE
from local_api.auth import (
    AUDIENCE,
    COGNITO_SIGNIN_SCOPE,
    ISSUER,
    InsufficientScopeError,
    JwtAuthorizer,
    UnauthorizedError,
    load_or_create_key,
    mint_token,
)
from local_api.gateway import LocalGateway
from local_api.gateway_events import HttpRequest

SUB = "3f1c2a4e-8b7d-4c1e-9f00-123456789abc"


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def authorizer(key):
    return JwtAuthorizer(key.public_key())


def _signed(key, **claims):
    now = int(time.time())
    return jwt.encode({"iss": ISSUER, "iat": now, "exp": now + 60, **claims}, key, algorithm="RS256")


def _id_token(key, **claims):
    """What Cognito issues as an ID token: the client id as `aud`, no `scope`."""
    return _signed(key, sub=SUB, aud=AUDIENCE, token_use="id", email="a@example.com", email_verified=True, **claims)


def test_the_local_scope_is_the_one_the_deployed_routes_require():
    assert COGNITO_SIGNIN_SCOPE == SIGNIN_SCOPE


def test_a_minted_token_is_shaped_like_a_cognito_access_token(key):
    claims = jwt.decode(mint_token(key, subject=SUB, email="a@example.com"), options={"verify_signature": False})

    assert {name: claims[name] for name in ("sub", "iss", "client_id", "token_use", "scope")} == {
        "sub": SUB,
        "iss": ISSUER,
        "client_id": AUDIENCE,
        "token_use": "access",
        "scope": COGNITO_SIGNIN_SCOPE,
    }
    assert "aud" not in claims
    assert (claims["email"], claims["email_verified"]) == ("a@example.com", True)
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["jti"]


def test_a_token_without_email_has_no_email_claims(key):
    claims = jwt.decode(mint_token(key, subject=SUB), options={"verify_signature": False})

    assert "email" not in claims
    assert "email_verified" not in claims


def test_a_valid_access_token_passes_its_claims_on_as_api_gateway_stringifies_them(key, authorizer):
    verified = authorizer.verify(f"Bearer {mint_token(key, subject=SUB, email='a@example.com')}")

    assert verified.claims["sub"] == SUB
    assert verified.claims["client_id"] == AUDIENCE
    # A JSON boolean arrives as "true", not Python's "True".
    assert (verified.claims["email"], verified.claims["email_verified"]) == ("a@example.com", "true")
    assert all(isinstance(value, str) for value in verified.claims.values())


def test_an_unverified_email_says_so(key, authorizer):
    verified = authorizer.verify(f"Bearer {mint_token(key, subject=SUB, email='a@example.com', email_verified=False)}")

    assert verified.claims["email_verified"] == "false"


def test_the_scopes_are_passed_on_as_a_list(key, authorizer):
    token = mint_token(key, subject=SUB, scopes=["openid", COGNITO_SIGNIN_SCOPE])

    assert authorizer.verify(f"Bearer {token}").scopes == ["openid", COGNITO_SIGNIN_SCOPE]


def test_a_list_claim_arrives_as_api_gateway_stringifies_it(key, authorizer):
    token = _signed(key, sub=SUB, client_id=AUDIENCE, scope=COGNITO_SIGNIN_SCOPE, **{"cognito:groups": ["a", "b"]})

    assert authorizer.verify(f"Bearer {token}").claims["cognito:groups"] == "[a b]"


def test_an_id_token_is_valid_but_carries_no_scope_so_it_is_forbidden(key, authorizer):
    with pytest.raises(InsufficientScopeError):
        authorizer.verify(f"Bearer {_id_token(key)}")


@pytest.mark.parametrize(
    "scope_claims",
    [{}, {"scope": ""}, {"scope": "openid profile"}, {"scope": ["openid"]}, {"scope": 7}, {"scp": "other"}],
)
def test_a_valid_token_without_a_required_scope_is_forbidden(key, authorizer, scope_claims):
    with pytest.raises(InsufficientScopeError):
        authorizer.verify(f"Bearer {_signed(key, sub=SUB, client_id=AUDIENCE, **scope_claims)}")


@pytest.mark.parametrize(
    "scope_claims",
    [
        {"scope": f"openid {COGNITO_SIGNIN_SCOPE}"},
        {"scope": [COGNITO_SIGNIN_SCOPE]},
        {"scp": COGNITO_SIGNIN_SCOPE},
        {"scp": ["email", COGNITO_SIGNIN_SCOPE]},
    ],
)
def test_one_required_scope_in_scope_or_scp_is_enough(key, authorizer, scope_claims):
    assert (
        COGNITO_SIGNIN_SCOPE
        in authorizer.verify(f"Bearer {_signed(key, sub=SUB, client_id=AUDIENCE, **scope_claims)}").scopes
    )


def test_without_required_scopes_an_id_token_passes_and_the_event_gets_no_scopes(key):
    verified = JwtAuthorizer(key.public_key(), required_scopes=()).verify(f"Bearer {_id_token(key)}")

    assert (verified.claims["token_use"], verified.scopes) == ("id", None)


@pytest.mark.parametrize(
    "audience_claims",
    [
        {"aud": AUDIENCE},
        {"aud": ["other-client", AUDIENCE]},
        {"client_id": AUDIENCE},
        {"aud": AUDIENCE, "client_id": "other-client"},
    ],
)
def test_the_audience_is_aud_when_present_else_client_id(key, authorizer, audience_claims):
    token = _signed(key, sub=SUB, scope=COGNITO_SIGNIN_SCOPE, **audience_claims)

    assert authorizer.verify(f"Bearer {token}").claims["sub"] == SUB


@pytest.mark.parametrize(
    "audience_claims",
    [{}, {"aud": "other-client"}, {"aud": "other-client", "client_id": AUDIENCE}, {"client_id": "other-client"}],
)
def test_a_token_for_another_client_is_unauthorized(key, authorizer, audience_claims):
    with pytest.raises(UnauthorizedError):
        authorizer.verify(f"Bearer {_signed(key, sub=SUB, scope=COGNITO_SIGNIN_SCOPE, **audience_claims)}")


def test_like_api_gateway_it_does_not_require_a_sub(key, authorizer):
    # The runtime refuses a verified caller without one; the authorizer lets it through.
    verified = authorizer.verify(f"Bearer {_signed(key, client_id=AUDIENCE, scope=COGNITO_SIGNIN_SCOPE)}")

    assert "sub" not in verified.claims


def _refused(authorizer, header):
    with pytest.raises(UnauthorizedError):
        authorizer.verify(header)


def test_missing_or_malformed_tokens_are_refused(authorizer):
    for header in (None, "", "Bearer", "Bearer not.a.jwt", "Basic dXNlcjpwYXNz"):
        _refused(authorizer, header)


def test_the_token_is_accepted_alone_or_after_bearer_as_api_gateway_documents(key, authorizer):
    token = mint_token(key, subject=SUB)

    for header in (token, f"Bearer {token}", f" Bearer {token} "):
        assert authorizer.verify(header).claims["sub"] == SUB


def test_spellings_of_bearer_api_gateway_does_not_document_are_refused(key, authorizer):
    token = mint_token(key, subject=SUB)

    for header in (
        f"bearer {token}",
        f"BEARER {token}",
        f"Bearer  {token}",
        f"Bearer\t{token}",
        f"Bearer Bearer {token}",
    ):
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
    unsigned = jwt.encode(
        {"sub": SUB, "iss": ISSUER, "client_id": AUDIENCE, "scope": COGNITO_SIGNIN_SCOPE, "exp": int(time.time()) + 60},
        None,
        "none",
    )

    _refused(authorizer, f"Bearer {unsigned}")


def test_the_signing_key_is_created_once_and_reused(tmp_path):
    path = tmp_path / "keys" / "signing.pem"

    first, second = load_or_create_key(path), load_or_create_key(path)

    assert first.private_numbers() == second.private_numbers()
    assert path.stat().st_mode & 0o777 == 0o600


# The gateway in front of the handler ------------------------------------------------------------


def _gateway(authorizer):
    events = []

    async def invoke(event):
        events.append(event)
        return {"statusCode": 200, "body": "{}"}

    return LocalGateway(invoke, "{}", authorizer), events


def _get(gateway, path, token=None):
    headers = [("Host", "127.0.0.1"), *([("Authorization", f"Bearer {token}")] if token else [])]
    return asyncio.run(gateway.handle(HttpRequest("GET", path, "", headers, b"", "127.0.0.1")))


def test_the_handler_gets_the_claims_and_the_scopes_api_gateway_would_pass(key, authorizer):
    gateway, events = _gateway(authorizer)

    response = _get(gateway, f"/users/{SUB}", mint_token(key, subject=SUB, email="a@example.com"))

    assert response.status == 200
    jwt_context = events[0]["requestContext"]["authorizer"]["jwt"]
    assert jwt_context["scopes"] == [COGNITO_SIGNIN_SCOPE]
    assert (jwt_context["claims"]["sub"], jwt_context["claims"]["email_verified"]) == (SUB, "true")


def test_an_id_token_gets_api_gateways_403_before_the_handler(key, authorizer):
    gateway, events = _gateway(authorizer)

    response = _get(gateway, f"/users/{SUB}", _id_token(key))

    assert (response.status, response.body) == (403, b'{"message":"Forbidden"}')
    assert events == []


def test_no_token_gets_api_gateways_401_before_the_handler(authorizer):
    gateway, events = _gateway(authorizer)

    response = _get(gateway, f"/users/{SUB}")

    assert (response.status, response.body) == (401, b'{"message":"Unauthorized"}')
    assert events == []


def test_health_needs_no_token_and_its_event_has_no_authorizer(authorizer):
    gateway, events = _gateway(authorizer)

    assert _get(gateway, "/health").status == 200
    assert "authorizer" not in events[0]["requestContext"]
