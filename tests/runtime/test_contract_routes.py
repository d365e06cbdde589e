"""The resolver serves exactly the route table API Gateway is given, and documents every route."""

import json

from runtime.handler import openapi_json
from runtime.routes import ROUTES, match_path


def test_the_resolver_serves_exactly_the_route_table():
    document = json.loads(openapi_json())

    served = {f"{method.upper()} {path}" for path, operations in document["paths"].items() for method in operations}

    assert served == {route.route_key for route in ROUTES}


def test_every_error_response_is_documented_in_the_one_error_shape():
    document = json.loads(openapi_json())

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400 and status != "401":
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, f"{method} {path} {status}"


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
