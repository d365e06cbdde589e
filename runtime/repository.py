"""The access patterns of the single table, one method each; the HTTP layer sees none of DynamoDB.

How records look is `runtime.records`; how conditional writes are retried and what their failures
mean is `runtime.writes`. Here: which records each access pattern reads and writes, under which
conditions, and which domain error a failed condition is (by the name of the action that failed).

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
| record an item's reminder         | GetItem item + profile, then TransactWriteItems: Update item    |
|                                   | (remindedAt) + ConditionCheck profile + Put reminder record     |

Every read is strongly consistent, so a client reads its own writes and its ETags are current.

A profile is deleted and created again under the same id when a JWT `sub` signs up again, so a
version alone does not say which profile a request read: every write that depends on what was
read conditions on the profile's incarnation as well, and the email claim names the incarnation
that holds it. Whatever the interleaving, each profile then has exactly one claim, and no claim,
and (once a delete has finished) no item, outlives its profile.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

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
from runtime.models import Item, ItemPage, ItemStatus, Notifications, User
from runtime.records import (
    DUE_AT,
    REMINDED_AT,
    Profile,
    email_claim_record,
    from_attributes,
    item_from,
    item_record,
    notification_fields,
    profile_from,
    profile_record,
    reminder_record,
    to_attributes,
)
from runtime.writes import (
    ABSENT,
    EXISTS,
    Condition,
    TransactionCancelledError,
    Writes,
    at_revision,
    backoff,
    of_incarnation,
)

# A transaction holds at most 100 actions: the sweep of a deleted user's items uses one to check
# the profile is still absent and the rest to delete items.
_TRANSACTION_LIMIT = 100
# Changing an email and deleting a user read the profile, then write conditionally on the
# incarnation and version they read; when another writer gets in between, they read again rather
# than lose either change.
_READ_THEN_WRITE_ATTEMPTS = 3

Clock = Callable[[], str]
# How long a reminder record (the owner's address with it) stays once its email is sent.
REMINDER_RECORD_LIFETIME = timedelta(days=7)


class ReminderOutcome(StrEnum):
    RECORDED = "recorded"
    ALREADY_RECORDED = "already_recorded"
    NOT_DUE = "not_due"
    """Gone, DONE, moved to another due time or its user deleted: nothing to remind of."""


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


def _profile_fields(changes: Mapping[str, Any]) -> dict[str, Any]:
    """A profile PATCH's fields as stored: the opt-ins given, each its own attribute."""
    fields = {name: value for name, value in changes.items() if name != "notifications"}
    return {**fields, **notification_fields(changes.get("notifications", {}))}


def _changed_user(user: User, changes: Mapping[str, Any], updated_at: str) -> User:
    notifications = user.notifications.model_copy(update=changes.get("notifications", {}))
    fields = {name: value for name, value in changes.items() if name != "notifications"}
    return user.model_copy(
        update={**fields, "notifications": notifications, "updated_at": updated_at, "version": user.version + 1}
    )


@dataclass(frozen=True)
class ItemChange:
    before: Item
    after: Item


def _as_read(profile: Profile) -> Condition:
    return at_revision(profile.incarnation, profile.user.version)


def _precondition(if_match: IfMatch | None) -> Condition:
    """The condition of a write to an existing record: it exists, at the If-Match revision if given."""
    if if_match is None or if_match.version is None:
        return EXISTS
    return EXISTS & at_revision(if_match.incarnation, if_match.version)


class _ChangedMeanwhile(Exception):  # noqa: N818 - a signal to read again, never leaves the repository
    """A write conditioned on what was read found the records changed since."""


