"""Idempotency-Key on creates: replay the first response, never create twice, never replay wrongly."""

import pytest

from tests.conftest import IDEMPOTENCY_TABLE_NAME

JANE = {"email": "jane.doe@example.com", "name": "Jane"}


def _users(table_items):
    return [record for record in table_items() if record["SK"] == "METADATA"]


def test_a_repeated_create_replays_the_first_response(api, table_items):
    first = api("POST", "/users", body=JANE, headers={"Idempotency-Key": "k-1"})
    again = api("POST", "/users", body=JANE, headers={"Idempotency-Key": "k-1"})

    assert (first.status, again.status) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert len(_users(table_items)) == 1


def test_the_same_key_with_another_body_is_refused(api, table_items):
    api("POST", "/users", body=JANE, headers={"Idempotency-Key": "k-1"})

    response = api("POST", "/users", body={**JANE, "name": "Other"}, headers={"Idempotency-Key": "k-1"})

    assert (response.status, response.error_code) == (409, "idempotency_key_reused")
    assert [user["name"] for user in _users(table_items)] == ["Jane"]


def test_item_keys_are_scoped_to_the_user(api):
    alice = api("POST", "/users", body={"email": "alice@example.com", "name": "Alice"}).json()
    bob = api("POST", "/users", body={"email": "bob@example.com", "name": "Bob"}).json()

    for_alice = api("POST", f"/users/{alice['userId']}/items", body={"task": "x"}, headers={"Idempotency-Key": "same"})
    for_bob = api("POST", f"/users/{bob['userId']}/items", body={"task": "x"}, headers={"Idempotency-Key": "same"})

    assert (for_alice.status, for_bob.status) == (201, 201)
    assert for_alice.json()["itemId"] != for_bob.json()["itemId"]


def test_a_failed_create_is_not_remembered(api):
    api("POST", "/users", body=JANE)
    clash = api("POST", "/users", body=JANE, headers={"Idempotency-Key": "k-2"})
    retry = api("POST", "/users", body=JANE, headers={"Idempotency-Key": "k-2"})

    assert (clash.status, retry.status) == (409, 409)


def test_idempotency_records_live_in_their_own_table_each_under_its_own_key_and_expire(api, table_items, dynamodb):
    for key in ("k-3", "k-4"):
        api("POST", "/users", body={**JANE, "email": f"{key}@example.com"}, headers={"Idempotency-Key": key})

    records = dynamodb.scan(TableName=IDEMPOTENCY_TABLE_NAME, ConsistentRead=True)["Items"]

    assert {record["status"]["S"] for record in records} == {"COMPLETED"}
    assert len({record["id"]["S"] for record in records}) == 2, "one partition key per record"
    assert all(int(record["expiration"]["N"]) > 0 for record in records)
    assert {record["SK"] for record in table_items()} == {"METADATA", "EMAIL"}, "only profiles and claims"


@pytest.mark.parametrize("key", ["", "x" * 129, "with space"])
def test_a_malformed_idempotency_key_is_400(api, key):
    response = api("POST", "/users", body=JANE, headers={"Idempotency-Key": key})

    assert (response.status, response.error_code) == (400, "invalid_parameter")
