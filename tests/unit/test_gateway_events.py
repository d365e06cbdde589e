"""HTTP to payload-2.0 events and results back, as API Gateway's HTTP API does it."""

import base64
import json

import pytest

from local_api.gateway_events import (
    HttpRequest,
    UndecodablePathError,
    build_event,
    gateway_error,
    gateway_path,
    to_http_response,
)
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
    parameters = {"userId": "U-1", "itemId": "01M837V9CXKT5MX5SMCZCPKCTC"}
    return build_event(request, gateway_path(request.raw_path), GET_ITEM, parameters, claims)


def test_an_event_carries_the_route_the_decoded_path_and_the_query_as_received():
    event = _event(_request())

    assert (event["version"], event["routeKey"], event["requestContext"]["routeKey"]) == (
        "2.0",
        "GET /users/{userId}/items/{itemId}",
        "GET /users/{userId}/items/{itemId}",
    )
    assert event["rawPath"] == event["requestContext"]["http"]["path"] == "/users/U-1/items/01M837V9CXKT5MX5SMCZCPKCTC"
    assert event["rawQueryString"] == "status=TODO&limit=5&status=DONE&empty="
    assert event["requestContext"]["stage"] == "$default"
    assert event["requestContext"]["http"]["method"] == "GET"


# What an HTTP API delivered for each path sent, in live captures (hotsock/voker's ingress probe).
@pytest.mark.parametrize(
    ("sent", "delivered"),
    [
        ("/capture/plain", "/capture/plain"),
        ("/capture/space%20value", "/capture/space value"),
        ("/capture/question%3Fvalue", "/capture/question"),
        ("/capture/hash%23value", "/capture/hash#value"),
        ("/capture/slash%2Fvalue", "/capture/slash/value"),
        ("/capture/unicode-%CE%BB-%E4%B8%96%E7%95%8C", "/capture/unicode-\u03bb-\u4e16\u754c"),
        ("/capture/literal%252Fvalue", "/capture/literal/value"),
        ("/capture/literal%253Fvalue", "/capture/literal?value"),
        ("/capture/literal%2525value", "/capture/literal%value"),
    ],
)
def test_the_path_is_decoded_as_an_http_api_decodes_it(sent, delivered):
    assert gateway_path(sent) == delivered


@pytest.mark.parametrize("sent", ["/capture/percent%25done", "/users/%zz", "/users/%FF"])
def test_a_path_an_http_api_cannot_decode_is_refused(sent):
    with pytest.raises(UndecodablePathError):
        gateway_path(sent)


def test_repeated_query_keys_and_headers_are_comma_joined_and_headers_lower_cased():
    event = _event(_request())

    assert event["queryStringParameters"] == {"status": "TODO,DONE", "limit": "5", "empty": ""}
    assert event["headers"]["x-trace"] == "a,b"
    assert all(name == name.lower() for name in event["headers"])


def test_cookies_leave_the_headers_and_path_parameters_are_the_matched_segments():
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
