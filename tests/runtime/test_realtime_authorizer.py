"""The WebSocket $connect authorizer: exactly the tokens the HTTP API's JWT authorizer accepts get
in (Cognito access tokens in cognito mode, the configured scopes in jwt mode), anything else 401;
the issuer's keys come from its JWKS, fetched once across invocations."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from runtime.config import TokenRules
from runtime.realtime import authorizer, dependencies
from runtime.realtime.tokens import TokenRefusedError, verified_user_id
from tests.support.events import LambdaContext

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TEST"
CLIENT = "app-client"
SCOPE = "aws.cognito.signin.user.admin"
COGNITO = TokenRules(issuer=ISSUER, audiences=(CLIENT,), required_scopes=(SCOPE,), token_use="access")
JWT_MODE = TokenRules(issuer=ISSUER, audiences=(CLIENT,), required_scopes=("items:read",), token_use=None)
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def token(key: rsa.RSAPrivateKey = _KEY, **claims: Any) -> str:
    """A Cognito access token; a claim given as None is left out."""
    now = int(time.time())
    base = {"sub": "user-1", "iss": ISSUER, "client_id": CLIENT, "token_use": "access", "scope": SCOPE}
    payload = {
        name: value for name, value in {"iat": now, "exp": now + 300, **base, **claims}.items() if value is not None
    }
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "k1"})


def key_of(_token: str) -> Any:
    return _KEY.public_key()


def test_a_cognito_access_token_gets_its_user_in():
    assert verified_user_id(token(), COGNITO, key_of) == "user-1"


def test_an_aud_claim_is_checked_in_place_of_client_id():
    assert verified_user_id(token(aud=[CLIENT, "other"], client_id=None), COGNITO, key_of) == "user-1"


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(token(iss="https://issuer.example.com"), id="wrong-issuer"),
        pytest.param(token(client_id="another-client"), id="wrong-client-id"),
        pytest.param(token(aud="another-client"), id="wrong-audience"),
        pytest.param(token(token_use="id", aud=CLIENT, scope=None), id="id-token"),
        pytest.param(token(exp=int(time.time()) - 60), id="expired"),
        pytest.param(token(_OTHER_KEY), id="bad-signature"),
        pytest.param(token(scope="openid profile"), id="missing-scope"),
        pytest.param(token(sub="a#b"), id="sub-not-a-user-id"),
        pytest.param(jwt.encode({"sub": "user-1", "iss": ISSUER}, key=None, algorithm="none"), id="unsigned"),
        pytest.param("not-a-jwt", id="garbage"),
        pytest.param(None, id="missing"),
    ],
)
def test_any_other_token_is_refused(bad):
    with pytest.raises(TokenRefusedError):
        verified_user_id(bad, COGNITO, key_of)


def test_jwt_mode_requires_one_of_its_scopes_and_no_token_use():
    assert verified_user_id(token(token_use=None, scp=["items:read"], scope=None), JWT_MODE, key_of) == "user-1"
    with pytest.raises(TokenRefusedError, match="scopes"):
        verified_user_id(token(), JWT_MODE, key_of)


class _Jwks(BaseHTTPRequestHandler):
    fetches = 0
    body = json.dumps({"keys": [{**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(_KEY.public_key())), "kid": "k1"}]})

    def do_GET(self) -> None:
        assert self.path == "/pool/.well-known/jwks.json"
        type(self).fetches += 1
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(self.body.encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def issuer(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An issuer serving its JWKS on loopback, configured as the authorizer's."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Jwks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/pool"
    for name, value in {"JWT_ISSUER": url, "JWT_AUDIENCES": CLIENT, "JWT_REQUIRED_SCOPES": SCOPE}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("JWT_TOKEN_USE", "access")
    dependencies.token_rules.cache_clear()
    dependencies.jwks_client.cache_clear()
    _Jwks.fetches = 0
    yield url
    server.shutdown()
    dependencies.token_rules.cache_clear()
    dependencies.jwks_client.cache_clear()


def connect_event(query: dict[str, str] | None) -> dict[str, Any]:
    return {
        "type": "REQUEST",
        "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abc123/v1/$connect",
        "queryStringParameters": query,
        "requestContext": {"routeKey": "$connect", "eventType": "CONNECT", "connectionId": "c1"},
    }


def test_the_handler_allows_a_valid_token_with_its_user_and_fetches_the_keys_once(issuer):
    for _ in range(3):
        answer = authorizer.lambda_handler(connect_event({"token": token(iss=issuer)}), LambdaContext())

    assert answer["principalId"] == "user-1"
    assert answer["context"] == {"userId": "user-1"}
    assert answer["policyDocument"]["Statement"] == [
        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": connect_event(None)["methodArn"]}
    ]
    assert _Jwks.fetches == 1


@pytest.mark.parametrize("query", [None, {"token": "not-a-jwt"}, {"userId": "user-1"}])
def test_the_handler_answers_unauthorized_for_a_refused_or_missing_token(issuer, query):
    with pytest.raises(authorizer.UnauthorizedError, match=r"^Unauthorized$"):
        authorizer.lambda_handler(connect_event(query), LambdaContext())


def test_an_issuer_whose_keys_cannot_be_fetched_is_the_authorizer_failing_not_a_refusal(issuer, monkeypatch):
    monkeypatch.setenv("JWT_ISSUER", "http://127.0.0.1:9/unreachable")
    dependencies.token_rules.cache_clear()
    dependencies.jwks_client.cache_clear()

    with pytest.raises(jwt.PyJWKClientConnectionError):
        authorizer.lambda_handler(
            connect_event({"token": token(iss="http://127.0.0.1:9/unreachable")}), LambdaContext()
        )
