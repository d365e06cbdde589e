"""The function's role allows exactly the DynamoDB actions the runtime performs, table by table.

A tour of the API through the real handler on moto, with every access pattern and the error paths
that make calls of their own, is recorded by a botocore hook on the runtime's client (a
transaction counts as the per-item actions IAM authorises it by). Every other runtime test checks
its own calls against the declared actions too (`tests/conftest.py`): together, a missing grant
fails wherever the runtime uses it, and a left-over one fails here rather than in AWS.
"""

from __future__ import annotations

import pytest

from runtime import permissions
from tests.conftest import DECLARED_ACTIONS, IDEMPOTENCY_TABLE_NAME, TABLE_NAME
from tests.infra.stacks import deploy_stack
from tests.infra.test_contracts import IDEMPOTENCY_TABLE, MAIN_TABLE, role_dynamodb_actions

DECLARED_OPERATIONS = {
    TABLE_NAME: set(permissions.TABLE_OPERATIONS),
    IDEMPOTENCY_TABLE_NAME: set(permissions.IDEMPOTENCY_TABLE_OPERATIONS),
}
# The tests' table names -> the stack's table resources.
DEPLOYED_AS = {TABLE_NAME: MAIN_TABLE, IDEMPOTENCY_TABLE_NAME: IDEMPOTENCY_TABLE}


def difference(granted: set[str], performed: set[str]) -> str:
    return f"granted but never used: {sorted(granted - performed)}; used but not granted: {sorted(performed - granted)}"


def tour(api) -> None:
    """Every route, each access pattern, and the error paths that make their own calls."""

    def expect(status: int, method: str, path: str, **options) -> dict:
        response = api(method, path, **options)
        assert response.status == status, (method, path, response.text)
        return response.json() if response.text else {}

    jane = {"email": "jane.doe@example.com", "name": "Jane"}
    user = expect(201, "POST", "/users", body=jane, headers={"Idempotency-Key": "tour-1"})
    expect(201, "POST", "/users", body=jane, headers={"Idempotency-Key": "tour-1"})  # the replay
    # A create that fails drops its idempotency record, so the key can be used again.
    expect(409, "POST", "/users", body=jane, headers={"Idempotency-Key": "tour-2"})
    users = f"/users/{user['userId']}"
    expect(200, "GET", users)
    expect(200, "PATCH", users, body={"name": "Jane D."})
    expect(200, "PATCH", users, body={"email": "jane@example.com"})
    item = expect(201, "POST", f"{users}/items", body={"task": "Plan"}, headers={"Idempotency-Key": "tour-3"})
    expect(201, "POST", f"{users}/items", body={"task": "Ship"})
    expect(200, "GET", users, query={"include": "items"})
    expect(200, "GET", f"{users}/items")
    expect(200, "GET", f"{users}/items", query={"status": "TODO"})
    items = f"{users}/items/{item['itemId']}"
    expect(200, "GET", items)
    expect(200, "PATCH", items, body={"status": "DONE"})
    expect(204, "DELETE", items)
    expect(204, "DELETE", users)  # the profile, its claim and its remaining item


@pytest.fixture(scope="module")
def role_actions():
    return role_dynamodb_actions(deploy_stack("prod"))


@pytest.fixture
def performed(api, dynamodb_calls):
    tour(api)
    return dynamodb_calls


def test_the_tour_uses_no_table_but_the_two(performed):
    assert set(performed.actions_by_table) == set(DECLARED_ACTIONS)


@pytest.mark.parametrize("table_name", sorted(DECLARED_ACTIONS))
def test_the_role_allows_exactly_the_dynamodb_actions_the_runtime_performs_on_each_table(
    performed, role_actions, table_name
):
    used = performed.actions_by_table[table_name]

    assert set(DECLARED_ACTIONS[table_name]) == used, difference(set(DECLARED_ACTIONS[table_name]), used)
    assert role_actions[DEPLOYED_AS[table_name]] == used, difference(role_actions[DEPLOYED_AS[table_name]], used)


@pytest.mark.parametrize("table_name", sorted(DECLARED_OPERATIONS))
def test_the_table_alarms_watch_exactly_the_operations_the_runtime_calls(performed, table_name):
    """DynamoDB reports throttles and errors per operation: an operation the alarms do not add up
    would fail unnoticed."""
    called = set(performed.calls_by_table[table_name])

    assert DECLARED_OPERATIONS[table_name] == called, difference(DECLARED_OPERATIONS[table_name], called)
