"""The HTTP API's route table: API Gateway creates one route per entry, the resolver serves them.

Paths use API Gateway's `{param}` syntax; `resolver_path` gives powertools' `<param>` form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PATH_PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    operation_id: str
    """The OpenAPI operationId: what a generated client names the call."""
    tag: str
    """The OpenAPI tag: the group a generated client puts the call in."""
    requires_auth: bool = True

    @property
    def route_key(self) -> str:
        """The route key API Gateway uses, e.g. `GET /users/{userId}`."""
        return f"{self.method} {self.path}"

    @property
    def resolver_path(self) -> str:
        return _PATH_PARAMETER.sub(r"<\1>", self.path)


def match_path(template: str, path: str) -> dict[str, str] | None:
    """The parameters of `path` if it matches the route path `template`, as API Gateway matches them:
    each `{param}` is one non-empty path segment. None if it does not match.

    For the local API's router, which matches the route table; `template` must come from it, never
    from a request. The runtime reads the path parameters its resolver matched.
    """
    pattern = _PATH_PARAMETER.sub(r"(?P<\1>[^/]+)", template)
    match = re.fullmatch(pattern, path)
    return match.groupdict() if match else None


HEALTH = Route("GET", "/health", "getHealth", "health", requires_auth=False)
CREATE_USER = Route("POST", "/users", "createUser", "users")
GET_USER = Route("GET", "/users/{userId}", "getUser", "users")
UPDATE_USER = Route("PATCH", "/users/{userId}", "updateUser", "users")
DELETE_USER = Route("DELETE", "/users/{userId}", "deleteUser", "users")
LIST_ITEMS = Route("GET", "/users/{userId}/items", "listItems", "items")
CREATE_ITEM = Route("POST", "/users/{userId}/items", "createItem", "items")
GET_ITEM = Route("GET", "/users/{userId}/items/{itemId}", "getItem", "items")
UPDATE_ITEM = Route("PATCH", "/users/{userId}/items/{itemId}", "updateItem", "items")
DELETE_ITEM = Route("DELETE", "/users/{userId}/items/{itemId}", "deleteItem", "items")
CREATE_ATTACHMENT = Route("POST", "/users/{userId}/items/{itemId}/attachments", "createAttachment", "attachments")
GET_ATTACHMENT = Route(
    "GET", "/users/{userId}/items/{itemId}/attachments/{attachmentId}", "getAttachment", "attachments"
)
DELETE_ATTACHMENT = Route(
    "DELETE", "/users/{userId}/items/{itemId}/attachments/{attachmentId}", "deleteAttachment", "attachments"
)

ROUTES: tuple[Route, ...] = (
    HEALTH,
    CREATE_USER,
    GET_USER,
    UPDATE_USER,
    DELETE_USER,
    LIST_ITEMS,
    CREATE_ITEM,
    GET_ITEM,
    UPDATE_ITEM,
    DELETE_ITEM,
    CREATE_ATTACHMENT,
    GET_ATTACHMENT,
    DELETE_ATTACHMENT,
)
