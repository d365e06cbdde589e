"""SingleTable: one DynamoDB table for a single-table design, with the data-safety settings on.

The key schema is an argument, not retyped here: the stack passes the runtime's key-schema
module, so the table and the code that builds its keys cannot disagree. A table keyed by its
partition key alone (no sort key, no indexes) serves as a key-value table, such as the stack's
idempotency records.

Given alarm options, the component alarms on throttled requests and on DynamoDB's own errors,
added up over the operations its users call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import pulumi
import pulumi_aws as aws

from components.alarms import AlarmOptions, AlarmSpec, create_alarms

STREAM_VIEW_TYPES = ("NEW_AND_OLD_IMAGES", "NEW_IMAGE", "OLD_IMAGE", "KEYS_ONLY")


class LocalIndexSpec(Protocol):
    """A local secondary index: the table's partition key with another sort key."""

    @property
    def name(self) -> str: ...
    @property
    def sort_key(self) -> str: ...
    @property
    def projection(self) -> str: ...


@dataclass(frozen=True, kw_only=True)
class TableKeys:
    """The key schema: the table's keys, its local indexes and the attribute items expire on."""

    partition_key: str
    sort_key: str | None
    attribute_types: Mapping[str, str]
    """Every attribute in a key of the table or of an index, and its type (S, N or B); no others."""
    local_indexes: Sequence[LocalIndexSpec] = ()
    ttl_attribute: str | None = None
    """The attribute DynamoDB expires items on (epoch seconds); a table has at most one."""

    def __post_init__(self) -> None:
        if self.local_indexes and self.sort_key is None:
            raise ValueError("local indexes need a table with a sort key")
        sort_keys = [self.sort_key] if self.sort_key else []
        key_attributes = {self.partition_key, *sort_keys} | {index.sort_key for index in self.local_indexes}
        # DynamoDB refuses attribute definitions that no key uses, and keys without a definition.
        if set(self.attribute_types) != key_attributes:
            raise ValueError(f"attribute_types must define exactly the key attributes {sorted(key_attributes)}")
        if not set(self.attribute_types.values()) <= {"S", "N", "B"}:
            raise ValueError("attribute types must be S, N or B")
        if len({index.name for index in self.local_indexes}) != len(self.local_indexes):
            raise ValueError("local index names must be unique")


@dataclass(frozen=True, kw_only=True)
class DataProtection:
    """How the table's data survives mistakes: backups, encryption, and refusing deletion."""

    point_in_time_recovery: bool = True
    """Continuous backups to restore from; off only for data that is worthless once restored."""
    kms_key_arn: pulumi.Input[str] | None = None
    """A customer managed KMS key; without one the table is encrypted with the AWS managed key."""
    deletion_protection: bool = False
    protect: bool = False
    """Pulumi `protect`: `pulumi destroy` and replacements fail until it is turned off."""


@dataclass(frozen=True, kw_only=True)
class TableAlarmThresholds:
    """When the table's alarms fire, each counted over all the operations called."""

    throttled_requests: int = 1
    """Throttled requests per period that fire the throttles alarm."""
    system_errors: int = 1
    """DynamoDB's own errors per period that fire the system-errors alarm."""

    def __post_init__(self) -> None:
        if min(self.throttled_requests, self.system_errors) < 1:
            raise ValueError("alarm thresholds must be at least 1")


@dataclass(frozen=True, kw_only=True)
class SingleTableArgs:
    keys: TableKeys
    protection: DataProtection = DataProtection()
    operations: Sequence[str] = ()
    """The DynamoDB operations called on the table (`GetItem`, `TransactWriteItems`…): DynamoDB
    reports throttles and errors per operation, and the alarms add these up."""
    alarms: AlarmOptions | None = None
    """Without them the component creates no alarms."""
    alarm_thresholds: TableAlarmThresholds = TableAlarmThresholds()
    stream_view_type: str | None = None
    """What the table's stream records of each change (`NEW_AND_OLD_IMAGES`, `NEW_IMAGE`,
    `OLD_IMAGE` or `KEYS_ONLY`); None: no stream. Changing it replaces the stream, not the table."""

    def __post_init__(self) -> None:
        if self.alarms and not self.operations:
            raise ValueError("alarms need the operations called on the table")
        if self.stream_view_type is not None and self.stream_view_type not in STREAM_VIEW_TYPES:
            raise ValueError(f"stream_view_type must be one of {', '.join(STREAM_VIEW_TYPES)}")


