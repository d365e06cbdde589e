"""Reminders: one EventBridge Scheduler schedule per item due, the reminders function it invokes,
and the notifier that emails the owner.

    relay ──Create/Update/DeleteSchedule (its group only, PassRole to Scheduler only)──▶ schedule group
    schedule at(dueAt) ──scheduler role (aws:SourceAccount)──▶ reminders function (VPC: the table
        │ 3 attempts, 1 hour                                    through the gateway endpoint)
        ▼                                                           │ reminder record (conditional)
    schedules' dead-letter queue                                    ▼
                                          table stream ──second mapping (REMINDER_EMAIL_PATTERN)──▶ notifier
                                                                    (outside the VPC) ──SES SendEmail──▶ owner
                                                   configuration set ──bounces, complaints──▶ CloudWatch

The reminders function re-reads the item and records the reminder (`remindedAt`, and a record
with the owner's address) only if it is still due at the schedule's time: exactly once. The
notifier is the stream's second and last reader (DynamoDB advises at most two per shard); it
reads no table and sends only from the configured identity. Without a sender identity, or on a
stack without an authorizer (anyone could make it mail any address), there is no notifier:
reminders are still recorded and published as `item.reminder_due`, and no email goes out.

Given alarm options, the component alarms on the reminders function's errors and anything in the
schedules' dead-letter queue and, with a notifier, on its errors, its dead-letter queue and SES's
bounce rate (an account-level metric: other senders of the account move it too).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import policies
from components.alarms import AlarmOptions, AlarmSpec, create_alarms
from components.aws_context import aws_context
from components.domain_events import StreamMappingSettings, StreamSource
from components.event_queue import create_queue, dead_letters_alarm
from components.lambda_function import (
    FunctionCode,
    FunctionNetwork,
    FunctionOptions,
    LambdaFunction,
    LambdaFunctionArgs,
    TableAccess,
    create_lambda_function,
)
from runtime.events import stream_mapping

# SES reviews an account whose bounce rate reaches 5% and may pause its sending at 10%.
BOUNCE_RATE_THRESHOLD = 0.05
# The label of each function's own inline policy (`<name>-<function>-<label>`).
NOTIFIER_POLICY_LABEL = "stream-and-ses"


@dataclass(frozen=True, kw_only=True)
class RemindersFunctionArgs:
    """The function a schedule invokes: in the VPC, on the table with exactly `table.actions`."""

    code: FunctionCode
    network: FunctionNetwork
    table: TableAccess
    environment: Mapping[str, pulumi.Input[str]]
    options: FunctionOptions = field(default_factory=FunctionOptions)


@dataclass(frozen=True, kw_only=True)
class NotifierArgs:
    """The function that emails reminders, and the identity it sends from."""

    code: FunctionCode
    sender: str
    """The verified SES identity's address (or an address of its verified domain)."""
    environment: Mapping[str, pulumi.Input[str]]
    """Its variables but the sender and the configuration set, which the component adds."""
    sender_variable: str
    configuration_set_variable: str
    stream: StreamSource
    """The table whose stream carries the reminder records, and the notifier's own filter."""
    mapping: StreamMappingSettings = field(default_factory=StreamMappingSettings)
    options: FunctionOptions = field(default_factory=FunctionOptions)

    def __post_init__(self) -> None:
        if "@" not in self.sender:
            raise ValueError(f"the sender is an email address, not {self.sender!r}")
        taken = {self.sender_variable, self.configuration_set_variable} & set(self.environment)
        if taken:
            raise ValueError(f"{sorted(taken)} are the component's to set")


@dataclass(frozen=True, kw_only=True)
class RemindersArgs:
    reminders: RemindersFunctionArgs
    notifier: NotifierArgs | None = None
    """None: no email is sent (no sender configured, or a stack without an authorizer)."""
    alarms: AlarmOptions | None = None


