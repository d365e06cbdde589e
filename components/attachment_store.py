"""AttachmentStore: what checks the attachments on arrival and deletes them when they go, both
functions inside the VPC (S3 and DynamoDB through the gateway endpoints).

    bucket ──ObjectCreated (pending prefix)──▶ uploads queue ──▶ processor ──▶ table (READY / REJECTED)
                                                  │ failed receives                 └─▶ bucket (copy, delete)
                                                  ▼
                                            its dead-letter queue
    events topic ──item.deleted, attachment.removed──▶ cleanup queue ──▶ cleanup ──▶ bucket (delete)
                                                          │ failed receives
                                                          ▼
                                                    its dead-letter queue

The cleanup's queue is a filtered subscription of the domain events (components.event_queue): an
object goes when its attachment or its item does, at least once, and deleting what is gone is no
error. Given alarm options, the component alarms on both functions' errors, both dead-letter
queues holding anything and both queues' oldest message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import policies
from components.alarms import AlarmOptions, AlarmSpec, create_alarms
from components.event_queue import (
    EventQueueSettings,
    consumer_statement,
    create_event_queue,
    create_queue,
    dead_letters_alarm,
    feed_function,
    oldest_message_alarm,
)
from components.lambda_function import (
    FunctionCode,
    FunctionNetwork,
    FunctionOptions,
    LambdaFunction,
    LambdaFunctionArgs,
    TableAccess,
    create_lambda_function,
)
from runtime import permissions
from runtime.attachments import CLEANUP_EVENT_TYPES
from runtime.attachments.keys import PENDING_PREFIX

# The label of each function's own inline policy (`<name>-<function>-<label>`).
POLICY_LABEL = "attachments"


@dataclass(frozen=True, kw_only=True)
class WorkerArgs:
    """One of the store's functions: its code and environment (exactly these variables)."""

    code: FunctionCode
    environment: Mapping[str, pulumi.Input[str]]


@dataclass(frozen=True, kw_only=True)
class AttachmentAlarmThresholds:
    function_errors: int = 1
    oldest_message_age_seconds: int = 900
    """Age of either queue's oldest message: uploads waiting unchecked, or objects not deleted."""

    def __post_init__(self) -> None:
        if min(self.function_errors, self.oldest_message_age_seconds) < 1:
            raise ValueError("alarm thresholds must be at least 1")


@dataclass(frozen=True, kw_only=True)
class AttachmentStoreArgs:
    bucket_name: pulumi.Input[str]
    bucket_arn: pulumi.Input[str]
    table_arn: pulumi.Input[str]
    """The table whose item records hold the attachments' summaries."""
    events_topic_arn: pulumi.Input[str]
    network: FunctionNetwork
    processor: WorkerArgs
    cleanup: WorkerArgs
    options: FunctionOptions = field(default_factory=lambda: FunctionOptions(timeout_seconds=30))
    queue: EventQueueSettings = field(default_factory=lambda: EventQueueSettings(visibility_timeout_seconds=180))
    """Both queues'; the visibility timeout at least the functions' timeout (AWS advises six times)."""
    batch_size: int = 10
    alarms: AlarmOptions | None = None
    alarm_thresholds: AttachmentAlarmThresholds = AttachmentAlarmThresholds()

    def __post_init__(self) -> None:
        if self.queue.visibility_timeout_seconds < self.options.timeout_seconds:
            raise ValueError("the queues' visibility timeout must be at least the functions' timeout")
        if not 1 <= self.batch_size <= 10000:
            raise ValueError("batch_size must be between 1 and 10000")


