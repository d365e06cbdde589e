"""Bodies that no parser should be trusted with: each is a 4xx and writes nothing."""

import base64
import json

import pytest

JSON_HEADERS = {"content-type": "application/json"}
VALID = json.dumps({"email": "jane.doe@example.com", "name": "Jane"})


def _post(api, raw_body, *, base64_encoded=False, headers=JSON_HEADERS):
    from runtime.handler import lambda_handler
    from tests.conftest import ApiResponse
    from tests.events import LambdaContext, http_event

    event = http_event("POST", "/users", raw_body=raw_body, headers=headers)
    event["isBase64Encoded"] = base64_encoded
    return ApiResponse(lambda_handler(event, LambdaContext()))


@pytest.mark.parametrize(
    ("raw_body", "base64_encoded"),
    [
        ("[" * 5000, False),
        ('{"email": "a@b.co", "name": "x"} trailing', False),
        ("!!! not base64", True),
        (base64.b64encode(b"\xff\xfe{}").decode(), True),
    ],
    ids=["nested-too-deep", "trailing-garbage", "bad-base64", "not-utf8"],
)
def test_an_unparseable_body_is_400_malformed_json(api, table_items, raw_body, base64_encoded):
    response = _post(api, raw_body, base64_encoded=base64_encoded)

    assert (response.status, response.error_code) == (400, "malformed_json")
    assert table_items() == []


@pytest.mark.parametrize("depth", [33, 500, 985, 5000])
def test_a_body_nested_past_the_depth_limit_is_400_at_any_depth(api, table_items, depth):
    response = _post(api, '{"email": "a@b.co", "name": ' + "[" * depth + "]" * depth + "}")

    assert (response.status, response.error_code) == (400, "malformed_json")
    assert response.json()["error"]["message"] == "the body nests deeper than 32 levels"
    assert table_items() == []


def test_brackets_inside_strings_do_not_count_towards_the_depth_limit(api):
    assert _post(api, json.dumps({"email": "jane.doe@example.com", "name": "[{" * 40 + '\\"'})).status == 201


def test_a_body_within_the_depth_limit_reaches_validation(api, table_items):
    response = _post(api, '{"email": "a@b.co", "name": ' + "[" * 31 + "]" * 31 + "}")

    assert (response.status, response.error_code) == (422, "validation_error")
    assert table_items() == []


def test_a_base64_json_body_is_accepted(api):
    assert _post(api, base64.b64encode(VALID.encode()).decode(), base64_encoded=True).status == 201


def test_a_json_body_with_a_charset_is_accepted(api):
    assert _post(api, VALID, headers={"content-type": "Application/JSON; charset=utf-8"}).status == 201


@pytest.mark.parametrize("content_type", ["application/merge-patch+json", "text/plain", "multipart/form-data"])
def test_a_body_of_another_media_type_is_415(api, table_items, content_type):
    response = _post(api, VALID, headers={"content-type": content_type})

    assert (response.status, response.error_code) == (415, "unsupported_media_type")
    assert table_items() == []


def test_a_missing_body_is_422(api):
    response = api("POST", "/users")

    assert (response.status, response.error_code) == (422, "validation_error")


def test_a_body_on_a_read_is_ignored(api):
    response = api("GET", "/health", raw_body="x" * 20_000, headers={"content-type": "text/plain"})

    assert response.status == 200
