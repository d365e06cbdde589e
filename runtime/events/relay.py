"""The stream relay's Lambda entry point: a batch of the table's stream records in, a partial batch
response out (the event source mapping has `ReportBatchItemFailures`).

The stack's filter criteria (`runtime.events.stream_filter`) let only profiles and items through.
`runtime.events.batch` publishes their events, after `runtime.reminders.schedules` has kept the
items' reminder schedules, and decides which records failed; powertools' batch
processor then reports those, and raises when every record failed, so that Lambda bisects the batch.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBStreamEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from runtime.events.batch import relay
from runtime.events.dependencies import relay_settings, scheduler_client, sns_client
from runtime.events.publisher import EventPublisher
from runtime.observability import EVENTS_PUBLISHED, count, logger, metrics, tracer
from runtime.reminders.schedules import ItemSchedules, ScheduleSettings

relay_settings()  # fail at start, not on the first batch, when the environment is incomplete
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def relay_stream_batch(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = relay_settings()
    publisher = EventPublisher(sns_client(), settings.events_topic_arn)
    schedules = ItemSchedules(
        scheduler_client(),
        ScheduleSettings(
            group_name=settings.schedule_group_name,
            target_arn=settings.reminders_function_arn,
            role_arn=settings.scheduler_role_arn,
            dead_letter_queue_arn=settings.schedules_dead_letter_queue_arn,
        ),
    )
    relayed = relay(
        DynamoDBStreamEvent(event).records,
        publisher,
        time_left_ms=context.get_remaining_time_in_millis,
        side_effect=schedules.follow,
    )
    count(EVENTS_PUBLISHED, relayed.events_published)
    return dict(
        process_partial_response(event=event, record_handler=relayed.outcome, processor=processor, context=context)
    )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return relay_stream_batch(event, context)
