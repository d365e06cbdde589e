"""/users: profiles, and the profile-with-items read."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from runtime import routes
from runtime.api.caller import verified_email, verified_subject
from runtime.api.common import (
    IdempotencyKeyHeader,
    IfMatchHeader,
    UserId,
    created_response,
    error_responses,
    etag_response,
    no_content,
    parse_if_match,
    profile_tag,
    resource_response,
)
from runtime.dependencies import get_repository
from runtime.emails import same_address
from runtime.errors import EmailNotVerifiedError
from runtime.idempotency import Created, create_idempotently
from runtime.ids import new_id
from runtime.models import User, UserCreate, UserUpdate, UserWithItems
from runtime.observability import USERS_CREATED, count

DEFAULT_PAGE_SIZE = 25

router = APIGatewayHttpRouter()


def _only_the_verified_email(email: str) -> None:
    """With a verified `email` claim, that address is the only one the caller may hold."""
    claimed = verified_email(router.current_event.raw_event)
    if claimed is not None and not same_address(email, claimed):
        raise EmailNotVerifiedError("the email must be the one your token says is verified")


@router.post(
    routes.CREATE_USER.resolver_path,
    summary="Create a user",
    description=(
        "With a verified JWT the new user's id is the token's `sub`, and when the token carries a verified"
        " `email` the profile must use that address. Emails are unique."
    ),
    responses={201: created_response("The new user"), **error_responses(routes.CREATE_USER, body=True)},
)
def create_user(
    body: Annotated[UserCreate, Body()],
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response[User]:
    repository = get_repository()
    subject = verified_subject(router.current_event.raw_event)
    _only_the_verified_email(body.email)

    def create() -> Created[User]:
        notifications = None if body.notifications is None else body.notifications.changes()
        profile = repository.create_user(
            user_id=subject or new_id(), email=body.email, name=body.name, notifications=notifications
        )
        count(USERS_CREATED)
        return Created(resource=profile.user, etag=profile_tag(profile))

    created = create_idempotently(
        route=routes.CREATE_USER.route_key,
        owner=subject or "anonymous",
        key=idempotency_key,
        body=body,
        model=User,
        create=create,
    )
    location = f"/users/{created.resource.user_id}"
    return resource_response(created.resource, etag=created.etag, status=201, location=location)


@router.get(
    routes.GET_USER.resolver_path,
    summary="Get a user's profile, optionally with the first page of its items",
    description=(
        f"With `include=items`, the newest {DEFAULT_PAGE_SIZE} items; pass its `nextCursor` as `cursor` to"
        " `GET /users/{userId}/items` (without `status`) for the rest."
    ),
    responses={
        200: etag_response("The profile, or with `include=items` the profile and its items"),
        **error_responses(routes.GET_USER),
    },
)
def get_user(
    user_id: UserId,
    include: Annotated[Literal["items"] | None, Query(description="`items` adds the newest items")] = None,
) -> Response[User | UserWithItems]:
    repository = get_repository()
    if include == "items":
        profile, page = repository.get_profile_with_items(user_id, limit=DEFAULT_PAGE_SIZE)
        body = UserWithItems(user=profile.user, items=page.items, next_cursor=page.next_cursor)
        return resource_response(body, etag=profile_tag(profile))
    profile = repository.get_profile(user_id)
    return resource_response(profile.user, etag=profile_tag(profile))


@router.patch(
    routes.UPDATE_USER.resolver_path,
    summary="Change a user's name, email and/or notification opt-ins",
    description="`notifications` merges: the channels given change, the others stay as they are.",
    responses={200: etag_response("The changed user"), **error_responses(routes.UPDATE_USER, body=True, if_match=True)},
)
def update_user(
    user_id: UserId,
    body: Annotated[UserUpdate, Body()],
    if_match: IfMatchHeader = None,
) -> Response[User]:
    repository = get_repository()
    if body.email is not None:
        _only_the_verified_email(body.email)
    profile = repository.update_profile(user_id, changes=body.changes(), if_match=parse_if_match(if_match))
    return resource_response(profile.user, etag=profile_tag(profile))


@router.delete(
    routes.DELETE_USER.resolver_path,
    summary="Delete a user, its email and all its items",
    description="Idempotent: deleting a user that is already gone answers 204 and finishes any partial delete.",
    responses={204: {"description": "Deleted", "content": {}}, **error_responses(routes.DELETE_USER, if_match=True)},
)
def delete_user(user_id: UserId, if_match: IfMatchHeader = None) -> Response[None]:
    repository = get_repository()
    repository.delete_user(user_id, if_match=parse_if_match(if_match))
    return no_content()
