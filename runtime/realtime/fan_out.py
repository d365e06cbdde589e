"""One event to each of its user's connections, at once: a slow or dead connection fails its own
post (the client's timeouts) and holds back no other. A connection API Gateway says is gone (410)
is forgotten; any other failed post is counted and logged, not retried: the others already have
the event, and a client that reconnects reads the state over HTTP."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from runtime.observability import logger
from runtime.realtime.messages import Push
from runtime.realtime.registry import ConnectionRegistry

GONE = "GoneException"


@dataclass
class Delivery:
    delivered: int = 0
    gone: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _post(client: Any, connection_id: str, payload: bytes) -> str:
    """`delivered`, `gone` or `failed`."""
    try:
        client.post_to_connection(ConnectionId=connection_id, Data=payload)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == GONE:
            return "gone"
        logger.warning("push failed", extra={"connectionId": connection_id, "error": str(error)})
        return "failed"
    except BotoCoreError as error:  # a timeout, a reset connection
        logger.warning("push failed", extra={"connectionId": connection_id, "error": str(error)})
        return "failed"
    return "delivered"


def fan_out(push: Push, registry: ConnectionRegistry, client: Any, executor: ThreadPoolExecutor) -> Delivery:
    connections = registry.connections_of(push.user_id)
    outcomes = executor.map(lambda connection_id: _post(client, connection_id, push.payload), connections)
    delivery = Delivery()
    for connection_id, outcome in zip(connections, outcomes, strict=True):
        if outcome == "delivered":
            delivery.delivered += 1
        elif outcome == "gone":
            delivery.gone.append(connection_id)
            registry.remove_of_user(push.user_id, connection_id)
        else:
            delivery.failed.append(connection_id)
    return delivery
