"""The real-time API end to end on the local API: WebSocket clients connect with the HTTP API's
token, and each gets exactly its user's domain events; bad tokens are refused, closed or vanished
connections are forgotten, and a stack with no authorizer takes `?userId=`."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from components import outputs
from local_api.auth import AUDIENCE, load_or_create_key, mint_token
from local_api.realtime import CONNECTIONS_TABLE_NAME
from tests.e2e.conftest import LocalApi, read_outputs, start_local_api

pytestmark = pytest.mark.local_only

# Generous: events go through the stream pump (1 s batching window), SNS, a queue and the pusher,
# on two shared cores; latency figures belong to benchmarks/realtime.py.
EVENTS_TIMEOUT_SECONDS = 30


@pytest.fixture(scope="module")
def realtime_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalApi]:
    directory = tmp_path_factory.mktemp("realtime-api")
    key_file = directory / "signing-key.pem"
    api = start_local_api(directory, "--auth", "--key-file", str(key_file), "--no-demo-data", "--quiet")
    api.key = load_or_create_key(key_file)  # type: ignore[attr-defined]
    yield api
    api.stop()


class User:
    """A user signed up over HTTP with its own access token."""

    def __init__(self, api: LocalApi) -> None:
        self.api = api
        self.id = str(uuid.uuid4())
        self.token = mint_token(api.key, subject=self.id, email=f"{self.id}@example.com", issuer=api.issuer)  # type: ignore[attr-defined]
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        body = {"email": f"{self.id}@example.com", "name": "Rita"}
        assert self.http.post(f"{api.url}/users", json=body, timeout=10).status_code == 201

    def create_item(self, task: str) -> str:
        response = self.http.post(f"{self.api.url}/users/{self.id}/items", json={"task": task}, timeout=10)
        assert response.status_code == 201, response.text
        return str(response.json()["itemId"])

    @property
    def ws_url(self) -> str:
        return f"{read_outputs(self.api)[outputs.WS_URL]}/?token={self.token}"


async def next_message(socket: ClientConnection) -> dict[str, Any]:
    return dict(json.loads(await asyncio.wait_for(socket.recv(), EVENTS_TIMEOUT_SECONDS)))


async def until_item_created(socket: ClientConnection, item_id: str) -> list[dict[str, Any]]:
    """Every message up to and including `item_id`'s item.created."""
    received = []
    while not received or received[-1].get("data", {}).get("itemId") != item_id:
        received.append(await next_message(socket))
    return received


def connections_of(api: LocalApi, user_id: str) -> list[dict[str, Any]]:
    answer = api.aws_client("dynamodb").query(
        TableName=CONNECTIONS_TABLE_NAME,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"USER#{user_id}"}},
        ConsistentRead=True,
    )
    return list(answer["Items"])


def wait_for(condition: Any) -> bool:
    deadline = time.monotonic() + EVENTS_TIMEOUT_SECONDS
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return bool(condition())


def register_vanished_connection(api: LocalApi, user_id: str) -> None:
    """A registration whose client vanished without a $disconnect: the @connections API answers 410."""
    record = {"PK": {"S": f"USER#{user_id}"}, "SK": {"S": "CONNECTION#vanished"}, "connectionId": {"S": "vanished"}}
    record |= {"userId": {"S": user_id}, "expiresAt": {"N": str(int(time.time()) + 3600)}}
    api.aws_client("dynamodb").put_item(TableName=CONNECTIONS_TABLE_NAME, Item=record)


def test_a_connected_owner_gets_item_created_and_pong_and_a_vanished_connection_is_forgotten(realtime_api):
    owner = User(realtime_api)
    register_vanished_connection(realtime_api, owner.id)

    async def scenario() -> tuple[dict[str, Any], list[dict[str, Any]], str]:
        async with connect(owner.ws_url) as socket:
            await socket.send(json.dumps({"action": "ping"}))
            pong = await next_message(socket)
            item_id = await asyncio.to_thread(owner.create_item, "Push me")
            return pong, await until_item_created(socket, item_id), item_id

    pong, received, item_id = asyncio.run(scenario())

    assert pong == {"type": "pong"}
    created = received[-1]
    assert (created["type"], created["userId"], created["data"]["task"]) == ("item.created", owner.id, "Push me")
    assert created["data"]["itemId"] == item_id
    # The 410 answered for it has it removed (after the posts), while the live connection got the event.
    assert wait_for(lambda: "vanished" not in {r["connectionId"]["S"] for r in connections_of(realtime_api, owner.id)})


