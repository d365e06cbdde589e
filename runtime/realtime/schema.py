"""The connections table's keys, declared once for the stack's table and the code (pure Python).

A connection is two records written together: `CONNECTION#<id>` says whose it is (what $disconnect
and a 410 know), `USER#<id>` / `CONNECTION#<id>` lists it under its user (what the pusher reads,
one strongly consistent query per event). Both expire with the connection: API Gateway closes a
WebSocket connection after two hours at most, and a record that outlives it is dropped by TTL.
"""

from __future__ import annotations

PARTITION_KEY = "PK"
SORT_KEY = "SK"
KEY_ATTRIBUTE_TYPES = {PARTITION_KEY: "S", SORT_KEY: "S"}
TTL_ATTRIBUTE = "expiresAt"
USER_ID_ATTRIBUTE = "userId"
CONNECTION_ID_ATTRIBUTE = "connectionId"
# API Gateway's maximum connection duration.
CONNECTION_LIFETIME_SECONDS = 2 * 3600

_CONNECTION = "CONNECTION#"
_USER = "USER#"


def owner_key(connection_id: str) -> dict[str, dict[str, str]]:
    return {PARTITION_KEY: {"S": _CONNECTION + connection_id}, SORT_KEY: {"S": _CONNECTION.rstrip("#")}}


def membership_key(user_id: str, connection_id: str) -> dict[str, dict[str, str]]:
    return {PARTITION_KEY: {"S": _USER + user_id}, SORT_KEY: {"S": _CONNECTION + connection_id}}


def user_partition(user_id: str) -> str:
    return _USER + user_id


def create_connections_table_request(table_name: str) -> dict[str, object]:
    """CreateTable's arguments for the local and test tables, keyed as the stack's."""
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
    }
