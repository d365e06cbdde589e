"""/users/{userId}/items through lambda_handler with payload-2.0 events."""

import pytest

from runtime.cursor import Cursor
from runtime.models import ItemStatus

MISSING_ITEM = "01M837V9CXKT5MX5SMCZCPKCTC"


@pytest.fixture
def items_path(api):
    user = api("POST", "/users", body={"email": "jane.doe@example.com", "name": "Jane"}).json()
    return f"/users/{user['userId']}/items"


@pytest.fixture
def item(api, items_path):
    return api("POST", items_path, body={"task": "Finalize Q3 report"}).json()


def test_creating_an_item_answers_201_and_defaults_to_todo(api, items_path):
    response = api("POST", items_path, body={"task": "Prepare deck for review"})

    item = response.json()
    assert response.status == 201
    assert item["status"] == "TODO"
    assert response.headers["location"] == f"{items_path}/{item['itemId']}"
    assert response.headers["etag"] == '"1"'


def test_an_item_for_a_missing_user_is_404_and_nothing_is_written(api, table_items):
    response = api("POST", "/users/NOBODY/items", body={"task": "orphan"})

    assert (response.status, response.error_code) == (404, "not_found")
    assert table_items() == []


@pytest.mark.parametrize(
    "body", [{}, {"task": ""}, {"task": "x", "status": "LATER"}, {"task": "x", "owner": "me"}, {"task": ["x"]}]
)
def test_an_invalid_item_is_422(api, items_path, body):
    assert api("POST", items_path, body=body).status == 422


def test_one_item_is_read_with_its_etag(api, items_path, item):
    response = api("GET", f"{items_path}/{item['itemId']}")

    assert (response.status, response.json(), response.headers["etag"]) == (200, item, '"1"')


@pytest.mark.parametrize("item_id", [MISSING_ITEM, "ITEM%23x", "lowercase0000000000000000000", "x" * 300])
def test_a_missing_or_malformed_item_is_404(api, items_path, item_id):
    assert api("GET", f"{items_path}/{item_id}").status == 404


def test_items_are_listed_newest_first(api, items_path):
    created = [api("POST", items_path, body={"task": f"t{n}"}).json() for n in range(3)]

    response = api("GET", items_path)

    assert response.json() == {"items": list(reversed(created)), "nextCursor": None}


def test_listing_with_a_cursor_continues_where_the_last_page_stopped(api, items_path):
    created = [api("POST", items_path, body={"task": f"t{n}"}).json() for n in range(5)]
    seen, query = [], {"limit": "2"}
    while True:
        page = api("GET", items_path, query=query).json()
        seen += page["items"]
        if page["nextCursor"] is None:
            break
        query = {"limit": "2", "cursor": page["nextCursor"]}

    assert seen == list(reversed(created))


def test_the_status_filter_lists_only_that_status(api, items_path):
    api("POST", items_path, body={"task": "a", "status": "DONE"})
    api("POST", items_path, body={"task": "b", "status": "TODO"})

    page = api("GET", items_path, query={"status": "DONE"}).json()

    assert [i["task"] for i in page["items"]] == ["a"]


@pytest.mark.parametrize(
    "query", [{"limit": "0"}, {"limit": "101"}, {"limit": "-3"}, {"limit": "ten"}, {"status": "x"}]
)
def test_bad_list_parameters_are_400(api, items_path, query):
    response = api("GET", items_path, query=query)

    assert (response.status, response.error_code) == (400, "invalid_parameter")


def test_a_cursor_from_another_users_list_is_400(api, items_path, item):
    john = api("POST", "/users", body={"email": "john@example.com", "name": "John"}).json()
    foreign = Cursor(user_id=john["userId"], status=None, last_item_id=item["itemId"]).encode()

    response = api("GET", items_path, query={"cursor": foreign})

    assert (response.status, response.error_code) == (400, "invalid_cursor")


