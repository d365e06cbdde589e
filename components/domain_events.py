"""DomainEvents: the table's stream as a transactional outbox, relayed to an SNS topic of domain
events, with an SQS integration queue subscribed to it.

    table stream ──event source mapping (filter, partial failures, bounded retries)──▶ relay
        │ batches that fail past their retries                                           │ PublishBatch
        ▼                                                                                ▼
    relay dead-letter queue                              events topic (KMS) ──raw──▶ integration queue
                                                                                         │ 5 failed receives
                                                                                         ▼
                                                                                   its dead-letter queue

The API writes only to the table: the stream is the outbox, so there is no dual write and a
failed publish loses nothing. The relay runs outside the VPC: it reads only what Lambda hands it
from the stream and calls only SNS, so it needs no interface endpoint (about $7.30 per zone per
month each) and holds no data action on the table.

The queues are components.event_queue's (SSE-SQS, 14 days); the topic, which other teams
subscribe to, is under the stack's own key.

Given alarm options, the component alarms on the relay's errors and iterator age, on both
dead-letter queues holding anything, and on the integration queue's oldest message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import policies
from components.alarms import AlarmOptions, AlarmSpec, create_alarms
from components.aws_context import aws_context
from components.event_queue import (
    EventQueueSettings,
    create_event_queue,
    create_queue,
    dead_letters_alarm,
    oldest_message_alarm,
)
from components.lambda_function import (
    FunctionCode,
    FunctionOptions,
    LambdaFunction,
    LambdaFunctionArgs,
    create_lambda_function,
)
from runtime.events import stream_mapping

# The label of the relay's own inline policy (`<name>-relay-<label>`).
RELAY_POLICY_LABEL = "stream-and-topic"


@dataclass(frozen=True, kw_only=True)
class StreamSource:
    """The table whose stream is the outbox, and which of its records are domain records."""

    table_arn: pulumi.Input[str]
    stream_arn: pulumi.Input[str]
    filter_patterns: Sequence[str]
    """Lambda filter patterns (JSON objects) a record must match one of to reach the relay."""

    def __post_init__(self) -> None:
        if not self.filter_patterns:
            raise ValueError("the stream needs at least one filter pattern: unfiltered, every record is relayed")
        for pattern in self.filter_patterns:
            if not isinstance(json.loads(pattern), dict):
                raise ValueError(f"a filter pattern is a JSON object, not {pattern!r}")


@dataclass(frozen=True, kw_only=True)
class RelayArgs:
    """The relay function: its code, how it runs, and its environment."""

    code: FunctionCode
    environment: Mapping[str, pulumi.Input[str]]
    """Its variables but the topic's ARN, which the component adds as `topic_arn_variable`."""
    topic_arn_variable: str
    options: FunctionOptions = field(default_factory=FunctionOptions)
    inline_policies: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """What else the relay does, by label (the items' reminder schedules), beside its own policy."""

    def __post_init__(self) -> None:
        if RELAY_POLICY_LABEL in self.inline_policies:
            raise ValueError(f"{RELAY_POLICY_LABEL} is the relay's own policy, which the component writes")
        if self.topic_arn_variable in self.environment:
            raise ValueError(f"{self.topic_arn_variable} is the topic's ARN, which the component provides")


@dataclass(frozen=True, kw_only=True)
class StreamMappingSettings:
    """How Lambda hands the stream to the relay. The defaults are the decided ones: change them
    only with a measured reason."""

    batch_size: int = stream_mapping.BATCH_SIZE
    batching_window_seconds: int = stream_mapping.BATCHING_WINDOW_SECONDS
    retry_attempts: int = stream_mapping.RETRY_ATTEMPTS
    """Retries of a failing batch (halved by bisection each time) before it goes to the dead-letter queue."""
    maximum_record_age_seconds: int = stream_mapping.MAXIMUM_RECORD_AGE_SECONDS
    """A record older than this goes to the dead-letter queue unrelayed: the relay catches up
    rather than blocking the shard."""
    parallelization_factor: int = stream_mapping.PARALLELIZATION_FACTOR
    """Batches per shard at once. Lambda keeps records of one partition key (`USER#<id>`: one
    user) in order at any factor; 1 also keeps the whole shard in order, as decided."""

    def __post_init__(self) -> None:
        # Lambda's limits for DynamoDB streams; -1 (infinite retries or age) is refused on purpose.
        if not 1 <= self.batch_size <= 10000:
            raise ValueError("batch_size must be between 1 and 10000")
        if not 0 <= self.batching_window_seconds <= 300:
            raise ValueError("batching_window_seconds must be between 0 and 300")
        if not 0 <= self.retry_attempts <= 10000:
            raise ValueError("retry_attempts must be between 0 and 10000: a finite number")
        if not 60 <= self.maximum_record_age_seconds <= 604800:
            raise ValueError("maximum_record_age_seconds must be between 60 and 604800: a finite age")
        if not 1 <= self.parallelization_factor <= 10:
            raise ValueError("parallelization_factor must be between 1 and 10")


