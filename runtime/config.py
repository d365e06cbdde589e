"""Every environment variable the function reads, declared once.

The infrastructure sets exactly `FUNCTION_ENVIRONMENT` on the Lambda function; the runtime reads
its settings from the same declarations and fails at start when a required one is missing. The
one variable that Lambda itself sets and this code reads, `INITIALIZATION_TYPE`, is declared here too.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from runtime.attachments.content import DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class EnvironmentVariable:
    name: str
    description: str
    default: str | None = None

    @property
    def required(self) -> bool:
        return self.default is None


TABLE_NAME = EnvironmentVariable("TABLE_NAME", "Name of the single DynamoDB table.")
IDEMPOTENCY_TABLE_NAME = EnvironmentVariable(
    "IDEMPOTENCY_TABLE_NAME", "Name of the DynamoDB table of idempotency records (Idempotency-Key)."
)
SERVICE_NAME = EnvironmentVariable(
    "POWERTOOLS_SERVICE_NAME", "Service name on every log line, trace and metric.", "users-items-api"
)
METRICS_NAMESPACE = EnvironmentVariable(
    "POWERTOOLS_METRICS_NAMESPACE", "CloudWatch namespace of the business metrics.", "UsersItemsApi"
)
IDEMPOTENCY_TTL_SECONDS = EnvironmentVariable(
    "IDEMPOTENCY_TTL_SECONDS", "How long a POST's Idempotency-Key is remembered.", "86400"
)

EVENTS_TOPIC_ARN = EnvironmentVariable(
    "EVENTS_TOPIC_ARN", "ARN of the SNS topic the stream relay publishes domain events to."
)

SCHEDULE_GROUP_NAME = EnvironmentVariable(
    "SCHEDULE_GROUP_NAME", "The EventBridge Scheduler group the items' reminder schedules live in."
)
REMINDERS_FUNCTION_ARN = EnvironmentVariable(
    "REMINDERS_FUNCTION_ARN", "ARN of the reminders function the items' schedules invoke."
)
SCHEDULER_ROLE_ARN = EnvironmentVariable(
    "SCHEDULER_ROLE_ARN", "ARN of the role EventBridge Scheduler invokes the reminders function with."
)
SCHEDULES_DEAD_LETTER_QUEUE_ARN = EnvironmentVariable(
    "SCHEDULES_DEAD_LETTER_QUEUE_ARN", "ARN of the SQS queue a schedule's failed invocations go to."
)
NOTIFICATION_SENDER = EnvironmentVariable(
    "NOTIFICATION_SENDER", "The SES identity's address the notifier sends reminders from."
)
SES_CONFIGURATION_SET = EnvironmentVariable(
    "SES_CONFIGURATION_SET",
    "The SES configuration set every reminder is sent with (bounces and complaints to metrics).",
)

ATTACHMENTS_BUCKET = EnvironmentVariable(
    "ATTACHMENTS_BUCKET", "Name of the S3 bucket of the items' attachments (presigned uploads and downloads)."
)
MAX_ATTACHMENT_BYTES = EnvironmentVariable(
    "MAX_ATTACHMENT_BYTES", "Largest attachment a client may declare, in bytes.", str(DEFAULT_MAX_BYTES)
)
MAX_ATTACHMENTS_PER_ITEM = EnvironmentVariable(
    "MAX_ATTACHMENTS_PER_ITEM", "Attachments an item may hold at once (PENDING, READY or REJECTED).", "10"
)
ATTACHMENT_CONTENT_TYPES = EnvironmentVariable(
    "ATTACHMENT_CONTENT_TYPES",
    "Content types an attachment may declare, comma-separated.",
    "image/png,image/jpeg,application/pdf,text/plain",
)
ATTACHMENT_ENVIRONMENT: tuple[EnvironmentVariable, ...] = (
    ATTACHMENTS_BUCKET,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS_PER_ITEM,
    ATTACHMENT_CONTENT_TYPES,
)

FUNCTION_ENVIRONMENT: tuple[EnvironmentVariable, ...] = (
    TABLE_NAME,
    IDEMPOTENCY_TABLE_NAME,
    SERVICE_NAME,
    METRICS_NAMESPACE,
    IDEMPOTENCY_TTL_SECONDS,
    *ATTACHMENT_ENVIRONMENT,
)
# The stream relay's: it reads no table (the stream hands it the records), it only publishes and
# keeps the items' reminder schedules.
RELAY_ENVIRONMENT: tuple[EnvironmentVariable, ...] = (
    EVENTS_TOPIC_ARN,
    SCHEDULE_GROUP_NAME,
    REMINDERS_FUNCTION_ARN,
    SCHEDULER_ROLE_ARN,
    SCHEDULES_DEAD_LETTER_QUEUE_ARN,
    SERVICE_NAME,
    METRICS_NAMESPACE,
)
# The reminders function's: the one table, no idempotency table.
REMINDERS_ENVIRONMENT: tuple[EnvironmentVariable, ...] = (TABLE_NAME, SERVICE_NAME, METRICS_NAMESPACE)
# The notifier's: it reads no table either (the stream hands it the reminder records), it sends email.
NOTIFIER_ENVIRONMENT: tuple[EnvironmentVariable, ...] = (
    NOTIFICATION_SENDER,
    SES_CONFIGURATION_SET,
    SERVICE_NAME,
    METRICS_NAMESPACE,
)
# The attachment processor's: the table whose summaries it settles (the bucket comes in each event).
ATTACHMENT_PROCESSOR_ENVIRONMENT: tuple[EnvironmentVariable, ...] = (TABLE_NAME, SERVICE_NAME, METRICS_NAMESPACE)
# The attachment cleanup's: no table at all (the bucket is the store's, given by the stack).
ATTACHMENT_CLEANUP_ENVIRONMENT: tuple[EnvironmentVariable, ...] = (ATTACHMENTS_BUCKET, SERVICE_NAME, METRICS_NAMESPACE)


# Set by Lambda itself, not by the stack (so not in FUNCTION_ENVIRONMENT): how this execution
# environment is being initialized, `on-demand`, `provisioned-concurrency` or, when the
# initialization is the one a SnapStart snapshot is taken of, `snap-start`.
INITIALIZATION_TYPE = "AWS_LAMBDA_INITIALIZATION_TYPE"
SNAP_START = "snap-start"


def initializing_for_snapshot(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether this start-up is the one a SnapStart snapshot is taken of (and restored from)."""
    return environ.get(INITIALIZATION_TYPE) == SNAP_START