def test_a_cursor_from_another_status_filter_is_400(api, items_path, item):
    user_id = items_path.split("/")[2]
    todo_cursor = Cursor(user_id=user_id, status=ItemStatus.TODO, last_item_id=item["itemId"]).encode()

    assert api("GET", items_path, query={"cursor": todo_cursor}).status == 400


@pytest.mark.parametrize("cursor", ["garbage", "eyJ2IjoxfQ", "x" * 600])
def test_a_malformed_cursor_is_400(api, items_path, cursor):
    assert api("GET", items_path, query={"cursor": cursor}).status == 400


def test_patching_an_item_changes_it_and_bumps_its_etag(api, items_path, item):
    path = f"{items_path}/{item['itemId']}"

    response = api("PATCH", path, body={"status": "IN_PROGRESS"}, headers={"If-Match": '"1"'})

    assert response.status == 200
    assert (response.json()["status"], response.json()["task"], response.headers["etag"]) == (
        "IN_PROGRESS",
        item["task"],
        '"2"',
    )
    assert api("GET", path).json() == response.json()


def test_patching_with_a_stale_etag_is_412_and_keeps_the_winner(api, items_path, item):
    path = f"{items_path}/{item['itemId']}"
    winner = api("PATCH", path, body={"task": "winner"}, headers={"If-Match": '"1"'}).json()

    response = api("PATCH", path, body={"task": "loser"}, headers={"If-Match": '"1"'})

    assert (response.status, response.error_code) == (412, "precondition_failed")
    assert api("GET", path).json() == winner


# The last is shaped like a profile's ETag: an item's never names an incarnation.
@pytest.mark.parametrize(
    "if_match",
    ['"²"', '"\u0661"', '"1x"', '""', '"99999999999999999999"', '"01M837V9CXKT5MX5SMCZCPKCTC.1"'],
)
@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_an_if_match_that_names_no_version_is_412_and_changes_nothing(api, items_path, item, method, if_match):
    path = f"{items_path}/{item['itemId']}"

    body = {"task": "changed"} if method == "PATCH" else None

    response = api(method, path, body=body, headers={"If-Match": if_match})

    assert (response.status, response.error_code) == (412, "precondition_failed")
    assert api("GET", path).json() == item


# Not one entity-tag: the quotes are missing, unbalanced or doubled, or there are two tags.
@pytest.mark.parametrize(
    "if_match", ["1", '"1', '1"', "W/1", '""1""', '"1", "2"', '"1" "1"', "01M837V9CXKT5MX5SMCZCPKCTC.1"]
)
@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_an_if_match_that_is_not_one_quoted_etag_is_400_saying_to_quote_it(api, items_path, item, method, if_match):
    path = f"{items_path}/{item['itemId']}"

    body = {"task": "changed"} if method == "PATCH" else None

    response = api(method, path, body=body, headers={"If-Match": if_match})

    assert (response.status, response.error_code) == (400, "invalid_parameter")
    assert "with its quotes" in response.json()["error"]["message"]
    assert [detail["field"] for detail in response.json()["error"]["details"]] == ["header.if-match"]
    assert api("GET", path).json() == item


def test_patching_a_missing_item_is_404(api, items_path):
    assert api("PATCH", f"{items_path}/{MISSING_ITEM}", body={"task": "x"}).status == 404


@pytest.mark.parametrize("body", [{}, {"status": None}, {"status": "LATER"}, {"task": "x", "extra": 1}])
def test_an_invalid_item_patch_is_422(api, items_path, item, body):
    assert api("PATCH", f"{items_path}/{item['itemId']}", body=body).status == 422


def test_deleting_an_item_is_204_and_safe_to_retry(api, items_path, item):
    path = f"{items_path}/{item['itemId']}"

    assert [api("DELETE", path).status, api("DELETE", path).status] == [204, 204]
    assert api("GET", path).status == 404


def test_deleting_an_item_with_a_stale_etag_is_412(api, items_path, item):
    path = f"{items_path}/{item['itemId']}"

    assert api("DELETE", path, headers={"If-Match": '"2"'}).status == 412
    assert api("GET", path).status == 200
