"""The notifier's entry point: the stream's second reader, outside the VPC, handed only reminder
records written for owners who opted in to email (`stream_filter.REMINDER_EMAIL_PATTERN`).

One email per record, through SES; a record whose send fails is reported, and Lambda delivers it
again (with the records after it). It reads no table: the reminder record carries the address.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from runtime.observability import count, logger, metrics, tracer
from runtime.records import reminder_from
from runtime.reminders.dependencies import notifier_settings, ses_mailer
from runtime.reminders.emails import Mailer, reminder_email

REMINDER_EMAILS_SENT = "ReminderEmailsSent"

notifier_settings()  # fail at start, not on the first batch, when the environment is incomplete
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def send_reminder(record: DynamoDBRecord, mailer: Mailer) -> str | None:
    """The record's email, if its owner opted in; the message id."""
    stream = record.dynamodb
    if stream is None or "NewImage" not in stream.raw_event:
        raise ValueError(f"record {record.event_id} has no new image to send a reminder from")
    reminder = reminder_from(stream.raw_event["NewImage"])
    if not reminder.notify_by_email:
        return None
    message_id = mailer.send(reminder_email(reminder))
    logger.info("reminder sent", extra={"itemId": reminder.item_id, "dueAt": reminder.due_at, "messageId": message_id})
    count(REMINDER_EMAILS_SENT)
    return message_id


def notify_batch(event: dict[str, Any], context: LambdaContext, mailer: Mailer) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event,
            record_handler=lambda record: send_reminder(record, mailer),
            processor=processor,
            context=context,
        )
    )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return notify_batch(event, context, ses_mailer())