class MissingSettingError(RuntimeError):
    pass


def read_setting(variable: EnvironmentVariable, environ: Mapping[str, str] = os.environ) -> str:
    value = environ.get(variable.name, variable.default)
    if not value:
        raise MissingSettingError(f"{variable.name} must be set: {variable.description}")
    return value


@dataclass(frozen=True)
class Settings:
    table_name: str
    idempotency_table_name: str
    service_name: str
    metrics_namespace: str
    idempotency_ttl_seconds: int

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        def read(variable: EnvironmentVariable) -> str:
            return read_setting(variable, environ)

        return cls(
            table_name=read(TABLE_NAME),
            idempotency_table_name=read(IDEMPOTENCY_TABLE_NAME),
            service_name=read(SERVICE_NAME),
            metrics_namespace=read(METRICS_NAMESPACE),
            idempotency_ttl_seconds=int(read(IDEMPOTENCY_TTL_SECONDS)),
        )


@dataclass(frozen=True)
class RelaySettings:
    """The stream relay's settings: `RELAY_ENVIRONMENT`, nothing of the API's tables."""

    events_topic_arn: str
    schedule_group_name: str
    reminders_function_arn: str
    scheduler_role_arn: str
    schedules_dead_letter_queue_arn: str
    service_name: str
    metrics_namespace: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> RelaySettings:
        return cls(
            events_topic_arn=read_setting(EVENTS_TOPIC_ARN, environ),
            schedule_group_name=read_setting(SCHEDULE_GROUP_NAME, environ),
            reminders_function_arn=read_setting(REMINDERS_FUNCTION_ARN, environ),
            scheduler_role_arn=read_setting(SCHEDULER_ROLE_ARN, environ),
            schedules_dead_letter_queue_arn=read_setting(SCHEDULES_DEAD_LETTER_QUEUE_ARN, environ),
            service_name=read_setting(SERVICE_NAME, environ),
            metrics_namespace=read_setting(METRICS_NAMESPACE, environ),
        )


@dataclass(frozen=True)
class NotifierSettings:
    """The notifier's settings: `NOTIFIER_ENVIRONMENT`."""

    sender: str
    configuration_set: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> NotifierSettings:
        return cls(
            sender=read_setting(NOTIFICATION_SENDER, environ),
            configuration_set=read_setting(SES_CONFIGURATION_SET, environ),
        )


