"""The resolver serves exactly the route table API Gateway is given, and documents every route."""

import json

from runtime.handler import app, openapi_json
from runtime.routes import ROUTES, match_path


def test_the_resolver_serves_exactly_the_route_table():
    document = json.loads(openapi_json())

    served = {f"{method.upper()} {path}" for path, operations in document["paths"].items() for method in operations}

    assert served == {route.route_key for route in ROUTES}


ERROR_RESPONSE = {"$ref": "#/components/schemas/ErrorResponse"}
GATEWAY_MESSAGE = {"$ref": "#/components/schemas/GatewayMessage"}


def _declared_by_the_function(route):
    """The statuses the route's own code declares, before the document adds API Gateway's."""
    generated = json.loads(app.get_openapi_json_schema())
    return set(generated["paths"][route.path][route.method.lower()]["responses"])


def test_every_error_response_is_documented_in_the_one_error_shape_or_api_gateways():
    document = json.loads(openapi_json())

    for route in ROUTES:
        declared = _declared_by_the_function(route)
        for status, response in document["paths"][route.path][route.method.lower()]["responses"].items():
            schema = response["content"]["application/json"]["schema"] if int(status) >= 400 else None
            from_gateway = (
                status == "401"
                or (route.requires_auth and status == "403")
                or ("{" in route.path and status in {"400", "404"})
            )
            if from_gateway and status in declared:
                # API Gateway refuses an undecodable path (400), one that decodes to no route (404)
                # and a valid token without the route's scope (403).
                assert schema == {"anyOf": [ERROR_RESPONSE, GATEWAY_MESSAGE]}, f"{route.route_key} {status}"
            elif from_gateway:
                assert schema == GATEWAY_MESSAGE, f"{route.route_key} {status}"
            elif schema is not None:
                assert schema == ERROR_RESPONSE, f"{route.route_key} {status}"


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
