"""Finishing touches on the OpenAPI document powertools generates from the routes and models."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from runtime.api.common import JSON
from runtime.routes import ROUTES

_POWERTOOLS_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")
_POWERTOOLS_422 = {"$ref": "#/components/schemas/HTTPValidationError"}

BEARER_AUTH = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": (
        "A token from the stack's issuer (Cognito user pool, or your own with authMode `jwt`), checked by "
        "API Gateway's JWT authorizer. Stacks with authMode `none` (dev) and the local API without --auth "
        "are open, so the token is optional in this document."
    ),
}
GATEWAY_MESSAGE = {
    "type": "object",
    "properties": {"message": {"type": "string"}},
    "required": ["message"],
    "description": 'API Gateway\'s own error body, e.g. 401 `{"message":"Unauthorized"}`.',
}


_GATEWAY_MESSAGE_REF = {"$ref": "#/components/schemas/GatewayMessage"}
_ERROR_RESPONSE_REF = {"$ref": "#/components/schemas/ErrorResponse"}
# An HTTP API percent-decodes the path before routing, so an id carrying an encoded `/` or `?`
# becomes a path no route matches, and an invalid escape is refused: API Gateway answers those.
_GATEWAY_PATH_REFUSALS = {
    "400": "a path that cannot be percent-decoded",
    "404": "a decoded path that no route matches (an id with an encoded `/`)",
}
# A valid token without any scope the route requires: an ID token, where access tokens are required.
_GATEWAY_SCOPE_REFUSAL = "a valid token without a scope the route requires (e.g. an ID token)"


TAGS = [
    {"name": "users", "description": "User profiles"},
    {"name": "items", "description": "A user's to-do items"},
    {"name": "attachments", "description": "Files on an item, uploaded and downloaded with presigned S3 requests"},
    {"name": "health", "description": "Liveness"},
]


def finish(document: dict[str, Any]) -> dict[str, Any]:
    _name_operations(document)
    _drop_powertools_default_422(document)
    _one_error_schema_per_status(document)
    document["components"]["schemas"]["GatewayMessage"] = GATEWAY_MESSAGE
    _declare_bearer_auth(document)
    _declare_gateway_path_refusals(document)
    return document


def _name_operations(document: dict[str, Any]) -> None:
    """The route table's camelCase operationIds and tags, for generated clients (`createUser`, not
    powertools' `create_user_users_post`)."""
    document["tags"] = TAGS
    for route in ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        operation["operationId"] = route.operation_id
        operation["tags"] = [route.tag]


def _drop_powertools_default_422(document: dict[str, Any]) -> None:
    """Powertools documents a 422 in its own shape on every route; ours answer validation errors
    in the one error shape, declared per route, so its default 422 and its schemas go."""
    for operations in document["paths"].values():
        for operation in operations.values():
            responses = operation["responses"]
            if responses.get("422", {}).get("content", {}).get(JSON, {}).get("schema") == _POWERTOOLS_422:
                del responses["422"]
    for name in _POWERTOOLS_VALIDATION_SCHEMAS:
        document["components"]["schemas"].pop(name, None)


def error_schema_name(status: int) -> str:
    """`NotFoundError` for 404: the component a generated client names the error type of a status after."""
    return HTTPStatus(status).phrase.title().replace(" ", "").replace("-", "") + "Error"


def _one_error_schema_per_status(document: dict[str, Any]) -> None:
    """Each error status gets its own schema, in the one error shape, so that a generated client
    has a type per status (`NotFoundError`, `ConflictError`) that says what causes it."""
    schemas = document["components"]["schemas"]
    shape = schemas.pop("ErrorResponse")
    for operations in document["paths"].values():
        for operation in operations.values():
            for status, response in operation["responses"].items():
                content = response.get("content", {}).get(JSON, {})
                if content.get("schema") != _ERROR_RESPONSE_REF:
                    continue
                name = error_schema_name(int(status))
                schemas[name] = {**shape, "title": name, "description": response["description"]}
                content["schema"] = {"$ref": f"#/components/schemas/{name}"}


def _declare_bearer_auth(document: dict[str, Any]) -> None:
    """Routes the authorizer guards take a bearer token, or none where the stack runs open."""
    document["components"]["securitySchemes"] = {"bearerAuth": BEARER_AUTH}
    for route in ROUTES:
        if route.requires_auth:
            operation = document["paths"][route.path][route.method.lower()]
            operation["security"] = [{"bearerAuth": []}, {}]
            operation["responses"]["401"] = {
                "description": "No valid token: refused by API Gateway's JWT authorizer before the function",
                "content": {JSON: {"schema": _GATEWAY_MESSAGE_REF}},
            }
            _declare_gateway_refusal(operation["responses"], "403", _GATEWAY_SCOPE_REFUSAL)


def _declare_gateway_path_refusals(document: dict[str, Any]) -> None:
    """On routes with path parameters, 400 and 404 may also come from API Gateway, in its shape."""
    for route in ROUTES:
        if "{" not in route.path:
            continue
        responses = document["paths"][route.path][route.method.lower()]["responses"]
        for status, cause in _GATEWAY_PATH_REFUSALS.items():
            _declare_gateway_refusal(responses, status, cause)


def _declare_gateway_refusal(responses: dict[str, Any], status: str, cause: str) -> None:
    """API Gateway may answer `status` itself, in its shape, besides any answer of the function's."""
    from_gateway = f"from API Gateway: {cause}"
    if status not in responses:
        responses[status] = {"description": from_gateway, "content": {JSON: {"schema": _GATEWAY_MESSAGE_REF}}}
        return
    responses[status]["description"] += f"; {from_gateway}"
    content = responses[status]["content"][JSON]
    content["schema"] = {"anyOf": [content["schema"], _GATEWAY_MESSAGE_REF]}