def test_another_users_connection_receives_nothing_of_it(realtime_api):
    alice, bob = User(realtime_api), User(realtime_api)

    async def scenario() -> list[dict[str, Any]]:
        async with connect(alice.ws_url) as alices, connect(bob.ws_url) as bobs:
            await until_item_created(alices, await asyncio.to_thread(alice.create_item, "Alice's secret"))
            # Alice's event was pushed to every connection it was for before Bob's is even written.
            return await until_item_created(bobs, await asyncio.to_thread(bob.create_item, "Bob's own"))

    bobs_messages = asyncio.run(scenario())

    assert {message["userId"] for message in bobs_messages} == {bob.id}


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("", id="no-token"),
        pytest.param("?token=not-a-jwt", id="garbage"),
        pytest.param("?token={expired}", id="expired"),
        pytest.param("?token={wrong_issuer}", id="wrong-issuer"),
        pytest.param("?token={no_scope}", id="no-scope"),
        pytest.param("?userId={user}", id="user-id-behind-an-authorizer"),
    ],
)
def test_a_bad_token_is_refused_with_401(realtime_api, query):
    key, issuer, user = realtime_api.key, realtime_api.issuer, str(uuid.uuid4())
    tokens = {
        "expired": mint_token(key, subject=user, lifetime_seconds=-60, issuer=issuer),
        "wrong_issuer": mint_token(key, subject=user, issuer="https://issuer.example.com"),
        "no_scope": mint_token(key, subject=user, scopes=(), issuer=issuer),
        "user": user,
    }
    url = f"{read_outputs(realtime_api)[outputs.WS_URL]}/{query.format(**tokens)}"

    async def attempt() -> int:
        try:
            async with connect(url):
                return 101
        except InvalidStatus as refused:
            return refused.response.status_code

    assert asyncio.run(attempt()) == 401
    assert connections_of(realtime_api, user) == []


def test_an_id_token_is_refused(realtime_api):
    """ID tokens carry the same audience, but are no access tokens: no `token_use: access`, no scope."""
    import jwt

    now, user = int(time.time()), str(uuid.uuid4())
    claims = {"sub": user, "iss": realtime_api.issuer, "aud": AUDIENCE, "token_use": "id", "iat": now, "exp": now + 60}
    kid = jwt.get_unverified_header(mint_token(realtime_api.key, subject=user))["kid"]
    id_token = jwt.encode(claims, realtime_api.key, algorithm="RS256", headers={"kid": kid})

    async def attempt() -> int:
        try:
            async with connect(f"{read_outputs(realtime_api)[outputs.WS_URL]}/?token={id_token}"):
                return 101
        except InvalidStatus as refused:
            return refused.response.status_code

    assert asyncio.run(attempt()) == 401


def test_a_disconnected_client_is_cleaned_up(realtime_api):
    user = User(realtime_api)

    async def connect_and_leave() -> int:
        async with connect(user.ws_url):
            return len(connections_of(realtime_api, user.id))

    assert asyncio.run(connect_and_leave()) == 1
    assert wait_for(lambda: connections_of(realtime_api, user.id) == [])


def test_a_hundred_clients_of_twenty_users_each_get_exactly_their_own_events(realtime_api):
    users = [User(realtime_api) for _ in range(20)]

    async def scenario() -> dict[int, list[list[dict[str, Any]]]]:
        sockets = {index: [await connect(user.ws_url) for _ in range(5)] for index, user in enumerate(users)}
        try:
            items = await asyncio.gather(*(asyncio.to_thread(user.create_item, f"Task of {user.id}") for user in users))
            received = await asyncio.gather(
                *(until_item_created(socket, items[index]) for index, group in sockets.items() for socket in group)
            )
        finally:
            await asyncio.gather(*(socket.close() for group in sockets.values() for socket in group))
        return {index: received[index * 5 : index * 5 + 5] for index in sockets}

    received = asyncio.run(scenario())

    for index, user in enumerate(users):
        for messages in received[index]:  # its user's user.created may come first: it was just written
            assert {m["userId"] for m in messages} == {user.id}
            assert [m["type"] for m in messages if m["type"] != "user.created"] == ["item.created"]


def test_without_an_authorizer_clients_connect_with_their_user_id(local_api, new_user):
    """The session's local API runs without --auth, as a stack with authMode none."""
    user_id = new_user()["userId"]
    ws_url = read_outputs(local_api)[outputs.WS_URL]

    async def scenario() -> tuple[dict[str, Any], int]:
        async with connect(f"{ws_url}/?userId={user_id}") as socket:
            await socket.send(json.dumps({"action": "ping"}))
            pong = await next_message(socket)
        try:
            async with connect(f"{ws_url}/?userId=not%23an%23id"):
                return pong, 101
        except InvalidStatus as refused:
            return pong, refused.response.status_code

    assert asyncio.run(scenario()) == ({"type": "pong"}, 400)
