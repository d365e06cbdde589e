"""The function's role allows exactly the DynamoDB actions the runtime's own test suite performed.

`tests/conftest.py` records every call the runtime's DynamoDB client makes (a botocore event
hook; a transaction counts as the per-item actions IAM authorises it by), table by table. This
test runs after the runtime tests, so a missing permission or a left-over one fails here rather
than in AWS.
"""

from __future__ import annotations

import pytest

from runtime import permissions
from tests.conftest import IDEMPOTENCY_TABLE_NAME, RUNTIME_DYNAMODB_CALLS, TABLE_NAME
from tests.infra.stacks import deploy_stack
from tests.infra.test_contracts import IDEMPOTENCY_TABLE, MAIN_TABLE, role_dynamodb_actions

DECLARED = {
    TABLE_NAME: set(permissions.DYNAMODB_ACTIONS),
    IDEMPOTENCY_TABLE_NAME: set(permissions.IDEMPOTENCY_TABLE_ACTIONS),
}
DECLARED_OPERATIONS = {
    TABLE_NAME: set(permissions.TABLE_OPERATIONS),
    IDEMPOTENCY_TABLE_NAME: set(permissions.IDEMPOTENCY_TABLE_OPERATIONS),
}
# The tests' table names -> the stack's table resources.
DEPLOYED_AS = {TABLE_NAME: MAIN_TABLE, IDEMPOTENCY_TABLE_NAME: IDEMPOTENCY_TABLE}


def difference(granted: set[str], performed: set[str]) -> str:
    return f"granted but never used: {sorted(granted - performed)}; used but not granted: {sorted(performed - granted)}"


def performed_actions() -> dict[str, set[str]]:
    performed = dict(RUNTIME_DYNAMODB_CALLS.actions_by_table)
    if not performed:
        pytest.skip("the runtime's tests did not run in this session: run `python -m pytest tests` to compare")
    return performed


@pytest.mark.after_runtime_suite
def test_the_runtime_used_no_table_but_its_two():
    assert set(performed_actions()) == set(DECLARED)


@pytest.mark.after_runtime_suite
@pytest.mark.parametrize("table", sorted(DECLARED))
def test_the_role_allows_exactly_the_dynamodb_actions_the_runtime_performed_on_each_table(table):
    performed = performed_actions()[table]
    granted_by_role = role_dynamodb_actions(deploy_stack("prod"))[DEPLOYED_AS[table]]

    assert DECLARED[table] == performed, difference(DECLARED[table], performed)
    assert granted_by_role == performed, difference(granted_by_role, performed)


@pytest.mark.after_runtime_suite
@pytest.mark.parametrize("table", sorted(DECLARED))
def test_the_table_alarms_watch_exactly_the_operations_the_runtime_performed(table):
    """DynamoDB reports throttles and errors per operation: an operation the alarms do not add up
    would fail unnoticed."""
    performed_actions()
    performed = set(RUNTIME_DYNAMODB_CALLS.calls_by_table[table])
    watched = DECLARED_OPERATIONS[table]

    assert watched == performed, difference(watched, performed)
