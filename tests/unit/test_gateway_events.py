"""HTTP to payload-2.0 events and results back, as API Gateway's HTTP API does it."""

import base64
import json

from local_api.gateway_events import HttpRequest, build_event, gateway_error, to_http_response
from runtime.routes import GET_ITEM


def _request(**overrides):
    values = {
        "method": "GET",
        "raw_path": "/users/U%2D1/items/01M837V9CXKT5MX5SMCZCPKCTC",
        "raw_query": "status=TODO&limit=5&status=DONE&empty=",
        "headers": [("Host", "127.0.0.1:3000"), ("X-Trace", "a"), ("x-trace", "b"), ("Cookie", "s=1; theme=dark")],
        "body": b"",
        "source_ip": "127.0.0.1",
    }
    return HttpRequest(**{**values, **overrides})


def _event(request, claims=None):
    parameters = {"userId": "U%2D1", "itemId": "01M837V9CXKT5MX5SMCZCPKCTC"}
    return build_event(request, GET_ITEM, parameters, claims)


def test_an_event_carries_the_route_raw_path_and_query_as_received():
    event = _event(_request())

    assert (event["version"], event["routeKey"], event["requestContext"]["routeKey"]) == (
        "2.0",
        "GET /users/{userId}/items/{itemId}",
        "GET /users/{userId}/items/{itemId}",
    )
    assert event["rawPath"] == "/users/U%2D1/items/01M837V9CXKT5MX5SMCZCPKCTC"
    assert event["rawQueryString"] == "status=TODO&limit=5&status=DONE&empty="
    assert event["requestContext"]["stage"] == "$default"
    assert event["requestContext"]["http"]["method"] == "GET"


def test_repeated_query_keys_and_headers_are_comma_joined_and_headers_lower_cased():
    event = _event(_request())

    assert event["queryStringParameters"] == {"status": "TODO,DONE", "limit": "5", "empty": ""}
    assert event["headers"]["x-trace"] == "a,b"
    assert all(name == name.lower() for name in event["headers"])


def test_cookies_leave_the_headers_and_path_parameters_are_decoded():
    event = _event(_request())

    assert event["cookies"] == ["s=1", "theme=dark"]
    assert "cookie" not in event["headers"]
    assert event["pathParameters"]["userId"] == "U-1"


def test_text_bodies_stay_text_and_binary_ones_are_base64():
    text = _event(_request(body=b'{"a": 1}', headers=[("Content-Type", "application/json")]))
    binary = _event(_request(body=b"\xff\x00", headers=[("Content-Type", "application/octet-stream")]))

    assert (text["body"], text["isBase64Encoded"]) == ('{"a": 1}', False)
    assert (binary["body"], binary["isBase64Encoded"]) == (base64.b64encode(b"\xff\x00").decode(), True)


def test_verified_claims_ride_in_the_authorizer_context():
    event = _event(_request(), claims={"sub": "U-1"})

    assert event["requestContext"]["authorizer"] == {"jwt": {"claims": {"sub": "U-1"}, "scopes": None}}


def test_a_response_object_becomes_status_headers_cookies_and_decoded_body():
    response = to_http_response(
        {
            "statusCode": 201,
            "headers": {"Location": "/x"},
            "cookies": ["a=1", "b=2"],
            "body": base64.b64encode(b"\x01\x02").decode(),
            "isBase64Encoded": True,
        }
    )

    assert response.status == 201
    assert response.headers == [("Location", "/x"), ("set-cookie", "a=1"), ("set-cookie", "b=2")]
    assert response.body == b"\x01\x02"


def test_a_result_that_is_not_a_response_object_is_a_200_json_body():
    response = to_http_response({"hello": "world"})

    assert (response.status, json.loads(response.body)) == (200, {"hello": "world"})
    assert ("content-type", "application/json") in response.headers


def test_gateway_errors_use_api_gateways_shape():
    assert gateway_error(404, "Not Found").body == b'{"message":"Not Found"}'