class Reminders(pulumi.ComponentResource):
    schedule_group_name: pulumi.Output[str]
    reminders_function_arn: pulumi.Output[str]
    scheduler_role_arn: pulumi.Output[str]
    schedules_dead_letter_queue_arn: pulumi.Output[str]
    relay_policy: pulumi.Output[str]
    """What the relay's role needs to keep the items' schedules (`policies.relay_schedules_policy`)."""

    def __init__(self, name: str, args: RemindersArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("users-items:index:Reminders", name, None, opts)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        self._stack = pulumi.get_stack()
        self._aws = aws_context(self)

        group = aws.scheduler.ScheduleGroup(name, name=f"{name}-{self._stack}", opts=self._child)
        schedules_arn = pulumi.Output.concat(
            "arn:",
            self._aws.partition,
            ":scheduler:",
            self._aws.region,
            ":",
            self._aws.account_id,
            ":schedule/",
            group.name,
            "/*",
        )
        schedules_dead_letters = self._create_queue(f"{name}-schedules-dlq")
        reminders = self._create_reminders_function()
        scheduler_role = self._create_scheduler_role(group.arn, reminders, schedules_dead_letters)
        notifier = self._create_notifier(args.notifier) if args.notifier else None
        if args.alarms:
            create_alarms(
                self._alarm_specs(reminders, schedules_dead_letters, notifier),
                args.alarms,
                resource_prefix=name,
                name_prefix=f"{name}-{self._stack}",
                parent=self,
            )

        self.schedule_group_name = group.name
        self.reminders_function_arn = reminders.function.arn
        self.scheduler_role_arn = scheduler_role.arn
        self.schedules_dead_letter_queue_arn = schedules_dead_letters.arn
        self.relay_policy = pulumi.Output.all(schedules_arn, scheduler_role.arn).apply(
            lambda values: policies.relay_schedules_policy(schedules_arn=values[0], scheduler_role_arn=values[1])
        )
        self.register_outputs(
            {
                "scheduleGroupName": self.schedule_group_name,
                "remindersFunctionArn": self.reminders_function_arn,
                "schedulerRoleArn": self.scheduler_role_arn,
                "schedulesDeadLetterQueueArn": self.schedules_dead_letter_queue_arn,
            }
        )

    def _create_queue(self, resource_name: str) -> aws.sqs.Queue:
        return create_queue(resource_name, f"{resource_name}-{self._stack}", self)

    def _create_reminders_function(self) -> LambdaFunction:
        reminders = self._args.reminders
        return create_lambda_function(
            self._name,
            LambdaFunctionArgs(
                name=f"{self._name}-{self._stack}",
                code=reminders.code,
                options=reminders.options,
                environment=reminders.environment,
                network=reminders.network,
                tracing=True,
                dynamodb_tables=[reminders.table],
            ),
            parent=self,
        )

    def _create_scheduler_role(
        self, group_arn: pulumi.Output[str], reminders: LambdaFunction, dead_letters: aws.sqs.Queue
    ) -> aws.iam.Role:
        role = aws.iam.Role(
            f"{self._name}-scheduler",
            description=f"EventBridge Scheduler invokes the {self._name}-{self._stack} function with this role",
            assume_role_policy=pulumi.Output.all(self._aws.account_id, group_arn).apply(
                lambda values: policies.scheduler_trust_policy(*values)
            ),
            opts=self._child,
        )
        aws.iam.RolePolicy(
            f"{self._name}-scheduler",
            role=role.id,
            policy=pulumi.Output.all(reminders.function.arn, dead_letters.arn).apply(
                lambda arns: policies.scheduler_policy(function_arn=arns[0], dead_letter_queue_arn=arns[1])
            ),
            opts=self._child,
        )
        return role

    def _create_notifier(self, notifier: NotifierArgs) -> tuple[LambdaFunction, aws.sqs.Queue]:
        name = f"{self._name}-notifier"
        configuration_set = aws.sesv2.ConfigurationSet(
            name, configuration_set_name=f"{name}-{self._stack}", opts=self._child
        )
        aws.sesv2.ConfigurationSetEventDestination(
            name,
            configuration_set_name=configuration_set.configuration_set_name,
            event_destination_name="bounces-and-complaints",
            event_destination=aws.sesv2.ConfigurationSetEventDestinationEventDestinationArgs(
                enabled=True,
                matching_event_types=["BOUNCE", "COMPLAINT"],
                cloud_watch_destination=aws.sesv2.ConfigurationSetEventDestinationEventDestinationCloudWatchDestinationArgs(
                    dimension_configurations=[
                        aws.sesv2.ConfigurationSetEventDestinationEventDestinationCloudWatchDestinationDimensionConfigurationArgs(
                            dimension_name="ses:configuration-set",
                            dimension_value_source="MESSAGE_TAG",
                            default_dimension_value=f"{name}-{self._stack}",
                        )
                    ]
                ),
            ),
            opts=self._child,
        )
        dead_letters = self._create_queue(f"{name}-dlq")
        identities = [notifier.sender, notifier.sender.rsplit("@", 1)[1]]
        document = pulumi.Output.all(
            self._aws.partition,
            self._aws.region,
            self._aws.account_id,
            configuration_set.arn,
            dead_letters.arn,
            notifier.stream.table_arn,
        ).apply(
            lambda values: policies.notifier_policy(
                table_arn=values[5],
                identity_arns=[f"arn:{values[0]}:ses:{values[1]}:{values[2]}:identity/{id_}" for id_ in identities],
                configuration_set_arn=values[3],
                sender=notifier.sender,
                dead_letter_queue_arn=values[4],
            )
        )
        function = create_lambda_function(
            name,
            LambdaFunctionArgs(
                name=f"{name}-{self._stack}",
                code=notifier.code,
                options=notifier.options,
                environment={
                    **notifier.environment,
                    notifier.sender_variable: notifier.sender,
                    notifier.configuration_set_variable: configuration_set.configuration_set_name,
                },
                network=None,
                tracing=True,
                inline_policies={NOTIFIER_POLICY_LABEL: document},
            ),
            parent=self,
        )
        self._create_mapping(name, notifier, function.function, dead_letters)
        return function, dead_letters

    def _create_mapping(
        self, name: str, notifier: NotifierArgs, function: aws.lambda_.Function, dead_letters: aws.sqs.Queue
    ) -> aws.lambda_.EventSourceMapping:
        """The stream's second reader: only opted-in reminder records, with the relay's bounded retries."""
        settings = notifier.mapping
        return aws.lambda_.EventSourceMapping(
            name,
            event_source_arn=notifier.stream.stream_arn,
            function_name=function.arn,
            starting_position="LATEST",
            batch_size=settings.batch_size,
            maximum_batching_window_in_seconds=settings.batching_window_seconds,
            maximum_retry_attempts=settings.retry_attempts,
            maximum_record_age_in_seconds=settings.maximum_record_age_seconds,
            bisect_batch_on_function_error=stream_mapping.BISECT_BATCH_ON_FUNCTION_ERROR,
            parallelization_factor=settings.parallelization_factor,
            function_response_types=["ReportBatchItemFailures"],
            filter_criteria=aws.lambda_.EventSourceMappingFilterCriteriaArgs(
                filters=[
                    aws.lambda_.EventSourceMappingFilterCriteriaFilterArgs(pattern=pattern)
                    for pattern in notifier.stream.filter_patterns
                ]
            ),
            destination_config=aws.lambda_.EventSourceMappingDestinationConfigArgs(
                on_failure=aws.lambda_.EventSourceMappingDestinationConfigOnFailureArgs(
                    destination_arn=dead_letters.arn
                )
            ),
            opts=self._child,
        )

    def _alarm_specs(
        self,
        reminders: LambdaFunction,
        schedules_dead_letters: aws.sqs.Queue,
        notifier: tuple[LambdaFunction, aws.sqs.Queue] | None,
    ) -> list[AlarmSpec]:
        function = f"{self._name}-{self._stack}"
        specs = [
            AlarmSpec(
                resource="errors",
                name="errors",
                description=(
                    f"The {function} function failed a reminder (exception, timeout): Scheduler retries it "
                    "(3 attempts within an hour), then sends it to the schedules' dead-letter queue. Look for "
                    "ERROR lines in its log group and at its X-Ray traces (the table through the gateway endpoint)."
                ),
                namespace="AWS/Lambda",
                metric_name="Errors",
                dimension_sets=[{"FunctionName": reminders.function.name}],
                threshold=1,
            ),
            dead_letters_alarm(
                "schedules-dlq-depth",
                schedules_dead_letters.name,
                f"Reminders that Scheduler could not deliver to {function} after its retries are in the schedules' "
                "dead-letter queue: their owners were never reminded. Each message is a schedule's input "
                "(userId, itemId, dueAt); invoke the function with it once the cause is fixed.",
            ),
        ]
        if notifier is not None:
            notifier_function, notifier_dead_letters = notifier
            specs += [
                AlarmSpec(
                    resource="notifier-errors",
                    name="notifier-errors",
                    description=(
                        f"The {function} notifier failed a batch of reminders: Lambda retries it, bisected, then "
                        "sends it to the notifier's dead-letter queue. Look for ERROR lines in its log group "
                        "(SES throttling, an identity no longer verified)."
                    ),
                    namespace="AWS/Lambda",
                    metric_name="Errors",
                    dimension_sets=[{"FunctionName": notifier_function.function.name}],
                    threshold=1,
                ),
                AlarmSpec(
                    resource="ses-bounce-rate",
                    name="ses-bounce-rate",
                    description=(
                        f"SES's bounce rate is over {BOUNCE_RATE_THRESHOLD:.0%}: SES reviews the account at 5% and may "
                        "pause its sending at 10%. The metric is account-level: every sender of the account moves "
                        "it, not only the reminders. Look at the bounces the configuration set counts."
                    ),
                    namespace="AWS/SES",
                    metric_name="Reputation.BounceRate",
                    dimension_sets=[{}],
                    statistic="Maximum",
                    comparison="GreaterThanThreshold",
                    threshold=BOUNCE_RATE_THRESHOLD,
                ),
                dead_letters_alarm(
                    "notifier-dlq-depth",
                    notifier_dead_letters.name,
                    f"Reminder emails the {function} notifier could not send after its retries: each message "
                    "names a stream batch; read the reminder records from the stream (24 h) to resend.",
                ),
            ]
        return specs
