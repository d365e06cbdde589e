"""Bodies that no parser should be trusted with: each is a 4xx and writes nothing."""

import base64
import json

import pytest

from tests.support.events import http_event

JSON_HEADERS = {"content-type": "application/json"}
VALID = json.dumps({"email": "jane.doe@example.com", "name": "Jane"})


def _post(send, raw_body, *, base64_encoded=False, headers=JSON_HEADERS):
    event = http_event("POST", "/users", raw_body=raw_body, headers=headers)
    event["isBase64Encoded"] = base64_encoded
    return send(event)


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
def test_an_unparseable_body_is_400_malformed_json(send, table_items, raw_body, base64_encoded):
    response = _post(send, raw_body, base64_encoded=base64_encoded)

    assert (response.status, response.error_code) == (400, "malformed_json")
    assert table_items() == []


@pytest.mark.parametrize("depth", [33, 500, 985, 5000])
def test_a_body_nested_past_the_depth_limit_is_400_at_any_depth(send, table_items, depth):
    response = _post(send, '{"email": "a@b.co", "name": ' + "[" * depth + "]" * depth + "}")

    assert (response.status, response.error_code) == (400, "malformed_json")
    assert response.json()["error"]["message"] == "the body nests deeper than 32 levels"
    assert table_items() == []


def test_brackets_inside_strings_do_not_count_towards_the_depth_limit(send):
    assert _post(send, json.dumps({"email": "jane.doe@example.com", "name": "[{" * 40 + '\\"'})).status == 201


def test_a_body_within_the_depth_limit_reaches_validation(send, table_items):
    response = _post(send, '{"email": "a@b.co", "name": ' + "[" * 31 + "]" * 31 + "}")

    assert (response.status, response.error_code) == (422, "validation_error")
    assert table_items() == []


def test_a_base64_json_body_is_accepted(send):
    assert _post(send, base64.b64encode(VALID.encode()).decode(), base64_encoded=True).status == 201


def test_a_json_body_with_a_charset_is_accepted(send):
    assert _post(send, VALID, headers={"content-type": "Application/JSON; charset=utf-8"}).status == 201


@pytest.mark.parametrize("content_type", ["application/merge-patch+json", "text/plain", "multipart/form-data"])
def test_a_body_of_another_media_type_is_415(send, table_items, content_type):
    response = _post(send, VALID, headers={"content-type": content_type})

    assert (response.status, response.error_code) == (415, "unsupported_media_type")
    assert table_items() == []


def test_a_missing_body_is_422(api):
    response = api("POST", "/users")

    assert (response.status, response.error_code) == (422, "validation_error")


def test_a_body_on_a_read_is_ignored(api):
    response = api("GET", "/health", raw_body="x" * 20_000, headers={"content-type": "text/plain"})

    assert response.status == 200


@pytest.mark.parametrize("method", ["POST", "PATCH"])
@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data"])
@pytest.mark.parametrize("body", [None, ""], ids=["absent", "empty"])
def test_an_empty_body_of_another_media_type_is_415(send, table_items, method, content_type, body):
    event = http_event(
        method, "/users" if method == "POST" else "/users/U-JANE", headers={"content-type": content_type}
    )
    event["body"] = body

    response = send(event)

    assert (response.status, response.error_code) == (415, "unsupported_media_type")
    assert table_items() == []


@pytest.mark.parametrize("body", [None, ""], ids=["absent", "empty"])
def test_an_empty_body_declared_json_in_any_case_is_422(send, body):
    event = http_event("POST", "/users", headers={"content-type": "Application/JSON; charset=utf-8"})
    event["body"] = body

    response = send(event)

    assert (response.status, response.error_code) == (422, "validation_error")


@pytest.mark.parametrize(
    "raw_body",
    [
        '{"email": "jane.doe@example.com", "name": "Ja\ud800ne"}',
        '{"email": "jane.doe@example.com", "name": "Ja\\ud800ne"}',
        '{"email": "jane.doe@example.com", "name": "Ja\\udc00ne"}',
        '{"email": "jane.doe@example.com", "name": "Jane", "\\ud800": 1}',
    ],
    ids=["raw", "escaped-high", "escaped-low", "escaped-in-a-key"],
)
def test_a_body_holding_a_lone_surrogate_is_400_malformed_json(send, table_items, raw_body):
    response = _post(send, raw_body)

    assert (response.status, response.error_code) == (400, "malformed_json")
    assert table_items() == []


def test_an_escaped_surrogate_pair_is_unicode_text(send):
    response = _post(send, '{"email": "jane.doe@example.com", "name": "Jane \\ud83d\\ude00"}')

    assert (response.status, response.json()["name"]) == (201, "Jane \U0001f600")


DEEP = "[" * 33 + "]" * 33


@pytest.mark.parametrize(
    ("raw_body", "message"),
    [
        ('{"name": "\\\\", "x": ' + DEEP + "}", "the body nests deeper than 32 levels"),
        ('{"name": "\\\\\\"[[[", "x": ' + DEEP + "}", "the body nests deeper than 32 levels"),
        ("[" * 33 + '"' + "]" * 33, "the body nests deeper than 32 levels"),
        ('"' + '\\"' * 8000 + DEEP, "the body is not valid JSON"),
        ('{"name": "' + "[" * 40, "the body is not valid JSON"),
    ],
    ids=["after-an-escaped-backslash", "after-an-escaped-quote", "before-an-open-string", "in-an-open-string", "open"],
)
def test_the_nesting_scan_reads_strings_and_escapes_as_json_does(send, raw_body, message):
    response = _post(send, raw_body)

    assert (response.status, response.error_code, response.json()["error"]["message"]) == (
        400,
        "malformed_json",
        message,
    )
