"""Concurrent requests race for real: several handler instances against one table."""

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.e2e.conftest import auth_headers

pytestmark = pytest.mark.e2e

RACERS = 20


def _race(send):
    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        return list(pool.map(send, range(RACERS)))


def test_of_20_patches_with_the_same_if_match_exactly_one_wins(local_api, new_user):
    user = new_user()
    items_url = f"{local_api.url}/users/{user['userId']}/items"
    item = requests.post(items_url, json={"task": "start"}, headers=auth_headers(), timeout=10).json()
    item_url = f"{items_url}/{item['itemId']}"
    if_match = {"If-Match": '"1"', **auth_headers()}

    def patch(n):
        return requests.patch(item_url, json={"task": f"writer {n}"}, headers=if_match, timeout=30)

    responses = _race(patch)

    assert Counter(response.status_code for response in responses) == {200: 1, 412: RACERS - 1}
    winner = next(response.json() for response in responses if response.status_code == 200)
    assert requests.get(item_url, headers=auth_headers(), timeout=10).json() == winner
    assert winner["version"] == 2


@pytest.mark.open_api
def test_of_20_sign_ups_with_one_email_exactly_one_succeeds(local_api):
    email = f"race-{uuid.uuid4().hex}@example.com"  # the API may hold earlier runs' users (API_URL)

    def sign_up(n):
        body = {"email": email, "name": f"racer {n}"}
        return requests.post(f"{local_api.url}/users", json=body, timeout=30)

    responses = _race(sign_up)

    assert Counter(response.status_code for response in responses) == {201: 1, 409: RACERS - 1}
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"email_taken"}
