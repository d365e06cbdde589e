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
# The attachment processor's: the table whose summaries it settles (the bucket comes in each event).
ATTACHMENT_PROCESSOR_ENVIRONMENT: tuple[EnvironmentVariable, ...] = (TABLE_NAME, SERVICE_NAME, METRICS_NAMESPACE)
# The attachment cleanup's: no table at all (the bucket is the store's, given by the stack).
ATTACHMENT_CLEANUP_ENVIRONMENT: tuple[EnvironmentVariable, ...] = (ATTACHMENTS_BUCKET, SERVICE_NAME, METRICS_NAMESPACE)
# The stream relay's: it reads no table (the stream hands it the records), it only publishes.
RELAY_ENVIRONMENT: tuple[EnvironmentVariable, ...] = (EVENTS_TOPIC_ARN, SERVICE_NAME, METRICS_NAMESPACE)


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
    service_name: str
    metrics_namespace: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> RelaySettings:
        return cls(
            events_topic_arn=read_setting(EVENTS_TOPIC_ARN, environ),
            service_name=read_setting(SERVICE_NAME, environ),
            metrics_namespace=read_setting(METRICS_NAMESPACE, environ),
        )


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