class AttachmentStore(pulumi.ComponentResource):
    processor_function_name: pulumi.Output[str]
    cleanup_function_name: pulumi.Output[str]
    uploads_queue_url: pulumi.Output[str]
    uploads_dead_letter_queue_name: pulumi.Output[str]
    cleanup_dead_letter_queue_name: pulumi.Output[str]

    def __init__(self, name: str, args: AttachmentStoreArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("users-items:index:AttachmentStore", name, None, opts)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        self._physical_name = f"{name}-{pulumi.get_stack()}"
        self._account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id

        uploads, uploads_dead_letters = self._create_uploads_queue()
        processor = self._create_worker(
            "processor",
            args.processor,
            uploads.arn,
            grants=permissions.PROCESSOR_S3_GRANTS,
            tables=[TableAccess(sid="Table", table_arn=args.table_arn, actions=permissions.PROCESSOR_DYNAMODB_ACTIONS)],
        )
        feed_function(f"{name}-processor", uploads, processor.function.arn, self, batch_size=args.batch_size)
        cleanup_queue = create_event_queue(
            f"{name}-cleanup",
            physical_name=f"{name}-cleanup-{pulumi.get_stack()}",
            topic_arn=args.events_topic_arn,
            parent=self,
            settings=args.queue,
            filter_policy={"eventType": list(CLEANUP_EVENT_TYPES)},
        )
        cleanup = self._create_worker(
            "cleanup", args.cleanup, cleanup_queue.queue.arn, grants=permissions.CLEANUP_S3_GRANTS
        )
        feed_function(f"{name}-cleanup", cleanup_queue.queue, cleanup.function.arn, self, batch_size=args.batch_size)
        if args.alarms:
            specs = self._alarm_specs(
                processor.function.name,
                cleanup.function.name,
                (uploads.name, uploads_dead_letters.name),
                (cleanup_queue.queue.name, cleanup_queue.dead_letters.name),
            )
            create_alarms(specs, args.alarms, resource_prefix=name, name_prefix=self._physical_name, parent=self)

        self.processor_function_name = processor.function.name
        self.cleanup_function_name = cleanup.function.name
        self.uploads_queue_url = uploads.url
        self.uploads_dead_letter_queue_name = uploads_dead_letters.name
        self.cleanup_dead_letter_queue_name = cleanup_queue.dead_letters.name
        self.register_outputs(
            {
                "processorFunctionName": self.processor_function_name,
                "cleanupFunctionName": self.cleanup_function_name,
                "uploadsQueueUrl": self.uploads_queue_url,
                "uploadsDeadLetterQueueName": self.uploads_dead_letter_queue_name,
                "cleanupDeadLetterQueueName": self.cleanup_dead_letter_queue_name,
            }
        )

    def _create_uploads_queue(self) -> tuple[aws.sqs.Queue, aws.sqs.Queue]:
        """The bucket's ObjectCreated notifications of the pending prefix (the processor's copies to
        the ready prefix notify nothing), with a dead-letter queue."""
        args, name = self._args, f"{self._name}-uploads"
        dead_letters = create_queue(f"{name}-dlq", f"{name}-dlq-{pulumi.get_stack()}", self)
        queue = create_queue(
            name,
            f"{name}-{pulumi.get_stack()}",
            self,
            visibility_timeout_seconds=args.queue.visibility_timeout_seconds,
            redrive_policy=dead_letters.arn.apply(
                lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": args.queue.max_receive_count})
            ),
        )
        queue_policy = aws.sqs.QueuePolicy(
            name,
            queue_url=queue.url,
            policy=pulumi.Output.all(queue.arn, args.bucket_arn, self._account).apply(
                lambda values: policies.bucket_notification_queue_policy(*values)
            ),
            opts=self._child,
        )
        aws.s3.BucketNotification(
            name,
            bucket=args.bucket_name,
            queues=[
                aws.s3.BucketNotificationQueueArgs(
                    queue_arn=queue.arn, events=["s3:ObjectCreated:*"], filter_prefix=PENDING_PREFIX
                )
            ],
            # S3 checks that it may send to the queue when the notification is configured.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[queue_policy]),
        )
        return queue, dead_letters

    def _create_worker(
        self,
        role: str,
        worker: WorkerArgs,
        queue_arn: pulumi.Output[str],
        *,
        grants: Mapping[str, tuple[str, ...]],
        tables: list[TableAccess] | None = None,
    ) -> LambdaFunction:
        document = pulumi.Output.all(self._args.bucket_arn, queue_arn).apply(
            lambda arns: policies.s3_access_policy(arns[0], grants, consumer_statement("ReadItsQueue", arns[1]))
        )
        return create_lambda_function(
            f"{self._name}-{role}",
            LambdaFunctionArgs(
                name=f"{self._name}-{role}-{pulumi.get_stack()}",
                code=worker.code,
                options=self._args.options,
                environment=worker.environment,
                network=self._args.network,
                tracing=True,
                dynamodb_tables=tables or [],
                inline_policies={POLICY_LABEL: document},
            ),
            parent=self,
        )

    def _alarm_specs(
        self,
        processor: pulumi.Input[str],
        cleanup: pulumi.Input[str],
        uploads: tuple[pulumi.Input[str], pulumi.Input[str]],
        cleanups: tuple[pulumi.Input[str], pulumi.Input[str]],
    ) -> list[AlarmSpec]:
        thresholds = self._args.alarm_thresholds
        age = thresholds.oldest_message_age_seconds
        return [
            AlarmSpec(
                resource="processor-errors",
                name="processor-errors",
                description=(
                    f"The attachment processor failed {thresholds.function_errors}+ batches in a period: uploads stay "
                    "PENDING (and read EXPIRED after 15 minutes). Look for ERROR lines in its log group."
                ),
                namespace="AWS/Lambda",
                metric_name="Errors",
                dimension_sets=[{"FunctionName": processor}],
                threshold=thresholds.function_errors,
            ),
            AlarmSpec(
                resource="cleanup-errors",
                name="cleanup-errors",
                description=(
                    f"The attachment cleanup failed {thresholds.function_errors}+ batches in a period: objects of "
                    "removed attachments and deleted items stay in the bucket. Look at its log group."
                ),
                namespace="AWS/Lambda",
                metric_name="Errors",
                dimension_sets=[{"FunctionName": cleanup}],
                threshold=thresholds.function_errors,
            ),
            dead_letters_alarm(
                "uploads-dlq-depth",
                uploads[1],
                "Upload notifications the processor failed on every receive are in its dead-letter queue: "
                "those attachments stay PENDING. Fix the cause, then redrive them (start-message-move-task).",
            ),
            dead_letters_alarm(
                "cleanup-dlq-depth",
                cleanups[1],
                "Events whose objects the cleanup failed to delete are in its dead-letter queue: those "
                "objects are still in the bucket. Fix the cause, then redrive them.",
            ),
            oldest_message_alarm(
                "uploads-oldest-message-age",
                uploads[0],
                age,
                f"An upload has waited over {age} s to be checked: the processor is behind or failing.",
            ),
            oldest_message_alarm(
                "cleanup-oldest-message-age",
                cleanups[0],
                age,
                f"An object deletion has waited over {age} s: the cleanup is behind or failing.",
            ),
        ]
