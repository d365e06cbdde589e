"""Reminders on moto: due times over the API, the schedule each item change keeps, the reminder
recorded once, its event without the address, and the notifier's email."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBStreamEvent
from botocore.exceptions import ClientError

from local_api.event_source_mapping import matches
from runtime import permissions
from runtime.events import dependencies as relay_dependencies
from runtime.events.batch import relay
from runtime.events.publisher import EventPublisher
from runtime.events.stream_filter import REMINDER_EMAIL_PATTERN
from runtime.reminders.emails import Email
from runtime.reminders.notifier import notify_batch
from runtime.reminders.schedules import ItemSchedules, ScheduleSettings, schedule_name
from runtime.repository import ReminderOutcome, Repository
from runtime.table_schema import create_idempotency_table_request, create_table_request
from tests.support.events import LambdaContext

GROUP = os.environ["SCHEDULE_GROUP_NAME"]
SETTINGS = ScheduleSettings(
    group_name=GROUP,
    target_arn=os.environ["REMINDERS_FUNCTION_ARN"],
    role_arn=os.environ["SCHEDULER_ROLE_ARN"],
    dead_letter_queue_arn=os.environ["SCHEDULES_DEAD_LETTER_QUEUE_ARN"],
)
JANE = {"email": "jane.doe@example.com", "name": "Jane", "notifications": {"email": True}}


def in_future(seconds: float) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=seconds)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.fixture
def table(dynamodb: Any) -> str:
    """The single table with its stream, as the stack has it."""
    name = os.environ["TABLE_NAME"]
    dynamodb.create_table(
        **create_table_request(name),
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    dynamodb.create_table(**create_idempotency_table_request(os.environ["IDEMPOTENCY_TABLE_NAME"]))
    return name


@pytest.fixture
def stream(table: str) -> Any:
    """The stream records written since the last call, as Lambda hands them on."""
    streams = boto3.client("dynamodbstreams")
    arn = boto3.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    read = {"count": 0}

    def new_records() -> list[dict[str, Any]]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
        records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"][read["count"] :]
        read["count"] += len(records)
        for record in records:
            record["dynamodb"]["ApproximateCreationDateTime"] = record["dynamodb"][
                "ApproximateCreationDateTime"
            ].timestamp()
        return records

    return new_records


@pytest.fixture
def scheduler_calls(aws: None) -> list[str]:
    """The relay's Scheduler operations, in order; afterwards, they must be the ones it is granted."""
    calls: list[str] = []
    client = relay_dependencies.scheduler_client()
    client.create_schedule_group(Name=GROUP)
    client.meta.events.register("before-parameter-build.scheduler", lambda model, **_: calls.append(model.name))
    yield calls
    used = {f"scheduler:{name}" for name in calls} - {"scheduler:CreateScheduleGroup"}
    assert used <= set(permissions.RELAY_SCHEDULER_ACTIONS), used


@pytest.fixture
def schedules(scheduler_calls: list[str]) -> ItemSchedules:
    return ItemSchedules(relay_dependencies.scheduler_client(), SETTINGS)


def stored_schedule(item_id: str) -> dict[str, Any] | None:
    client = boto3.client("scheduler")  # the tests' own, apart from the relay's
    try:
        return dict(client.get_schedule(Name=schedule_name(item_id), GroupName=GROUP))
    except client.exceptions.ResourceNotFoundException:
        return None


def follow_all(schedules: ItemSchedules, records: list[dict[str, Any]]) -> None:
    for record in DynamoDBStreamEvent({"Records": records}).records:
        schedules.follow(record)


@pytest.fixture
def items(api: Any) -> str:
    user = api("POST", "/users", body=JANE).json()
    return f"/users/{user['userId']}/items"


# The API


def test_an_item_keeps_its_due_time_in_utc_milliseconds(api, items):
    response = api("POST", items, body={"task": "call Bob", "dueAt": "2099-01-31T10:00:00.123456+01:00"})

    item = response.json()
    assert response.status == 201
    assert (item["dueAt"], item["remindedAt"]) == ("2099-01-31T09:00:00.123Z", None)


@pytest.mark.parametrize(
    "due_at",
    [
        "2099-01-31T09:00:00",
        "yesterday",
        1893456000,
        "2099-13-01T00:00:00Z",
        "2099-01-31 09:00:00Z",
        "20990131T0900Z",
        "9999-12-31T23:59:59-01:00",
    ],
)
def test_a_due_time_without_offset_or_not_rfc_3339_is_422(api, items, due_at):
    response = api("POST", items, body={"task": "x", "dueAt": due_at})

    assert (response.status, response.error_code) == (422, "validation_error")


