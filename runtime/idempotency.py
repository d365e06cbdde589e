"""Idempotent creates: a POST with an `Idempotency-Key` runs once, and its replays get its result.

Records live in a table of their own (see `runtime.table_schema`), each under its own partition
key, expire through its TTL attribute, and are keyed by the route, the key's owner and the key
itself, so two users may use the same key. The request body is the payload hash: the same key with another
body is refused instead of replayed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Generic, TypeVar

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from pydantic import BaseModel

from runtime import table_schema as schema
from runtime.dependencies import dynamodb_client, settings

Record = dict[str, Any]
Resource = TypeVar("Resource", bound=BaseModel)


@dataclass(frozen=True)
class Created(Generic[Resource]):
    """What a create answers, and a replay repeats: the new resource and its ETag."""

    resource: Resource
    etag: str


@cache
def idempotency_config() -> IdempotencyConfig:
    return IdempotencyConfig(
        event_key_jmespath="[route, owner, key]",
        payload_validation_jmespath="body",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=settings().idempotency_ttl_seconds,
    )


@cache
def _run_once() -> Callable[..., Record]:
    persistence = DynamoDBPersistenceLayer(
        table_name=settings().idempotency_table_name,
        key_attr=schema.IDEMPOTENCY_KEY,
        expiry_attr=schema.IDEMPOTENCY_TTL_ATTRIBUTE,
        boto3_client=dynamodb_client(),
    )

    @idempotent_function(
        data_keyword_argument="request",
        persistence_store=persistence,
        config=idempotency_config(),
    )
    def create_once(*, request: Record, create: Callable[[], Record]) -> Record:
        return create()

    return create_once  # type: ignore[no-any-return]


def clear_persistence() -> None:
    """Forget the persistence layer and its client, e.g. between tests with separate accounts."""
    _run_once.cache_clear()
    idempotency_config.cache_clear()


def create_idempotently(
    *,
    route: str,
    owner: str,
    key: str | None,
    body: BaseModel,
    model: type[Resource],
    create: Callable[[], Created[Resource]],
) -> Created[Resource]:
    """Run `create`, or with a key it has already seen for this route and owner, replay its result."""
    if key is None:
        return create()

    def create_record() -> Record:
        created = create()
        return {"resource": created.resource.model_dump(mode="json", by_alias=True), "etag": created.etag}

    request = {"route": route, "owner": owner, "key": key, "body": body.model_dump(mode="json")}
    record = _run_once()(request=request, create=create_record)
    return Created(resource=model.model_validate(record["resource"]), etag=record["etag"])
