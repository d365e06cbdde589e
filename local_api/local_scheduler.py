"""The local stand-in for EventBridge Scheduler: moto stores schedules but never fires them (and
accepts any `at()` text), so this reads the schedules of one group and fires each due one-time
schedule into the reminders handler, in this process, as Scheduler invokes the function.

As the stack's schedules are set up (`runtime.reminders.schedules`): a schedule fires once at its
`at()` time in UTC; after a successful invocation it is deleted (`ActionAfterCompletion: DELETE`);
a failed one is retried on the next polls, up to the retry policy's attempts, then its input goes
to the dead-letter queue and the schedule is deleted. The clock is injectable, so tests fire
schedules by moving it rather than by waiting.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from local_api.polling import PollingThread
from runtime.reminders.schedules import RETRY_ATTEMPTS

# The only schedule expression the stack writes: a one-time schedule, to the second.
_AT = re.compile(r"at\((?P<moment>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)")
POLL_INTERVAL_SECONDS = 0.25

_log = logging.getLogger(__name__)

Invoke = Callable[[dict[str, Any]], object]


def fire_time(schedule: dict[str, Any]) -> datetime:
    """When a one-time schedule fires; ValueError for anything the stack would not have written."""
    match = _AT.fullmatch(str(schedule.get("ScheduleExpression", "")))
    if match is None or schedule.get("ScheduleExpressionTimezone", "UTC") != "UTC":
        raise ValueError(f"not a one-time schedule in UTC: {schedule.get('ScheduleExpression')!r}")
    return datetime.fromisoformat(match["moment"]).replace(tzinfo=UTC)


class LocalScheduler:
    """Fires the due schedules of `group_name` into `invoke`; `fire_due` is one poll."""

    def __init__(
        self,
        scheduler: Any,
        sqs: Any,
        group_name: str,
        invoke: Invoke,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        poll_interval: float = POLL_INTERVAL_SECONDS,
    ) -> None:
        self._scheduler = scheduler
        self._sqs = sqs
        self._group = group_name
        self._invoke = invoke
        self._clock = clock
        self._failed_attempts: dict[str, int] = {}
        self._thread = PollingThread(
            "local-scheduler", self.fire_due, interval=poll_interval, failure="reading the schedules failed"
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._thread.stop()

    def fire_due(self) -> list[str]:
        """Fire every schedule due by the clock, each once; the names of those fired."""
        fired = []
        now = self._clock()
        for summary in self._scheduler.list_schedules(GroupName=self._group).get("Schedules", []):
            schedule = self._scheduler.get_schedule(Name=summary["Name"], GroupName=self._group)
            try:
                due = fire_time(schedule) <= now
            except ValueError:
                _log.error("schedule %s can never fire", summary["Name"], exc_info=True)
                continue
            if due:
                self._fire(schedule)
                fired.append(schedule["Name"])
        return fired

    def _fire(self, schedule: dict[str, Any]) -> None:
        name, target = schedule["Name"], schedule["Target"]
        try:
            self._invoke(json.loads(target["Input"]))
        except Exception:
            attempts = self._failed_attempts.get(name, 0) + 1
            _log.warning("schedule %s failed to invoke its target (attempt %s)", name, attempts, exc_info=True)
            if attempts <= RETRY_ATTEMPTS:
                self._failed_attempts[name] = attempts
                return
            self._sqs.send_message(
                QueueUrl=self._sqs.get_queue_url(QueueName=target["DeadLetterConfig"]["Arn"].rsplit(":", 1)[1])[
                    "QueueUrl"
                ],
                MessageBody=target["Input"],
            )
        self._failed_attempts.pop(name, None)
        self._scheduler.delete_schedule(Name=name, GroupName=self._group)
