"""Events of shapes API Gateway can deliver that `http_event` does not build: each gets a 4xx or a success."""

import pytest

from tests.support.events import http_event

SUB = "3f1c2a4e-8b7d-4c1e-9f00-123456789abc"
JANE = {"email": "jane.doe@example.com", "name": "Jane"}


def _without_headers(event):
    del event["headers"]
    return event


def _with_null_headers(event):
    event["headers"] = None
    return event


@pytest.mark.parametrize("strip_headers", [_without_headers, _with_null_headers], ids=["absent", "null"])
@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/health", None, 200),
        ("GET", "/users/U-NOBODY", None, 404),
        ("POST", "/users", JANE, 201),
        ("PATCH", "/users/U-NOBODY", {"name": "Jo"}, 404),
        ("POST", "/users", None, 422),
    ],
)
def test_an_event_without_headers_is_read_as_json(send, strip_headers, method, path, body, status):
    response = send(strip_headers(http_event(method, path, body=body)))

    assert response.status == status


@pytest.mark.parametrize("claims", [None, {"sub": SUB}], ids=["open", "verified"])
@pytest.mark.parametrize("path", ["/users/a\ud800b", "/\udfff", f"/users/{SUB}/items/\ud800"])
def test_a_lone_surrogate_in_the_path_is_404(send, claims, path):
    response = send(http_event("GET", path, claims=claims))

    assert (response.status, response.error_code) == (404, "route_not_found")
    assert "\\ud" in response.json()["error"]["message"]


def test_a_lone_surrogate_in_a_query_parameter_is_400(api):
    response = api("GET", "/users/U-NOBODY/items", query={"status": "\ud800", "cursor": "\udc00"})

    assert (response.status, response.error_code) == (400, "invalid_parameter")
