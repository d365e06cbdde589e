"""A cancelled transaction names the actions whose conditions failed, by the names they were given."""

import pytest
from botocore.exceptions import ClientError

from runtime.writes import TransactionCancelledError, Writes


class CancellingClient:
    def __init__(self, *codes: str) -> None:
        self.codes = codes

    def transact_write_items(self, **_: object) -> None:
        reasons = [{"Code": code} for code in self.codes]
        error = {"Error": {"Code": "TransactionCanceledException"}, "CancellationReasons": reasons}
        raise ClientError(error, "TransactWriteItems")


def test_the_failed_actions_are_named_not_numbered():
    writes = Writes(CancellingClient("None", "ConditionalCheckFailed", "None"), "t")

    with pytest.raises(TransactionCancelledError) as cancelled:
        writes.transact({"profile": {"Update": {}}, "old claim": {"Delete": {}}, "new claim": {"Put": {}}})

    assert cancelled.value.failed == {"old claim"}


def test_a_cancellation_without_a_failed_condition_is_not_a_condition_failure():
    writes = Writes(CancellingClient("None", "ValidationError"), "t")

    with pytest.raises(ClientError):
        writes.transact({"profile": {"Put": {}}, "claim": {"Put": {}}})
