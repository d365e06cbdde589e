"""Conditional writes to the table, retried where DynamoDB asks for it, and what their failures mean.

DynamoDB cancels a write that meets a concurrent transaction on one of its items (two item
creates check the same profile), or a transaction throttled on one of them, and asks the caller
to retry; botocore's standard retry mode retries neither, so `Writes` does, with jittered
exponential backoff: under 0.2 s of waiting in all, far below the function's timeout. A
transaction's actions are named, and a cancelled one says which of them failed their condition.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from runtime import table_schema as schema
from runtime.errors import NotFoundError, PreconditionFailedError, WriteConflictError
from runtime.records import to_attributes

_RETRYABLE_CANCELLATIONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})
_WRITE_ATTEMPTS = 4
_BACKOFF_BASE_SECONDS = 0.025


@dataclass(frozen=True)
class Condition:
    """A condition expression with the attribute names and values it uses."""

    expression: str
    names: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)

    def __and__(self, other: Condition) -> Condition:
        return Condition(
            f"{self.expression} AND {other.expression}", {**self.names, **other.names}, {**self.values, **other.values}
        )

    def __or__(self, other: Condition) -> Condition:
        return Condition(
            f"({self.expression}) OR ({other.expression})",
            {**self.names, **other.names},
            {**self.values, **other.values},
        )

    def request(self) -> dict[str, Any]:
        """The condition as the parameters of a write request."""
        request: dict[str, Any] = {"ConditionExpression": self.expression}
        if self.names:
            request["ExpressionAttributeNames"] = dict(self.names)
        if self.values:
            request["ExpressionAttributeValues"] = to_attributes(self.values)
        return request


EXISTS = Condition(f"attribute_exists({schema.PARTITION_KEY})")
ABSENT = Condition(f"attribute_not_exists({schema.PARTITION_KEY})")


def of_incarnation(incarnation: str | None) -> Condition:
    names = {"#incarnation": "incarnation"}
    if incarnation is None:
        return Condition("attribute_not_exists(#incarnation)", names)
    return Condition("#incarnation = :incarnation", names, {":incarnation": incarnation})


def at_revision(incarnation: str | None, version: int) -> Condition:
    """The record is this incarnation at this version, and nothing else."""
    at_version = Condition("#version = :expected", {"#version": "version"}, {":expected": version})
    return of_incarnation(incarnation) & at_version


class TransactionCancelledError(Exception):
    """DynamoDB cancelled a transaction because these of its named actions failed their condition."""

    def __init__(self, failed: frozenset[str]) -> None:
        super().__init__(f"conditions failed: {', '.join(sorted(failed))}")
        self.failed = failed


def jitter(attempt: int) -> float:
    """Seconds to wait after failed attempt `attempt` (from 0): uniform up to a cap that doubles each time.

    Drawn from `random`, which `runtime.snapstart` re-seeds in every environment restored from a
    snapshot, so that restored environments do not retry in lockstep.
    """
    return random.uniform(0, _BACKOFF_BASE_SECONDS * 2**attempt)  # noqa: S311 - jitter, not secrets


def backoff(attempt: int) -> None:
    time.sleep(jitter(attempt))


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _is_write_conflict(error: ClientError) -> bool:
    """A write cancelled by concurrent traffic on its items, not by any of its own conditions."""
    code = _error_code(error)
    reasons = {reason.get("Code") for reason in error.response.get("CancellationReasons", [])}
    if code == "TransactionCanceledException":
        return bool(reasons & _RETRYABLE_CANCELLATIONS) and "ConditionalCheckFailed" not in reasons
    return code == "TransactionConflictException"


class Writes:
    """The table's write calls: each retried while concurrent traffic holds one of its items."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self.table = table_name

    def call(self, operation: str, **request: Any) -> dict[str, Any]:
        """One write call, repeated while a concurrent transaction holds one of its items."""
        for attempt in range(_WRITE_ATTEMPTS):
            try:
                response: dict[str, Any] = getattr(self._client, operation)(**request)
            except ClientError as error:
                if not _is_write_conflict(error):
                    raise
                if attempt + 1 < _WRITE_ATTEMPTS:
                    backoff(attempt)
            else:
                return response
        raise WriteConflictError("concurrent requests kept this write from happening; nothing changed, retry shortly")

    def transact(self, actions: Mapping[str, Mapping[str, Any]]) -> None:
        """A transaction of named actions (`{"profile": {"Put": …}, …}`); TransactionCancelledError
        names the actions whose conditions failed."""
        names = list(actions)
        try:
            self.call("transact_write_items", TransactItems=list(actions.values()))
        except ClientError as error:
            if _error_code(error) != "TransactionCanceledException":
                raise
            # DynamoDB gives one reason per action, in the order of the actions.
            reasons = error.response.get("CancellationReasons", [])
            failed = frozenset(
                name
                for name, reason in zip(names, reasons, strict=True)
                if reason.get("Code") == "ConditionalCheckFailed"
            )
            if not failed:
                raise
            raise TransactionCancelledError(failed) from error

    def conditional(
        self,
        operation: str,
        request: dict[str, Any],
        subject: str,
        *,
        missing_is_precondition: bool = False,
        mismatch: type[Exception] = PreconditionFailedError,
        **extra: Any,
    ) -> dict[str, Any]:
        """Run a conditional write; a failed condition is 404 (absent) or `mismatch` (another revision)."""
        try:
            response = self.call(operation, **request, ReturnValuesOnConditionCheckFailure="ALL_OLD", **extra)
        except ClientError as error:
            if _error_code(error) != "ConditionalCheckFailedException":
                raise
            if "Item" in error.response or missing_is_precondition:
                raise mismatch(f"{subject} does not match If-Match") from error
            raise NotFoundError(f"{subject} not found") from error
        return response

    def put_new(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """A Put of a record that must not exist yet."""
        return {"TableName": self.table, "Item": to_attributes(record), **ABSENT.request()}

    def update(
        self, key: Mapping[str, str], fields: Mapping[str, Any], condition: Condition, *, removed: Sequence[str] = ()
    ) -> dict[str, Any]:
        """An UpdateItem that sets `fields`, removes the `removed` attributes and bumps `version`, under `condition`."""
        names = {
            "#version": "version",
            **{f"#f{i}": name for i, name in enumerate(fields)},
            **{f"#r{i}": name for i, name in enumerate(removed)},
        }
        values = {":one": 1, **{f":f{i}": value for i, value in enumerate(fields.values())}}
        assignments = ["#version = #version + :one", *(f"#f{i} = :f{i}" for i in range(len(fields)))]
        removals = f" REMOVE {', '.join(f'#r{i}' for i in range(len(removed)))}" if removed else ""
        return {
            "TableName": self.table,
            "Key": to_attributes(key),
            "UpdateExpression": "SET " + ", ".join(assignments) + removals,
            "ConditionExpression": condition.expression,
            "ExpressionAttributeNames": {**names, **condition.names},
            "ExpressionAttributeValues": to_attributes({**values, **condition.values}),
        }

    def on(self, key: Mapping[str, str], condition: Condition | None = None) -> dict[str, Any]:
        """A Delete or ConditionCheck of the record at `key`, under `condition` if given."""
        return {"TableName": self.table, "Key": to_attributes(key), **(condition.request() if condition else {})}
