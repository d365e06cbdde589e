"""With verified JWT claims, a caller reaches only the user whose id is its `sub`."""

import pytest

from tests.support.events import http_event

ALICE_SUB = "3f1c2a4e-8b7d-4c1e-9f00-123456789abc"
BOB_SUB = "9a8b7c6d-0000-4c1e-9f00-abcdefabcdef"
ITEM = "01M837V9CXKT5MX5SMCZCPKCTC"


@pytest.fixture
def alice(api):
    return api("POST", "/users", body={"email": "alice@example.com", "name": "Alice"}, claims={"sub": ALICE_SUB})


@pytest.fixture
def bob(api):
    return api("POST", "/users", body={"email": "bob@example.com", "name": "Bob"}, claims={"sub": BOB_SUB})


def test_a_verified_caller_creates_the_user_named_by_its_sub(alice):
    assert (alice.status, alice.json()["userId"]) == (201, ALICE_SUB)


def test_a_verified_caller_cannot_create_its_user_twice(api, alice):
    response = api("POST", "/users", body={"email": "other@example.com", "name": "A"}, claims={"sub": ALICE_SUB})

    assert (response.status, response.error_code) == (409, "user_exists")


def test_a_sub_that_is_not_a_valid_user_id_is_forbidden(api):
    response = api("POST", "/users", body={"email": "x@example.com", "name": "X"}, claims={"sub": "auth0|123"})

    assert (response.status, response.error_code) == (403, "forbidden")


# Every request on another user's data: each is refused with 403.
REQUESTS_ON_BOBS_DATA = [
    ("GET", f"/users/{BOB_SUB}", None),
    ("PATCH", f"/users/{BOB_SUB}", {"name": "Mallory"}),
    ("DELETE", f"/users/{BOB_SUB}", None),
    ("GET", f"/users/{BOB_SUB}/items", None),
    ("POST", f"/users/{BOB_SUB}/items", {"task": "spam"}),
    ("GET", f"/users/{BOB_SUB}/items/{ITEM}", None),
    ("PATCH", f"/users/{BOB_SUB}/items/{ITEM}", {"task": "spam"}),
    ("DELETE", f"/users/{BOB_SUB}/items/{ITEM}", None),
]


@pytest.mark.parametrize(("method", "path", "body"), REQUESTS_ON_BOBS_DATA)
def test_a_caller_cannot_touch_another_users_data(api, alice, bob, table_items, method, path, body):
    before = table_items()

    response = api(method, path, body=body, claims={"sub": ALICE_SUB})

    assert (response.status, response.error_code) == (403, "forbidden")
    assert table_items() == before


def test_a_caller_reaches_its_own_data(api, alice):
    assert api("GET", f"/users/{ALICE_SUB}", claims={"sub": ALICE_SUB}).status == 200


def _with_authorizer(event, authorizer):
    event["requestContext"]["authorizer"] = authorizer
    return event


# What an authorizer can pass when the token names no user: a client-credentials token has no
# `sub`; the others are what a careless issuer or a forged event could carry.
UNUSABLE_AUTHORIZERS = {
    "no-sub": {"jwt": {"claims": {"client_id": "machine", "scope": "api/read"}, "scopes": ["api/read"]}},
    "empty-sub": {"jwt": {"claims": {"sub": ""}, "scopes": None}},
    "numeric-sub": {"jwt": {"claims": {"sub": 42}, "scopes": None}},
    "null-sub": {"jwt": {"claims": {"sub": None}, "scopes": None}},
    "list-sub": {"jwt": {"claims": {"sub": [BOB_SUB]}, "scopes": None}},
    "sub-not-a-user-id": {"jwt": {"claims": {"sub": "auth0|123"}, "scopes": None}},
    "null-claims": {"jwt": {"claims": None, "scopes": None}},
    "jwt-without-claims": {"jwt": {"scopes": None}},
    "null-jwt": {"jwt": None},
    "lambda-authorizer": {"lambda": {"sub": BOB_SUB}},
    "empty": {},
}

GUARDED_REQUESTS = [
    ("POST", "/users", {"email": "mallory@example.com", "name": "Mallory"}),
    *REQUESTS_ON_BOBS_DATA,
    # Refused before validation: an invalid request learns nothing either.
    ("POST", "/users", {"unknown": True}),
    ("GET", "/users/not%20an%20id", None),
    ("GET", "/no/such/route", None),
]


@pytest.mark.parametrize("authorizer", UNUSABLE_AUTHORIZERS.values(), ids=UNUSABLE_AUTHORIZERS.keys())
def test_a_token_without_a_usable_sub_is_forbidden_on_every_guarded_route(send, bob, table_items, authorizer):
    before = table_items()

    answers = {
        f"{method} {path}": send(_with_authorizer(http_event(method, path, body=body), authorizer))
        for method, path, body in GUARDED_REQUESTS
    }

    assert {request: (r.status, r.error_code) for request, r in answers.items()} == dict.fromkeys(
        answers, (403, "forbidden")
    )
    assert table_items() == before


@pytest.mark.parametrize("authorizer", UNUSABLE_AUTHORIZERS.values(), ids=UNUSABLE_AUTHORIZERS.keys())
def test_health_answers_whatever_the_token(send, authorizer):
    assert send(_with_authorizer(http_event("GET", "/health"), authorizer)).status == 200


def test_a_null_authorizer_is_open_mode(send, bob):
    response = send(_with_authorizer(http_event("GET", f"/users/{BOB_SUB}"), None))

    assert (response.status, response.json()["userId"]) == (200, BOB_SUB)


METACHARACTER_PATHS = [
    f"/users/{BOB_SUB}(",
    f"/users/{ALICE_SUB}/items/a(b",
    f"/users/{ALICE_SUB}/items/x/a(b",
    f"/users/{ALICE_SUB}/items/x/a[b",
    "/users/a\\",
    "/users/x/y/a\\",
    "/a(b",
    "/a[b",
    "/a)b",
    "/a*+?{2}",
    f"/users/{ALICE_SUB}/items/x/../../a[b",
]


def test_a_path_with_regex_metacharacters_is_404_for_a_verified_caller(api, alice, bob):
    answers = {path: api("GET", path, claims={"sub": ALICE_SUB}) for path in METACHARACTER_PATHS}

    assert {path: r.status for path, r in answers.items()} == dict.fromkeys(METACHARACTER_PATHS, 404)
    assert {r.error_code for r in answers.values()} <= {"not_found", "route_not_found"}
