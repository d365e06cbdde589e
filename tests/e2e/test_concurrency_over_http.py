"""Concurrent requests race for real: several handler instances against one table."""

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

pytestmark = pytest.mark.e2e

RACERS = 20


def _race(send):
    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        return list(pool.map(send, range(RACERS)))


def test_of_20_patches_with_the_same_if_match_exactly_one_wins(local_api, new_user):
    user = new_user()
    item = requests.post(f"{local_api.url}/users/{user['userId']}/items", json={"task": "start"}, timeout=10).json()
    item_url = f"{local_api.url}/users/{user['userId']}/items/{item['itemId']}"

    def patch(n):
        return requests.patch(item_url, json={"task": f"writer {n}"}, headers={"If-Match": '"1"'}, timeout=30)

    responses = _race(patch)

    assert Counter(response.status_code for response in responses) == {200: 1, 412: RACERS - 1}
    winner = next(response.json() for response in responses if response.status_code == 200)
    assert requests.get(item_url, timeout=10).json() == winner
    assert winner["version"] == 2


def test_of_20_sign_ups_with_one_email_exactly_one_succeeds(local_api):
    email = f"race-{uuid.uuid4().hex}@example.com"  # the API may hold earlier runs' users (API_URL)

    def sign_up(n):
        body = {"email": email, "name": f"racer {n}"}
        return requests.post(f"{local_api.url}/users", json=body, timeout=30)

    responses = _race(sign_up)

    assert Counter(response.status_code for response in responses) == {201: 1, 409: RACERS - 1}
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"email_taken"}
