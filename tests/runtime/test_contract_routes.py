"""The resolver serves exactly the route table API Gateway is given, and documents every route."""

import json

from runtime.handler import openapi_json
from runtime.routes import ROUTES, match_path


def test_the_resolver_serves_exactly_the_route_table():
    document = json.loads(openapi_json())

    served = {f"{method.upper()} {path}" for path, operations in document["paths"].items() for method in operations}

    assert served == {route.route_key for route in ROUTES}


ERROR_RESPONSE = {"$ref": "#/components/schemas/ErrorResponse"}
GATEWAY_MESSAGE = {"$ref": "#/components/schemas/GatewayMessage"}


def test_every_error_response_is_documented_in_the_one_error_shape_or_api_gateways():
    document = json.loads(openapi_json())

    for route in ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        for status, response in operation["responses"].items():
            schema = response["content"]["application/json"]["schema"] if int(status) >= 400 else None
            if status == "401":
                assert schema == GATEWAY_MESSAGE, route.route_key
            elif "{" in route.path and status in {"400", "404"}:
                # API Gateway refuses an undecodable path (400) or one that decodes to no route (404).
                assert schema in ({"anyOf": [ERROR_RESPONSE, GATEWAY_MESSAGE]}, GATEWAY_MESSAGE), route.route_key
            elif schema is not None:
                assert schema == ERROR_RESPONSE, f"{route.route_key} {status}"


def test_every_route_with_path_parameters_documents_api_gateways_path_refusals():
    document = json.loads(openapi_json())

    for route in (route for route in ROUTES if "{" in route.path):
        responses = document["paths"][route.path][route.method.lower()]["responses"]
        for status in ("400", "404"):
            schema = responses[status]["content"]["application/json"]["schema"]
            assert GATEWAY_MESSAGE in (schema, *schema.get("anyOf", [])), f"{route.route_key} {status}"


def test_every_route_the_authorizer_guards_documents_the_token_and_its_401():
    document = json.loads(openapi_json())

    for route in ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        assert ("401" in operation["responses"]) is route.requires_auth, route.route_key
        assert (operation.get("security") == [{"bearerAuth": []}, {}]) is route.requires_auth, route.route_key


def test_route_paths_match_one_segment_per_parameter():
    assert match_path("/users/{userId}/items", "/users/U1/items") == {"userId": "U1"}
    assert match_path("/users/{userId}", "/users/U1/items") is None
    assert match_path("/users/{userId}", "/users/") is None
