"""The real-time WebSocket API locally, on a port of its own as API Gateway gives it a host of its
own: `ws://…` for clients (`wsUrl`), the @connections management API for the pusher, and, with
`--auth`, the local issuer's JWKS, so that the deployed authorizer's code verifies local tokens.

The functions are the deployed ones, in this process: the authorizer and the routes called by
`local_api.websocket_gateway`, the pusher fed by its own raw subscription of a queue to the
events topic (`local_api.pusher_feed`). The connections table is moto's, apart from the user table.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import warnings
from typing import Any

import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from uvicorn.protocols.http.h11_impl import H11Protocol

from components import outputs
from local_api import auth
from local_api.embedded_aws import EmbeddedAws, LocalEvents
from local_api.pusher_feed import PusherFeed
from local_api.server import listening_socket
from local_api.websocket_gateway import WebSocketFunctions, WebSocketGateway
from local_api.workers import LocalLambdaContext
from runtime import config
from runtime.realtime.names import PING_ROUTE, TOKEN_PARAMETER
from runtime.realtime.schema import create_connections_table_request

DEFAULT_WS_PORT = auth.DEFAULT_ISSUER_PORT
JWKS_PATH = f"{auth.ISSUER_PATH}/.well-known/jwks.json"
CONNECTIONS_TABLE_NAME = "users-items-connections-local"
PUSHER_QUEUE_NAME = "users-items-realtime-pusher-local"
PUSHER_DLQ_NAME = "users-items-realtime-pusher-dlq-local"
# As the stack's pusher queue: receives of a message before it moves to the dead-letter queue.
MAX_RECEIVE_COUNT = 5
_ACCOUNT = "arn:aws:lambda:us-east-1:000000000000:function"


def _context(function: str) -> LocalLambdaContext:
    name = f"users-items-realtime-{function}-local"
    return LocalLambdaContext(
        aws_request_id=os.urandom(16).hex(),
        function_name=name,
        invoked_function_arn=f"{_ACCOUNT}:{name}",
        log_group_name=f"/aws/lambda/{name}",
    )


class LocalRealtime:
    def __init__(self, host: str, port: int, *, signing_key: rsa.RSAPublicKey | None) -> None:
        """Binds the port now (an OSError when it is taken), so the issuer's URL is known up front."""
        self._socket = listening_socket((host, port))
        self._signing_key = signing_key
        # What the authorizer and clients on this machine reach the server by.
        self._host = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104 - comparing, not binding
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._feed: PusherFeed | None = None

    @property
    def port(self) -> int:
        return int(self._socket.getsockname()[1])

    @property
    def url(self) -> str:
        return f"ws://{self._host}:{self.port}"

    @property
    def issuer(self) -> str:
        """The local tokens' `iss`; its keys are at `<issuer>/.well-known/jwks.json` on this port."""
        return f"http://{self._host}:{self.port}{auth.ISSUER_PATH}"

    def environment(self) -> dict[str, str]:
        """The WebSocket functions' own variables (the handlers' shared ones are the server's)."""
        environment = {
            config.CONNECTIONS_TABLE_NAME.name: CONNECTIONS_TABLE_NAME,
            config.CONNECT_AUTH.name: "authorizer" if self._signing_key else "query",
            config.WEBSOCKET_MANAGEMENT_ENDPOINT.name: f"http://{self._host}:{self.port}",
        }
        if self._signing_key:
            environment |= {
                config.JWT_ISSUER.name: self.issuer,
                config.JWT_AUDIENCES.name: auth.AUDIENCE,
                config.JWT_REQUIRED_SCOPES.name: auth.COGNITO_SIGNIN_SCOPE,
                config.JWT_TOKEN_USE.name: "access",
            }
        return environment

    def start(self, database: EmbeddedAws, events: LocalEvents) -> None:
        database.client().create_table(**create_connections_table_request(CONNECTIONS_TABLE_NAME))
        sqs = database.client("sqs")
        queue_url, queue_arn = _pusher_queue(sqs, database.client("sns"), events.topic_arn)
        os.environ.update(self.environment())
        # Metrics are not published locally; powertools would warn about that on every call.
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        gateway = WebSocketGateway(self._functions(), jwks=self._jwks(), jwks_path=JWKS_PATH)
        # No log_config: the HTTP server's logging (stderr, warnings up, its access log) stays as it is.
        self._server = uvicorn.Server(
            uvicorn.Config(gateway, http=_UnloggedH11Protocol, ws="websockets-sansio", lifespan="off", log_config=None)
        )
        logging.getLogger("uvicorn.error").addFilter(_refusals_are_no_errors)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="websocket", daemon=True
        )
        self._thread.start()
        from runtime.realtime.pusher import lambda_handler as pusher

        self._feed = PusherFeed(sqs, queue_url, queue_arn, lambda event: pusher(event, _context("pusher")))
        self._feed.start()

    def _functions(self) -> WebSocketFunctions:
        from runtime.realtime.connections import lambda_handler as routes

        authorizer = None
        if self._signing_key:
            from runtime.realtime.authorizer import lambda_handler as authorize

            def authorizer(event: dict[str, Any]) -> dict[str, Any]:
                return dict(authorize(event, _context("authorizer")))

        return WebSocketFunctions(
            routes=lambda event: dict(routes(event, _context("routes"))),
            authorizer=authorizer,
            message_routes=frozenset({PING_ROUTE}),
            identity_source=TOKEN_PARAMETER,
        )

    def _jwks(self) -> dict[str, Any] | None:
        return auth.jwks(self._signing_key) if self._signing_key else None

    def outputs(self) -> dict[str, object]:
        return {outputs.WS_URL: self.url}

    def announce_lines(self, python: str, example_user: str, token_command: str | None) -> list[str]:
        """How to connect: `websockets`' interactive client, with a token (`--auth`) or `?userId=`."""
        query = f"token=$({token_command})" if token_command else f"userId={example_user}"
        ping = json.dumps({"action": "ping"})
        return [
            f"WebSocket API on {self.url} (each user's item changes pushed to them; send {ping} for a pong):",
            f'  {python} -m websockets "{self.url}/?{query}"',
        ]

    def stop(self) -> None:
        if self._feed:
            self._feed.stop()
        if self._server and self._thread:
            self._server.should_exit = True
            self._thread.join(timeout=1)
        self._socket.close()


class _UnloggedH11Protocol(H11Protocol):
    """Leaves the pusher's posts and the key fetches out of the API's access log (uvicorn's access
    logger is one for every server in the process)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.access_log = False


def _refusals_are_no_errors(record: logging.LogRecord) -> bool:
    """uvicorn's sans-I/O WebSocket protocol logs a refused handshake (an HTTP answer instead of
    the upgrade, which ASGI allows) as an error; here it is a 401 or 403 working as meant."""
    return record.getMessage() != "ASGI callable returned without completing handshake."


def _pusher_queue(sqs: Any, sns: Any, topic_arn: str) -> tuple[str, str]:
    """The pusher's own queue, subscribed raw to the events topic, with its dead-letter queue."""
    dlq_url = sqs.create_queue(QueueName=PUSHER_DLQ_NAME)["QueueUrl"]
    dlq_arn = _queue_arn(sqs, dlq_url)
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVE_COUNT)}
    queue_url = sqs.create_queue(QueueName=PUSHER_QUEUE_NAME, Attributes={"RedrivePolicy": json.dumps(redrive)})[
        "QueueUrl"
    ]
    queue_arn = _queue_arn(sqs, queue_url)
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    return queue_url, queue_arn


def _queue_arn(sqs: Any, queue_url: str) -> str:
    return str(sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])
