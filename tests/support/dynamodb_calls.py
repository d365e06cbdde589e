"""Records the DynamoDB calls the runtime makes, through a botocore event hook on its client.

Every runtime test checks its calls against the declared permissions (tests/conftest.py), the IAM
contract test checks a tour of the API against the role, and the round-trip benchmark counts calls.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping
from typing import Any

# A transaction is authorised per action it contains, not as `TransactWriteItems`.
_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def iam_actions(operation: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    """The `dynamodb:*` IAM actions one API call needs, each with the table it needs it on."""
    if operation == "TransactWriteItems":
        return {
            (action["TableName"], f"dynamodb:{_TRANSACT_ACTIONS[kind]}")
            for item in params["TransactItems"]
            for kind, action in item.items()
        }
    if operation == "BatchWriteItem":
        return {(table, f"dynamodb:{operation}") for table in params["RequestItems"]}
    return {(params["TableName"], f"dynamodb:{operation}")}


class DynamoDBCallRecorder:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.calls_by_table: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.actions_by_table: defaultdict[str, set[str]] = defaultdict(set)

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-parameter-build.dynamodb", self._record)

    def _record(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.calls[model.name] += 1
        needed = iam_actions(model.name, params)
        for table, action in needed:
            self.actions_by_table[table].add(action)
        for table in {table for table, _ in needed}:
            self.calls_by_table[table][model.name] += 1

    def undeclared(self, declared: Mapping[str, Collection[str]]) -> dict[str, list[str]]:
        """Table -> the actions used on it that `declared` does not list (a table not listed: all)."""
        found = {
            table: sorted(set(used) - set(declared.get(table, ()))) for table, used in self.actions_by_table.items()
        }
        return {table: actions for table, actions in found.items() if actions}

    def total(self) -> int:
        return sum(self.calls.values())

    def reset(self) -> None:
        self.calls.clear()
