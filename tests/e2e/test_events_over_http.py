"""Domain events end to end on the local API: writes over HTTP come out of the local integration
queue as the relay's events, in order per user; a record the relay cannot read goes to its
on-failure queue without holding back other users; a long poll on a queue does not stall the API."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from local_api.embedded_aws import EVENTS_QUEUE_DLQ_NAME, RELAY_DLQ_NAME
from tests.e2e.conftest import LocalApi, read_outputs, start_local_api

pytestmark = pytest.mark.local_only

# Generous: the pump's batching window is 1 s; a loaded machine runs the suite on two cores.
EVENTS_TIMEOUT_SECONDS = 20


@pytest.fixture(scope="module")
def events_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalApi]:
    """A local API of this module's own, so that its queue holds only this module's events."""
    api = start_local_api(tmp_path_factory.mktemp("events-api"), "--no-demo-data", "--quiet")
    yield api
    api.stop()


class Queue:
    """Reads a local queue and keeps what it received, deduplicated on the event id."""

    def __init__(self, api: LocalApi, url: str) -> None:
        self._sqs = api.aws_client("sqs")
        self._url = url
        self.received: dict[str, dict[str, Any]] = {}

    def receive(self, wait_seconds: int = 1) -> None:
        answer = self._sqs.receive_message(QueueUrl=self._url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds)
        for message in answer.get("Messages", []):
            body = json.loads(message["Body"])
            self.received.setdefault(body.get("id") or message["MessageId"], body)
            self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])

    def events_of(self, user_id: str) -> list[dict[str, Any]]:
        return [event for event in self.received.values() if event.get("userId") == user_id]

    def wait_for(self, done: Any) -> None:
        deadline = time.monotonic() + EVENTS_TIMEOUT_SECONDS
        while not done() and time.monotonic() < deadline:
            self.receive()


def events_queue(api: LocalApi) -> Queue:
    return Queue(api, read_outputs(api)["eventsQueueUrl"])


def named_queue(api: LocalApi, name: str) -> Queue:
    return Queue(api, api.aws_client("sqs").get_queue_url(QueueName=name)["QueueUrl"])


def create_user(http: requests.Session, api: LocalApi) -> str:
    email = f"events-{time.monotonic_ns()}@example.com"
    response = http.post(f"{api.url}/users", json={"email": email, "name": "Eve"}, timeout=10)
    assert response.status_code == 201, response.text
    return str(response.json()["userId"])


def test_a_users_writes_come_out_of_the_queue_as_exactly_their_events_in_order(events_api):
    queue = events_queue(events_api)
    with requests.Session() as http:
        user_id = create_user(http, events_api)
        items = f"{events_api.url}/users/{user_id}/items"
        item_id = http.post(items, json={"task": "Write the outbox"}, timeout=10).json()["itemId"]
        done = http.patch(f"{items}/{item_id}", json={"status": "DONE"}, headers={"If-Match": '"1"'}, timeout=10)
        assert done.status_code == 200, done.text
        assert http.delete(f"{items}/{item_id}", timeout=10).status_code == 204
        assert http.delete(f"{events_api.url}/users/{user_id}", timeout=10).status_code == 204

    expected = ["user.created", "item.created", "item.updated", "item.completed", "item.deleted", "user.deleted"]
    queue.wait_for(lambda: len(queue.events_of(user_id)) >= len(expected))
    queue.receive(wait_seconds=2)  # and nothing more comes

    assert [event["type"] for event in queue.events_of(user_id)] == expected
    assert all("email" not in json.dumps(event["data"]) for event in queue.events_of(user_id))


def test_writes_after_a_refused_transaction_still_come_out_as_events(events_api):
    """moto restores a copy of the table, its stream included, when a transaction is cancelled."""
    queue = events_queue(events_api)
    with requests.Session() as http:
        first = create_user(http, events_api)
        taken = http.get(f"{events_api.url}/users/{first}", timeout=10).json()["email"]
        refused = http.post(f"{events_api.url}/users", json={"email": taken, "name": "Copycat"}, timeout=10)
        assert refused.status_code == 409, refused.text
        second = create_user(http, events_api)

    queue.wait_for(lambda: queue.events_of(second))

    assert [event["type"] for event in queue.events_of(second)] == ["user.created"]


def test_a_record_the_relay_cannot_read_goes_to_its_on_failure_queue_without_holding_back_others(events_api):
    queue, relay_failures = events_queue(events_api), named_queue(events_api, RELAY_DLQ_NAME)
    # A user's partition with a row that is neither a profile nor an item: the relay cannot map it.
    events_api.table.put_item(Item={"PK": f"USER#poisoned-{time.monotonic_ns()}", "SK": "NOT-A-ROW-KIND"})
    with requests.Session() as http:
        other_user = create_user(http, events_api)

    queue.wait_for(lambda: bool(queue.events_of(other_user)))
    relay_failures.wait_for(lambda: bool(relay_failures.received))

    assert [event["type"] for event in queue.events_of(other_user)] == ["user.created"]
    [failure] = relay_failures.received.values()
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["DDBStreamBatchInfo"]["streamArn"].startswith("arn:aws:dynamodb:")


def test_a_long_poll_on_a_local_queue_does_not_stall_the_api(events_api):
    idle_queue = named_queue(events_api, EVENTS_QUEUE_DLQ_NAME)
    poll = threading.Thread(target=idle_queue.receive, kwargs={"wait_seconds": 5})
    poll.start()
    time.sleep(0.3)  # the poll is waiting in the server
    with requests.Session() as http:
        user_id = create_user(http, events_api)
        assert http.get(f"{events_api.url}/users/{user_id}", timeout=10).status_code == 200
    still_polling = poll.is_alive()
    poll.join()

    assert still_polling, "the API answered only once the long poll had ended"
