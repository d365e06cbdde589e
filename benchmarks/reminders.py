"""Reminders: Scheduler calls per item change (the relay's normal path), and the local reminder latency.

Part 1, in-process on moto: items are created with a due time and taken through every kind of
change (rename, move, complete, re-open, clear, set again, delete) with the API's repository; each
change's stream records go through the relay's `ItemSchedules.follow`, and the Scheduler calls its
client makes are counted per kind of change. **Target: at most 1 per change.**

Part 2, the local API (`python -m local_api` in a subprocess): opted-in users' items fall due a few
seconds after they are written, side by side; the figure is each email's `sentAt` in the local
outbox minus its item's `dueAt`: the local scheduler's polling (0.25 s), the reminders handler,
the stream pump's polling and 1 s batching window, and the notifier. On AWS, Scheduler's own
precision (up to a minute) comes on top.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks._support import REGION, apply_environment, heading
from benchmarks.local_events import start_local_api

TABLE = "users-items-reminders-bench"
SETTINGS = {
    "TABLE_NAME": TABLE,
    "SCHEDULE_GROUP_NAME": "users-items-reminders-bench",
    "REMINDERS_FUNCTION_ARN": f"arn:aws:lambda:{REGION}:123456789012:function:users-items-reminders-bench",
    "SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/users-items-scheduler-bench",
    "SCHEDULES_DEAD_LETTER_QUEUE_ARN": f"arn:aws:sqs:{REGION}:123456789012:users-items-schedules-dlq-bench",
}


def due_in(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def changes() -> list[tuple[str, Callable[[Any, str, str], object]]]:
    def update(**fields: Any) -> Callable[[Any, str, str], object]:
        return lambda repository, user, item: repository.update_item(user, item, changes=fields, if_match=None)

    return [
        ("rename", update(task="renamed")),
        ("move", update(dueAt=due_in(7200))),
        ("complete", update(status="DONE")),
        ("re-open", update(status="TODO")),
        ("clear", update(dueAt=None)),
        ("set again", update(dueAt=due_in(3600))),
        ("delete", lambda repository, user, item: repository.delete_item(user, item, if_match=None)),
    ]


def scheduler_calls_per_change(items: int) -> dict[str, Counter[int]]:
    """For each kind of change, how many changes made 0, 1, 2… Scheduler calls."""
    import boto3
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBStreamEvent
    from moto import mock_aws

    from runtime.reminders.schedules import ItemSchedules, ScheduleSettings
    from runtime.repository import Repository
    from runtime.table_schema import create_table_request

    tally: dict[str, Counter[int]] = {}
    with mock_aws():
        dynamodb, streams, scheduler = (
            boto3.client("dynamodb"),
            boto3.client("dynamodbstreams"),
            boto3.client("scheduler"),
        )
        stream = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        arn = dynamodb.create_table(**create_table_request(TABLE), StreamSpecification=stream)["TableDescription"][
            "LatestStreamArn"
        ]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        scheduler.create_schedule_group(Name=SETTINGS["SCHEDULE_GROUP_NAME"])
        calls: list[str] = []
        scheduler.meta.events.register("before-call.scheduler", lambda model, **_: calls.append(model.name))
        schedules = ItemSchedules(
            scheduler,
            ScheduleSettings(
                group_name=SETTINGS["SCHEDULE_GROUP_NAME"],
                target_arn=SETTINGS["REMINDERS_FUNCTION_ARN"],
                role_arn=SETTINGS["SCHEDULER_ROLE_ARN"],
                dead_letter_queue_arn=SETTINGS["SCHEDULES_DEAD_LETTER_QUEUE_ARN"],
            ),
        )
        repository = Repository(dynamodb, TABLE)
        read = 0

        def follow_new_records() -> int:
            nonlocal read
            iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
            records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"][read:]
            read += len(records)
            calls.clear()
            for record in DynamoDBStreamEvent({"Records": records}).records:
                schedules.follow(record)
            return len(calls)

        repository.create_user(user_id="U-BENCH", email="bench@example.com", name="Bench")
        follow_new_records()
        for _ in range(items):
            item = repository.create_item("U-BENCH", task="bench", status="TODO", due_at=due_in(3600))
            tally.setdefault("create", Counter())[follow_new_records()] += 1
            for name, change in changes():
                change(repository, "U-BENCH", item.item_id)
                tally.setdefault(name, Counter())[follow_new_records()] += 1
    return tally


def local_latencies(reminders: int, due_after_seconds: float) -> list[float]:
    """Milliseconds from each item's dueAt to its email in the local outbox."""
    import requests

    with tempfile.TemporaryDirectory(prefix="bench-reminders-") as directory:
        outputs_file = Path(directory) / "outputs.json"
        process = start_local_api(outputs_file)
        try:
            outputs = json.loads(outputs_file.read_text())
            api = outputs["apiUrl"]
            due: dict[str, str] = {}
            for n in range(reminders):
                email = f"reminder-bench-{n}@example.com"
                body = {"email": email, "name": "Bench", "notifications": {"email": True}}
                user = requests.post(f"{api}/users", json=body, timeout=10).json()
                item = {"task": f"bench {n}", "dueAt": due_in(due_after_seconds + n * 0.3)}
                created = requests.post(f"{api}/users/{user['userId']}/items", json=item, timeout=10).json()
                due[email] = created["dueAt"]
            deadline = time.monotonic() + due_after_seconds + reminders * 0.3 + 30
            sent: dict[str, str] = {}
            while len(sent) < reminders and time.monotonic() < deadline:
                time.sleep(0.2)
                for email in requests.get(outputs["outboxUrl"], timeout=10).json()["emails"]:
                    sent.setdefault(email["recipient"], email["sentAt"])
        finally:
            process.terminate()
            process.wait(timeout=30)
    if len(sent) < reminders:
        raise SystemExit(f"only {len(sent)} of {reminders} reminders arrived")
    return [
        (datetime.fromisoformat(sent[email]) - datetime.fromisoformat(due[email])).total_seconds() * 1000
        for email in due
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20, help="items taken through every change (default 20)")
    parser.add_argument("--reminders", type=int, default=10, help="local reminders, side by side (default 10)")
    arguments = parser.parse_args()
    apply_environment(
        {**SETTINGS, "AWS_DEFAULT_REGION": REGION, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)

    heading("Reminders: Scheduler calls per item change (relay, normal path; moto)")
    tally = scheduler_calls_per_change(arguments.items)
    worst = max(calls for counts in tally.values() for calls in counts)
    for name, counts in tally.items():
        shown = ", ".join(f"{calls} call{'s' if calls != 1 else ''}: {n}" for calls, n in sorted(counts.items()))
        print(f"  {name:<10} {shown}")
    print(f"at most {worst} Scheduler call per change (target at most 1): {'PASS' if worst <= 1 else 'MISS'}")

    heading("Reminders: local latency, dueAt -> email in the local outbox")
    latencies = local_latencies(arguments.reminders, due_after_seconds=3)
    print(
        f"{len(latencies)} reminders: median {statistics.median(latencies):.0f} ms, max {max(latencies):.0f} ms"
        " after their dueAt (Scheduler on AWS fires within the minute)"
    )


if __name__ == "__main__":
    main()