def test_a_due_time_without_offset_is_explained(api, items):
    response = api("POST", items, body={"task": "x", "dueAt": "2099-01-31T09:00:00"})

    (detail,) = response.json()["error"]["details"]
    assert detail == {
        "field": "body.dueAt",
        "message": "dueAt must be a date and time with its offset from UTC, e.g. 2030-01-31T09:00:00Z",
    }


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_due_time_that_has_passed_is_400_and_changes_nothing(api, items, method, table_items):
    item = api("POST", items, body={"task": "x"}).json()
    path = items if method == "POST" else f"{items}/{item['itemId']}"
    before = table_items()

    response = api(method, path, body={"task": "x", "dueAt": "2001-01-01T00:00:00Z"})

    assert (response.status, response.error_code) == (400, "due_at_passed")
    assert response.json()["error"]["details"][0]["field"] == "body.dueAt"
    assert table_items() == before


def test_a_lower_case_rfc_3339_due_time_is_accepted_and_stored_in_utc(api, items):
    response = api("POST", items, body={"task": "x", "dueAt": "2099-01-31t10:00:00.5+01:00"})

    assert (response.status, response.json()["dueAt"]) == (201, "2099-01-31T09:00:00.500Z")


def test_a_due_time_a_little_behind_the_servers_clock_is_accepted(api, items):
    assert api("POST", items, body={"task": "x", "dueAt": in_future(-30)}).status == 201


def test_patch_clears_the_due_time_with_null_and_refuses_null_elsewhere(api, items):
    item = api("POST", items, body={"task": "x", "dueAt": in_future(3600)}).json()
    path = f"{items}/{item['itemId']}"

    cleared = api("PATCH", path, body={"dueAt": None})
    refused = api("PATCH", path, body={"task": None})

    assert (cleared.status, cleared.json()["dueAt"], cleared.json()["version"]) == (200, None, 2)
    assert api("GET", path).json()["dueAt"] is None
    assert refused.status == 422


def test_reminded_at_is_read_only(api, items):
    assert api("POST", items, body={"task": "x", "remindedAt": in_future(60)}).status == 422


def test_notifications_default_off_and_a_patch_merges_them(api):
    user = api("POST", "/users", body={"email": "john@example.com", "name": "John"}).json()
    path = f"/users/{user['userId']}"

    switched_on = api("PATCH", path, body={"notifications": {"email": True}}).json()
    renamed = api("PATCH", path, body={"name": "Johnny"}).json()

    assert user["notifications"] == {"email": False}
    assert switched_on["notifications"] == renamed["notifications"] == {"email": True}
    assert api("PATCH", path, body={"notifications": {"sms": True}}).status == 422
    assert api("PATCH", path, body={"notifications": {"email": "yes"}}).status == 422


# Recording the reminder


@pytest.fixture
def due_item(repository: Repository) -> Any:
    repository.create_user(user_id="U-JANE", email="jane.doe@example.com", name="Jane", notifications={"email": True})
    return repository.create_item("U-JANE", task="call Bob", status="TODO", due_at=in_future(60))


def test_a_reminder_is_recorded_exactly_once_without_a_new_version(repository, due_item):
    outcomes = [repository.record_reminder("U-JANE", due_item.item_id, due_at=due_item.due_at) for _ in range(2)]

    item = repository.get_item("U-JANE", due_item.item_id)
    assert outcomes == [ReminderOutcome.RECORDED, ReminderOutcome.ALREADY_RECORDED]
    assert (item.reminded_at, item.version) == (due_item.due_at, 1)


@pytest.mark.parametrize(
    "change",
    [
        lambda repository, item: repository.update_item(
            "U-JANE", item.item_id, changes={"status": "DONE"}, if_match=None
        ),
        lambda repository, item: repository.update_item(
            "U-JANE", item.item_id, changes={"dueAt": in_future(7200)}, if_match=None
        ),
        lambda repository, item: repository.delete_item("U-JANE", item.item_id, if_match=None),
        lambda repository, item: repository.delete_user("U-JANE", if_match=None),
    ],
    ids=["completed", "moved", "deleted", "user deleted"],
)
def test_no_reminder_is_recorded_for_an_item_no_longer_due_then(repository, due_item, table_items, change):
    change(repository, due_item)

    outcome = repository.record_reminder("U-JANE", due_item.item_id, due_at=due_item.due_at)

    assert outcome is ReminderOutcome.NOT_DUE
    assert not [row for row in table_items() if row["SK"].startswith("REMINDER#")]


