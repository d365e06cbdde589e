"""A token that vouches for an address lets its holder create or change a profile to that one only."""

import pytest

from runtime.api.caller import verified_email
from tests.support.events import http_event

SUB = "3f1c2a4e-8b7d-4c1e-9f00-123456789abc"
VERIFIED = {"sub": SUB, "email": "Jane.Doe@example.com", "email_verified": "true"}


def _create(api, email, claims):
    return api("POST", "/users", body={"email": email, "name": "Jane"}, claims=claims)


@pytest.mark.parametrize("email", ["Jane.Doe@example.com", "jane.doe@EXAMPLE.com."])
def test_a_profile_is_created_with_the_verified_address_in_any_spelling(api, email):
    response = _create(api, email, VERIFIED)

    assert (response.status, response.json()["email"]) == (201, email)


def test_a_profile_with_another_address_than_the_verified_one_is_403(api, table_items):
    response = _create(api, "victim@example.com", VERIFIED)

    assert (response.status, response.error_code) == (403, "email_not_verified")
    assert table_items() == []


def test_a_profile_cannot_be_changed_to_another_address_than_the_verified_one(api):
    _create(api, "jane.doe@example.com", VERIFIED)

    stolen = api("PATCH", f"/users/{SUB}", body={"email": "victim@example.com"}, claims=VERIFIED)
    renamed = api("PATCH", f"/users/{SUB}", body={"name": "Janet"}, claims=VERIFIED)
    respelled = api("PATCH", f"/users/{SUB}", body={"email": "JANE.DOE@example.com"}, claims=VERIFIED)

    assert (stolen.status, stolen.error_code) == (403, "email_not_verified")
    assert (renamed.status, respelled.status) == (200, 200)
    assert respelled.json()["email"] == "JANE.DOE@example.com"


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": SUB},
        {"sub": SUB, "email": "jane.doe@example.com"},
        {"sub": SUB, "email": "jane.doe@example.com", "email_verified": "false"},
    ],
)
def test_without_a_verified_address_any_free_address_can_be_used(api, claims):
    assert _create(api, "other@example.com", claims).status == 201


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        (VERIFIED, "Jane.Doe@example.com"),
        ({**VERIFIED, "email_verified": True}, "Jane.Doe@example.com"),
        ({**VERIFIED, "email_verified": "True"}, "Jane.Doe@example.com"),
        ({**VERIFIED, "email_verified": "false"}, None),
        ({**VERIFIED, "email_verified": "1"}, None),
        ({**VERIFIED, "email": ""}, None),
        ({**VERIFIED, "email": ["jane.doe@example.com"]}, None),
        ({"sub": SUB, "email_verified": "true"}, None),
    ],
)
def test_the_verified_email_is_the_email_claim_only_when_email_verified_is_true(claims, expected):
    assert verified_email(http_event("GET", "/health", claims=claims)) == expected


@pytest.mark.parametrize("request_context", [None, {}, {"authorizer": None}, {"authorizer": {"jwt": None}}])
def test_an_event_without_claims_has_no_verified_email(request_context):
    assert verified_email({"requestContext": request_context}) is None
