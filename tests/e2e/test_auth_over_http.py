"""`--auth`: the local API behaves like API Gateway's JWT authorizer, and users stay isolated."""

import subprocess
import sys
import time
import uuid

import jwt
import pytest
import requests

from local_api.auth import AUDIENCE, load_or_create_key, mint_token
from tests.e2e.conftest import PROJECT_ROOT, start_local_api

pytestmark = pytest.mark.e2e

ALICE, BOB = str(uuid.uuid4()), str(uuid.uuid4())
UNAUTHORIZED = {"message": "Unauthorized"}
FORBIDDEN = {"message": "Forbidden"}


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    directory = tmp_path_factory.mktemp("secured")
    key_file = directory / "signing-key.pem"
    key = load_or_create_key(key_file)
    api = start_local_api(directory, "--auth", "--key-file", str(key_file), "--no-demo-data", "--quiet")
    api.key = key
    api.key_file = key_file
    yield api
    api.stop()


def _as(api, subject):
    session = requests.Session()
    session.headers["Authorization"] = (
        f"Bearer {mint_token(api.key, subject=subject, email=f'{subject}@example.com', issuer=api.issuer)}"
    )
    return session


@pytest.fixture(scope="module")
def bobs_data(secured):
    bob = _as(secured, BOB)
    bob.post(f"{secured.url}/users", json={"email": f"{BOB}@example.com", "name": "Bob"}, timeout=10).raise_for_status()
    item = bob.post(f"{secured.url}/users/{BOB}/items", json={"task": "Bob's secret"}, timeout=10)
    item.raise_for_status()
    return item.json()


def test_a_caller_creates_and_reads_its_own_user(secured):
    alice = _as(secured, ALICE)

    created = alice.post(f"{secured.url}/users", json={"email": f"{ALICE}@example.com", "name": "Alice"}, timeout=10)

    assert (created.status_code, created.json()["userId"]) == (201, ALICE)
    assert alice.get(f"{secured.url}/users/{ALICE}", timeout=10).status_code == 200


def test_a_caller_with_a_verified_email_claim_cannot_claim_another_address(secured):
    carol = str(uuid.uuid4())
    as_carol = _as(secured, carol)

    response = as_carol.post(f"{secured.url}/users", json={"email": "ceo@example.com", "name": "Carol"}, timeout=10)

    assert (response.status_code, response.json()["error"]["code"]) == (403, "email_not_verified")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/users/{bob}", None),
        ("GET", "/users/{bob}?include=items", None),
        ("PATCH", "/users/{bob}", {"name": "Mallory"}),
        ("DELETE", "/users/{bob}", None),
        ("GET", "/users/{bob}/items", None),
        ("POST", "/users/{bob}/items", {"task": "spam"}),
        ("GET", "/users/{bob}/items/{item}", None),
        ("PATCH", "/users/{bob}/items/{item}", {"status": "DONE"}),
        ("DELETE", "/users/{bob}/items/{item}", None),
        ("POST", "/users/{bob}/items/{item}/attachments", {"fileName": "a.png", "contentType": "image/png", "size": 3}),
        ("GET", "/users/{bob}/items/{item}/attachments/{item}", None),
        ("DELETE", "/users/{bob}/items/{item}/attachments/{item}", None),
    ],
)
def test_another_users_token_cannot_touch_bobs_data(secured, bobs_data, method, path, body):
    before = secured.table_records()
    url = secured.url + path.format(bob=BOB, item=bobs_data["itemId"])

    response = _as(secured, ALICE).request(method, url, json=body, timeout=10)

    assert (response.status_code, response.json()["error"]["code"]) == (403, "forbidden")
    assert secured.table_records() == before


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer not-a-jwt", "Basic Ym9iOmJvYg==", "Bearer {expired}", "Bearer {foreign}"],
)
def test_no_token_or_a_bad_token_is_401_before_the_handler(secured, bobs_data, authorization):
    from cryptography.hazmat.primitives.asymmetric import rsa

    tokens = {
        "expired": mint_token(secured.key, subject=BOB, lifetime_seconds=-60, issuer=secured.issuer),
        "foreign": mint_token(
            rsa.generate_private_key(public_exponent=65537, key_size=2048), subject=BOB, issuer=secured.issuer
        ),
    }
    headers = {"Authorization": authorization.format(**tokens)} if authorization else {}

    response = requests.get(f"{secured.url}/users/{BOB}", headers=headers, timeout=10)

    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def _id_token(key, subject, issuer):
    """A Cognito ID token's shape: signed by the issuer, for the client (`aud`), without a scope."""
    now = int(time.time())
    claims = {"sub": subject, "iss": issuer, "aud": AUDIENCE, "token_use": "id", "iat": now, "exp": now + 600}
    return jwt.encode({**claims, "email": f"{subject}@example.com", "email_verified": True}, key, algorithm="RS256")


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda key, issuer: _id_token(key, BOB, issuer), id="id-token"),
        pytest.param(
            lambda key, issuer: mint_token(key, subject=BOB, scopes=["openid", "profile"], issuer=issuer),
            id="other-scopes",
        ),
        pytest.param(lambda key, issuer: mint_token(key, subject=BOB, scopes=(), issuer=issuer), id="no-scope"),
    ],
)
def test_a_valid_token_without_the_access_scope_is_403_before_the_handler(secured, bobs_data, token):
    before = secured.table_records()

    response = requests.delete(
        f"{secured.url}/users/{BOB}",
        headers={"Authorization": f"Bearer {token(secured.key, secured.issuer)}"},
        timeout=10,
    )

    assert (response.status_code, response.json()) == (403, FORBIDDEN)
    assert secured.table_records() == before


