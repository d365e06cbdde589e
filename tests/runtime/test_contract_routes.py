"""The resolver serves exactly the route table API Gateway is given, and documents every route."""

import json

from runtime.api.field_errors import PATTERN_MEANINGS
from runtime.api.openapi_document import error_schema_name
from runtime.handler import app, openapi_json
from runtime.models import ErrorResponse
from runtime.routes import ROUTES, match_path


def test_the_resolver_serves_exactly_the_route_table():
    document = json.loads(openapi_json())

    served = {f"{method.upper()} {path}" for path, operations in document["paths"].items() for method in operations}

    assert served == {route.route_key for route in ROUTES}


GATEWAY_MESSAGE = {"$ref": "#/components/schemas/GatewayMessage"}


def _declared_by_the_function(route):
    """The statuses the route's own code declares, before the document adds API Gateway's."""
    generated = json.loads(app.get_openapi_json_schema())
    return set(generated["paths"][route.path][route.method.lower()]["responses"])


def test_every_error_response_is_documented_in_its_statuss_error_schema_or_api_gateways():
    document = json.loads(openapi_json())

    for route in ROUTES:
        declared = _declared_by_the_function(route)
        for status, response in document["paths"][route.path][route.method.lower()]["responses"].items():
            schema = response["content"]["application/json"]["schema"] if int(status) >= 400 else None
            own_schema = {"$ref": f"#/components/schemas/{error_schema_name(int(status))}"}
            from_gateway = (
                status == "401"
                or (route.requires_auth and status == "403")
                or ("{" in route.path and status in {"400", "404"})
            )
            if from_gateway and status in declared:
                # API Gateway refuses an undecodable path (400), one that decodes to no route (404)
                # and a valid token without the route's scope (403).
                assert schema == {"anyOf": [own_schema, GATEWAY_MESSAGE]}, f"{route.route_key} {status}"
            elif from_gateway:
                assert schema == GATEWAY_MESSAGE, f"{route.route_key} {status}"
            elif schema is not None:
                assert schema == own_schema, f"{route.route_key} {status}"


def test_every_route_with_path_parameters_documents_api_gateways_path_refusals():
    document = json.loads(openapi_json())

    for route in (route for route in ROUTES if "{" in route.path):
        assert {"400", "404"} <= set(document["paths"][route.path][route.method.lower()]["responses"]), route.route_key


def test_every_route_the_authorizer_guards_documents_the_token_and_its_401():
    document = json.loads(openapi_json())

    for route in ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        assert ("401" in operation["responses"]) is route.requires_auth, route.route_key
        assert ("from API Gateway" in operation["responses"].get("403", {}).get("description", "")) is (
            route.requires_auth
        ), route.route_key
        assert (operation.get("security") == [{"bearerAuth": []}, {}]) is route.requires_auth, route.route_key


def test_route_paths_match_one_segment_per_parameter():
    assert match_path("/users/{userId}/items", "/users/U1/items") == {"userId": "U1"}
    assert match_path("/users/{userId}", "/users/U1/items") is None
    assert match_path("/users/{userId}", "/users/") is None


def test_every_error_schema_has_the_one_error_shape():
    schemas = json.loads(openapi_json())["components"]["schemas"]
    shape = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")

    error_schemas = {
        name: schema for name, schema in schemas.items() if name.endswith("Error") and name != "FieldError"
    }

    assert set(error_schemas) == {error_schema_name(status) for status in (400, 403, 404, 409, 412, 413, 415, 422)}
    for name, schema in error_schemas.items():
        assert (schema["properties"], schema["required"], schema["title"]) == (shape["properties"], ["error"], name)


def test_every_operation_has_its_camel_case_id_and_its_tag():
    document = json.loads(openapi_json())

    operations = {
        route.route_key: (operation["operationId"], operation["tags"])
        for route in ROUTES
        for operation in [document["paths"][route.path][route.method.lower()]]
    }

    assert operations == {
        "GET /health": ("getHealth", ["health"]),
        "POST /users": ("createUser", ["users"]),
        "GET /users/{userId}": ("getUser", ["users"]),
        "PATCH /users/{userId}": ("updateUser", ["users"]),
        "DELETE /users/{userId}": ("deleteUser", ["users"]),
        "GET /users/{userId}/items": ("listItems", ["items"]),
        "POST /users/{userId}/items": ("createItem", ["items"]),
        "GET /users/{userId}/items/{itemId}": ("getItem", ["items"]),
        "PATCH /users/{userId}/items/{itemId}": ("updateItem", ["items"]),
        "DELETE /users/{userId}/items/{itemId}": ("deleteItem", ["items"]),
        "POST /users/{userId}/items/{itemId}/attachments": ("createAttachment", ["attachments"]),
        "GET /users/{userId}/items/{itemId}/attachments/{attachmentId}": ("getAttachment", ["attachments"]),
        "DELETE /users/{userId}/items/{itemId}/attachments/{attachmentId}": ("deleteAttachment", ["attachments"]),
    }
    assert [tag["name"] for tag in document["tags"]] == ["users", "items", "attachments", "health"]


def test_the_responses_that_send_an_etag_or_a_location_declare_it():
    document = json.loads(openapi_json())

    declared = {
        (route.route_key, status): sorted(response.get("headers", {}))
        for route in ROUTES
        for status, response in document["paths"][route.path][route.method.lower()]["responses"].items()
        if int(status) < 300
    }

    assert declared == {
        ("GET /health", "200"): [],
        ("POST /users", "201"): ["ETag", "Location"],
        ("GET /users/{userId}", "200"): ["ETag"],
        ("PATCH /users/{userId}", "200"): ["ETag"],
        ("DELETE /users/{userId}", "204"): [],
        ("GET /users/{userId}/items", "200"): [],
        ("POST /users/{userId}/items", "201"): ["ETag", "Location"],
        ("GET /users/{userId}/items/{itemId}", "200"): ["ETag"],
        ("PATCH /users/{userId}/items/{itemId}", "200"): ["ETag"],
        ("DELETE /users/{userId}/items/{itemId}", "204"): [],
        ("POST /users/{userId}/items/{itemId}/attachments", "201"): ["Location"],
        ("GET /users/{userId}/items/{itemId}/attachments/{attachmentId}", "200"): [],
        ("DELETE /users/{userId}/items/{itemId}/attachments/{attachmentId}", "204"): [],
    }


def _patterns(schema):
    if isinstance(schema, dict):
        if isinstance(schema.get("pattern"), str):
            yield schema["pattern"]
        for value in schema.values():
            yield from _patterns(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _patterns(value)


def test_every_pattern_the_document_declares_has_a_meaning_validation_messages_say():
    assert set(_patterns(json.loads(openapi_json()))) <= set(PATTERN_MEANINGS)


def test_both_item_lists_say_that_the_profiles_next_cursor_continues_at_the_items_list():
    document = json.loads(openapi_json())
    list_items = document["paths"]["/users/{userId}/items"]["get"]

    cursor = next(parameter for parameter in list_items["parameters"] if parameter["name"] == "cursor")

    assert "GET /users/{userId}?include=items" in cursor["description"]
    assert "GET /users/{userId}/items" in document["paths"]["/users/{userId}"]["get"]["description"]
    assert (
        "GET /users/{userId}/items"
        in document["components"]["schemas"]["UserWithItems"]["properties"]["nextCursor"]["description"]
    )
