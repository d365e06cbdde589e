"""Reminders end to end on the local API: items due in a few seconds, each scenario side by side so
that one wait covers them all, and the local outbox read over HTTP for what was sent."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.e2e.conftest import LocalApi, read_outputs, start_local_api

pytestmark = pytest.mark.local_only

DUE_IN_SECONDS = 3
MOVED_BY_SECONDS = 2
# The bound for the first reminder; the moved one is due MOVED_BY_SECONDS later.
ARRIVAL_SECONDS = 10


@pytest.fixture(scope="module")
def reminders_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalApi]:
    """A local API of this module's own: its stream carries only these writes, so the timing is theirs."""
    api = start_local_api(tmp_path_factory.mktemp("reminders-api"), "--no-demo-data", "--quiet")
    yield api
    api.stop()


def due_in(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat(timespec="milliseconds")


def emails_to(outbox_url: str, recipient: str) -> list[dict[str, Any]]:
    emails = requests.get(outbox_url, timeout=5).json()["emails"]
    return [email for email in emails if email["recipient"] == recipient]


def test_reminders_arrive_once_at_their_due_time_and_only_when_still_due(reminders_api: LocalApi):
    url, outbox = reminders_api.url, read_outputs(reminders_api)["outboxUrl"]
    http = requests.Session()
    scenarios = ("due", "completed", "moved", "not opted in", "user deleted")
    users = {}
    for n, name in enumerate(scenarios):
        body = {"email": f"reminded-{n}@example.com", "name": name, "notifications": {"email": name != "not opted in"}}
        response = http.post(f"{url}/users", json=body, timeout=10)
        assert response.status_code == 201, response.text
        users[name] = response.json()
    items = {}
    for name, user in users.items():
        body = {"task": f"reminder: {name}", "dueAt": due_in(DUE_IN_SECONDS)}
        response = http.post(f"{url}/users/{user['userId']}/items", json=body, timeout=10)
        assert response.status_code == 201, response.text
        items[name] = response.json()
    path = {name: f"{url}/users/{users[name]['userId']}/items/{items[name]['itemId']}" for name in scenarios}
    moved_to = due_in(DUE_IN_SECONDS + MOVED_BY_SECONDS)
    assert http.patch(path["completed"], json={"status": "DONE"}, timeout=10).ok
    assert http.patch(path["moved"], json={"dueAt": moved_to}, timeout=10).ok
    assert http.delete(f"{url}/users/{users['user deleted']['userId']}", timeout=10).status_code == 204

    deadline = time.monotonic() + ARRIVAL_SECONDS + MOVED_BY_SECONDS
    while time.monotonic() < deadline and not (
        emails_to(outbox, users["due"]["email"]) and emails_to(outbox, users["moved"]["email"])
    ):
        time.sleep(0.2)
    time.sleep(1.5)  # the pump's batching window and a poll: time for any wrong email to show

    sent = {name: emails_to(outbox, users[name]["email"]) for name in scenarios}
    assert {name: len(emails) for name, emails in sent.items()} == {
        "due": 1,
        "completed": 0,
        "moved": 1,
        "not opted in": 0,
        "user deleted": 0,
    }
    (moved_email,) = sent["moved"]
    assert moved_email["sentAt"] >= http.get(path["moved"], timeout=10).json()["dueAt"]
    (email,) = sent["due"]
    waited = datetime.fromisoformat(email["sentAt"]) - datetime.fromisoformat(items["due"]["createdAt"])
    assert timedelta(seconds=DUE_IN_SECONDS) <= waited <= timedelta(seconds=ARRIVAL_SECONDS)
    assert "reminder: due" in email["subject"]
    assert "reminder: due" in email["text"]
    assert "reminder: due" in email["html"]
    reminded = http.get(path["due"], timeout=10).json()
    assert reminded["remindedAt"] == reminded["dueAt"]
    assert reminded["version"] == items["due"]["version"]
