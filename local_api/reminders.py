"""Reminders, locally: the stack's schedule group, sender identity and queues on the embedded
moto, the local scheduler firing the items' schedules into the reminders handler, the notifier
as the stream's second reader, and the outbox of what it sent.

    relay (its own process) ──Create/Update/DeleteSchedule──▶ moto's Scheduler (stores only)
    LocalScheduler ──due at()──▶ reminders handler ──reminder record──▶ table stream
    stream pump ──REMINDER_EMAIL_PATTERN──▶ notifier ──SendEmail──▶ moto's SES, and the outbox
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, cast

from aws_lambda_powertools.utilities.typing import LambdaContext

from local_api.embedded_aws import EmbeddedAws
from local_api.event_source_mapping import ShardConsumer, StreamRecord
from local_api.local_scheduler import LocalScheduler
from local_api.outbox import Outbox, OutboxServer, RecordingMailer
from local_api.stream_pump import on_failure_queue
from local_api.workers import LocalLambdaContext
from runtime import config
from runtime.events.stream_filter import REMINDER_EMAIL_PATTERN

# The stack's names with the local suffix.
SCHEDULE_GROUP_NAME = "users-items-reminders-local"
SCHEDULES_DLQ_NAME = "users-items-schedules-dlq-local"
NOTIFIER_DLQ_NAME = "users-items-notifier-dlq-local"
CONFIGURATION_SET_NAME = "users-items-reminders-local"
NOTIFICATION_SENDER = "reminders@example.com"
REMINDERS_FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:users-items-reminders-local"
NOTIFIER_FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:users-items-notifier-local"
SCHEDULER_ROLE_ARN = "arn:aws:iam::123456789012:role/users-items-scheduler-local"
# Local-only key of the outputs file: what the notifier sent.
OUTBOX_URL_KEY = "outboxUrl"


def _context(function_arn: str) -> LocalLambdaContext:
    name = function_arn.rsplit(":", 1)[1]
    return LocalLambdaContext(
        aws_request_id=str(uuid.uuid4()),
        function_name=name,
        invoked_function_arn=function_arn,
        log_group_name=f"/aws/lambda/{name}",
    )


class ShardReaders:
    """The stream's readers on one shard, each with its own mapping (filter, batches, retries), as
    Lambda keeps one per event source mapping: the relay's, then the notifier's."""

    def __init__(self, readers: Sequence[ShardConsumer]) -> None:
        self._readers = readers

    def add(self, records: Sequence[StreamRecord]) -> None:
        for reader in self._readers:
            reader.add(records)

    def step(self) -> bool:
        stepped = [reader.step() for reader in self._readers]  # every reader, as each mapping polls
        return any(stepped)


class LocalReminders:
    """Create the resources with `create_resources`, then `start` and `stop` the scheduler and outbox."""

    def __init__(self, aws: EmbeddedAws) -> None:
        self._aws = aws
        self.outbox = Outbox()
        self._outbox_server = OutboxServer(self.outbox)
        self._scheduler: LocalScheduler | None = None
        self._notifier_failures = ""

    def create_resources(self) -> None:
        sqs, sesv2 = self._aws.client("sqs"), self._aws.client("sesv2")
        self._aws.client("scheduler").create_schedule_group(Name=SCHEDULE_GROUP_NAME)
        self._schedules_dlq_url = sqs.create_queue(QueueName=SCHEDULES_DLQ_NAME)["QueueUrl"]
        self._notifier_dlq_url = sqs.create_queue(QueueName=NOTIFIER_DLQ_NAME)["QueueUrl"]
        sesv2.create_configuration_set(ConfigurationSetName=CONFIGURATION_SET_NAME)
        sesv2.create_email_identity(EmailIdentity=NOTIFICATION_SENDER)

    @property
    def relay_environment(self) -> dict[str, str]:
        """What the relay needs besides the topic: where the schedules go and whom they invoke."""
        return {
            config.SCHEDULE_GROUP_NAME.name: SCHEDULE_GROUP_NAME,
            config.REMINDERS_FUNCTION_ARN.name: REMINDERS_FUNCTION_ARN,
            config.SCHEDULER_ROLE_ARN.name: SCHEDULER_ROLE_ARN,
            config.SCHEDULES_DEAD_LETTER_QUEUE_ARN.name: f"arn:aws:sqs:us-east-1:123456789012:{SCHEDULES_DLQ_NAME}",
        }

    @property
    def notifier_environment(self) -> dict[str, str]:
        return {
            config.NOTIFICATION_SENDER.name: NOTIFICATION_SENDER,
            config.SES_CONFIGURATION_SET.name: CONFIGURATION_SET_NAME,
        }

    def notifier_reader(self, shard_id: str, stream_arn: str) -> ShardConsumer:
        """The notifier's event source mapping on one shard; the notifier runs in this process."""
        from runtime.reminders.dependencies import ses_mailer
        from runtime.reminders.notifier import notify_batch

        mailer = RecordingMailer(ses_mailer(), self.outbox)

        def notify(event: dict[str, Any]) -> Any:
            return notify_batch(event, cast(LambdaContext, _context(NOTIFIER_FUNCTION_ARN)), mailer)

        return ShardConsumer(
            handler=notify,
            on_failure=on_failure_queue(self._aws.client("sqs"), self._notifier_dlq_url),
            shard_id=shard_id,
            stream_arn=stream_arn,
            function_arn=NOTIFIER_FUNCTION_ARN,
            filter_patterns=[REMINDER_EMAIL_PATTERN],
        )

    def start(self) -> None:
        """Start the outbox and the scheduler (the handlers read the environment `serve` set)."""
        from runtime.reminders.handler import lambda_handler

        def invoke(event: dict[str, Any]) -> object:
            return lambda_handler(event, _context(REMINDERS_FUNCTION_ARN))

        self._outbox_server.start()
        self._scheduler = LocalScheduler(
            self._aws.client("scheduler"), self._aws.client("sqs"), SCHEDULE_GROUP_NAME, invoke
        )
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.stop()
        self._outbox_server.stop()

    def outputs(self) -> dict[str, str]:
        return {OUTBOX_URL_KEY: self._outbox_server.url}

    def announce_lines(self) -> list[str]:
        return [
            f"Reminders: schedules fire locally; emails from {NOTIFICATION_SENDER} are listed at"
            f" {self._outbox_server.url} (the schedules' failures: {self._schedules_dlq_url})",
        ]