# The real-time WebSocket API's functions (runtime.realtime), outside the VPC: none reads the tables above.
CONNECTIONS_TABLE_NAME = EnvironmentVariable(
    "CONNECTIONS_TABLE_NAME", "Name of the DynamoDB table of WebSocket connections (apart from user data)."
)
CONNECT_AUTH = EnvironmentVariable(
    "CONNECT_AUTH",
    "Who a WebSocket connection belongs to: `authorizer` (the $connect authorizer's verified user) or "
    "`query` (`?userId=`, in a stack with no authorizer).",
)
JWT_ISSUER = EnvironmentVariable(
    "JWT_ISSUER", "The tokens' issuer (`iss`) exactly; its keys are at <issuer>/.well-known/jwks.json."
)
JWT_AUDIENCES = EnvironmentVariable(
    "JWT_AUDIENCES", "Comma-separated audiences a token may be for (its `aud`, or else its `client_id`)."
)
JWT_REQUIRED_SCOPES = EnvironmentVariable(
    "JWT_REQUIRED_SCOPES", "Comma-separated scopes a token must carry one of; empty: no scope check.", ""
)
JWT_TOKEN_USE = EnvironmentVariable(
    "JWT_TOKEN_USE", "The `token_use` claim a token must have (`access` for Cognito); empty: not checked.", ""
)
WEBSOCKET_MANAGEMENT_ENDPOINT = EnvironmentVariable(
    "WEBSOCKET_MANAGEMENT_ENDPOINT", "The WebSocket API stage's @connections endpoint (https://…/<stage>)."
)

CONNECTIONS_ENVIRONMENT: tuple[EnvironmentVariable, ...] = (
    CONNECTIONS_TABLE_NAME,
    CONNECT_AUTH,
    SERVICE_NAME,
    METRICS_NAMESPACE,
)
AUTHORIZER_ENVIRONMENT: tuple[EnvironmentVariable, ...] = (
    JWT_ISSUER,
    JWT_AUDIENCES,
    JWT_REQUIRED_SCOPES,
    JWT_TOKEN_USE,
    SERVICE_NAME,
    METRICS_NAMESPACE,
)
PUSHER_ENVIRONMENT: tuple[EnvironmentVariable, ...] = (
    CONNECTIONS_TABLE_NAME,
    WEBSOCKET_MANAGEMENT_ENDPOINT,
    SERVICE_NAME,
    METRICS_NAMESPACE,
)
CONNECT_AUTH_MODES = ("authorizer", "query")


def _read_list(variable: EnvironmentVariable, environ: Mapping[str, str]) -> tuple[str, ...]:
    """A comma-separated setting; one declared with an empty default may be empty."""
    value = environ.get(variable.name, variable.default)
    if value is None:
        raise MissingSettingError(f"{variable.name} must be set: {variable.description}")
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class TokenRules:
    """What the WebSocket $connect authorizer accepts: the HTTP API's JWT authorizer's rules."""

    issuer: str
    audiences: tuple[str, ...]
    required_scopes: tuple[str, ...]
    token_use: str | None

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer.rstrip('/')}/.well-known/jwks.json"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> TokenRules:
        audiences = _read_list(JWT_AUDIENCES, environ)
        if not audiences:
            raise MissingSettingError(f"{JWT_AUDIENCES.name} must name at least one audience")
        return cls(
            issuer=read_setting(JWT_ISSUER, environ),
            audiences=audiences,
            required_scopes=_read_list(JWT_REQUIRED_SCOPES, environ),
            token_use=environ.get(JWT_TOKEN_USE.name, JWT_TOKEN_USE.default) or None,
        )


@dataclass(frozen=True)
class ConnectionsSettings:
    connections_table_name: str
    connect_auth: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> ConnectionsSettings:
        connect_auth = read_setting(CONNECT_AUTH, environ)
        if connect_auth not in CONNECT_AUTH_MODES:
            raise MissingSettingError(f"{CONNECT_AUTH.name} must be one of {', '.join(CONNECT_AUTH_MODES)}")
        return cls(read_setting(CONNECTIONS_TABLE_NAME, environ), connect_auth)


@dataclass(frozen=True)
class PusherSettings:
    connections_table_name: str
    management_endpoint: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> PusherSettings:
        return cls(read_setting(CONNECTIONS_TABLE_NAME, environ), read_setting(WEBSOCKET_MANAGEMENT_ENDPOINT, environ))


@dataclass(frozen=True)
class AttachmentSettings:
    """The attachment routes' settings: `ATTACHMENT_ENVIRONMENT`."""

    bucket: str
    max_bytes: int
    max_per_item: int
    content_types: tuple[str, ...]

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> AttachmentSettings:
        return cls(
            bucket=read_setting(ATTACHMENTS_BUCKET, environ),
            max_bytes=int(read_setting(MAX_ATTACHMENT_BYTES, environ)),
            max_per_item=int(read_setting(MAX_ATTACHMENTS_PER_ITEM, environ)),
            content_types=tuple(
                kind.strip() for kind in read_setting(ATTACHMENT_CONTENT_TYPES, environ).split(",") if kind.strip()
            ),
        )