def test_item_lists_and_the_status_index_read_only_item_rows(repository, due_item, dynamodb):
    repository.record_reminder("U-JANE", due_item.item_id, due_at=due_item.due_at)

    page = repository.list_items("U-JANE", limit=10, cursor=None)
    by_status = dynamodb.query(
        TableName=os.environ["TABLE_NAME"],
        IndexName="ByStatus",
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": "USER#U-JANE"}},
    )
    listed = dynamodb.query(
        TableName=os.environ["TABLE_NAME"],
        KeyConditionExpression="PK = :pk AND begins_with(SK, :items)",
        ExpressionAttributeValues={":pk": {"S": "USER#U-JANE"}, ":items": {"S": "ITEM#"}},
    )
    assert [item.item_id for item in page.items] == [due_item.item_id]
    assert (listed["Count"], by_status["Count"]) == (listed["ScannedCount"], by_status["ScannedCount"]) == (1, 1)


def test_deleting_the_user_sweeps_its_reminder_records(repository, due_item, table_items):
    repository.record_reminder("U-JANE", due_item.item_id, due_at=due_item.due_at)

    repository.delete_user("U-JANE", if_match=None)

    assert table_items() == []


# The relay's schedules


def test_each_item_change_makes_at_most_one_scheduler_call(api, items, stream, schedules, scheduler_calls):
    stream()
    item = api("POST", items, body={"task": "call Bob", "dueAt": in_future(3600)}).json()
    path = f"{items}/{item['itemId']}"
    steps = [
        ("create", lambda: None, ["CreateSchedule"]),
        ("rename", lambda: api("PATCH", path, body={"task": "call Bob back"}), []),
        ("move", lambda: api("PATCH", path, body={"dueAt": in_future(7200)}), ["UpdateSchedule"]),
        ("complete", lambda: api("PATCH", path, body={"status": "DONE"}), ["DeleteSchedule"]),
        ("re-open", lambda: api("PATCH", path, body={"status": "TODO"}), ["CreateSchedule"]),
        ("clear", lambda: api("PATCH", path, body={"dueAt": None}), ["DeleteSchedule"]),
        ("set again", lambda: api("PATCH", path, body={"dueAt": in_future(60)}), ["CreateSchedule"]),
        ("delete", lambda: api("DELETE", path), ["DeleteSchedule"]),
    ]
    for step, change, expected in steps:
        change()
        scheduler_calls.clear()
        follow_all(schedules, stream())
        assert scheduler_calls == expected, step


def test_the_schedule_invokes_the_reminders_function_once_at_the_due_time(api, items, stream, schedules):
    stream()
    item = api("POST", items, body={"task": "call Bob", "dueAt": "2099-01-31T09:00:00.250Z"}).json()

    follow_all(schedules, stream())

    schedule = stored_schedule(item["itemId"])
    assert schedule is not None
    assert schedule["ScheduleExpression"] == "at(2099-01-31T09:00:01)"
    assert schedule["ScheduleExpressionTimezone"] == "UTC"
    assert schedule["ActionAfterCompletion"] == "DELETE"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    target = schedule["Target"]
    assert (target["Arn"], target["RoleArn"]) == (SETTINGS.target_arn, SETTINGS.role_arn)
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}
    assert target["DeadLetterConfig"] == {"Arn": SETTINGS.dead_letter_queue_arn}
    assert json.loads(target["Input"]) == {
        "userId": items.split("/")[2],
        "itemId": item["itemId"],
        "dueAt": item["dueAt"],
    }


def test_redelivered_and_out_of_date_calls_still_leave_the_schedule_right(
    api, items, stream, schedules, scheduler_calls
):
    stream()
    item = api("POST", items, body={"task": "call Bob", "dueAt": in_future(3600)}).json()
    created = stream()
    moved_to = in_future(7200)
    api("PATCH", f"{items}/{item['itemId']}", body={"dueAt": moved_to})
    moved = stream()

    follow_all(schedules, created + created)  # a redelivered create updates
    boto3.client("scheduler").delete_schedule(Name=schedule_name(item["itemId"]), GroupName=GROUP)
    follow_all(schedules, moved)  # an update of a schedule that is gone creates it

    assert json.loads(stored_schedule(item["itemId"])["Target"]["Input"])["dueAt"] == moved_to
    api("DELETE", f"{items}/{item['itemId']}")
    deleted = stream()
    follow_all(schedules, deleted + deleted)  # deleting a missing schedule is done
    assert stored_schedule(item["itemId"]) is None


