"""With verified JWT claims, a caller reaches only the user whose id is its `sub`."""

import pytest

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


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"/users/{BOB_SUB}", None),
        ("PATCH", f"/users/{BOB_SUB}", {"name": "Mallory"}),
        ("DELETE", f"/users/{BOB_SUB}", None),
        ("GET", f"/users/{BOB_SUB}/items", None),
        ("POST", f"/users/{BOB_SUB}/items", {"task": "spam"}),
        ("GET", f"/users/{BOB_SUB}/items/{ITEM}", None),
        ("PATCH", f"/users/{BOB_SUB}/items/{ITEM}", {"task": "spam"}),
        ("DELETE", f"/users/{BOB_SUB}/items/{ITEM}", None),
    ],
)
def test_a_caller_cannot_touch_another_users_data(api, alice, bob, table_items, method, path, body):
    before = table_items()

    response = api(method, path, body=body, claims={"sub": ALICE_SUB})

    assert (response.status, response.error_code) == (403, "forbidden")
    assert table_items() == before


def test_a_caller_reaches_its_own_data(api, alice):
    assert api("GET", f"/users/{ALICE_SUB}", claims={"sub": ALICE_SUB}).status == 200
