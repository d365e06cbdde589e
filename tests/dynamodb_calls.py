"""Records the DynamoDB calls the runtime makes, through a botocore event hook on its client.

Used by the IAM contract test (the role allows exactly the actions the suite needed) and by the
round-trip benchmark.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

# A transaction is authorised per action it contains, not as `TransactWriteItems`.
_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def iam_actions(operation: str, params: dict[str, Any]) -> set[str]:
    """The `dynamodb:*` IAM actions one API call needs."""
    if operation == "TransactWriteItems":
        return {f"dynamodb:{_TRANSACT_ACTIONS[kind]}" for item in params["TransactItems"] for kind in item}
    return {f"dynamodb:{operation}"}


class DynamoDBCallRecorder:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.actions: set[str] = set()

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-parameter-build.dynamodb", self._record)

    def _record(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.calls[model.name] += 1
        self.actions |= iam_actions(model.name, params)

    def total(self) -> int:
        return sum(self.calls.values())

    def reset(self) -> None:
        self.calls.clear()
