"""Writes that DynamoDB cancels because of concurrent traffic on their items.

moto applies requests one at a time and never reports a conflict, so these tests make the
runtime's own client answer as DynamoDB does (through a botocore `before-call` hook): a
transaction cancelled with `TransactionConflict` or `ThrottlingError` reasons, or a single-item
write refused with `TransactionConflictException`.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from runtime.dependencies import dynamodb_client
from runtime.errors import EmailTakenError, WriteConflictError
from runtime.models import ItemStatus
from runtime.repository import IfMatch


class RefusedWrites:
    """Answers the next `times` calls of one DynamoDB operation with an error, then lets calls through."""

    def __init__(self, operation: str, times: int, code: str, reasons: list[str | None] | None = None) -> None:
        self.operation, self.remaining, self.code, self.reasons = operation, times, code, reasons
        self.refused = 0

    def __call__(self, model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if model.name != self.operation or self.remaining == 0:
            return None
        self.remaining -= 1
        self.refused += 1
        parsed: dict[str, Any] = {"Error": {"Code": self.code, "Message": "refused by the test"}}
        if self.reasons is not None:
            parsed["CancellationReasons"] = [{"Code": reason} for reason in self.reasons]
        return AWSResponse("https://dynamodb.test", 400, {}, None), parsed


@pytest.fixture
def refuse(repository):
    """Install a RefusedWrites on the runtime's client for the rest of the test."""
    events = dynamodb_client().meta.events
    installed = []

    def install(operation: str, times: int, code: str, reasons: list[str | None] | None = None) -> RefusedWrites:
        refusal = RefusedWrites(operation, times, code, reasons)
        events.register_first(f"before-call.dynamodb.{operation}", refusal)
        installed.append((operation, refusal))
        return refusal

    yield install
    for operation, refusal in installed:
        events.unregister(f"before-call.dynamodb.{operation}", refusal)


def test_an_item_create_that_meets_a_concurrent_transaction_is_retried_and_stored_once(
    repository, jane, refuse, table_items
):
    refusal = refuse("TransactWriteItems", 2, "TransactionCanceledException", ["TransactionConflict", None])

    item = repository.create_item(jane.user.user_id, task="Write tests", status=ItemStatus.TODO)

    assert refusal.refused == 2
    assert repository.list_items(jane.user.user_id, limit=10, cursor=None).items == [item]
    assert len(table_items()) == 3  # profile, email claim, item


def test_a_throttled_transaction_is_retried(repository, refuse):
    refusal = refuse("TransactWriteItems", 1, "TransactionCanceledException", [None, "ThrottlingError"])

    profile = repository.create_user(user_id="U1", email="u1@example.com", name="One")

    assert refusal.refused == 1
    assert repository.get_profile("U1") == profile


def test_a_single_item_write_that_meets_a_transaction_is_retried(repository, jane, refuse):
    item = repository.create_item(jane.user.user_id, task="Write tests", status=ItemStatus.TODO)
    refusal = refuse("UpdateItem", 1, "TransactionConflictException")

    change = repository.update_item(jane.user.user_id, item.item_id, changes={"task": "Done"}, if_match=IfMatch(1))

    assert refusal.refused == 1
    assert (change.after.task, change.after.version) == ("Done", 2)
    assert repository.get_item(jane.user.user_id, item.item_id) == change.after


def test_a_write_that_keeps_meeting_conflicts_gives_up_and_changes_nothing(repository, jane, refuse, table_items):
    before = table_items()
    refusal = refuse("TransactWriteItems", 10, "TransactionCanceledException", ["None", "TransactionConflict"])

    with pytest.raises(WriteConflictError):
        repository.create_item(jane.user.user_id, task="Write tests", status=ItemStatus.TODO)
    assert refusal.refused == 4
    assert table_items() == before


def test_a_failed_condition_is_decisive_even_beside_a_conflict(repository, refuse):
    refusal = refuse(
        "TransactWriteItems", 1, "TransactionCanceledException", ["TransactionConflict", "ConditionalCheckFailed"]
    )

    with pytest.raises(EmailTakenError):
        repository.create_user(user_id="U2", email="jane.doe@example.com", name="Impostor")
    assert refusal.refused == 1


def test_a_write_conflict_reaches_the_client_as_409_write_conflict(api, refuse, table_items):
    refuse("TransactWriteItems", 10, "TransactionCanceledException", ["TransactionConflict", None])

    response = api("POST", "/users", body={"email": "jane.doe@example.com", "name": "Jane"})

    assert (response.status, response.error_code) == (409, "write_conflict")
    assert table_items() == []