def test_health_needs_no_token(secured):
    assert requests.get(f"{secured.url}/health", timeout=10).status_code == 200


def _token_command(secured, *options):
    return subprocess.run(  # noqa: S603 - our own entry point
        [
            *(sys.executable, "-m", "local_api", "token", "--sub", BOB, "--key-file", str(secured.key_file)),
            *("--issuer", secured.issuer, *options),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


@pytest.mark.parametrize(
    ("options", "status"),
    [((), 200), (("--scope", "openid"), 403)],
)
def test_the_token_command_mints_access_tokens_the_server_accepts_unless_told_other_scopes(
    secured, bobs_data, options, status
):
    token = _token_command(secured, *options)

    response = requests.get(f"{secured.url}/users/{BOB}", headers={"Authorization": f"Bearer {token}"}, timeout=10)

    assert response.status_code == status


def test_the_token_command_puts_the_email_claims_in_as_told(secured):
    claims = jwt.decode(
        _token_command(secured, "--email", "bob@example.com", "--no-email-verified", "--scope", "a", "--scope", "b"),
        options={"verify_signature": False},
    )

    assert (claims["email"], claims["email_verified"], claims["scope"]) == ("bob@example.com", False, "a b")


def test_the_outputs_file_names_the_issuer_as_the_deployed_stack_does(secured):
    """The issuer carries the WebSocket API's port, where its keys are served as Cognito serves its own."""
    from components import outputs
    from local_api.auth import ISSUER_PATH
    from tests.e2e.conftest import read_outputs

    written = read_outputs(secured)
    issuer = written[outputs.JWT_ISSUER]
    assert issuer == written[outputs.WS_URL].replace("ws://", "http://") + ISSUER_PATH
    keys = requests.get(f"{issuer}/.well-known/jwks.json", timeout=10).json()["keys"]
    assert [key["kid"] for key in keys] == [jwt.get_unverified_header(mint_token(secured.key, subject=BOB))["kid"]]


def test_a_preflight_needs_no_token_and_a_401_still_carries_the_cors_headers(secured):
    origin = {"Origin": "http://localhost:5173"}
    preflight = requests.options(
        f"{secured.url}/users/{ALICE}", headers={**origin, "Access-Control-Request-Method": "GET"}, timeout=10
    )
    refused = requests.get(f"{secured.url}/users/{ALICE}", headers=origin, timeout=10)

    assert (preflight.status_code, preflight.headers["access-control-allow-origin"]) == (204, origin["Origin"])
    assert (refused.status_code, refused.headers["access-control-allow-origin"]) == (401, origin["Origin"])
