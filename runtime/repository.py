"""The access patterns of the single table, one method each; the HTTP layer sees none of DynamoDB.

| access pattern                    | DynamoDB call                                                   |
|-----------------------------------|-----------------------------------------------------------------|
| create a user (email unique)      | TransactWriteItems: Put profile + Put email claim               |
| a user's profile                  | GetItem PK=USER#id, SK=METADATA                                 |
| a profile with its newest items   | Query PK=USER#id, SK between ITEM# and METADATA, descending     |
| change a profile                  | UpdateItem, or a transaction moving the email claim             |
| delete a user and all it owns     | TransactWriteItems (profile + claim), then Query + BatchWrite   |
| a user's items                    | Query PK=USER#id, begins_with(SK, ITEM#), descending            |
| a user's items with one status    | Query ByStatus: PK=USER#id, begins_with(statusSK, STATUS#s#)    |
| create an item (user must exist)  | TransactWriteItems: ConditionCheck profile + Put item           |
| one item / change it / delete it  | GetItem / UpdateItem / DeleteItem                               |

Every read is strongly consistent, so a client reads its own writes and its ETags are current.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from runtime import table_schema as schema
from runtime.cursor import Cursor
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
_BATCH_WRITE_LIMIT = 25
# Changing an email and deleting a user read the profile, then write conditionally on the version
# they read; when another writer gets in between, they read again rather than lose either change.
_READ_THEN_WRITE_ATTEMPTS = 3
# DynamoDB cancels a write that meets a concurrent transaction on one of its items (two item
# creates check the same profile), or a transaction throttled on one of them, and asks the caller
# to retry; botocore's standard retry mode retries neither, so the repository does, with jittered
# exponential backoff: under 0.2 s of waiting in all, far below the function's timeout.
# BatchWriteItem's unprocessed items, returned under throttling, back off the same way.
_RETRYABLE_CANCELLATIONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})
_WRITE_ATTEMPTS = 4
_BACKOFF_BASE_SECONDS = 0.025

Clock = Callable[[], str]


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class IfMatch:
    """A parsed If-Match header: a version, or None for `*` (any existing version)."""

    version: int | None

    def allows(self, version: int) -> bool:
        return self.version is None or self.version == version


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


def _user_from(attributes: Mapping[str, Any]) -> User:
    values = _from_attributes(attributes)
    return User(
        user_id=values["userId"],
        email=values["email"],
        name=values["name"],
        created_at=values["createdAt"],
        updated_at=values["updatedAt"],
        version=int(values["version"]),
    )


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


def _profile_record(user: User) -> dict[str, Any]:
    return {
        **schema.profile_key(user.user_id),
        "entity": "USER",
        "userId": user.user_id,
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


def _email_claim_record(email: str, user_id: str) -> dict[str, Any]:
    return {**schema.email_claim_key(email), "entity": "EMAIL_CLAIM", "userId": user_id}


def _precondition(if_match: IfMatch | None) -> dict[str, Any]:
    """The condition of a write to an existing record: it exists, at the If-Match version if given."""
    condition: dict[str, Any] = {"ConditionExpression": f"attribute_exists({schema.PARTITION_KEY})"}
    if if_match is not None and if_match.version is not None:
        condition["ConditionExpression"] += " AND #version = :expected"
        condition["ExpressionAttributeNames"] = {"#version": "version"}
        condition["ExpressionAttributeValues"] = _to_attributes({":expected": if_match.version})
    return condition


def _update_request(
    table_name: str, key: Mapping[str, str], fields: Mapping[str, Any], if_match: IfMatch | None
) -> dict[str, Any]:
    """An UpdateItem that sets `fields` and bumps `version`, under `_precondition(if_match)`."""
    precondition = _precondition(if_match)
    names = {"#version": "version", **{f"#f{i}": name for i, name in enumerate(fields)}}
    values = {":one": 1, **{f":f{i}": value for i, value in enumerate(fields.values())}}
    assignments = ["#version = #version + :one", *(f"#f{i} = :f{i}" for i in range(len(fields)))]
    return {
        "TableName": table_name,
        "Key": _to_attributes(key),
        "UpdateExpression": "SET " + ", ".join(assignments),
        "ConditionExpression": precondition["ConditionExpression"],
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": {
            **_to_attributes(values),
            **precondition.get("ExpressionAttributeValues", {}),
        },
    }


class Repository:
    def __init__(self, client: Any, table_name: str, clock: Clock = utc_now) -> None:
        self._client = client
        self._table = table_name
        self._clock = clock

    # Users

    def create_user(self, *, user_id: str, email: str, name: str) -> User:
        now = self._clock()
        user = User(user_id=user_id, email=email, name=name, created_at=now, updated_at=now, version=1)
        try:
            self._write(
                "transact_write_items",
                TransactItems=[
                    {"Put": self._put_new(_profile_record(user))},
                    {"Put": self._put_new(_email_claim_record(email, user_id))},
                ],
            )
        except ClientError as error:
            failed = self._failed_conditions(error)
            if failed[0]:
                raise UserExistsError(f"user {user_id} already exists") from error
            raise EmailTakenError(f"email {email} belongs to another user") from error
        return user

    def get_profile(self, user_id: str) -> User:
        return _user_from(self._get(schema.profile_key(user_id), f"user {user_id} not found"))

    def get_profile_with_items(self, user_id: str, *, limit: int) -> tuple[User, ItemsPage]:
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
        return _user_from(rows[0]), self._page(rows[1:], limit, user_id, status=None)

    def update_profile(self, user_id: str, *, changes: Mapping[str, str], if_match: IfMatch | None) -> User:
        if "email" not in changes:
            return self._update_profile_fields(user_id, changes, if_match)
        for _ in range(_READ_THEN_WRITE_ATTEMPTS):
            current = self._current_profile(user_id, if_match)
            pinned = IfMatch(current.version)
            try:
                if changes["email"].lower() == current.email.lower():
                    return self._update_profile_fields(user_id, changes, pinned)
                return self._move_email_claim(current, changes, pinned)
            except PreconditionFailedError:
                if if_match is not None:
                    raise
        raise PreconditionFailedError(f"user {user_id} kept changing; try again")

    def delete_user(self, user_id: str, *, if_match: IfMatch | None) -> None:
        """Delete the profile and email claim, then every item; a retry finishes a partial delete."""
        for _ in range(_READ_THEN_WRITE_ATTEMPTS):
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
            except PreconditionFailedError:
                if if_match is not None:
                    raise
        else:
            raise PreconditionFailedError(f"user {user_id} kept changing; try again")
        self._delete_items_of(user_id)

    def _current_profile(self, user_id: str, if_match: IfMatch | None) -> User:
        current = self.get_profile(user_id)
        if if_match is not None and not if_match.allows(current.version):
            raise PreconditionFailedError(f"user {user_id} is at version {current.version}")
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
            item_id=new_id(),
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
        request = _update_request(self._table, schema.item_key(user_id, item_id), fields, if_match)
        # The old image plus the fields set is exactly the new one, and tells a completion apart.
        response = self._conditional("update_item", request, f"item {item_id}", ReturnValues="ALL_OLD")
        before = _item_from(response["Attributes"])
        after_values = {**before.model_dump(by_alias=True), **fields, "version": before.version + 1}
        return ItemChange(before=before, after=Item.model_validate(after_values))

    def delete_item(self, user_id: str, item_id: str, *, if_match: IfMatch | None) -> None:
        request = {"TableName": self._table, "Key": _to_attributes(schema.item_key(user_id, item_id))}
        if if_match is not None:
            request.update(_precondition(if_match))
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
        **extra: Any,
    ) -> dict[str, Any]:
        """Run a conditional write; a failed condition is 404 (absent) or 412 (other version)."""
        try:
            response = self._write(operation, **request, ReturnValuesOnConditionCheckFailure="ALL_OLD", **extra)
        except ClientError as error:
            if _error_code(error) != "ConditionalCheckFailedException":
                raise
            if "Item" in error.response or missing_is_precondition:
                raise PreconditionFailedError(f"{subject} does not match If-Match") from error
            raise NotFoundError(f"{subject} not found") from error
        return response

    def _update_profile_fields(self, user_id: str, changes: Mapping[str, str], if_match: IfMatch | None) -> User:
        fields = {**changes, "updatedAt": self._clock()}
        request = _update_request(self._table, schema.profile_key(user_id), fields, if_match)
        response = self._conditional("update_item", request, f"user {user_id}", ReturnValues="ALL_NEW")
        return _user_from(response["Attributes"])

    def _move_email_claim(self, current: User, changes: Mapping[str, str], pinned: IfMatch) -> User:
        now = self._clock()
        update = _update_request(
            self._table, schema.profile_key(current.user_id), {**changes, "updatedAt": now}, pinned
        )
        new_email = changes["email"]
        try:
            self._write(
                "transact_write_items",
                TransactItems=[
                    {"Update": update},
                    {"Delete": self._release_claim(current)},
                    {"Put": self._put_new(_email_claim_record(new_email, current.user_id))},
                ],
            )
        except ClientError as error:
            failed = self._failed_conditions(error)
            if failed[2]:
                raise EmailTakenError(f"email {new_email} belongs to another user") from error
            raise PreconditionFailedError(f"user {current.user_id} changed meanwhile") from error
        return current.model_copy(update={**changes, "updated_at": now, "version": current.version + 1})

    def _release_claim(self, user: User) -> dict[str, Any]:
        """Delete the user's email claim; never one another user holds."""
        return {
            "TableName": self._table,
            "Key": _to_attributes(schema.email_claim_key(user.email)),
            "ConditionExpression": f"attribute_not_exists({schema.PARTITION_KEY}) OR userId = :user_id",
            "ExpressionAttributeValues": _to_attributes({":user_id": user.user_id}),
        }

    def _delete_profile_and_claim(self, user: User) -> None:
        delete_profile = {
            "TableName": self._table,
            "Key": _to_attributes(schema.profile_key(user.user_id)),
            "ConditionExpression": "#version = :version",
            "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": _to_attributes({":version": user.version}),
        }
        try:
            self._write(
                "transact_write_items",
                TransactItems=[{"Delete": delete_profile}, {"Delete": self._release_claim(user)}],
            )
        except ClientError as error:
            self._failed_conditions(error)
            raise PreconditionFailedError(f"user {user.user_id} changed meanwhile") from error

    def _delete_items_of(self, user_id: str) -> None:
        for keys in self._item_key_batches(user_id):
            requests = [{"DeleteRequest": {"Key": key}} for key in keys]
            attempt = 0
            while requests:
                response = self._client.batch_write_item(RequestItems={self._table: requests})
                requests = response.get("UnprocessedItems", {}).get(self._table, [])
                if requests:
                    _backoff(attempt)
                    attempt = min(attempt + 1, _WRITE_ATTEMPTS)

    def _item_key_batches(self, user_id: str) -> Iterator[list[dict[str, Any]]]:
        query: dict[str, Any] = {
            "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :prefix)",
            "ExpressionAttributeNames": {"#pk": schema.PARTITION_KEY, "#sk": schema.SORT_KEY},
            "ExpressionAttributeValues": _to_attributes(
                {":pk": schema.user_partition(user_id), ":prefix": schema.ITEM_PREFIX}
            ),
            "ProjectionExpression": "#pk, #sk",
            "Limit": _BATCH_WRITE_LIMIT,
        }
        while True:
            response = self._client.query(TableName=self._table, ConsistentRead=True, **query)
            if response["Items"]:
                yield response["Items"]
            if "LastEvaluatedKey" not in response:
                return
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    @staticmethod
    def _failed_conditions(error: ClientError) -> list[bool]:
        """Which actions of a cancelled transaction failed their condition; anything else re-raises."""
        if _error_code(error) != "TransactionCanceledException":
            raise error
        failed = _cancelled_by_condition(error)
        if not any(failed):
            raise error
        return failed
