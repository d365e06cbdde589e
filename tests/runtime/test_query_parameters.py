"""A query parameter an operation does not take is a 400 naming it, never silently ignored."""

import pytest

from runtime.api.users import DEFAULT_PAGE_SIZE

JANE = {"email": "jane.doe@example.com", "name": "Jane"}


@pytest.fixture
def user_path(api):
    return f"/users/{api('POST', '/users', body=JANE).json()['userId']}"


@pytest.fixture
def item_path(api, user_path):
    return f"{user_path}/items/{api('POST', f'{user_path}/items', body={'task': 'Write it'}).json()['itemId']}"


def test_a_cursor_where_the_operation_takes_none_is_400_naming_it(api, user_path):
    response = api("GET", user_path, query={"include": "items", "cursor": "abc"})

    assert (response.status, response.error_code) == (400, "invalid_parameter")
    assert response.json()["error"]["message"] == "GET /users/{userId} has no query parameter cursor: it takes include"
    assert response.json()["error"]["details"] == [
        {"field": "query.cursor", "message": "cursor is not a query parameter of this route"}
    ]


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_every_unknown_parameter_of_an_item_operation_is_named(api, item_path, method):
    body = {"task": "Changed"} if method == "PATCH" else None

    response = api(method, item_path, body=body, query={"limt": "5", "cursor": "abc"})

    assert (response.status, response.error_code) == (400, "invalid_parameter")
    assert [detail["field"] for detail in response.json()["error"]["details"]] == ["query.cursor", "query.limt"]
    assert response.json()["error"]["message"].endswith("has no query parameters cursor, limt: it takes none")
    assert api("GET", item_path).json()["task"] == "Write it"


def test_a_create_with_a_query_parameter_is_400_and_creates_nothing(api, user_path):
    response = api("POST", f"{user_path}/items", body={"task": "x"}, query={"status": "DONE"})

    assert (response.status, response.error_code) == (400, "invalid_parameter")
    assert api("GET", f"{user_path}/items").json()["items"] == []


def test_health_takes_no_query_parameters(api):
    response = api("GET", "/health", query={"verbose": "1"})

    assert (response.status, response.error_code) == (400, "invalid_parameter")


def test_the_declared_parameters_are_accepted(api, user_path):
    listed = api("GET", f"{user_path}/items", query={"status": "TODO", "limit": "2"})
    with_items = api("GET", user_path, query={"include": "items"})

    assert (listed.status, with_items.status) == (200, 200)


def test_the_next_cursor_of_a_profile_with_items_continues_at_the_items_list(api, user_path):
    created = [
        api("POST", f"{user_path}/items", body={"task": f"Task {n}"}).json() for n in range(DEFAULT_PAGE_SIZE + 2)
    ]
    first = api("GET", user_path, query={"include": "items"}).json()

    rest = api("GET", f"{user_path}/items", query={"cursor": first["nextCursor"]})

    assert rest.status == 200
    assert first["items"] + rest.json()["items"] == list(reversed(created))
    assert rest.json()["nextCursor"] is None
