"""A queue of domain events: an SQS queue subscribed to the events topic, raw and optionally
filtered, with its dead-letter queue; and the event source mapping that feeds it to a function.

    events topic ──raw, filter policy──▶ queue ──event source mapping (partial failures)──▶ function
                                           │ `max_receive_count` failed receives
                                           ▼
                                     its dead-letter queue

The stack's integration queue (DomainEvents) is one, and so is every consumer of its own the stack
adds (it is fed by the topic, not by another reader of the table's stream: DynamoDB advises at most
two per shard). A function fed by a queue needs no network path to SQS: Lambda polls it.

The queues are encrypted with SQS-managed keys (SSE-SQS), so that SNS delivers and Lambda reads
with no key policy to keep in step; the topic is the one under the stack's own key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components import policies
from components.alarms import AlarmSpec

# SQS's longest retention: time to find out why a batch or a message failed, and replay it.
MAX_RETENTION_SECONDS = 14 * 24 * 3600
# What a function fed by a queue does on it (Lambda's poller acts with the function's role).
CONSUMER_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility")


@dataclass(frozen=True, kw_only=True)
class EventQueueSettings:
    max_receive_count: int = 5
    """Receives of a message without a delete before it moves to the queue's dead-letter queue."""
    visibility_timeout_seconds: int = 30
    """At least the consuming function's timeout (AWS advises six times it for a mapping)."""

    def __post_init__(self) -> None:
        if not 1 <= self.max_receive_count <= 1000:
            raise ValueError("max_receive_count must be between 1 and 1000")
        if not 0 <= self.visibility_timeout_seconds <= 43200:
            raise ValueError("visibility_timeout_seconds must be between 0 and 43200")


@dataclass(frozen=True)
class EventQueue:
    queue: aws.sqs.Queue
    dead_letters: aws.sqs.Queue
    subscription: aws.sns.TopicSubscription


def create_queue(
    resource_name: str, physical_name: pulumi.Input[str], parent: pulumi.Resource, **settings: pulumi.Input[Any]
) -> aws.sqs.Queue:
    """An SQS queue keeping its messages 14 days, encrypted by SQS."""
    return aws.sqs.Queue(
        resource_name,
        name=physical_name,
        message_retention_seconds=MAX_RETENTION_SECONDS,
        sqs_managed_sse_enabled=True,
        opts=pulumi.ResourceOptions(parent=parent),
        **settings,
    )


def create_event_queue(
    name: str,
    *,
    physical_name: str,
    topic_arn: pulumi.Input[str],
    parent: pulumi.Resource,
    settings: EventQueueSettings = EventQueueSettings(),
    filter_policy: Mapping[str, object] | None = None,
) -> EventQueue:
    """`name` and `<name>-dlq` (resource names; physical names from `physical_name`), the topic's
    events delivered as published (raw), those matching `filter_policy` (message attributes
    `eventType` and `userId`) if given."""
    dead_letters = create_queue(f"{name}-dlq", f"{physical_name}-dlq", parent)
    queue = create_queue(
        name,
        physical_name,
        parent,
        visibility_timeout_seconds=settings.visibility_timeout_seconds,
        redrive_policy=dead_letters.arn.apply(
            lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": settings.max_receive_count})
        ),
    )
    queue_policy = aws.sqs.QueuePolicy(
        name,
        queue_url=queue.url,
        policy=pulumi.Output.all(queue.arn, topic_arn).apply(lambda arns: policies.topic_delivery_queue_policy(*arns)),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    subscription = aws.sns.TopicSubscription(
        name,
        topic=topic_arn,
        protocol="sqs",
        endpoint=queue.arn,
        raw_message_delivery=True,
        filter_policy=json.dumps(filter_policy) if filter_policy is not None else None,
        # SNS may send to the queue before the first event is published.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[queue_policy]),
    )
    return EventQueue(queue=queue, dead_letters=dead_letters, subscription=subscription)


def feed_function(
    name: str,
    queue: aws.sqs.Queue,
    function_arn: pulumi.Input[str],
    parent: pulumi.Resource,
    *,
    batch_size: int = 10,
    batching_window_seconds: int = 0,
    maximum_concurrency: int | None = None,
) -> aws.lambda_.EventSourceMapping:
    """Lambda polls `queue` for the function, which reports the messages it failed
    (`ReportBatchItemFailures`): only those come back, and after `max_receive_count` receives
    they move to the dead-letter queue. Pass the function's alias ARN under SnapStart."""
    return aws.lambda_.EventSourceMapping(
        name,
        event_source_arn=queue.arn,
        function_name=function_arn,
        batch_size=batch_size,
        maximum_batching_window_in_seconds=batching_window_seconds,
        function_response_types=["ReportBatchItemFailures"],
        scaling_config=(
            aws.lambda_.EventSourceMappingScalingConfigArgs(maximum_concurrency=maximum_concurrency)
            if maximum_concurrency is not None
            else None
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def consumer_statement(sid: str, queue_arn: str) -> dict[str, object]:
    """The IAM statement a function fed by the queue needs: on that queue alone."""
    return {"Sid": sid, "Effect": "Allow", "Action": list(CONSUMER_ACTIONS), "Resource": queue_arn}


def dead_letters_alarm(resource: str, queue_name: pulumi.Input[str], description: str) -> AlarmSpec:
    """Any message in a dead-letter queue is a failure someone has to look at."""
    return AlarmSpec(
        resource=resource,
        name=resource,
        description=description,
        namespace="AWS/SQS",
        metric_name="ApproximateNumberOfMessagesVisible",
        dimension_sets=[{"QueueName": queue_name}],
        statistic="Maximum",
        comparison="GreaterThanThreshold",
        threshold=0,
    )


def oldest_message_alarm(
    resource: str, queue_name: pulumi.Input[str], threshold_seconds: int, description: str
) -> AlarmSpec:
    """The queue's oldest message waiting over `threshold_seconds`: its consumer is behind or gone."""
    return AlarmSpec(
        resource=resource,
        name=resource,
        description=description,
        namespace="AWS/SQS",
        metric_name="ApproximateAgeOfOldestMessage",
        dimension_sets=[{"QueueName": queue_name}],
        statistic="Maximum",
        comparison="GreaterThanThreshold",
        threshold=threshold_seconds,
    )
