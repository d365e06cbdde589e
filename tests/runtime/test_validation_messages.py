"""Validation problems are sentences a person can read, each with the field it is about."""

import pytest

JANE = {"email": "jane.doe@example.com", "name": "Jane"}


@pytest.fixture
def user_path(api):
    return f"/users/{api('POST', '/users', body=JANE).json()['userId']}"


def _details(response):
    return {detail["field"]: detail["message"] for detail in response.json()["error"]["details"]}


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({"task": "   "}, {"body.task": "task must not be blank"}),
        ({"task": ""}, {"body.task": "task must not be empty"}),
        ({"task": "x" * 501}, {"body.task": "task must be at most 500 characters"}),
        ({"task": 5}, {"body.task": "task must be a string"}),
        ({}, {"body.task": "task is required"}),
        ({"task": "x", "status": "LATER"}, {"body.status": "status must be 'TODO', 'IN_PROGRESS' or 'DONE'"}),
        ({"task": "x", "owner": "me"}, {"body.owner": "owner is not a field of this body"}),
        ([1], {"body": "the body must be a JSON object"}),
    ],
)
def test_an_invalid_item_says_what_is_wrong_with_each_field(api, user_path, body, details):
    response = api("POST", f"{user_path}/items", body=body)

    assert (response.status, response.error_code) == (422, "validation_error")
    assert _details(response) == details


def test_an_invalid_user_says_what_is_wrong_with_each_field(api):
    response = api("POST", "/users", body={"email": "jane at example.com", "name": " "})

    assert _details(response) == {"body.email": "email must be an email address", "body.name": "name must not be blank"}


def test_our_own_validators_messages_are_passed_on_without_pydantics_prefix(api, user_path):
    response = api("PATCH", user_path, body={"name": None})

    assert _details(response) == {"body": "fields may be left out but not set to null: name"}


def test_a_field_level_validators_message_names_the_field(api):
    response = api("POST", "/users", body={"email": "jane@exa mple.com", "name": "Jane"})

    assert list(_details(response)) == ["body.email"]
    assert _details(response)["body.email"].startswith("email ")
    assert "pattern" not in _details(response)["body.email"]


def test_invalid_query_parameters_and_headers_say_what_is_wrong(api, user_path):
    listed = api("GET", f"{user_path}/items", query={"limit": "0", "status": "LATER"})
    paged = api("GET", f"{user_path}/items", query={"limit": "many"})
    keyed = api("POST", "/users", body=JANE, headers={"Idempotency-Key": "has spaces"})

    assert _details(listed) == {
        "query.limit": "limit must be at least 1",
        "query.status": "status must be 'TODO', 'IN_PROGRESS' or 'DONE'",
    }
    assert _details(paged) == {"query.limit": "limit must be a whole number"}
    assert _details(keyed) == {"header.idempotency-key": "Idempotency-Key must be printable ASCII without spaces"}


def test_a_malformed_id_says_what_an_id_is(api, user_path):
    response = api("GET", f"{user_path}/items/not-an-id")

    assert response.status == 404
    assert _details(response) == {"path.itemId": "itemId must be an item id (a ULID)"}
