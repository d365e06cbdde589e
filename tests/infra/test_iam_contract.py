"""The function's role allows exactly the DynamoDB actions the runtime's own test suite performed.

`tests/conftest.py` records every call the runtime's DynamoDB client makes (a botocore event
hook; a transaction counts as the per-item actions IAM authorises it by). This test runs after
the runtime tests, so a missing permission or a left-over one fails here rather than in AWS.
"""

from __future__ import annotations

import pytest

from components.single_table import operations_for_actions
from runtime.permissions import DYNAMODB_ACTIONS
from tests.conftest import RUNTIME_DYNAMODB_CALLS
from tests.infra.stacks import deploy_stack
from tests.infra.test_contracts import role_dynamodb_actions


def difference(granted: set[str], performed: set[str]) -> str:
    return f"granted but never used: {sorted(granted - performed)}; used but not granted: {sorted(performed - granted)}"


@pytest.mark.after_runtime_suite
def test_the_role_allows_exactly_the_dynamodb_actions_the_runtime_performed():
    performed = set(RUNTIME_DYNAMODB_CALLS.actions)
    if not performed:
        pytest.skip("the runtime's tests did not run in this session: run `python -m pytest tests` to compare")
    granted_by_role = role_dynamodb_actions(deploy_stack("prod"))

    assert set(DYNAMODB_ACTIONS) == performed, difference(set(DYNAMODB_ACTIONS), performed)
    assert granted_by_role == performed, difference(granted_by_role, performed)


@pytest.mark.after_runtime_suite
def test_the_table_alarms_watch_exactly_the_operations_the_runtime_performed():
    """DynamoDB reports throttles and errors per operation: an operation the alarms do not add up
    would fail unnoticed."""
    performed = set(RUNTIME_DYNAMODB_CALLS.calls)
    if not performed:
        pytest.skip("the runtime's tests did not run in this session: run `python -m pytest tests` to compare")
    watched = set(operations_for_actions(DYNAMODB_ACTIONS))

    assert watched == performed, difference(watched, performed)