class ThrottledScheduler:
    """Scheduler refusing every call, as when the relay's calls are throttled."""

    def __getattr__(self, operation: str) -> Any:
        def refuse(**_: Any) -> None:
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, operation)

        return refuse


def test_a_failed_schedule_call_fails_the_record_and_holds_back_its_users_later_records(api, items, stream, aws):
    stream()
    item = api("POST", items, body={"task": "call Bob", "dueAt": in_future(3600)}).json()
    api("PATCH", f"{items}/{item['itemId']}", body={"task": "call Bob back"})
    records = stream()
    boto3.client("sns").create_topic(Name=os.environ["EVENTS_TOPIC_ARN"].rsplit(":", 1)[1])
    schedules = ItemSchedules(ThrottledScheduler(), SETTINGS)

    batch = relay(
        DynamoDBStreamEvent({"Records": records}).records,
        EventPublisher(relay_dependencies.sns_client(), os.environ["EVENTS_TOPIC_ARN"]),
        side_effect=schedules.follow,
    )

    assert batch.published == {}
    assert [type(error).__name__ for error in batch.failures.values()] == ["ClientError", "HeldBackError"]


# From the reminder record on


def test_the_reminder_record_becomes_an_event_without_the_address(repository, due_item, stream):
    from runtime.events.translate import events_of

    stream()
    repository.record_reminder("U-JANE", due_item.item_id, due_at=due_item.due_at)
    records = DynamoDBStreamEvent({"Records": stream()}).records

    events = [event for record in records for event in events_of(record)]
    assert [event.type for event in events] == ["item.reminder_due"]
    (event,) = events
    assert (event.user_id, event.data.item_id, event.data.due_at) == ("U-JANE", due_item.item_id, due_item.due_at)
    assert "@" not in event.model_dump_json()


class OutboxMailer:
    def __init__(self, failing: bool = False) -> None:
        self.sent: list[Email] = []
        self._failing = failing

    def send(self, email: Email) -> str:
        if self._failing:
            raise RuntimeError("SES is down")
        self.sent.append(email)
        return f"message-{len(self.sent)}"


def test_the_notifier_gets_only_opted_in_reminders_and_emails_their_task_and_due_time(repository, stream):
    repository.create_user(user_id="U-JANE", email="jane.doe@example.com", name="Jane", notifications={"email": True})
    repository.create_user(user_id="U-JOHN", email="john@example.com", name="John")
    jane = repository.create_item("U-JANE", task="call <Bob>", status="TODO", due_at=in_future(60))
    john = repository.create_item("U-JOHN", task="water plants", status="TODO", due_at=in_future(60))
    stream()
    for item in (jane, john):
        repository.record_reminder(item.user_id, item.item_id, due_at=item.due_at)
    records = [record for record in stream() if matches(REMINDER_EMAIL_PATTERN, record)]
    mailer = OutboxMailer()

    response = notify_batch({"Records": records}, LambdaContext(), mailer)

    assert response == {"batchItemFailures": []}
    (email,) = mailer.sent
    assert email.recipient == "jane.doe@example.com"
    assert "call <Bob>" in email.subject
    assert "call <Bob>" in email.text
    assert "call &lt;Bob&gt;" in email.html
    assert "<Bob>" not in email.html
    assert datetime.fromisoformat(jane.due_at).strftime("%Y-%m-%d %H:%M UTC") in email.text


def test_a_send_that_fails_is_reported_for_redelivery(repository, due_item, stream):
    stream()
    repository.record_reminder("U-JANE", due_item.item_id, due_at=due_item.due_at)
    records = [record for record in stream() if matches(REMINDER_EMAIL_PATTERN, record)]

    with pytest.raises(Exception, match="All records failed"):
        notify_batch({"Records": records}, LambdaContext(), OutboxMailer(failing=True))


def test_ses_sends_the_reminder_from_the_configured_identity(repository, due_item, stream, aws):
    from runtime.reminders.dependencies import ses_mailer

    boto3.client("sesv2").create_email_identity(EmailIdentity=os.environ["NOTIFICATION_SENDER"])
    stream()
    repository.record_reminder("U-JANE", due_item.item_id, due_at=due_item.due_at)
    records = [record for record in stream() if matches(REMINDER_EMAIL_PATTERN, record)]

    assert notify_batch({"Records": records}, LambdaContext(), ses_mailer()) == {"batchItemFailures": []}
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    (message,) = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    assert (message.source, message.destinations["ToAddresses"]) == (
        os.environ["NOTIFICATION_SENDER"],
        ["jane.doe@example.com"],
    )
