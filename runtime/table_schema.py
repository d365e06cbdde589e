"""The single-table design, defined once for the table (components/) and the code (runtime/).

| entity            | PK                 | SK            | statusSK (ByStatus LSI)     |
|-------------------|--------------------|---------------|-----------------------------|
| user profile      | USER#<userId>      | METADATA      | -                           |
| to-do item        | USER#<userId>      | ITEM#<itemId> | STATUS#<status>#<itemId>    |
| email claim       | EMAIL#<canonical>  | EMAIL         | -                           |
| reminder sent     | USER#<userId>      | REMINDER#<itemId>#<dueAt> | -               |

Item ids sort by creation time, so reading a user's partition in descending order meets
METADATA first ("M" > "I"), then the newest items. The status index is local, so it shares
the partition key and can be read with strong consistency.

A reminder record, one per item and due time, holds what the reminder's email needs (the task,
the owner's address and opt-in, read when it fell due) for the notifier, which reads it from the
stream and has no access to the table. It sorts after METADATA ("R" > "M") and has no status key,
so neither the item lists nor the status index ever read one; it expires through the TTL
attribute a while after it was sent, and goes with its user.

A profile and its email claim both carry the profile's `incarnation`, an id drawn when the
profile is created: a user id (a JWT `sub`) can be deleted and created again, an incarnation
never comes back, so conditions on it tell the two profiles apart.

Idempotency records live in a table of their own, keyed by one attribute, each record under its
own partition key: with the status index, one partition key's items would be capped at 10 GB and
at one partition's throughput, which a shared `IDEMPOTENCY` partition reaches in about a day at
200 requests/s. It is powertools' own layout, so the persistence layer needs no custom keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from runtime.emails import canonical_email

PARTITION_KEY = "PK"
SORT_KEY = "SK"
STATUS_SORT_KEY = "statusSK"
# DynamoDB allows one TTL attribute per table. Nothing the runtime writes to the single table
# expires now; idempotency records written there before they moved to their own table (under
# PK=IDEMPOTENCY) still carry it, and expire through it.
TTL_ATTRIBUTE = "expiration"

USER_PREFIX = "USER#"
PROFILE_SORT_KEY = "METADATA"
ITEM_PREFIX = "ITEM#"
STATUS_PREFIX = "STATUS#"
EMAIL_PREFIX = "EMAIL#"
EMAIL_SORT_KEY = "EMAIL"
REMINDER_PREFIX = "REMINDER#"
# A profile's email opt-in, copied onto its reminder records: the notifier's filter reads it.
NOTIFY_BY_EMAIL_ATTRIBUTE = "notifyByEmail"


@dataclass(frozen=True)
class LocalIndex:
    name: str
    sort_key: str
    projection: str = "ALL"


STATUS_INDEX = LocalIndex(name="ByStatus", sort_key=STATUS_SORT_KEY)
LOCAL_INDEXES = (STATUS_INDEX,)

# Every attribute used in a key of the table or an index, with its DynamoDB type.
KEY_ATTRIBUTE_TYPES: dict[str, str] = {PARTITION_KEY: "S", SORT_KEY: "S", STATUS_SORT_KEY: "S"}

# The idempotency table: powertools' default attribute names (`id`, `expiration`), no sort key.
IDEMPOTENCY_KEY = "id"
IDEMPOTENCY_TTL_ATTRIBUTE = "expiration"
IDEMPOTENCY_KEY_ATTRIBUTE_TYPES: dict[str, str] = {IDEMPOTENCY_KEY: "S"}


def user_partition(user_id: str) -> str:
    return f"{USER_PREFIX}{user_id}"


def profile_key(user_id: str) -> dict[str, str]:
    return {PARTITION_KEY: user_partition(user_id), SORT_KEY: PROFILE_SORT_KEY}


def item_sort_key(item_id: str) -> str:
    return f"{ITEM_PREFIX}{item_id}"


def item_key(user_id: str, item_id: str) -> dict[str, str]:
    return {PARTITION_KEY: user_partition(user_id), SORT_KEY: item_sort_key(item_id)}


def reminder_key(user_id: str, item_id: str, due_at: str) -> dict[str, str]:
    """Keyed on the due time: an item moved to a new due time gets a reminder for that one too."""
    return {PARTITION_KEY: user_partition(user_id), SORT_KEY: f"{REMINDER_PREFIX}{item_id}#{due_at}"}


def status_prefix(status: str) -> str:
    return f"{STATUS_PREFIX}{status}#"


def status_sort_key(status: str, item_id: str) -> str:
    return f"{status_prefix(status)}{item_id}"


def email_claim_key(email: str) -> dict[str, str]:
    """Emails are unique in their canonical form (for ASCII, the lower-cased address)."""
    return {PARTITION_KEY: f"{EMAIL_PREFIX}{canonical_email(email)}", SORT_KEY: EMAIL_SORT_KEY}


def create_idempotency_table_request(table_name: str) -> dict[str, object]:
    """The idempotency table as a DynamoDB CreateTable request, for the local API and the tests."""
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": kind} for name, kind in IDEMPOTENCY_KEY_ATTRIBUTE_TYPES.items()
        ],
        "KeySchema": [{"AttributeName": IDEMPOTENCY_KEY, "KeyType": "HASH"}],
    }


def create_table_request(table_name: str) -> dict[str, object]:
    """This design as a DynamoDB CreateTable request, for the local API and the tests.

    The deployed table is built by `components.single_table` from the same constants.
    """
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": kind} for name, kind in KEY_ATTRIBUTE_TYPES.items()
        ],
        "KeySchema": [
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        "LocalSecondaryIndexes": [
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
                    {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": index.projection},
            }
            for index in LOCAL_INDEXES
        ],
    }
