"""The connections table: who holds which WebSocket connection, named after its access patterns."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from runtime.realtime.schema import (
    CONNECTION_ID_ATTRIBUTE,
    CONNECTION_LIFETIME_SECONDS,
    PARTITION_KEY,
    TTL_ATTRIBUTE,
    USER_ID_ATTRIBUTE,
    membership_key,
    owner_key,
    user_partition,
)


class ConnectionRegistry:
    def __init__(self, client: Any, table_name: str, *, clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self._table = table_name
        self._clock = clock

    def register(self, connection_id: str, user_id: str) -> None:
        """Both records of the connection at once, expiring when API Gateway would close it."""
        attributes = {
            USER_ID_ATTRIBUTE: {"S": user_id},
            CONNECTION_ID_ATTRIBUTE: {"S": connection_id},
            TTL_ATTRIBUTE: {"N": str(int(self._clock()) + CONNECTION_LIFETIME_SECONDS)},
        }
        self._client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": self._table, "Item": {**owner_key(connection_id), **attributes}}},
                {"Put": {"TableName": self._table, "Item": {**membership_key(user_id, connection_id), **attributes}}},
            ]
        )

    def remove(self, connection_id: str) -> None:
        """Forget a connection by its id alone ($disconnect); nothing when it is already gone."""
        owner = self._client.delete_item(TableName=self._table, Key=owner_key(connection_id), ReturnValues="ALL_OLD")
        user_id = owner.get("Attributes", {}).get(USER_ID_ATTRIBUTE, {}).get("S")
        if user_id:
            self.remove_of_user(user_id, connection_id)

    def remove_of_user(self, user_id: str, connection_id: str) -> None:
        """Forget a connection of a known user (the pusher's 410)."""
        self._client.delete_item(TableName=self._table, Key=membership_key(user_id, connection_id))
        self._client.delete_item(TableName=self._table, Key=owner_key(connection_id))

    def connections_of(self, user_id: str) -> list[str]:
        """The user's live connections (expired records DynamoDB has not dropped yet are left out)."""
        now = str(int(self._clock()))
        found: list[str] = []
        arguments: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "#pk = :pk",
            "FilterExpression": "#expires > :now",
            "ExpressionAttributeNames": {"#pk": PARTITION_KEY, "#expires": TTL_ATTRIBUTE},
            "ExpressionAttributeValues": {":pk": {"S": user_partition(user_id)}, ":now": {"N": now}},
            "ProjectionExpression": CONNECTION_ID_ATTRIBUTE,
            "ConsistentRead": True,
        }
        while True:
            page = self._client.query(**arguments)
            found += [item[CONNECTION_ID_ATTRIBUTE]["S"] for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return found
            arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]
