"""/users/{userId}/items: a user's to-do items."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from runtime import routes
from runtime.api.common import (
    IdempotencyKeyHeader,
    IfMatchHeader,
    ItemId,
    UserId,
    created_response,
    entity_tag,
    error_responses,
    etag_response,
    no_content,
    parse_if_match,
    resource_response,
)
from runtime.api.users import DEFAULT_PAGE_SIZE
from runtime.cursor import MAX_CURSOR_LENGTH, Cursor
from runtime.dependencies import get_repository
from runtime.errors import DueAtPassedError
from runtime.idempotency import Created, create_idempotently
from runtime.models import Item, ItemCreate, ItemPage, ItemStatus, ItemUpdate, is_ahead
from runtime.observability import ITEMS_COMPLETED, ITEMS_CREATED, count

router = APIGatewayHttpRouter()


def _refuse_a_passed_due_time(due_at: str | None) -> None:
    if due_at is not None and not is_ahead(due_at, datetime.now(UTC)):
        raise DueAtPassedError("dueAt must be later than now (60 s of clock skew are tolerated)")


@router.get(
    routes.LIST_ITEMS.resolver_path,
    summary="List a user's items, newest first",
    description="A user with no items, or no such user, gives an empty list.",
    responses={200: {"description": "One page of items"}, **error_responses(routes.LIST_ITEMS)},
)
def list_items(
    user_id: UserId,
    status: Annotated[ItemStatus | None, Query(description="Only items with this status")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=MAX_CURSOR_LENGTH,
            description=(
                "The `nextCursor` of the previous page, or of `GET /users/{userId}?include=items` (unfiltered"
                " only: a cursor continues the list it came from, with the same `status`)"
            ),
        ),
    ] = None,
) -> ItemPage:
    repository = get_repository()
    start = None
    if cursor is not None:
        start = Cursor.decode(cursor)
        start.check_belongs_to(user_id, status)
    if status is None:
        return repository.list_items(user_id, limit=limit, cursor=start)
    return repository.list_items_by_status(user_id, status, limit=limit, cursor=start)


@router.post(
    routes.CREATE_ITEM.resolver_path,
    summary="Create an item for a user",
    responses={201: created_response("The new item"), **error_responses(routes.CREATE_ITEM, body=True)},
)
def create_item(
    user_id: UserId,
    body: Annotated[ItemCreate, Body()],
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response[Item]:
    repository = get_repository()
    _refuse_a_passed_due_time(body.due_at)

    def create() -> Created[Item]:
        item = repository.create_item(user_id, task=body.task, status=body.status, due_at=body.due_at)
        count(ITEMS_CREATED)
        if item.status is ItemStatus.DONE:
            count(ITEMS_COMPLETED)
        return Created(resource=item, etag=entity_tag(item.version))

    created = create_idempotently(
        route=routes.CREATE_ITEM.route_key,
        owner=user_id,
        key=idempotency_key,
        body=body,
        model=Item,
        create=create,
    )
    location = f"/users/{user_id}/items/{created.resource.item_id}"
    return resource_response(created.resource, etag=created.etag, status=201, location=location)


@router.get(
    routes.GET_ITEM.resolver_path,
    summary="Get one item",
    responses={200: etag_response("The item"), **error_responses(routes.GET_ITEM)},
)
def get_item(user_id: UserId, item_id: ItemId) -> Response[Item]:
    repository = get_repository()
    item = repository.get_item(user_id, item_id)
    return resource_response(item, etag=entity_tag(item.version))


@router.patch(
    routes.UPDATE_ITEM.resolver_path,
    summary="Change an item's task, status and/or due time",
    description="`dueAt: null` clears the due time (and cancels its reminder); null is refused for every other field.",
    responses={200: etag_response("The changed item"), **error_responses(routes.UPDATE_ITEM, body=True, if_match=True)},
)
def update_item(
    user_id: UserId,
    item_id: ItemId,
    body: Annotated[ItemUpdate, Body()],
    if_match: IfMatchHeader = None,
) -> Response[Item]:
    repository = get_repository()
    _refuse_a_passed_due_time(body.due_at)
    change = repository.update_item(user_id, item_id, changes=body.changes(), if_match=parse_if_match(if_match))
    if change.after.status is ItemStatus.DONE and change.before.status is not ItemStatus.DONE:
        count(ITEMS_COMPLETED)
    return resource_response(change.after, etag=entity_tag(change.after.version))


@router.delete(
    routes.DELETE_ITEM.resolver_path,
    summary="Delete one item",
    description="Idempotent: deleting an item that is already gone answers 204, unless If-Match is given.",
    responses={204: {"description": "Deleted", "content": {}}, **error_responses(routes.DELETE_ITEM, if_match=True)},
)
def delete_item(user_id: UserId, item_id: ItemId, if_match: IfMatchHeader = None) -> Response[None]:
    repository = get_repository()
    repository.delete_item(user_id, item_id, if_match=parse_if_match(if_match))
    return no_content()
