"""Bad input over HTTP: each gets its documented 4xx in the one error shape, and the table is untouched."""

import json
import socket
from http.client import HTTPResponse
from typing import Any

import pytest

from tests.e2e.conftest import RemoteApi

pytestmark = pytest.mark.e2e

VALID_ITEM = "01M837V9CXKT5MX5SMCZCPKCTC"
TASK = b'{"task": "x"}'  # 13 bytes
# API Gateway's own answers, before any handler runs.
GATEWAY_ERRORS = [{"message": "Not Found"}, {"message": "Bad Request"}]


@pytest.fixture
def user(new_user):
    return new_user()


def _requests(user_id):
    items = f"/users/{user_id}/items"
    json_type = {"content-type": "application/json"}
    return [
        ("malformed JSON", "POST", items, {"data": '{"task": ', "headers": json_type}, 400),
        ("deeply nested JSON", "POST", items, {"data": "[" * 10_000, "headers": json_type}, 400),
        ("wrong content type", "POST", items, {"data": "task=x", "headers": {"content-type": "text/plain"}}, 415),
        ("oversized body", "POST", items, {"json": {"task": "x" * 20_000}}, 413),
        ("unknown field", "POST", items, {"json": {"task": "x", "owner": "mallory"}}, 422),
        ("wrong type", "POST", items, {"json": {"task": 42}}, 422),
        ("too long", "POST", items, {"json": {"task": "x" * 501}}, 422),
        ("unknown status", "POST", items, {"json": {"task": "x", "status": "LATER"}}, 422),
        ("null in a patch", "PATCH", f"/users/{user_id}", {"json": {"name": None}}, 422),
        ("empty patch", "PATCH", f"/users/{user_id}", {"json": {}}, 422),
        ("id with #", "GET", f"/users/{user_id}%23METADATA", {}, 404),
        # An HTTP API decodes %2F before routing: no route has that many segments.
        ("id with /", "GET", f"/users/{user_id}%2Fextra", {}, 404),
        ("id with a bad escape", "GET", f"/users/{user_id}%25zz", {}, 400),
        ("unicode id", "GET", "/users/%C3%A9l%C3%A8ve", {}, 404),
        ("300-character id", "GET", f"/users/{'A' * 300}", {}, 404),
        ("item id with #", "DELETE", f"{items}/ITEM%23{VALID_ITEM}", {}, 404),
        ("negative limit", "GET", items, {"params": {"limit": "-1"}}, 400),
        ("huge limit", "GET", items, {"params": {"limit": "10000000000000000000000"}}, 400),
        ("forged cursor", "GET", items, {"params": {"cursor": "eyJ2IjoxLCJ1IjoiWCIsInMiOm51bGwsImkiOiJZIn0"}}, 400),
        ("garbage cursor", "GET", items, {"params": {"cursor": "%%%"}}, 400),
        ("stale If-Match", "PATCH", f"/users/{user_id}", {"json": {"name": "x"}, "headers": {"If-Match": '"9"'}}, 412),
    ]


def _what_the_api_shows(local_api, http, user_id):
    """The whole table where the suite can see it, else the user and its items as the API shows them."""
    if isinstance(local_api, RemoteApi):
        return http.get(f"{local_api.url}/users/{user_id}", params={"include": "items"}, timeout=10).json()
    return local_api.table_records()


def test_each_bad_request_gets_its_documented_status_and_changes_nothing(local_api, http, user):
    user_id = user["userId"]
    before = _what_the_api_shows(local_api, http, user_id)
    outcomes = {}
    for label, method, path, options, _ in _requests(user_id):
        response = http.request(method, f"{local_api.url}{path}", timeout=10, **options)
        body = response.json()
        assert body in GATEWAY_ERRORS or set(body["error"]) == {"code", "message", "details"}, label
        outcomes[label] = response.status_code

    assert outcomes == {label: status for label, _, _, _, status in _requests(user_id)}
    assert _what_the_api_shows(local_api, http, user_id) == before


def test_a_forged_cursor_for_another_users_list_is_400(local_api, http, new_user):
    alice, bob = new_user("Alice"), new_user("Bob")
    for n in range(3):
        http.post(f"{local_api.url}/users/{bob['userId']}/items", json={"task": f"b{n}"}, timeout=10)
    bobs_cursor = http.get(f"{local_api.url}/users/{bob['userId']}/items", params={"limit": 1}, timeout=10).json()[
        "nextCursor"
    ]

    response = http.get(f"{local_api.url}/users/{alice['userId']}/items", params={"cursor": bobs_cursor}, timeout=10)

    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_cursor")


