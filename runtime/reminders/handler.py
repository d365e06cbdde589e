"""The reminders function's entry point: a schedule's input (`runtime.reminders.schedules`) in,
the item's reminder recorded, exactly once, if the item is still due then.

The function runs in the VPC and reaches the table through the gateway endpoint. It sends
nothing itself: the reminder record it writes reaches the stream, where the relay publishes
`item.reminder_due` and the notifier sends the email.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from runtime.observability import count, logger, metrics, tracer
from runtime.reminders.dependencies import dynamodb_client, table_name
from runtime.repository import ReminderOutcome, Repository

REMINDERS_RECORDED = "RemindersRecorded"


@cache
def reminders_repository() -> Repository:
    return Repository(dynamodb_client(), table_name())


class ReminderDue(BaseModel):
    """What a schedule hands the function (`schedules.reminder_input`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    userId: str  # noqa: N815 - the schedule's JSON names
    itemId: str  # noqa: N815
    dueAt: str  # noqa: N815


def record_due_reminder(event: dict[str, Any]) -> ReminderOutcome:
    due = ReminderDue.model_validate(event)
    outcome = reminders_repository().record_reminder(due.userId, due.itemId, due_at=due.dueAt)
    logger.info("reminder fell due", extra={"itemId": due.itemId, "dueAt": due.dueAt, "outcome": outcome.value})
    if outcome is ReminderOutcome.RECORDED:
        count(REMINDERS_RECORDED)
    return outcome


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    return {"outcome": record_due_reminder(event).value}
