"""moto's server in this process, serving every AWS service the stack uses: the table built from the
runtime's key schema, with its stream, and the events' topic and queues."""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodbstreams.models import dynamodbstreams_backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.sqs.models import sqs_backends
from werkzeug.serving import BaseWSGIServer, make_server

from local_api.polling import PollingThread
from runtime.events import stream_mapping
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


# The stack's names with the local suffix; the table's stream is the events' outbox.
EVENTS_TOPIC_NAME = "users-items-events-local"
EVENTS_QUEUE_NAME = "users-items-events-queue-local"
EVENTS_QUEUE_DLQ_NAME = "users-items-events-queue-dlq-local"
RELAY_DLQ_NAME = "users-items-relay-dlq-local"
RELAY_FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:users-items-relay-local"
STREAM_SPECIFICATION = {"StreamEnabled": True, "StreamViewType": stream_mapping.STREAM_VIEW_TYPE}
# Receives of a message before the integration queue moves it to its DLQ.
MAX_RECEIVE_COUNT = 5
# What a local queue holds at most: its newest waiting messages (`EmbeddedAws.trim_queues`).
QUEUE_MESSAGE_LIMIT = 1000
_HOUSEKEEPING_INTERVAL_SECONDS = 1.0


@dataclass(frozen=True)
class LocalEvents:
    topic_arn: str
    queue_url: str
    relay_dlq_url: str


