"""The local scheduler on moto, driven by its clock: a schedule fires once, at its time, into the
handler; a failing one is retried as the retry policy says, then goes to its dead-letter queue."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local_api.local_scheduler import LocalScheduler, fire_time
from runtime.models import Item, ItemStatus
from runtime.reminders.schedules import RETRY_ATTEMPTS, ItemSchedules, ScheduleSettings

GROUP = "reminders-test"
DUE = datetime(2030, 1, 31, 9, 0, 0, 250_000, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def aws() -> Any:
    with mock_aws():
        scheduler, sqs = boto3.client("scheduler"), boto3.client("sqs")
        scheduler.create_schedule_group(Name=GROUP)
        queue_url = sqs.create_queue(QueueName="schedules-dlq")["QueueUrl"]
        yield scheduler, sqs, queue_url


def schedule_item(aws: Any) -> dict[str, str]:
    scheduler, sqs, queue_url = aws
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    settings = ScheduleSettings(
        group_name=GROUP,
        target_arn="arn:aws:lambda:us-east-1:123456789012:function:reminders",
        role_arn="arn:aws:iam::123456789012:role/scheduler",
        dead_letter_queue_arn=queue_arn,
    )
    item = Item(
        user_id="U-JANE",
        item_id="01M8VS5MQH8SE6Q6PCN84Q1N0V",
        task="call Bob",
        status=ItemStatus.TODO,
        due_at="2030-01-31T09:00:00.250Z",
        created_at="2030-01-30T09:00:00.000Z",
        updated_at="2030-01-30T09:00:00.000Z",
        version=1,
    )
    ItemSchedules(scheduler, settings, clock=lambda: DUE - timedelta(days=1)).put(item, created=True)
    return {"userId": item.user_id, "itemId": item.item_id, "dueAt": "2030-01-31T09:00:00.250Z"}


def test_a_schedule_fires_once_at_its_time_and_is_then_deleted(aws):
    scheduler, sqs, _ = aws
    expected = schedule_item(aws)
    invoked: list[dict[str, Any]] = []
    clock = Clock(DUE)
    local = LocalScheduler(scheduler, sqs, GROUP, invoked.append, clock=clock)

    before = local.fire_due()  # 09:00:00.250 is before at(09:00:01)
    clock.now = DUE + timedelta(seconds=1)
    fired = local.fire_due()
    again = local.fire_due()

    assert (before, fired, again) == ([], ["item-01M8VS5MQH8SE6Q6PCN84Q1N0V"], [])
    assert invoked == [expected]
    assert scheduler.list_schedules(GroupName=GROUP)["Schedules"] == []


def test_a_failing_target_is_retried_then_its_input_goes_to_the_dead_letter_queue(aws):
    scheduler, sqs, queue_url = aws
    expected = schedule_item(aws)
    attempts = []

    def failing(event: dict[str, Any]) -> None:
        attempts.append(event)
        raise RuntimeError("the table is unreachable")

    local = LocalScheduler(scheduler, sqs, GROUP, failing, clock=Clock(DUE + timedelta(minutes=1)))
    for _ in range(RETRY_ATTEMPTS + 2):
        local.fire_due()

    assert len(attempts) == RETRY_ATTEMPTS + 1
    (message,) = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(message["Body"]) == expected
    assert scheduler.list_schedules(GroupName=GROUP)["Schedules"] == []


@pytest.mark.parametrize(
    "schedule",
    [
        {"ScheduleExpression": "at(tomorrow)"},
        {"ScheduleExpression": "rate(5 minutes)"},
        {"ScheduleExpression": "at(2030-01-31T09:00:00)", "ScheduleExpressionTimezone": "Europe/Paris"},
    ],
)
def test_what_the_stack_never_writes_is_refused_rather_than_guessed(schedule):
    with pytest.raises(ValueError, match="not a one-time schedule in UTC"):
        fire_time(schedule)
