"""`python -m local_api`: run the backend locally; `openapi` prints the API document; `token` mints a JWT.

python -m local_api [--host 127.0.0.1] [--port 3100] [--ws-port 3101] [--concurrency 4] [--no-demo-data]
                    [--outputs-file local-outputs.json] [--auth] [--cors-origin http://localhost:8080 ...]
python -m local_api openapi > openapi.json
python -m local_api token --sub <user id> [--email jane@example.com [--no-email-verified]] [--scope S ...]
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import shlex
import signal
import sys
from pathlib import Path
from typing import NoReturn

from components import outputs
from components.cors import is_origin
from local_api import auth, cors
from local_api.asgi import GatewayApp
from local_api.attachments import LocalAttachments
from local_api.embedded_aws import (
    CREDENTIALS,
    REGION,
    RELAY_FUNCTION_ARN,
    DemoUser,
    EmbeddedAws,
    LocalEvents,
)
from local_api.event_source_mapping import ShardConsumer
from local_api.gateway import LocalGateway
from local_api.realtime import DEFAULT_WS_PORT, LocalRealtime
from local_api.relay_process import RelayProcess
from local_api.reminders import LocalReminders, ShardReaders
from local_api.server import LocalHttpServer
from local_api.stream_pump import POLL_INTERVAL_SECONDS, StreamPump, on_failure_queue
from local_api.workers import HandlerPool, ReloadingHandlerPool
from runtime.config import EVENTS_TOPIC_ARN
from runtime.events.stream_filter import DOMAIN_RECORD_PATTERN

# Local-only key of the outputs file (the deployed stack has no demo data).
DEMO_USERS_KEY = "demoUsers"
# Local-only: the embedded moto server, for boto3 or the AWS CLI (`--endpoint-url`).
AWS_ENDPOINT_URL_KEY = "awsEndpointUrl"
LOCAL_CREDENTIALS = " ".join(f"{name}={value}" for name, value in CREDENTIALS.items())
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PORT = 3100  # off 3000, which front-end dev servers take (the dev stack's CORS origins)


class _OneLineErrorParser(argparse.ArgumentParser):
    """A bad value is one line on stderr and exit 2, without argparse's usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _port(text: str) -> int:
    port = _integer(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port (0-65535; 0 picks a free one)")
    return port


def _positive(text: str) -> int:
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive integer")
    return value


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None


def _origin(text: str) -> str:
    if not is_origin(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an origin like http://localhost:8080 (no path, no *)")
    return text


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = _OneLineErrorParser(prog="python -m local_api", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument(
        "--ws-port", type=_port, default=DEFAULT_WS_PORT, help=f"WebSocket API port (default {DEFAULT_WS_PORT})"
    )
    parser.add_argument("--concurrency", type=_positive, default=4, help="handler instances (default 4)")
    parser.add_argument("--no-demo-data", action="store_true", help="start with an empty table")
    parser.add_argument(
        "--outputs-file", type=Path, help="write the outputs (apiUrl, demoUsers, …) as JSON here; removed on exit"
    )
    parser.add_argument(
        "--cors-origin",
        action="append",
        type=_origin,
        default=[],
        dest="cors_origins",
        metavar="ORIGIN",
        help=f"a browser origin allowed besides the dev stack's corsAllowedOrigins ({cors.DEV_STACK_FILE}), repeatable",
    )
    parser.add_argument("--auth", action="store_true", help="require JWTs like API Gateway's JWT authorizer")
    parser.add_argument("--key-file", type=Path, default=auth.DEFAULT_KEY_FILE, help="JWT signing key (--auth)")
    parser.add_argument("--quiet", action="store_true", help="no access log lines")
    parser.add_argument("--reload", action="store_true", help="restart the handler instances when runtime/ changes")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("openapi", help="print the OpenAPI document")
    token = commands.add_parser("token", help="mint an access token (Cognito-shaped) the --auth server accepts")
    token.add_argument("--sub", required=True, help="the user id the token is for")
    token.add_argument("--email", help="an email claim, verified (as the user pool's trigger adds it)")
    token.add_argument(
        "--no-email-verified", action="store_true", help="email_verified false (an address not yet confirmed)"
    )
    token.add_argument(
        "--scope",
        action="append",
        dest="scopes",
        metavar="SCOPE",
        help=f"a scope of the token, repeatable (default {auth.COGNITO_SIGNIN_SCOPE}, which --auth requires)",
    )
    token.add_argument("--expires-in", type=_positive, default=auth.DEFAULT_LIFETIME_SECONDS, help="seconds")
    token.add_argument("--key-file", type=Path, default=auth.DEFAULT_KEY_FILE, help="JWT signing key")
    token.add_argument(
        "--issuer",
        default=auth.ISSUER,
        help=f"the server's jwtIssuer (default {auth.ISSUER}, a server on the default --ws-port)",
    )
    return parser.parse_args(argv)


def handler_environment(endpoint: str, table_name: str, idempotency_table_name: str) -> dict[str, str]:
    """What the Lambda would get, plus boto3's standard endpoint setting pointing at moto (one
    endpoint for every service)."""
    return {
        "TABLE_NAME": table_name,
        "IDEMPOTENCY_TABLE_NAME": idempotency_table_name,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
        **CREDENTIALS,
    }


def print_openapi() -> int:
    os.environ.setdefault("TABLE_NAME", "openapi")
    os.environ.setdefault("IDEMPOTENCY_TABLE_NAME", "openapi-idempotency")
    from runtime.handler import openapi_json

    sys.stdout.write(openapi_json())
    return 0


def print_token(arguments: argparse.Namespace) -> int:
    key = auth.load_or_create_key(arguments.key_file)
    token = auth.mint_token(
        key,
        subject=arguments.sub,
        email=arguments.email,
        email_verified=not arguments.no_email_verified,
        scopes=(auth.COGNITO_SIGNIN_SCOPE,) if arguments.scopes is None else arguments.scopes,
        lifetime_seconds=arguments.expires_in,
        issuer=arguments.issuer,
    )
    print(token)
    return 0


def serve(arguments: argparse.Namespace) -> int:
    key = auth.load_or_create_key(arguments.key_file).public_key() if arguments.auth else None
    try:
        realtime = LocalRealtime(arguments.host, arguments.ws_port, signing_key=key)
    except OSError as error:
        return _port_error(arguments.host, arguments.ws_port, error, "--ws-port")
    authorizer = auth.JwtAuthorizer(key, issuer=realtime.issuer) if key else None
    cors_policy = cors.policy(PROJECT_ROOT, arguments.cors_origins)
    database = EmbeddedAws()
    endpoint = database.start()
    table_name, idempotency_table_name = database.create_tables()
    events = database.create_event_resources()
    reminders = LocalReminders(database)
    reminders.create_resources()
    environment = handler_environment(endpoint, table_name, idempotency_table_name)
    attachments = LocalAttachments(database, events.topic_arn, cors_policy.allowed_origins)
    environment.update(attachments.create())
    os.environ.update({**environment, **reminders.notifier_environment})
    from runtime.handler import openapi_json

    relay_environment = {**environment, EVENTS_TOPIC_ARN.name: events.topic_arn, **reminders.relay_environment}
    relay = RelayProcess(relay_environment, RELAY_FUNCTION_ARN)
    pump = stream_pump(database, events, relay, reminders)

    def start_pool() -> HandlerPool:
        return HandlerPool(environment, instances=arguments.concurrency)

    pool = ReloadingHandlerPool(start_pool, PROJECT_ROOT / "runtime") if arguments.reload else start_pool()
    try:
        gateway = LocalGateway(pool.invoke, openapi_json(), authorizer, cors_policy)
        try:
            server = LocalHttpServer(
                (arguments.host, arguments.port), GatewayApp(gateway), access_log=not arguments.quiet
            )
        except OSError as error:
            return _port_error(arguments.host, arguments.port, error, "--port")
        outputs_written = False
        try:
            pool.warm_up()
            relay.warm_up()
            pump.start()
            reminders.start()
            realtime.start(database, events)
            attachments.start()
            demo_users = [] if arguments.no_demo_data else database.load_demo_data()
            if arguments.outputs_file:
                issuer = realtime.issuer if arguments.auth else None
                values = local_outputs(
                    server.url, table_name, demo_users, issuer=issuer, endpoint=endpoint, events=events
                )
                values |= reminders.outputs() | realtime.outputs() | attachments.outputs()
                outputs_written = write_outputs(arguments.outputs_file, values)
                if not outputs_written:
                    return 2
            announce(
                server.url,
                demo_users,
                arguments,
                database=f"{endpoint} (table {table_name})",
                endpoint=endpoint,
                events=events,
                realtime=realtime,
                more=[*reminders.announce_lines(), *attachments.announce()],
            )
            server.serve_forever()
        except KeyboardInterrupt:
            print("\nstopping; the data was in memory and is gone", file=sys.stderr)
        finally:
            server.close()
            if outputs_written:  # they describe this server only
                arguments.outputs_file.unlink(missing_ok=True)
    finally:
        pool.close()
        realtime.stop()
        attachments.stop()
        pump.stop()
        reminders.stop()
        relay.close()
        database.stop()
    return 0


def stream_pump(
    database: EmbeddedAws, events: LocalEvents, relay: RelayProcess, reminders: LocalReminders
) -> StreamPump:
    """The relay's and the notifier's event source mappings, played in this process on the table's stream."""
    relay_failures = on_failure_queue(database.client("sqs"), events.relay_dlq_url)
    stream_arn = database.stream_arn()

    def new_consumer(shard_id: str) -> ShardReaders:
        relay_reader = ShardConsumer(
            handler=relay,
            on_failure=relay_failures,
            shard_id=shard_id,
            stream_arn=stream_arn,
            function_arn=RELAY_FUNCTION_ARN,
            filter_patterns=[DOMAIN_RECORD_PATTERN],
        )
        return ShardReaders([relay_reader, reminders.notifier_reader(shard_id, stream_arn)])

    return StreamPump(
        database.client("dynamodbstreams"),
        stream_arn,
        new_consumer,
        poll_interval=POLL_INTERVAL_SECONDS,
        forget_read=database.forget_stream_records,
    )


def _port_error(host: str, port: int, error: OSError, option: str) -> int:
    reason = "is already in use" if error.errno == errno.EADDRINUSE else f"cannot be used ({error.strerror})"
    print(f"error: {host}:{port} {reason}; choose another with {option}", file=sys.stderr)
    return 2


def local_outputs(
    url: str, table_name: str, demo_users: list[DemoUser], *, issuer: str | None, endpoint: str, events: LocalEvents
) -> dict[str, object]:
    """The stack's client-facing outputs, by the names the deployed stack exports, plus the
    local-only `demoUsers` (email -> userId of the seed's users) and `awsEndpointUrl` (moto)."""
    values: dict[str, object] = {
        outputs.API_URL: url,
        outputs.REGION: REGION,
        outputs.TABLE_NAME: table_name,
        outputs.EVENTS_TOPIC_ARN: events.topic_arn,
        outputs.EVENTS_QUEUE_URL: events.queue_url,
    }
    if issuer:
        values[outputs.JWT_ISSUER] = issuer
    values[DEMO_USERS_KEY] = {user.email: user.user_id for user in demo_users}
    values[AWS_ENDPOINT_URL_KEY] = endpoint
    return values


def write_outputs(path: Path, values: dict[str, object]) -> bool:
    """Write the outputs file; False, after a one-line error, when it cannot be written."""
    try:
        path.write_text(json.dumps(values, indent=2) + "\n")
    except OSError as error:
        print(
            f"error: cannot write the outputs file {path}: {error.strerror}; choose another with --outputs-file",
            file=sys.stderr,
        )
        return False
    return True


def announce(
    url: str,
    demo_users: list[DemoUser],
    arguments: argparse.Namespace,
    *,
    database: str,
    endpoint: str,
    events: LocalEvents,
    realtime: LocalRealtime,
    more: list[str] = [],  # noqa: B006 - read only
) -> None:
    lines = [
        f"Local API on {url}  (OpenAPI: {url}/openapi.json, explorer: {url}/docs)",
        f"DynamoDB (moto) on {database}",
        f"Domain events on the queue {events.queue_url} (the relay's failures: {events.relay_dlq_url})",
    ]
    lines += more
    lines += [f"  demo user {user.email}: {user.user_id}" for user in demo_users]
    example = demo_users[0].user_id if demo_users else "<userId>"
    token = token_command(example, arguments.key_file, realtime.issuer) if arguments.auth else None
    bearer = f' -H "Authorization: Bearer $({token})"' if token else ""
    lines += [
        "Try:",
        f"  curl -s{bearer} '{url}/users/{example}?include=items'",
        f"  curl -s{bearer} -X POST '{url}/users/{example}/items' -H 'content-type: application/json'"
        ' -d \'{"task": "Book the venue"}\'',
        "Read the events:",
        f"  {LOCAL_CREDENTIALS} aws --endpoint-url {endpoint} --region {REGION} sqs receive-message"
        f" --queue-url {events.queue_url} --max-number-of-messages 10 --wait-time-seconds 5",
        f"  {shlex.quote(sys.executable)} -c {shlex.quote(receive_events_one_liner(endpoint, events.queue_url))}",
        *realtime.announce_lines(shlex.quote(sys.executable), example, token),
        "Ctrl-C stops it; state lives in memory only.",
    ]
    print("\n".join(lines), flush=True)


def receive_events_one_liner(endpoint: str, queue_url: str) -> str:
    """Python printing up to ten of the queue's events with plain boto3."""
    client = (
        f'boto3.client("sqs", endpoint_url="{endpoint}", region_name="{REGION}",'
        ' aws_access_key_id="local", aws_secret_access_key="local")'
    )
    receive = f'receive_message(QueueUrl="{queue_url}", MaxNumberOfMessages=10, WaitTimeSeconds=5)'
    return f'import boto3; print(*(m["Body"] for m in {client}.{receive}.get("Messages", [])), sep="\\n")'


def token_command(subject: str, key_file: Path, issuer: str) -> str:
    """The shell command minting a token for `subject`, with this very interpreter (a venv's
    `python` is not on PATH until it is activated), the server's signing key and issuer."""
    command = [sys.executable, "-m", "local_api", "token", "--sub", subject]
    if key_file != auth.DEFAULT_KEY_FILE:
        command += ["--key-file", str(key_file)]
    if issuer != auth.ISSUER:
        command += ["--issuer", issuer]
    return shlex.join(command)


def _stop_on_signals() -> None:
    """Ctrl-C and `kill` both stop cleanly, even when started where SIGINT is ignored (a shell's
    background job, a CI runner): Python only installs its Ctrl-C handler if SIGINT was not ignored."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)
    if arguments.command == "openapi":
        return print_openapi()
    if arguments.command == "token":
        return print_token(arguments)
    _stop_on_signals()
    return serve(arguments)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
