"""Stream relay throughput: records/s through `runtime.events.relay.lambda_handler`, in-process.

Batches of 100 recorded stream records (`tests/support/recorded/dynamodb_stream.json`: item
creations, renames, completions, which publish two events, and deletions, spread over 10 users),
as the event source mapping hands them over (batch size 100). SNS is botocore's Stubber on the
relay's own client, so the figure is the relay's own cost (translation, envelopes, PublishBatch
requests built and their answers read, batch processing, metrics), not SNS's latency: each
batch's canned answers are queued before the clock starts and checked consumed after it stops.
Tracing is off (no X-Ray daemon here); metrics are on, their output silenced.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from benchmarks._support import REGION, apply_environment, heading, median, spread, stdout_silenced
from runtime.config import EVENTS_TOPIC_ARN, RELAY_ENVIRONMENT
from runtime.events import stream_mapping

TOPIC_ARN = f"arn:aws:sns:{REGION}:123456789012:users-items-events-bench"
SCHEDULE_SETTINGS = {
    "SCHEDULE_GROUP_NAME": "users-items-reminders-bench",
    "REMINDERS_FUNCTION_ARN": f"arn:aws:lambda:{REGION}:123456789012:function:users-items-reminders-bench",
    "SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/users-items-scheduler-bench",
    "SCHEDULES_DEAD_LETTER_QUEUE_ARN": f"arn:aws:sqs:{REGION}:123456789012:users-items-schedules-dlq-bench",
}
BATCH_SIZE = stream_mapping.BATCH_SIZE
WARM_UP = 10
STEPS = ("create item", "rename item", "complete item", "delete item")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=200, help="timed batches of 100 records (default 200)")
    return parser.parse_args()


def _batch() -> dict[str, Any]:
    from tests.support.stream_events import as_user, recorded, renumbered, stream_batch

    records = [as_user(recorded(STEPS[n % len(STEPS)]), f"U-BENCH-{n % 10}") for n in range(BATCH_SIZE)]
    return stream_batch(renumbered(records))


class _RecordingSns:
    """Stands in for SNS once, untimed, to learn the PublishBatch calls a batch makes."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def publish_batch(self, TopicArn: str, PublishBatchRequestEntries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        self.calls.append([entry["Id"] for entry in PublishBatchRequestEntries])
        return {"Successful": [], "Failed": []}


def _answers(event: dict[str, Any]) -> list[dict[str, Any]]:
    """SNS's answers to the batch's calls, in order: every entry taken."""
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBStreamEvent

    from runtime.events.batch import relay
    from runtime.events.publisher import EventPublisher

    recorder = _RecordingSns()
    relay(DynamoDBStreamEvent(event).records, EventPublisher(recorder, TOPIC_ARN))
    return [
        {"Successful": [{"Id": entry, "MessageId": entry} for entry in call], "Failed": []} for call in recorder.calls
    ]


def main() -> None:
    arguments = parse_arguments()
    apply_environment(
        {
            **{variable.name: variable.default for variable in RELAY_ENVIRONMENT if variable.default is not None},
            EVENTS_TOPIC_ARN.name: TOPIC_ARN,
            # The recorded items have no due time: the relay makes no Scheduler call (benchmarks/reminders.py).
            **SCHEDULE_SETTINGS,
            "POWERTOOLS_TRACE_DISABLED": "true",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }
    )
    from botocore.stub import Stubber

    from runtime.events.dependencies import sns_client
    from runtime.events.relay import lambda_handler
    from tests.support.events import LambdaContext

    event, context = _batch(), LambdaContext(remaining_ms=stream_mapping.RELAY_TIMEOUT_SECONDS * 1000)
    answers = _answers(event)
    samples: list[float] = []
    with Stubber(sns_client()) as stubber, stdout_silenced():
        for run in range(WARM_UP + arguments.batches):
            for answer in answers:
                stubber.add_response("publish_batch", answer)
            started = time.perf_counter_ns()
            response = lambda_handler(event, context)
            elapsed = time.perf_counter_ns() - started
            stubber.assert_no_pending_responses()
            if response["batchItemFailures"]:
                raise SystemExit(f"the relay failed records: {response}")
            if run >= WARM_UP:
                samples.append(elapsed / 1e6)
    _report(samples, answers)


def _report(samples: list[float], answers: list[dict[str, Any]]) -> None:
    heading("Stream relay, in-process (SNS stubbed)")
    per_batch = median(samples)
    entries = sum(len(answer["Successful"]) for answer in answers)
    print(f"{len(samples)} batches of {BATCH_SIZE} records, {entries} events in {len(answers)} PublishBatch calls each")
    print(f"ms per batch: median {per_batch:.2f}  ({spread(samples)})")
    print(f"records/s: {BATCH_SIZE / per_batch * 1000:,.0f}  events/s: {entries / per_batch * 1000:,.0f}")


if __name__ == "__main__":
    main()
