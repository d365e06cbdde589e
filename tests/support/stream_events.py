"""DynamoDB stream batches for the relay, built from records the API wrote on moto (`record_stream`)."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

_RECORDED = Path(__file__).parent / "recorded" / "dynamodb_stream.json"
TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


@cache
def _recorded() -> dict[str, list[dict[str, Any]]]:
    return json.loads(_RECORDED.read_text())


def recorded(step: str, *, index: int = 0) -> dict[str, Any]:
    """A copy of the `index`th record the recorded scenario's `step` wrote (see record_stream)."""
    return copy.deepcopy(_recorded()[step][index])


def recorded_user_id() -> str:
    return str(recorded("create user")["dynamodb"]["NewImage"]["userId"]["S"])


def as_user(record: dict[str, Any], user_id: str) -> dict[str, Any]:
    """The record as if another user had written it: every mention of the recorded user id replaced."""
    text = json.dumps(record).replace(recorded_user_id(), user_id)
    return dict(json.loads(text))


def renumbered(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records in shard order with distinct ids and increasing sequence numbers, as one shard holds them."""
    numbered = copy.deepcopy(records)
    for position, record in enumerate(numbered):
        record["eventID"] = f"{position:04d}{record['eventID'][4:]}"
        record["dynamodb"]["SequenceNumber"] = f"{1_000_000 + position:021d}"
    return numbered


def expired(record: dict[str, Any]) -> dict[str, Any]:
    """A REMOVE record as DynamoDB's time to live writes it."""
    return {**record, "userIdentity": dict(TTL_IDENTITY)}


def poisoned(record: dict[str, Any]) -> dict[str, Any]:
    """A record of the same user the relay cannot read: its new image lacks the item's task."""
    broken = copy.deepcopy(record)
    del broken["dynamodb"]["NewImage"]["task"]
    return broken


def stream_batch(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Records": records}


def sequence_numbers(records: list[dict[str, Any]]) -> list[str]:
    return [record["dynamodb"]["SequenceNumber"] for record in records]