@dataclass(frozen=True, kw_only=True)
class EventsAlarmThresholds:
    relay_errors: int = 1
    """Failed relay invocations per period that fire the errors alarm."""
    iterator_age_ms: int = 60_000
    """Age of the newest record of a batch the relay got, at its worst in a period: the relay
    falling behind the table's writes."""
    oldest_message_age_seconds: int = 3600
    """Age of the integration queue's oldest message: its consumer falling behind, or gone."""

    def __post_init__(self) -> None:
        if min(self.relay_errors, self.iterator_age_ms, self.oldest_message_age_seconds) < 1:
            raise ValueError("alarm thresholds must be at least 1")


@dataclass(frozen=True, kw_only=True)
class DomainEventsArgs:
    source: StreamSource
    relay: RelayArgs
    mapping: StreamMappingSettings = StreamMappingSettings()
    queue: EventQueueSettings = field(default_factory=EventQueueSettings)
    subscriber_accounts: Sequence[str] = ()
    """Other AWS accounts whose principals may subscribe to the topic (SQS and Lambda endpoints)."""
    alarms: AlarmOptions | None = None
    """Without them the component creates no alarms."""
    alarm_thresholds: EventsAlarmThresholds = EventsAlarmThresholds()


class DomainEvents(pulumi.ComponentResource):
    topic_arn: pulumi.Output[str]
    topic_key_arn: pulumi.Output[str]
    queue_url: pulumi.Output[str]
    queue_arn: pulumi.Output[str]
    relay_function_name: pulumi.Output[str]
    relay_role_arn: pulumi.Output[str]
    relay_dead_letter_queue_name: pulumi.Output[str]
    queue_dead_letter_queue_name: pulumi.Output[str]
    mapping_uuid: pulumi.Output[str]

    def __init__(self, name: str, args: DomainEventsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("users-items:index:DomainEvents", name, None, opts)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        self._physical_name = f"{name}-{pulumi.get_stack()}"
        self._aws = aws_context(self)

        key = self._create_key()
        topic = aws.sns.Topic(name, name=self._physical_name, kms_master_key_id=key.arn, opts=self._child)
        relay_dead_letters = create_queue(f"{name}-relay-dlq", f"{name}-relay-dlq-{pulumi.get_stack()}", self)
        relay = self._create_relay(topic, key, relay_dead_letters)
        aws.sns.TopicPolicy(
            name,
            arn=topic.arn,
            policy=pulumi.Output.all(topic.arn, relay.role.arn, self._aws.partition).apply(
                lambda values: policies.events_topic_policy(
                    values[0], values[1], partition=values[2], subscriber_accounts=args.subscriber_accounts
                )
            ),
            opts=self._child,
        )
        mapping = self._create_mapping(relay.function, relay_dead_letters)
        queue, queue_dead_letters = self._create_integration_queue(topic)
        if args.alarms:
            create_alarms(
                self._alarm_specs(relay.function.name, relay_dead_letters.name, queue.name, queue_dead_letters.name),
                args.alarms,
                resource_prefix=name,
                name_prefix=self._physical_name,
                parent=self,
            )

        self.topic_arn = topic.arn
        self.topic_key_arn = key.arn
        self.queue_url = queue.url
        self.queue_arn = queue.arn
        self.relay_function_name = relay.function.name
        self.relay_role_arn = relay.role.arn
        self.relay_dead_letter_queue_name = relay_dead_letters.name
        self.queue_dead_letter_queue_name = queue_dead_letters.name
        self.mapping_uuid = mapping.uuid
        self.register_outputs(
            {
                "topicArn": self.topic_arn,
                "topicKeyArn": self.topic_key_arn,
                "queueUrl": self.queue_url,
                "queueArn": self.queue_arn,
                "relayFunctionName": self.relay_function_name,
                "relayRoleArn": self.relay_role_arn,
                "relayDeadLetterQueueName": self.relay_dead_letter_queue_name,
                "queueDeadLetterQueueName": self.queue_dead_letter_queue_name,
                "mappingUuid": self.mapping_uuid,
            }
        )

    def _create_key(self) -> aws.kms.Key:
        return aws.kms.Key(
            self._name,
            description=f"Encrypts the {self._physical_name} domain events topic's messages",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.all(self._aws.partition, self._aws.account_id).apply(
                lambda values: policies.events_topic_key_policy(*values)
            ),
            opts=self._child,
        )

    def _create_relay(self, topic: aws.sns.Topic, key: aws.kms.Key, dead_letters: aws.sqs.Queue) -> LambdaFunction:
        relay, source = self._args.relay, self._args.source
        document = pulumi.Output.all(
            table_arn=source.table_arn,
            topic_arn=topic.arn,
            key_arn=key.arn,
            dead_letter_queue_arn=dead_letters.arn,
            region=self._aws.region,
        ).apply(lambda values: policies.stream_relay_policy(**values))
        return create_lambda_function(
            f"{self._name}-relay",
            LambdaFunctionArgs(
                name=f"{self._name}-relay-{pulumi.get_stack()}",
                code=relay.code,
                options=relay.options,
                environment={**relay.environment, relay.topic_arn_variable: topic.arn},
                network=None,
                tracing=True,
                inline_policies={RELAY_POLICY_LABEL: document, **relay.inline_policies},
            ),
            parent=self,
        )

    def _create_mapping(
        self, function: aws.lambda_.Function, dead_letters: aws.sqs.Queue
    ) -> aws.lambda_.EventSourceMapping:
        """Lambda polls the stream for the relay. Without these settings a failing record would be
        retried until it expires (24 h), blocking every later change of its shard."""
        settings, source = self._args.mapping, self._args.source
        return aws.lambda_.EventSourceMapping(
            f"{self._name}-relay",
            event_source_arn=source.stream_arn,
            function_name=function.arn,
            # From the deploy on: the outbox starts empty.
            starting_position="LATEST",
            batch_size=settings.batch_size,
            maximum_batching_window_in_seconds=settings.batching_window_seconds,
            maximum_retry_attempts=settings.retry_attempts,
            maximum_record_age_in_seconds=settings.maximum_record_age_seconds,
            bisect_batch_on_function_error=stream_mapping.BISECT_BATCH_ON_FUNCTION_ERROR,
            parallelization_factor=settings.parallelization_factor,
            # The relay reports the records it failed; Lambda retries from the first of them.
            function_response_types=["ReportBatchItemFailures"],
            filter_criteria=aws.lambda_.EventSourceMappingFilterCriteriaArgs(
                filters=[
                    aws.lambda_.EventSourceMappingFilterCriteriaFilterArgs(pattern=pattern)
                    for pattern in source.filter_patterns
                ]
            ),
            destination_config=aws.lambda_.EventSourceMappingDestinationConfigArgs(
                on_failure=aws.lambda_.EventSourceMappingDestinationConfigOnFailureArgs(
                    destination_arn=dead_letters.arn
                )
            ),
            opts=self._child,
        )

    def _create_integration_queue(self, topic: aws.sns.Topic) -> tuple[aws.sqs.Queue, aws.sqs.Queue]:
        """The queue every event is delivered to as published (raw), and its dead-letter queue."""
        integration = create_event_queue(
            f"{self._name}-queue",
            physical_name=self._physical_name,
            topic_arn=topic.arn,
            parent=self,
            settings=self._args.queue,
        )
        return integration.queue, integration.dead_letters

    def _alarm_specs(
        self,
        function_name: pulumi.Input[str],
        relay_dead_letters: pulumi.Input[str],
        queue: pulumi.Input[str],
        queue_dead_letters: pulumi.Input[str],
    ) -> list[AlarmSpec]:
        thresholds, relay = self._args.alarm_thresholds, f"{self._physical_name} relay"
        on_function: list[Mapping[str, pulumi.Input[str]]] = [{"FunctionName": function_name}]
        return [
            AlarmSpec(
                resource="relay-errors",
                name="relay-errors",
                description=(
                    f"The {relay} failed {thresholds.relay_errors}+ batches in a period (unhandled "
                    "exception, timeout): Lambda retries them, bisected, then sends them to the relay's "
                    "dead-letter queue. Look for ERROR lines in the relay's log group and at its X-Ray traces."
                ),
                namespace="AWS/Lambda",
                metric_name="Errors",
                dimension_sets=on_function,
                threshold=thresholds.relay_errors,
            ),
            AlarmSpec(
                resource="relay-iterator-age",
                name="relay-iterator-age",
                description=(
                    f"The {relay} is over {thresholds.iterator_age_ms // 1000} s behind the table's writes: "
                    "events reach consumers late, and records older than the mapping's maximum age are "
                    "dropped to the dead-letter queue. Check the relay's errors and duration, and SNS throttling."
                ),
                namespace="AWS/Lambda",
                metric_name="IteratorAge",
                dimension_sets=on_function,
                statistic="Maximum",
                comparison="GreaterThanThreshold",
                threshold=thresholds.iterator_age_ms,
            ),
            dead_letters_alarm(
                "relay-dlq-depth",
                relay_dead_letters,
                f"Changes of the table the {relay} could not publish after its retries (or that aged "
                "out) are in its dead-letter queue: their events were never sent. Each message names "
                "the stream batch; read the records from the stream (24 h) and republish after fixing the cause.",
            ),
            dead_letters_alarm(
                "queue-dlq-depth",
                queue_dead_letters,
                f"Events the integration queue's consumer failed {self._args.queue.max_receive_count} "
                "times are in its dead-letter queue. Find why in the consumer's logs, then redrive "
                "them to the queue (SQS's start-message-move-task).",
            ),
            oldest_message_alarm(
                "queue-oldest-message-age",
                queue,
                thresholds.oldest_message_age_seconds,
                f"The integration queue's oldest event waits over {thresholds.oldest_message_age_seconds} s: "
                "its consumer is behind, failing or gone. Events expire after 14 days.",
            ),
        ]