def test_a_body_over_api_gateways_own_limit_is_refused_at_the_gateway(local_api, http, user):
    response = http.post(
        f"{local_api.url}/users/{user['userId']}/items",
        data=json.dumps({"task": "x" * (11 * 1024 * 1024)}),
        headers={"content-type": "application/json"},
        timeout=30,
    )

    assert response.status_code == 413


@pytest.mark.local_only
def test_a_chunked_body_reaches_the_handler_whole(local_api, http, user):
    chunks = (part.encode() for part in ['{"task": ', '"Sent in ', 'chunks"}'])

    response = http.post(
        f"{local_api.url}/users/{user['userId']}/items",
        data=chunks,  # a generator: requests sends it with Transfer-Encoding: chunked
        headers={"content-type": "application/json"},
        timeout=10,
    )

    assert (response.status_code, response.json()["task"]) == (201, "Sent in chunks")


@pytest.mark.local_only
def test_a_chunked_body_over_api_gateways_own_limit_is_refused_at_the_gateway(local_api, http, user):
    megabyte = b"x" * (1024 * 1024)

    response = http.post(
        f"{local_api.url}/users/{user['userId']}/items",
        data=(megabyte for _ in range(11)),  # no Content-Length: the limit is found while reading
        headers={"content-type": "application/json"},
        timeout=30,
    )

    assert (response.status_code, response.json()) == (413, {"message": "Request Entity Too Large"})


def _answer_after_closing_our_side(url: str, request: bytes) -> tuple[int, str | None, Any]:
    """Status, content type and JSON body of the answer to `request`, sent whole or cut short."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        connection.shutdown(socket.SHUT_WR)  # a body shorter than declared ends here
        response = HTTPResponse(connection)
        response.begin()
        return response.status, response.getheader("content-type"), json.loads(response.read())


def _post(user_id: str, framing: bytes, body: bytes = TASK) -> bytes:
    head = f"POST /users/{user_id}/items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    return head.encode() + framing + b"\r\n" + body


@pytest.mark.parametrize(
    ("framing", "body"),
    [
        pytest.param(b"Content-Length: abc\r\n", TASK, id="non-numeric length"),
        pytest.param(b"Content-Length: -5\r\n", TASK, id="negative length"),
        pytest.param(b"Content-Length: 13\r\nContent-Length: 5\r\n", TASK, id="conflicting lengths"),
        pytest.param(b"Content-Length: 100\r\n", TASK, id="body shorter than its length"),
        pytest.param(b"Transfer-Encoding: gzip\r\n", TASK, id="coding no server must know"),
        pytest.param(b"Transfer-Encoding: chunked\r\n", TASK + b"\r\n", id="not chunks"),
        pytest.param(b"Transfer-Encoding: chunked\r\n", b"d\r\n" + TASK + b"\r\n", id="no last chunk"),
        pytest.param(b"Content-Le", b"", id="half a head"),  # no blank line: the head goes on
    ],
)
@pytest.mark.local_only
def test_a_body_with_unreadable_framing_gets_the_gateways_400_and_changes_nothing(local_api, user, framing, body):
    before = local_api.table_records()

    answer = _answer_after_closing_our_side(local_api.url, _post(user["userId"], framing, body))

    assert answer == (400, "application/json", {"message": "Bad Request"})
    assert local_api.table_records() == before


@pytest.mark.local_only
def test_a_whole_request_from_a_client_that_then_closes_its_side_is_answered(local_api, user):
    status, _, created = _answer_after_closing_our_side(local_api.url, _post(user["userId"], b"Content-Length: 13\r\n"))

    assert (status, created["task"]) == (201, "x")


@pytest.mark.local_only
def test_a_keep_alive_connection_its_client_closes_between_requests_is_let_go(local_api, http):
    host, port = local_api.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        response = HTTPResponse(connection)
        response.begin()
        response.read()
        connection.shutdown(socket.SHUT_WR)

        after_the_answer = connection.recv(65536)

    assert (response.status, after_the_answer) == (200, b"")
    assert http.get(f"{local_api.url}/health", timeout=10).status_code == 200  # the server is still serving


@pytest.mark.local_only
def test_a_content_length_repeated_with_one_value_frames_the_body_by_that_value(local_api, user):
    host, port = local_api.url.removeprefix("http://").split(":")
    request = _post(user["userId"], b"Content-Length: 13\r\nContent-Length: 13\r\n")

    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        response = HTTPResponse(connection)
        response.begin()
        status, created = response.status, json.loads(response.read())

    assert (status, created["task"]) == (201, "x")