class SingleTable(pulumi.ComponentResource):
    name: pulumi.Output[str]
    arn: pulumi.Output[str]
    index_arns: pulumi.Output[list[str]]
    stream_arn: pulumi.Output[str]
    """The table's current stream (empty without `stream_view_type`)."""

    def __init__(self, name: str, args: SingleTableArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("users-items:index:SingleTable", name, None, opts)
        table = self._create_table(name, args)
        self._create_alarms(name, table, args)
        index_names = [index.name for index in args.keys.local_indexes]

        self.name = table.name
        self.arn = table.arn
        self.index_arns = table.arn.apply(lambda arn: [f"{arn}/index/{index}" for index in index_names])
        self.stream_arn = table.stream_arn
        self.register_outputs(
            {"name": self.name, "arn": self.arn, "indexArns": self.index_arns, "streamArn": self.stream_arn}
        )

    def _create_table(self, name: str, args: SingleTableArgs) -> aws.dynamodb.Table:
        keys, protection = args.keys, args.protection
        return aws.dynamodb.Table(
            name,
            # On demand: no capacity to plan, and an idle table costs nothing but storage.
            billing_mode="PAY_PER_REQUEST",
            hash_key=keys.partition_key,
            range_key=keys.sort_key,
            attributes=[
                aws.dynamodb.TableAttributeArgs(name=attribute, type=kind)
                for attribute, kind in keys.attribute_types.items()
            ],
            local_secondary_indexes=[
                aws.dynamodb.TableLocalSecondaryIndexArgs(
                    name=index.name, range_key=index.sort_key, projection_type=index.projection
                )
                for index in keys.local_indexes
            ],
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=protection.point_in_time_recovery),
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(
                enabled=True, kms_key_arn=protection.kms_key_arn
            ),
            ttl=(
                aws.dynamodb.TableTtlArgs(attribute_name=keys.ttl_attribute, enabled=True)
                if keys.ttl_attribute
                else None
            ),
            deletion_protection_enabled=protection.deletion_protection,
            stream_enabled=True if args.stream_view_type else None,
            stream_view_type=args.stream_view_type,
            # Local indexes exist only from creation: changing one replaces the table (and its
            # data), which `protect` and deletion protection turn into an error.
            opts=pulumi.ResourceOptions(parent=self, protect=protection.protect),
        )

    def _create_alarms(self, name: str, table: aws.dynamodb.Table, args: SingleTableArgs) -> None:
        if args.alarms is None:
            return
        create_alarms(
            table_alarm_specs(table.name, args),
            args.alarms,
            resource_prefix=name,
            name_prefix=f"{name}-{pulumi.get_stack()}",
            parent=self,
        )


def table_alarm_specs(table_name: pulumi.Input[str], args: SingleTableArgs) -> list[AlarmSpec]:
    """Throttled requests and DynamoDB's own errors, each added up over the operations called."""
    per_operation: list[Mapping[str, pulumi.Input[str]]] = [
        {"TableName": table_name, "Operation": operation} for operation in sorted(args.operations)
    ]
    return [
        AlarmSpec(
            resource="throttled-requests",
            name="throttled-requests",
            description=(
                "DynamoDB throttled requests to the table (on demand, so a partition or the account's "
                "table limit was exceeded): callers got errors after the SDK's retries. Look for a "
                "spike in the table's consumed capacity; for a hot partition (one user's heavy "
                "traffic), turn on CloudWatch Contributor Insights on the table."
            ),
            namespace="AWS/DynamoDB",
            metric_name="ThrottledRequests",
            dimension_sets=per_operation,
            threshold=args.alarm_thresholds.throttled_requests,
        ),
        AlarmSpec(
            resource="system-errors",
            name="system-errors",
            description=(
                "DynamoDB itself failed requests to the table (HTTP 500): an AWS-side problem, not ours. "
                "Check the AWS Health Dashboard for DynamoDB in this region; the SDK retries, so act "
                "only if the function's errors alarm fires too."
            ),
            namespace="AWS/DynamoDB",
            metric_name="SystemErrors",
            dimension_sets=per_operation,
            threshold=args.alarm_thresholds.system_errors,
        ),
    ]
