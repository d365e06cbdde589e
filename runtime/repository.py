"""The access patterns of the single table, one method each; the HTTP layer sees none of DynamoDB.

| access pattern                    | DynamoDB call                                                   |
|-----------------------------------|-----------------------------------------------------------------|
| create a user (email unique)      | TransactWriteItems: Put profile + Put email claim               |
| a user's profile                  | GetItem PK=USER#id, SK=METADATA                                 |
| a profile with its newest items   | Query PK=USER#id, SK between ITEM# and METADATA, descending     |
| change a profile                  | UpdateItem, or a transaction moving the email claim             |
| delete a user and all it owns     | TransactWriteItems (profile + claim), then Query + transactions |
|                                   | of ConditionCheck profile absent + Delete up to 99 items        |
| a user's items                    | Query PK=USER#id, begins_with(SK, ITEM#), descending            |
| a user's items with one status    | Query ByStatus: PK=USER#id, begins_with(statusSK, STATUS#s#)    |
| create an item (user must exist)  | TransactWriteItems: ConditionCheck profile + Put item           |
| one item / change it / delete it  | GetItem / UpdateItem / DeleteItem                               |

Every read is strongly consistent, so a client reads its own writes and its ETags are current.

A profile is deleted and created again under the same id when a JWT `sub` signs up again, so a
version alone does not say which profile a request read: every write that depends on what was
read conditions on the profile's incarnation as well, and the email claim names the incarnation
that holds it. Whatever the interleaving, each profile then has exactly one claim, and no claim,
and (once a delete has finished) no item, outlives its profile.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from runtime import table_schema as schema
from runtime.cursor import Cursor
from runtime.emails import same_address
from runtime.errors import (
    EmailTakenError,
    NotFoundError,
    PreconditionFailedError,
    UserExistsError,
    WriteConflictError,
)
from runtime.ids import new_id
from runtime.models import Item, ItemStatus, User

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
# A transaction holds at most 100 actions: the sweep of a deleted user's items uses one to check
# the profile is still absent and the rest to delete items.
_TRANSACTION_LIMIT = 100
# Changing an email and deleting a user read the profile, then write conditionally on the
# incarnation and version they read; when another writer gets in between, they read again rather
# than lose either change.
_READ_THEN_WRITE_ATTEMPTS = 3
# DynamoDB cancels a write that meets a concurrent transaction on one of its items (two item
# creates check the same profile), or a transaction throttled on one of them, and asks the caller
# to retry; botocore's standard retry mode retries neither, so the repository does, with jittered
# exponential backoff: under 0.2 s of waiting in all, far below the function's timeout.
_RETRYABLE_CANCELLATIONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})
_WRITE_ATTEMPTS = 4
_BACKOFF_BASE_SECONDS = 0.025

Clock = Callable[[], str]


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class IfMatch:
    """A parsed If-Match header: an entity tag's version and incarnation, or version None for `*`.

    An item's tag, and that of a profile written before incarnations existed, has no incarnation.
    """

    version: int | None
    incarnation: str | None = None

    def allows(self, incarnation: str | None, version: int) -> bool:
        return self.version is None or (self.incarnation, self.version) == (incarnation, version)

    @property
    def names_a_version(self) -> bool:
        """Not `*`: a write that lost a race to another writer no longer matches it."""
        return self.version is not None


@dataclass(frozen=True)
class Profile:
    """A user as stored: what clients see, and the incarnation writes to it condition on.

    The incarnation is None only for a profile written before incarnations existed.
    """

    user: User
    incarnation: str | None


@dataclass(frozen=True)
class ItemsPage:
    items: list[Item]
    next_cursor: str | None


@dataclass(frozen=True)
class ItemChange:
    before: Item
    after: Item


def _to_attributes(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in values.items()}


def _from_attributes(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in attributes.items()}


@dataclass(frozen=True)
class _Condition:
    """A condition expression with the attribute names and values it uses."""

    expression: str
    names: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)

    def __and__(self, other: _Condition) -> _Condition:
        return _Condition(
            f"{self.expression} AND {other.expression}", {**self.names, **other.names}, {**self.values, **other.values}
        )

    def __or__(self, other: _Condition) -> _Condition:
        return _Condition(
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
            request["ExpressionAttributeValues"] = _to_attributes(self.values)
        return request


_EXISTS = _Condition(f"attribute_exists({schema.PARTITION_KEY})")
_ABSENT = _Condition(f"attribute_not_exists({schema.PARTITION_KEY})")


def _of_incarnation(incarnation: str | None) -> _Condition:
    names = {"#incarnation": "incarnation"}
    if incarnation is None:
        return _Condition("attribute_not_exists(#incarnation)", names)
    return _Condition("#incarnation = :incarnation", names, {":incarnation": incarnation})


def _at_revision(incarnation: str | None, version: int) -> _Condition:
    """The record is this incarnation at this version, and nothing else."""
    at_version = _Condition("#version = :expected", {"#version": "version"}, {":expected": version})
    return _of_incarnation(incarnation) & at_version


def _as_read(profile: Profile) -> _Condition:
    return _at_revision(profile.incarnation, profile.user.version)


def _precondition(if_match: IfMatch | None) -> _Condition:
    """The condition of a write to an existing record: it exists, at the If-Match revision if given."""
    if if_match is None or if_match.version is None:
        return _EXISTS
    return _EXISTS & _at_revision(if_match.incarnation, if_match.version)


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _is_write_conflict(error: ClientError) -> bool:
    """A write cancelled by concurrent traffic on its items, not by any of its own conditions."""
    code = _error_code(error)
    reasons = {reason.get("Code") for reason in error.response.get("CancellationReasons", [])}
    if code == "TransactionCanceledException":
        return bool(reasons & _RETRYABLE_CANCELLATIONS) and "ConditionalCheckFailed" not in reasons
    return code == "TransactionConflictException"


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, _BACKOFF_BASE_SECONDS * 2**attempt))  # noqa: S311 - jitter, not secrets


def _cancelled_by_condition(error: ClientError) -> list[bool]:
    """For a cancelled transaction: which of its actions failed their condition."""
    reasons = error.response.get("CancellationReasons", [])
    return [reason.get("Code") == "ConditionalCheckFailed" for reason in reasons]


def _profile_from(attributes: Mapping[str, Any]) -> Profile:
    values = _from_attributes(attributes)
    user = User(
        user_id=values["userId"],
        email=values["email"],
        name=values["name"],
        created_at=values["createdAt"],
        updated_at=values["updatedAt"],
        version=int(values["version"]),
    )
    return Profile(user=user, incarnation=values.get("incarnation"))


def _item_from(attributes: Mapping[str, Any]) -> Item:
    values = _from_attributes(attributes)
    return Item(
        user_id=values["userId"],
        item_id=values["itemId"],
        task=values["task"],
        status=ItemStatus(values["status"]),
        created_at=values["createdAt"],
        updated_at=values["updatedAt"],
        version=int(values["version"]),
    )


def _incarnation_of(profile: Profile) -> dict[str, str]:
    return {} if profile.incarnation is None else {"incarnation": profile.incarnation}


def _profile_record(profile: Profile) -> dict[str, Any]:
    user = profile.user
    return {
        **schema.profile_key(user.user_id),
        "entity": "USER",
        "userId": user.user_id,
        **_incarnation_of(profile),
        "email": user.email,
        "name": user.name,
        "createdAt": user.created_at,
        "updatedAt": user.updated_at,
        "version": user.version,
    }


def item_record(item: Item) -> dict[str, Any]:
    """The record an item is stored as, with its keys and status index key."""
    return {
        **schema.item_key(item.user_id, item.item_id),
        schema.STATUS_SORT_KEY: schema.status_sort_key(item.status, item.item_id),
        "entity": "ITEM",
        "userId": item.user_id,
        "itemId": item.item_id,
        "task": item.task,
        "status": item.status.value,
        "createdAt": item.created_at,
        "updatedAt": item.updated_at,
        "version": item.version,
    }


def _email_claim_record(profile: Profile) -> dict[str, Any]:
    return {
        **schema.email_claim_key(profile.user.email),
        "entity": "EMAIL_CLAIM",
        "userId": profile.user.user_id,
        **_incarnation_of(profile),
    }


def _update_request(
    table_name: str, key: Mapping[str, str], fields: Mapping[str, Any], condition: _Condition
) -> dict[str, Any]:
    """An UpdateItem that sets `fields` and bumps `version`, under `condition`."""
    names = {"#version": "version", **{f"#f{i}": name for i, name in enumerate(fields)}}
    values = {":one": 1, **{f":f{i}": value for i, value in enumerate(fields.values())}}
    assignments = ["#version = #version + :one", *(f"#f{i} = :f{i}" for i in range(len(fields)))]
    return {
        "TableName": table_name,
        "Key": _to_attributes(key),
        "UpdateExpression": "SET " + ", ".join(assignments),
        "ConditionExpression": condition.expression,
        "ExpressionAttributeNames": {**names, **condition.names},
        "ExpressionAttributeValues": _to_attributes({**values, **condition.values}),
    }


class _ChangedMeanwhile(Exception):  # noqa: N818 - a signal to read again, never leaves the repository
    """A write conditioned on what was read found the records changed since."""


class Repository:
    def __init__(
        self, client: Any, table_name: str, clock: Clock = utc_now, id_source: Callable[[], str] = new_id
    ) -> None:
        self._client = client
        self._table = table_name
        self._clock = clock
        self._new_id = id_source

    # Users

    def create_user(self, *, user_id: str, email: str, name: str) -> Profile:
        now = self._clock()
        user = User(user_id=user_id, email=email, name=name, created_at=now, updated_at=now, version=1)
        profile = Profile(user=user, incarnation=self._new_id())
        try:
            self._write(
                "transact_write_items",
                TransactItems=[
                    {"Put": self._put_new(_profile_record(profile))},
                    {"Put": self._put_new(_email_claim_record(profile))},
                ],
            )
        except ClientError as error:
            profile_exists, _ = self._failed_conditions(error)
            if profile_exists:
                raise UserExistsError(f"user {user_id} already exists") from error
            raise EmailTakenError(f"email {email} belongs to another user") from error
        return profile

    def get_profile(self, user_id: str) -> Profile:
        return _profile_from(self._get(schema.profile_key(user_id), f"user {user_id} not found"))

    def get_profile_with_items(self, user_id: str, *, limit: int) -> tuple[Profile, ItemsPage]:
        rows = self._query(
            KeyConditionExpression="#pk = :pk AND #sk BETWEEN :first_item AND :profile",
            ExpressionAttributeNames={"#pk": schema.PARTITION_KEY, "#sk": schema.SORT_KEY},
            ExpressionAttributeValues=_to_attributes(
                {
                    ":pk": schema.user_partition(user_id),
                    ":first_item": schema.ITEM_PREFIX,
                    ":profile": schema.PROFILE_SORT_KEY,
                }
            ),
            # The profile, then one item more than the page, to know whether another page exists.
            Limit=limit + 2,
        )
        if not rows or _from_attributes(rows[0])[schema.SORT_KEY] != schema.PROFILE_SORT_KEY:
            raise NotFoundError(f"user {user_id} not found")
        return _profile_from(rows[0]), self._page(rows[1:], limit, user_id, status=None)

    def update_profile(self, user_id: str, *, changes: Mapping[str, str], if_match: IfMatch | None) -> Profile:
        if "email" not in changes:
            return self._update_profile_fields(user_id, changes, _precondition(if_match))
        for attempt in range(_READ_THEN_WRITE_ATTEMPTS):
            current = self._current_profile(user_id, if_match)
            try:
                if same_address(changes["email"], current.user.email):
                    return self._update_profile_fields(user_id, changes, _as_read(current), mismatch=_ChangedMeanwhile)
                return self._move_email_claim(current, changes)
            except _ChangedMeanwhile:
                if if_match is not None and if_match.names_a_version:
                    raise PreconditionFailedError(f"user {user_id} changed since If-Match was read") from None
            _backoff(attempt)
        raise WriteConflictError(f"user {user_id} kept changing; nothing changed, retry shortly")

    def delete_user(self, user_id: str, *, if_match: IfMatch | None) -> None:
        """Delete the profile and email claim, then every item; a retry finishes a partial delete."""
        for attempt in range(_READ_THEN_WRITE_ATTEMPTS):
            try:
                current = self._current_profile(user_id, if_match)
            except NotFoundError:
                self._delete_items_of(user_id)
                if if_match is not None:
                    raise PreconditionFailedError(f"user {user_id} does not exist") from None
                return
            try:
                self._delete_profile_and_claim(current)
                break
            except _ChangedMeanwhile:
                if if_match is not None and if_match.names_a_version:
                    raise PreconditionFailedError(f"user {user_id} changed since If-Match was read") from None
            _backoff(attempt)
        else:
            raise WriteConflictError(f"user {user_id} kept changing; nothing changed, retry shortly")
        self._delete_items_of(user_id)

    def _current_profile(self, user_id: str, if_match: IfMatch | None) -> Profile:
        current = self.get_profile(user_id)
        if if_match is not None and not if_match.allows(current.incarnation, current.user.version):
            raise PreconditionFailedError(f"user {user_id} does not match If-Match")
        return current

    # Items

    def list_items(self, user_id: str, *, limit: int, cursor: Cursor | None) -> ItemsPage:
        query: dict[str, Any] = {
            "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :prefix)",
            "ExpressionAttributeNames": {"#pk": schema.PARTITION_KEY, "#sk": schema.SORT_KEY},
            "ExpressionAttributeValues": _to_attributes(
                {":pk": schema.user_partition(user_id), ":prefix": schema.ITEM_PREFIX}
            ),
            "Limit": limit + 1,
        }
        if cursor is not None:
            query["ExclusiveStartKey"] = _to_attributes(schema.item_key(user_id, cursor.last_item_id))
        return self._page(self._query(**query), limit, user_id, status=None)

    def list_items_by_status(self, user_id: str, status: ItemStatus, *, limit: int, cursor: Cursor | None) -> ItemsPage:
        query: dict[str, Any] = {
            "IndexName": schema.STATUS_INDEX.name,
            "KeyConditionExpression": "#pk = :pk AND begins_with(#status_sk, :prefix)",
            "ExpressionAttributeNames": {"#pk": schema.PARTITION_KEY, "#status_sk": schema.STATUS_SORT_KEY},
            "ExpressionAttributeValues": _to_attributes(
                {":pk": schema.user_partition(user_id), ":prefix": schema.status_prefix(status)}
            ),
            "Limit": limit + 1,
        }
        if cursor is not None:
            query["ExclusiveStartKey"] = _to_attributes(
                {
                    **schema.item_key(user_id, cursor.last_item_id),
                    schema.STATUS_SORT_KEY: schema.status_sort_key(status, cursor.last_item_id),
                }
            )
        return self._page(self._query(**query), limit, user_id, status=status)

    def create_item(self, user_id: str, *, task: str, status: ItemStatus) -> Item:
        now = self._clock()
        item = Item(
            user_id=user_id,
            item_id=self._new_id(),
            task=task,
            status=status,
            created_at=now,
            updated_at=now,
            version=1,
        )
        profile_exists = {
            "TableName": self._table,
            "Key": _to_attributes(schema.profile_key(user_id)),
            "ConditionExpression": f"attribute_exists({schema.PARTITION_KEY})",
        }
        try:
            self._write(
                "transact_write_items",
                TransactItems=[{"ConditionCheck": profile_exists}, {"Put": self._put_new(item_record(item))}],
            )
        except ClientError as error:
            self._failed_conditions(error)
            raise NotFoundError(f"user {user_id} not found") from error
        return item

    def get_item(self, user_id: str, item_id: str) -> Item:
        return _item_from(self._get(schema.item_key(user_id, item_id), f"item {item_id} not found"))

    def update_item(
        self, user_id: str, item_id: str, *, changes: Mapping[str, Any], if_match: IfMatch | None
    ) -> ItemChange:
        fields: dict[str, Any] = {**changes, "updatedAt": self._clock()}
        if "status" in changes:
            fields["status"] = ItemStatus(changes["status"]).value
            fields[schema.STATUS_SORT_KEY] = schema.status_sort_key(changes["status"], item_id)
        request = _update_request(self._table, schema.item_key(user_id, item_id), fields, _precondition(if_match))
        # The old image plus the fields set is exactly the new one, and tells a completion apart.
        response = self._conditional("update_item", request, f"item {item_id}", ReturnValues="ALL_OLD")
        before = _item_from(response["Attributes"])
        after_values = {**before.model_dump(by_alias=True), **fields, "version": before.version + 1}
        return ItemChange(before=before, after=Item.model_validate(after_values))

    def delete_item(self, user_id: str, item_id: str, *, if_match: IfMatch | None) -> None:
        request = {"TableName": self._table, "Key": _to_attributes(schema.item_key(user_id, item_id))}
        if if_match is not None:
            request.update(_precondition(if_match).request())
        self._conditional("delete_item", request, f"item {item_id}", missing_is_precondition=True)

    # Building blocks

    def _write(self, operation: str, **request: Any) -> dict[str, Any]:
        """One write call, repeated while a concurrent transaction holds one of its items."""
        for attempt in range(_WRITE_ATTEMPTS):
            try:
                response: dict[str, Any] = getattr(self._client, operation)(**request)
            except ClientError as error:
                if not _is_write_conflict(error):
                    raise
                if attempt + 1 < _WRITE_ATTEMPTS:
                    _backoff(attempt)
            else:
                return response
        raise WriteConflictError("concurrent requests kept this write from happening; nothing changed, retry shortly")

    def _put_new(self, record: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "Item": _to_attributes(record),
            "ConditionExpression": f"attribute_not_exists({schema.PARTITION_KEY})",
        }

    def _get(self, key: Mapping[str, str], missing: str) -> dict[str, Any]:
        response = self._client.get_item(TableName=self._table, Key=_to_attributes(key), ConsistentRead=True)
        if "Item" not in response:
            raise NotFoundError(missing)
        item: dict[str, Any] = response["Item"]
        return item

    def _query(self, **query: Any) -> list[dict[str, Any]]:
        response = self._client.query(TableName=self._table, ScanIndexForward=False, ConsistentRead=True, **query)
        items: list[dict[str, Any]] = response["Items"]
        return items

    def _page(self, rows: list[dict[str, Any]], limit: int, user_id: str, status: ItemStatus | None) -> ItemsPage:
        items = [_item_from(row) for row in rows[:limit]]
        next_cursor = None
        if len(rows) > limit:
            next_cursor = Cursor(user_id=user_id, status=status, last_item_id=items[-1].item_id).encode()
        return ItemsPage(items=items, next_cursor=next_cursor)

    def _conditional(
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
            response = self._write(operation, **request, ReturnValuesOnConditionCheckFailure="ALL_OLD", **extra)
        except ClientError as error:
            if _error_code(error) != "ConditionalCheckFailedException":
                raise
            if "Item" in error.response or missing_is_precondition:
                raise mismatch(f"{subject} does not match If-Match") from error
            raise NotFoundError(f"{subject} not found") from error
        return response

    def _update_profile_fields(
        self,
        user_id: str,
        changes: Mapping[str, str],
        condition: _Condition,
        *,
        mismatch: type[Exception] = PreconditionFailedError,
    ) -> Profile:
        fields = {**changes, "updatedAt": self._clock()}
        request = _update_request(self._table, schema.profile_key(user_id), fields, condition)
        response = self._conditional(
            "update_item", request, f"user {user_id}", mismatch=mismatch, ReturnValues="ALL_NEW"
        )
        return _profile_from(response["Attributes"])

    def _move_email_claim(self, current: Profile, changes: Mapping[str, str]) -> Profile:
        now = self._clock()
        moved = Profile(
            user=current.user.model_copy(update={**changes, "updated_at": now, "version": current.user.version + 1}),
            incarnation=current.incarnation,
        )
        update = _update_request(
            self._table, schema.profile_key(current.user.user_id), {**changes, "updatedAt": now}, _as_read(current)
        )
        try:
            self._write(
                "transact_write_items",
                TransactItems=[
                    {"Update": update},
                    {"Delete": self._release_claim(current)},
                    {"Put": self._put_new(_email_claim_record(moved))},
                ],
            )
        except ClientError as error:
            profile_changed, _, email_taken = self._failed_conditions(error)
            # The new address may be held by this very profile, changed meanwhile: read it again.
            if email_taken and not profile_changed:
                raise EmailTakenError(f"email {moved.user.email} belongs to another user") from error
            raise _ChangedMeanwhile from error
        return moved

    def _release_claim(self, profile: Profile) -> dict[str, Any]:
        """Delete the profile's email claim; never one another user, or another incarnation, holds."""
        held_by_profile = _Condition("userId = :user_id", values={":user_id": profile.user.user_id}) & _of_incarnation(
            profile.incarnation
        )
        return {
            "TableName": self._table,
            "Key": _to_attributes(schema.email_claim_key(profile.user.email)),
            **(_ABSENT | held_by_profile).request(),
        }

    def _delete_profile_and_claim(self, profile: Profile) -> None:
        delete_profile = {
            "TableName": self._table,
            "Key": _to_attributes(schema.profile_key(profile.user.user_id)),
            **_as_read(profile).request(),
        }
        try:
            self._write(
                "transact_write_items",
                TransactItems=[{"Delete": delete_profile}, {"Delete": self._release_claim(profile)}],
            )
        except ClientError as error:
            self._failed_conditions(error)
            raise _ChangedMeanwhile from error

    def _delete_items_of(self, user_id: str) -> None:
        """Delete what is left under a deleted user, each batch only while the profile is still absent.

        A profile created again meanwhile (the same `sub` signing up again) keeps every item it holds.
        """
        profile_absent = {
            "TableName": self._table,
            "Key": _to_attributes(schema.profile_key(user_id)),
            **_ABSENT.request(),
        }
        query: dict[str, Any] = {
            "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :prefix)",
            "ExpressionAttributeNames": {"#pk": schema.PARTITION_KEY, "#sk": schema.SORT_KEY},
            "ExpressionAttributeValues": _to_attributes(
                {":pk": schema.user_partition(user_id), ":prefix": schema.ITEM_PREFIX}
            ),
            "ProjectionExpression": "#pk, #sk",
            "Limit": _TRANSACTION_LIMIT - 1,
        }
        while True:
            # Each batch is deleted before the next query, which therefore starts from the top again.
            response = self._client.query(TableName=self._table, ConsistentRead=True, **query)
            deletes = [{"Delete": {"TableName": self._table, "Key": key}} for key in response["Items"]]
            if deletes:
                try:
                    self._write("transact_write_items", TransactItems=[{"ConditionCheck": profile_absent}, *deletes])
                except ClientError as error:
                    self._failed_conditions(error)
                    return
            if "LastEvaluatedKey" not in response:
                return

    @staticmethod
    def _failed_conditions(error: ClientError) -> list[bool]:
        """Which actions of a cancelled transaction failed their condition; anything else re-raises."""
        if _error_code(error) != "TransactionCanceledException":
            raise error
        failed = _cancelled_by_condition(error)
        if not any(failed):
            raise error
        return failed
