"""CORS as the HTTP API answers it: the dev stack's origins plus `--cors-origin`, preflights without a route."""

import pytest

from tests.e2e.conftest import EXTRA_CORS_ORIGIN

pytestmark = [pytest.mark.e2e, pytest.mark.local_only]

DEV_ORIGINS = ("http://localhost:3000", "http://localhost:5173")  # Pulumi.dev.yaml's corsAllowedOrigins


def _cors_headers(response):
    return {
        name.lower(): value for name, value in response.headers.items() if name.lower().startswith("access-control-")
    }


def _preflight(http, url, origin):
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "content-type,if-match",
    }
    return http.options(url, headers=headers, timeout=10)


@pytest.mark.parametrize("origin", [*DEV_ORIGINS, EXTRA_CORS_ORIGIN])
def test_a_preflight_from_an_allowed_origin_gets_the_apis_cors_rules(local_api, http, new_user, origin):
    user = new_user()

    response = _preflight(http, f"{local_api.url}/users/{user['userId']}", origin)

    assert response.status_code == 204
    assert _cors_headers(response) == {
        "access-control-allow-origin": origin,
        "access-control-allow-methods": "DELETE,GET,PATCH,POST",
        "access-control-allow-headers": "authorization,content-type,idempotency-key,if-match",
        "access-control-max-age": "600",
    }


def test_a_preflight_from_another_origin_gets_no_cors_headers(local_api, http):
    response = _preflight(http, f"{local_api.url}/users/someone", "https://evil.example.com")

    assert (response.status_code, _cors_headers(response)) == (204, {})


def test_an_options_request_that_is_no_preflight_is_routed_like_any_other(local_api, http):
    response = http.options(f"{local_api.url}/users", headers={"Origin": DEV_ORIGINS[0]}, timeout=10)

    assert (response.status_code, response.json()) == (404, {"message": "Not Found"})


def test_answers_to_an_allowed_origin_carry_its_origin_and_the_exposed_headers(local_api, http, new_user):
    user = new_user()
    headers = {"Origin": DEV_ORIGINS[1]}

    created = http.post(
        f"{local_api.url}/users/{user['userId']}/items", json={"task": "x"}, headers=headers, timeout=10
    )
    missing = http.get(f"{local_api.url}/nowhere", headers=headers, timeout=10)

    expected = {"access-control-allow-origin": DEV_ORIGINS[1], "access-control-expose-headers": "etag,location"}
    assert (created.status_code, _cors_headers(created)) == (201, expected)
    assert (missing.status_code, _cors_headers(missing)) == (404, expected)


def test_answers_to_another_origin_or_without_one_carry_no_cors_headers(local_api, http):
    foreign = http.get(f"{local_api.url}/health", headers={"Origin": "https://evil.example.com"}, timeout=10)
    same_origin = http.get(f"{local_api.url}/health", timeout=10)

    assert [(r.status_code, _cors_headers(r)) for r in (foreign, same_origin)] == [(200, {}), (200, {})]