class Repository:
    def __init__(
        self, client: Any, table_name: str, clock: Clock = utc_now, id_source: Callable[[], str] = new_id
    ) -> None:
        self._client = client
        self._table = table_name
        self._clock = clock
        self._writes = Writes(client, table_name)
        self._new_id = id_source

    # Users

    def create_user(
        self, *, user_id: str, email: str, name: str, notifications: Mapping[str, bool] | None = None
    ) -> Profile:
        now = self._clock()
        user = User(
            user_id=user_id,
            email=email,
            name=name,
            notifications=Notifications(**(notifications or {})),
            created_at=now,
            updated_at=now,
            version=1,
        )
        profile = Profile(user=user, incarnation=self._new_id())
        try:
            self._writes.transact(
                {
                    "profile": {"Put": self._writes.put_new(profile_record(profile))},
                    "claim": {"Put": self._writes.put_new(email_claim_record(profile))},
                }
            )
        except TransactionCancelledError as cancelled:
            if "profile" in cancelled.failed:
                raise UserExistsError(f"user {user_id} already exists") from cancelled
            raise EmailTakenError(f"email {email} belongs to another user") from cancelled
        return profile

    def get_profile(self, user_id: str) -> Profile:
        return profile_from(self._get(schema.profile_key(user_id), f"user {user_id} not found"))

    def get_profile_with_items(self, user_id: str, *, limit: int) -> tuple[Profile, ItemPage]:
        rows = self._query(
            KeyConditionExpression="#pk = :pk AND #sk BETWEEN :first_item AND :profile",
            ExpressionAttributeNames={"#pk": schema.PARTITION_KEY, "#sk": schema.SORT_KEY},
            ExpressionAttributeValues=to_attributes(
                {
                    ":pk": schema.user_partition(user_id),
                    ":first_item": schema.ITEM_PREFIX,
                    ":profile": schema.PROFILE_SORT_KEY,
                }
            ),
            # The profile, then one item more than the page, to know whether another page exists.
            Limit=limit + 2,
        )
        if not rows or from_attributes(rows[0])[schema.SORT_KEY] != schema.PROFILE_SORT_KEY:
            raise NotFoundError(f"user {user_id} not found")
        return profile_from(rows[0]), self._page(rows[1:], limit, user_id, status=None)

    def update_profile(self, user_id: str, *, changes: Mapping[str, Any], if_match: IfMatch | None) -> Profile:
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
            backoff(attempt)
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
            backoff(attempt)
        else:
            raise WriteConflictError(f"user {user_id} kept changing; nothing changed, retry shortly")
        self._delete_items_of(user_id)

    def _current_profile(self, user_id: str, if_match: IfMatch | None) -> Profile:
        current = self.get_profile(user_id)
        if if_match is not None and not if_match.allows(current.incarnation, current.user.version):
            raise PreconditionFailedError(f"user {user_id} does not match If-Match")
        return current

    # Items

    def list_items(self, user_id: str, *, limit: int, cursor: Cursor | None) -> ItemPage:
        query: dict[str, Any] = {
            "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :prefix)",
            "ExpressionAttributeNames": {"#pk": schema.PARTITION_KEY, "#sk": schema.SORT_KEY},
            "ExpressionAttributeValues": to_attributes(
                {":pk": schema.user_partition(user_id), ":prefix": schema.ITEM_PREFIX}
            ),
            "Limit": limit + 1,
        }
        if cursor is not None:
            query["ExclusiveStartKey"] = to_attributes(schema.item_key(user_id, cursor.last_item_id))
        return self._page(self._query(**query), limit, user_id, status=None)

    def list_items_by_status(self, user_id: str, status: ItemStatus, *, limit: int, cursor: Cursor | None) -> ItemPage:
        query: dict[str, Any] = {
            "IndexName": schema.STATUS_INDEX.name,
            "KeyConditionExpression": "#pk = :pk AND begins_with(#status_sk, :prefix)",
            "ExpressionAttributeNames": {"#pk": schema.PARTITION_KEY, "#status_sk": schema.STATUS_SORT_KEY},
            "ExpressionAttributeValues": to_attributes(
                {":pk": schema.user_partition(user_id), ":prefix": schema.status_prefix(status)}
            ),
            "Limit": limit + 1,
        }
        if cursor is not None:
            query["ExclusiveStartKey"] = to_attributes(
                {
                    **schema.item_key(user_id, cursor.last_item_id),
                    schema.STATUS_SORT_KEY: schema.status_sort_key(status, cursor.last_item_id),
                }
            )
        return self._page(self._query(**query), limit, user_id, status=status)

    def create_item(self, user_id: str, *, task: str, status: ItemStatus, due_at: str | None = None) -> Item:
        now = self._clock()
        item = Item(
            user_id=user_id,
            item_id=self._new_id(),
            task=task,
            status=status,
            due_at=due_at,
            created_at=now,
            updated_at=now,
            version=1,
        )
        try:
            self._writes.transact(
                {
                    "profile": {"ConditionCheck": self._writes.on(schema.profile_key(user_id), EXISTS)},
                    "item": {"Put": self._writes.put_new(item_record(item))},
                }
            )
        except TransactionCancelledError as cancelled:
            raise NotFoundError(f"user {user_id} not found") from cancelled
        return item

    def get_item(self, user_id: str, item_id: str) -> Item:
        return item_from(self._get(schema.item_key(user_id, item_id), f"item {item_id} not found"), self._clock())

    def update_item(
        self, user_id: str, item_id: str, *, changes: Mapping[str, Any], if_match: IfMatch | None
    ) -> ItemChange:
        # `dueAt: null` clears the due time: the attribute goes.
        removed = [name for name, value in changes.items() if value is None]
        fields: dict[str, Any] = {
            **{name: value for name, value in changes.items() if value is not None},
            "updatedAt": self._clock(),
        }
        if "status" in changes:
            fields["status"] = ItemStatus(changes["status"]).value
            fields[schema.STATUS_SORT_KEY] = schema.status_sort_key(changes["status"], item_id)
        key = schema.item_key(user_id, item_id)
        request = self._writes.update(key, fields, _precondition(if_match), removed=removed)
        # The old image plus the fields set is exactly the new one, and tells a completion apart.
        response = self._writes.conditional("update_item", request, f"item {item_id}", ReturnValues="ALL_OLD")
        before = item_from(response["Attributes"], fields["updatedAt"])
        after_values = {
            **before.model_dump(by_alias=True),
            **fields,
            **dict.fromkeys(removed),
            "version": before.version + 1,
        }
        return ItemChange(before=before, after=Item.model_validate(after_values))

    def delete_item(self, user_id: str, item_id: str, *, if_match: IfMatch | None) -> None:
        condition = None if if_match is None else _precondition(if_match)
        request = self._writes.on(schema.item_key(user_id, item_id), condition)
        self._writes.conditional("delete_item", request, f"item {item_id}", missing_is_precondition=True)

    # Reminders

    def record_reminder(self, user_id: str, item_id: str, *, due_at: str) -> ReminderOutcome:
        """Record that the item's reminder for `due_at` is sent, once, if it is still due then.

        The item's `remindedAt` (not a client change: `version` stays) and the reminder record,
        with the owner's address and opt-in as the profile holds them now, are written together,
        conditional on the item still being due at `due_at` and not DONE, on the profile being the
        one read, and on no reminder record for this due time: a second call records nothing.
        """
        try:
            item = self.get_item(user_id, item_id)
            profile = self.get_profile(user_id)
        except NotFoundError:
            return ReminderOutcome.NOT_DUE
        if item.due_at != due_at or item.status is ItemStatus.DONE:
            return ReminderOutcome.NOT_DUE
        now = self._clock()
        expires = datetime.fromisoformat(now) + REMINDER_RECORD_LIFETIME
        still_due = Condition(
            "#due = :due AND #status <> :done",
            {"#due": DUE_AT, "#status": "status"},
            {":due": due_at, ":done": ItemStatus.DONE.value},
        )
        condition = (EXISTS & still_due).request()
        record_sent = {
            "TableName": self._table,
            "Key": to_attributes(schema.item_key(user_id, item_id)),
            "UpdateExpression": "SET #reminded = :due",
            **condition,
            "ExpressionAttributeNames": {**condition["ExpressionAttributeNames"], "#reminded": REMINDED_AT},
        }
        reminder = reminder_record(profile, item, reminded_at=now, expires_at=int(expires.timestamp()))
        try:
            self._writes.transact(
                {
                    "reminder": {"Put": self._writes.put_new(reminder)},
                    "item": {"Update": record_sent},
                    "profile": {"ConditionCheck": self._writes.on(schema.profile_key(user_id), _as_read(profile))},
                }
            )
        except TransactionCancelledError as cancelled:
            if "reminder" in cancelled.failed:
                return ReminderOutcome.ALREADY_RECORDED
            return ReminderOutcome.NOT_DUE
        return ReminderOutcome.RECORDED

    # Building blocks

    def _get(self, key: Mapping[str, str], missing: str) -> dict[str, Any]:
        response = self._client.get_item(TableName=self._table, Key=to_attributes(key), ConsistentRead=True)
        if "Item" not in response:
            raise NotFoundError(missing)
        item: dict[str, Any] = response["Item"]
        return item

    def _query(self, **query: Any) -> list[dict[str, Any]]:
        response = self._client.query(TableName=self._table, ScanIndexForward=False, ConsistentRead=True, **query)
        items: list[dict[str, Any]] = response["Items"]
        return items

    def _page(self, rows: list[dict[str, Any]], limit: int, user_id: str, status: ItemStatus | None) -> ItemPage:
        now = self._clock()
        items = [item_from(row, now) for row in rows[:limit]]
        next_cursor = None
        if len(rows) > limit:
            next_cursor = Cursor(user_id=user_id, status=status, last_item_id=items[-1].item_id).encode()
        return ItemPage(items=items, next_cursor=next_cursor)

    def _update_profile_fields(
        self,
        user_id: str,
        changes: Mapping[str, Any],
        condition: Condition,
        *,
        mismatch: type[Exception] = PreconditionFailedError,
    ) -> Profile:
        fields = {**_profile_fields(changes), "updatedAt": self._clock()}
        request = self._writes.update(schema.profile_key(user_id), fields, condition)
        response = self._writes.conditional(
            "update_item", request, f"user {user_id}", mismatch=mismatch, ReturnValues="ALL_NEW"
        )
        return profile_from(response["Attributes"])

    def _move_email_claim(self, current: Profile, changes: Mapping[str, Any]) -> Profile:
        now = self._clock()
        moved = Profile(user=_changed_user(current.user, changes, now), incarnation=current.incarnation)
        update = self._writes.update(
            schema.profile_key(current.user.user_id), {**_profile_fields(changes), "updatedAt": now}, _as_read(current)
        )
        try:
            self._writes.transact(
                {
                    "profile": {"Update": update},
                    "old claim": {"Delete": self._release_claim(current)},
                    "new claim": {"Put": self._writes.put_new(email_claim_record(moved))},
                }
            )
        except TransactionCancelledError as cancelled:
            # The new address may be held by this very profile, changed meanwhile: read it again.
            if "new claim" in cancelled.failed and "profile" not in cancelled.failed:
                raise EmailTakenError(f"email {moved.user.email} belongs to another user") from cancelled
            raise _ChangedMeanwhile from cancelled
        return moved

    def _release_claim(self, profile: Profile) -> dict[str, Any]:
        """Delete the profile's email claim; never one another user, or another incarnation, holds."""
        held_by_profile = Condition("userId = :user_id", values={":user_id": profile.user.user_id}) & of_incarnation(
            profile.incarnation
        )
        return self._writes.on(schema.email_claim_key(profile.user.email), ABSENT | held_by_profile)

    def _delete_profile_and_claim(self, profile: Profile) -> None:
        delete_profile = self._writes.on(schema.profile_key(profile.user.user_id), _as_read(profile))
        try:
            self._writes.transact(
                {"profile": {"Delete": delete_profile}, "claim": {"Delete": self._release_claim(profile)}}
            )
        except TransactionCancelledError as cancelled:
            raise _ChangedMeanwhile from cancelled

    def _delete_items_of(self, user_id: str) -> None:
        """Delete what is left under a deleted user (items, reminder records), each batch only while
        the profile is still absent.

        A profile created again meanwhile (the same `sub` signing up again) keeps every item it holds.
        """
        profile_absent = {"ConditionCheck": self._writes.on(schema.profile_key(user_id), ABSENT)}
        query: dict[str, Any] = {
            # The whole partition: the profile is gone, and everything else in it was the user's.
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": schema.PARTITION_KEY, "#sk": schema.SORT_KEY},
            "ExpressionAttributeValues": to_attributes({":pk": schema.user_partition(user_id)}),
            "ProjectionExpression": "#pk, #sk",
            "Limit": _TRANSACTION_LIMIT - 1,
        }
        while True:
            # Each batch is deleted before the next query, which therefore starts from the top again.
            response = self._client.query(TableName=self._table, ConsistentRead=True, **query)
            keys = response["Items"]
            if any(from_attributes(key)[schema.SORT_KEY] == schema.PROFILE_SORT_KEY for key in keys):
                return  # the profile was created again: what is left is its own
            deletes = {
                f"item {index}": {"Delete": {"TableName": self._table, "Key": key}} for index, key in enumerate(keys)
            }
            if deletes:
                try:
                    self._writes.transact({"profile absent": profile_absent, **deletes})
                except TransactionCancelledError:
                    return  # the profile was created again: what is left is its own
            if "LastEvaluatedKey" not in response:
                return
