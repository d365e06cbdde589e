"""moto's DynamoDB server in this process, with the table built from the runtime's key schema."""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from runtime.ids import ulid
from runtime.models import ItemStatus
from runtime.repository import Repository
from runtime.table_schema import create_idempotency_table_request, create_table_request

REGION = "us-east-1"
TABLE_NAME = "users-items-local"
IDEMPOTENCY_TABLE_NAME = "users-items-idempotency-local"
# moto accepts any credentials; these only keep boto3 from looking for real ones.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}

# The seed document's own example rows: (email, name, [(task, status), ...]), oldest first.
DEMO_USERS: tuple[tuple[str, str, tuple[tuple[str, ItemStatus], ...]], ...] = (
    (
        "jane.doe@example.com",
        "Jane Doe",
        (("Finalize Q3 report", ItemStatus.IN_PROGRESS), ("Prepare deck for review", ItemStatus.TODO)),
    ),
    ("john.smith@example.com", "John Smith", (("Onboard new engineer", ItemStatus.DONE),)),
)

# The seed's rows are written at fixed instants, one minute apart from this one, so every start
# gives them the same ids and timestamps: a front-end or a script can keep them.
DEMO_EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class DemoUser:
    user_id: str
    email: str


class _DemoTimeline:
    """A clock and an id source for the repository: each `advance` moves to the next fixed instant;
    the clock reads it and every id minted is a ULID of that instant (time part = `createdAt`)."""

    def __init__(self) -> None:
        self._instant = DEMO_EPOCH
        self._minted = 0

    def advance(self) -> None:
        self._instant += timedelta(minutes=1)

    def now(self) -> str:
        return self._instant.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def new_id(self) -> str:
        self._minted += 1
        return ulid(int(self._instant.timestamp() * 1000), self._minted)


class _OneRequestAtATime:
    """DynamoDB applies each request atomically; moto's backend is not thread-safe (a transaction
    restores a copy of the table when it fails, and concurrent ones can lose each other's
    writes), so requests are applied one at a time: races between handler instances then play
    out as they would on DynamoDB, through conditions and transactions.

    It also keeps DynamoDB's idempotency of TransactWriteItems, which moto ignores: a repeat with
    the same `ClientRequestToken` (botocore sends the same one when it retries a call whose answer
    it did not get in time, e.g. during a long pause of the embedded database) gets the first
    answer and is not applied again, where moto would fail its conditions and the API would
    answer a false 404 or 409."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self._app = app
        self._lock = threading.Lock()
        # token -> (when it expires, the first answer), oldest first
        self._transactions: dict[str, tuple[float, tuple[str, list[tuple[str, str]], bytes]]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self._lock:
            token = _transaction_token(environ)
            if token is None:
                return list(self._app(environ, start_response))
            self._forget_expired_tokens()
            if token not in self._transactions:
                answered: dict[str, Any] = {}

                def keep(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
                    answered.update(status=status, headers=headers)

                body = b"".join(self._app(environ, keep))
                expires = time.monotonic() + _TOKEN_LIFETIME_SECONDS
                self._transactions[token] = (expires, (answered["status"], answered["headers"], body))
            status, headers, body = self._transactions[token][1]
            start_response(status, headers)
            return [body]

    def _forget_expired_tokens(self) -> None:
        now = time.monotonic()
        while self._transactions:
            oldest = next(iter(self._transactions))
            if self._transactions[oldest][0] > now:
                return
            del self._transactions[oldest]


_TRANSACT_WRITE = "DynamoDB_20120810.TransactWriteItems"
# How long DynamoDB remembers a ClientRequestToken.
_TOKEN_LIFETIME_SECONDS = 600


def _transaction_token(environ: dict[str, Any]) -> str | None:
    """The ClientRequestToken of a TransactWriteItems request (its body is read and put back)."""
    if environ.get("HTTP_X_AMZ_TARGET") != _TRANSACT_WRITE:
        return None
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    environ["wsgi.input"] = io.BytesIO(body)
    token = json.loads(body).get("ClientRequestToken")
    return token if isinstance(token, str) else None


class EmbeddedDynamoDB:
    """moto's DynamoDB server on a free loopback port: only this machine's handler workers use it,
    so it stays on loopback whatever address the API itself listens on."""

    def __init__(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        app = _OneRequestAtATime(DomainDispatcherApplication(create_backend_app))
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto-dynamodb", daemon=True)

    def start(self) -> str:
        """Start the server on a free port; returns its endpoint URL."""
        self._thread.start()
        host, port = self._server.server_address[:2]
        self.endpoint = f"http://{host!s}:{port}"
        return self.endpoint

    def client(self) -> Any:
        return boto3.client(
            "dynamodb",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def create_tables(self) -> tuple[str, str]:
        """The single table and the idempotency table, as the stack creates them; their names."""
        client = self.client()
        client.create_table(**create_table_request(TABLE_NAME))
        client.create_table(**create_idempotency_table_request(IDEMPOTENCY_TABLE_NAME))
        return TABLE_NAME, IDEMPOTENCY_TABLE_NAME

    def load_demo_data(self) -> list[DemoUser]:
        """Write the demo rows through the runtime's own repository, so they are real rows."""
        timeline = _DemoTimeline()
        repository = Repository(self.client(), TABLE_NAME, clock=timeline.now, id_source=timeline.new_id)
        users = []
        for email, name, items in DEMO_USERS:
            timeline.advance()
            user = repository.create_user(user_id=timeline.new_id(), email=email, name=name).user
            for task, status in items:
                timeline.advance()
                repository.create_item(user.user_id, task=task, status=status)
            users.append(DemoUser(user_id=user.user_id, email=email))
        return users

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join()