def _queue_arn(sqs: Any, queue_url: str) -> str:
    return str(sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


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


# Services whose moto backends touch each other's state share a lock: DynamoDB Streams reads the
# tables' streams, SNS delivers into SQS queues, and so does S3 (its notifications). Apart from
# that each service has its own.
_LOCK_GROUPS = {"dynamodbstreams": "dynamodb", "sqs": "sns", "s3": "sns"}


class _OneRequestAtATimePerService:
    """Each AWS service applies a request atomically; moto's backends are not thread-safe (a
    DynamoDB transaction restores a copy of the table when it fails, and concurrent ones can lose
    each other's writes), so each service's requests are applied one at a time: races between
    handler instances then play out as they would on DynamoDB, through conditions and
    transactions. A lock per service keeps an SQS long poll from stalling the API's DynamoDB
    requests, and a long poll itself is answered outside the lock (see `_long_poll`), so that SNS
    can deliver into the queue meanwhile.

    It also keeps DynamoDB's idempotency of TransactWriteItems, which moto ignores: a repeat with
    the same `ClientRequestToken` (botocore sends the same one when it retries a call whose answer
    it did not get in time, e.g. during a long pause of the embedded database) gets the first
    answer and is not applied again, where moto would fail its conditions and the API would
    answer a false 404 or 409."""

    def __init__(self, dispatcher: DomainDispatcherApplication) -> None:
        self._dispatcher = dispatcher
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        # token -> (when it expires, the first answer), oldest first
        self._transactions: dict[str, tuple[float, _Answer]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        app = self._dispatcher.get_application(environ)
        lock = self._lock_of(app)
        wait_seconds = _long_poll_seconds(environ)
        if wait_seconds:
            request = environ["wsgi.input"].read()

            def receive() -> _Answer:
                environ["wsgi.input"] = io.BytesIO(request)  # each short poll reads the body anew
                return _answer(app, environ)

            status, headers, body = _long_poll(receive, lock, wait_seconds)
        else:
            with lock:
                status, headers, body = self._apply(app, environ)
        start_response(status, headers)
        return [body]

    def _lock_of(self, app: Callable[..., Iterable[bytes]]) -> threading.Lock:
        return self.lock_of(next(name for name, instance in self._dispatcher.app_instances.items() if instance is app))

    def lock_of(self, service: str) -> threading.Lock:
        group = _LOCK_GROUPS.get(service, service)
        with self._locks_lock:
            return self._locks.setdefault(group, threading.Lock())

    def _apply(self, app: Callable[..., Iterable[bytes]], environ: dict[str, Any]) -> _Answer:
        token = _transaction_token(environ)
        if token is None:
            return _answer(app, environ)
        self._forget_expired_tokens()
        if token not in self._transactions:
            self._transactions[token] = (time.monotonic() + _TOKEN_LIFETIME_SECONDS, _answer(app, environ))
        return self._transactions[token][1]

    def _forget_expired_tokens(self) -> None:
        now = time.monotonic()
        while self._transactions:
            oldest = next(iter(self._transactions))
            if self._transactions[oldest][0] > now:
                return
            del self._transactions[oldest]


_Answer = tuple[str, list[tuple[str, str]], bytes]
_TRANSACT_WRITE = "DynamoDB_20120810.TransactWriteItems"
_RECEIVE_MESSAGE = "AmazonSQS.ReceiveMessage"
# How long DynamoDB remembers a ClientRequestToken.
_TOKEN_LIFETIME_SECONDS = 600
# How often a long poll looks at its queue again.
_LONG_POLL_INTERVAL_SECONDS = 0.05


def _answer(app: Callable[..., Iterable[bytes]], environ: dict[str, Any]) -> _Answer:
    answered: dict[str, Any] = {}

    def keep(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
        answered.update(status=status, headers=headers)

    body = b"".join(app(environ, keep))
    return answered["status"], answered["headers"], body


def _json_body(environ: dict[str, Any]) -> dict[str, Any]:
    """The request's JSON body (read and put back)."""
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    environ["wsgi.input"] = io.BytesIO(body)
    parsed = json.loads(body or b"{}")
    return parsed if isinstance(parsed, dict) else {}


def _transaction_token(environ: dict[str, Any]) -> str | None:
    """The ClientRequestToken of a TransactWriteItems request."""
    if environ.get("HTTP_X_AMZ_TARGET") != _TRANSACT_WRITE:
        return None
    token = _json_body(environ).get("ClientRequestToken")
    return token if isinstance(token, str) else None


def _long_poll_seconds(environ: dict[str, Any]) -> int:
    """The wait of an SQS ReceiveMessage (JSON protocol, as boto3 and the AWS CLI send it); the
    request is rewritten to ask moto for no wait. 0 for any other request. The local queues have
    no default wait, so a request without `WaitTimeSeconds` does not wait."""
    if environ.get("HTTP_X_AMZ_TARGET") != _RECEIVE_MESSAGE:
        return 0
    request = _json_body(environ)
    wait_seconds = int(request.get("WaitTimeSeconds") or 0)
    if wait_seconds:
        body = json.dumps({**request, "WaitTimeSeconds": 0}).encode()
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
    return wait_seconds


def _long_poll(receive: Callable[[], _Answer], lock: threading.Lock, wait_seconds: int) -> _Answer:
    """SQS's long poll, as short polls under the lock with waits outside it, until a message comes
    or the wait is over (moto's own long poll sleeps inside the request, holding the lock)."""
    deadline = time.monotonic() + wait_seconds
    while True:
        with lock:
            answer = receive()
        if json.loads(answer[2] or b"{}").get("Messages") or time.monotonic() >= deadline:
            return answer
        time.sleep(_LONG_POLL_INTERVAL_SECONDS)


class EmbeddedAws:
    """moto's server on a free loopback port, serving every AWS service the stack uses: only this
    machine's handler workers, the stream pump and local tools use it, so it stays on loopback
    whatever address the API itself listens on."""

    def __init__(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._app = _OneRequestAtATimePerService(DomainDispatcherApplication(create_backend_app))
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", 0, self._app, threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._housekeeper = PollingThread(
            "moto-housekeeping",
            self.trim_queues,
            interval=_HOUSEKEEPING_INTERVAL_SECONDS,
            failure="trimming the local queues failed",
        )

    def start(self) -> str:
        """Start the server on a free port; returns its endpoint URL."""
        self._thread.start()
        self._housekeeper.start()
        host, port = self._server.server_address[:2]
        self.endpoint = f"http://{host!s}:{port}"
        return self.endpoint

    def client(self, service: str = "dynamodb") -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def create_tables(self) -> tuple[str, str]:
        """The single table and the idempotency table, as the stack creates them; their names."""
        client = self.client()
        client.create_table(**create_table_request(TABLE_NAME), StreamSpecification=STREAM_SPECIFICATION)
        client.create_table(**create_idempotency_table_request(IDEMPOTENCY_TABLE_NAME))
        return TABLE_NAME, IDEMPOTENCY_TABLE_NAME

    def stream_arn(self) -> str:
        return str(self.client().describe_table(TableName=TABLE_NAME)["Table"]["LatestStreamArn"])

    def create_event_resources(self) -> LocalEvents:
        """The events topic, the integration queue subscribed to it (raw delivery) with its DLQ,
        and the relay's on-failure queue, as the stack creates them."""
        sqs, sns = self.client("sqs"), self.client("sns")
        topic_arn = sns.create_topic(Name=EVENTS_TOPIC_NAME)["TopicArn"]
        queue_dlq_url = sqs.create_queue(QueueName=EVENTS_QUEUE_DLQ_NAME)["QueueUrl"]
        redrive = {"deadLetterTargetArn": _queue_arn(sqs, queue_dlq_url), "maxReceiveCount": str(MAX_RECEIVE_COUNT)}
        queue_url = sqs.create_queue(QueueName=EVENTS_QUEUE_NAME, Attributes={"RedrivePolicy": json.dumps(redrive)})[
            "QueueUrl"
        ]
        sns.subscribe(
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=_queue_arn(sqs, queue_url),
            Attributes={"RawMessageDelivery": "true"},
        )
        relay_dlq_url = sqs.create_queue(QueueName=RELAY_DLQ_NAME)["QueueUrl"]
        return LocalEvents(topic_arn, queue_url, relay_dlq_url)

    def forget_stream_records(self, through_sequence_number: str | None, iterators: Sequence[str]) -> None:
        """After a poll of the pump: drop the table's stream records up to this one (None: none
        were read), and the pump's shard iterators of that poll.

        DynamoDB keeps a stream 24 hours; moto keeps every record and copies them with the table
        on every transaction, so without this each write gets slower as the stream grows, and
        every iterator moto hands out stays in memory. The shard's starting number moves with the
        records dropped, so sequence numbers stay valid. Other readers' iterators (the AWS CLI's,
        a script's) stay: moto answers an unknown one with a 500.
        """
        with self._app.lock_of("dynamodb"):
            known = dynamodbstreams_backends[DEFAULT_ACCOUNT_ID][REGION].shard_iterators
            for iterator in iterators:
                known.pop(iterator, None)
            shard = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_table(TABLE_NAME).stream_shard
            if shard is None or through_sequence_number is None:
                return
            read = int(through_sequence_number) - shard.starting_sequence_number + 1
            if read > 0:
                del shard.items[:read]
                shard.starting_sequence_number += read

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

    def trim_queues(self) -> None:
        """Drop each queue's oldest waiting messages beyond `QUEUE_MESSAGE_LIMIT`.

        moto's SendMessage reads the queue's attributes, which counts its messages one by one: the
        integration queue, which nobody has to read locally, would make every event's delivery,
        under the SQS lock and the GIL the API shares, slower than the last. Messages in flight
        (received, not yet deleted) stay.
        """
        with self._app.lock_of("sqs"):
            for queue in sqs_backends[DEFAULT_ACCOUNT_ID][REGION].queues.values():
                # `_messages`: moto's own list, oldest first, in flight or not.
                excess = len(queue._messages) - QUEUE_MESSAGE_LIMIT
                if excess > 0:
                    dropped = {id(message) for message in [m for m in queue._messages if m.visible][:excess]}
                    queue._messages[:] = [message for message in queue._messages if id(message) not in dropped]

    def stop(self) -> None:
        self._housekeeper.stop()
        self._server.shutdown()
        self._thread.join()
