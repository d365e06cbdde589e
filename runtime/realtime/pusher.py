"""The pusher's Lambda entry point: a batch of domain events from its own queue (raw SNS
deliveries), each pushed to its user's connections (`runtime.realtime.fan_out`); a partial batch
response out (the event source mapping has `ReportBatchItemFailures`).

A record fails, and comes back from the queue, only when it is no event or the connections table
cannot be read: failed posts to single connections are counted (`PushFailures`, alarmed), not
retried, so that one dead client never makes the others receive an event twice.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from runtime.observability import count, logger, metrics
from runtime.realtime.dependencies import PUSH_CONCURRENCY, connection_registry, management_client, pusher_settings
from runtime.realtime.fan_out import fan_out
from runtime.realtime.messages import push_of
from runtime.realtime.names import CONNECTIONS_GONE, EVENTS_PUSHED, PUSH_FAILURES

pusher_settings()  # fail at start, not on the first batch, when the environment is incomplete
processor = BatchProcessor(event_type=EventType.SQS)
_executor = ThreadPoolExecutor(max_workers=PUSH_CONCURRENCY, thread_name_prefix="push")


def push_record(record: SQSRecord) -> None:
    push = push_of(record.body)
    registry = connection_registry(pusher_settings().connections_table_name)
    delivery = fan_out(push, registry, management_client(), _executor)
    count(EVENTS_PUSHED, delivery.delivered)
    count(CONNECTIONS_GONE, len(delivery.gone))
    count(PUSH_FAILURES, len(delivery.failed))


def push_batch(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(process_partial_response(event=event, record_handler=push_record, processor=processor, context=context))


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return push_batch(event, context)
