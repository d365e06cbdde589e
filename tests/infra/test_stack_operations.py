"""How each stack tells the team it misbehaves: alarms on the stack's own resources, one topic,
a dashboard, and a ceiling on the function's concurrency."""

from __future__ import annotations

import json

import pytest

from components import outputs
from runtime.permissions import IDEMPOTENCY_TABLE_OPERATIONS, TABLE_OPERATIONS
from tests.infra.stacks import (
    ALARM_TOPIC,
    API_FUNCTION,
    ATTACHMENT_STORE,
    DOMAIN_EVENTS,
    alarm_topic,
    api_function,
    deploy_stack,
    named,
    relay_function,
)
from tests.infra.test_contracts import IDEMPOTENCY_TABLE, MAIN_TABLE, table_named

FUNCTION_ALARMS = {"errors", "throttles", "duration-p99"}
EVENTS_ALARMS = {"relay-errors", "relay-iterator-age", "relay-dlq-depth", "queue-dlq-depth", "queue-oldest-message-age"}
# `NAME-reminders`; neither stack sends email until notificationSender is set (test_reminders.py).
REMINDERS = "users-items-reminders"
REMINDERS_ALARMS = {"errors", "schedules-dlq-depth"}
# `NAME-realtime` in __main__.py: the WebSocket API's alarms (authorizer-errors only with an authorizer).
REALTIME = "users-items-realtime"
REALTIME_ALARMS = {"push-failures", "pusher-dlq", "routes-errors", "pusher-errors"}

# AttachmentStore's, checked against its functions and queues in test_attachment_store.py.
ATTACHMENT_ALARMS = {
    f"{worker}-{alarm}"
    for worker, alarms in (("processor", ("errors",)), ("cleanup", ("errors", "dlq-depth", "oldest-message-age")))
    for alarm in alarms
} | {"uploads-dlq-depth", "uploads-oldest-message-age"}


def alarms_by_name(deployment):
    return {alarm.inputs["name"]: alarm for alarm in deployment.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}


def deployed(deployment):
    """The physical names and ids the alarms and the dashboard must point at."""
    return {
        "function": api_function(deployment).outputs["name"],
        "api": named(deployment, "aws:apigatewayv2/api:Api", API_FUNCTION).id,
        MAIN_TABLE: table_named(deployment, MAIN_TABLE).outputs["name"],
        IDEMPOTENCY_TABLE: table_named(deployment, IDEMPOTENCY_TABLE).outputs["name"],
        "topic": alarm_topic(deployment).outputs["arn"],
        "relay": relay_function(deployment).outputs["name"],
        "relay-dlq": named(deployment, "aws:sqs/queue:Queue", f"{DOMAIN_EVENTS}-relay-dlq").outputs["name"],
        "queue": named(deployment, "aws:sqs/queue:Queue", f"{DOMAIN_EVENTS}-queue").outputs["name"],
        "queue-dlq": named(deployment, "aws:sqs/queue:Queue", f"{DOMAIN_EVENTS}-queue-dlq").outputs["name"],
    }


def email_subscriptions(deployment):
    """The alarm topic's subscribers (the events topic has the integration queue's)."""
    subscriptions = deployment.of_type("aws:sns/topicSubscription:TopicSubscription")
    return [subscription for subscription in subscriptions if subscription.inputs["protocol"] == "email"]


@pytest.mark.parametrize(
    ("stack_name", "expected"),
    [
        ("dev", {f"users-items-api-dev-{a}" for a in FUNCTION_ALARMS} | {"users-items-api-dev-api-5xx"}),
        (
            "prod",
            {f"users-items-api-prod-{a}" for a in (*FUNCTION_ALARMS, "concurrency-near-limit", "api-5xx")},
        ),
    ],
)
def test_each_stack_alarms_on_its_function_api_and_table(stack_name, expected, dev, prod):
    deployment = {"dev": dev, "prod": prod}[stack_name]
    table_alarms = {
        f"{table}-{stack_name}-{alarm}"
        for table in (MAIN_TABLE, IDEMPOTENCY_TABLE)
        for alarm in ("throttled-requests", "system-errors")
    }
    events_alarms = {f"{DOMAIN_EVENTS}-{stack_name}-{alarm}" for alarm in EVENTS_ALARMS}
    reminders_alarms = {f"{REMINDERS}-{stack_name}-{alarm}" for alarm in REMINDERS_ALARMS}
    realtime = [*REALTIME_ALARMS, *(["authorizer-errors"] if stack_name == "prod" else [])]
    realtime_alarms = {f"{REALTIME}-{stack_name}-{alarm}" for alarm in realtime} | {
        f"{REALTIME}-connections-{stack_name}-{alarm}" for alarm in ("throttled-requests", "system-errors")
    }
    attachment_alarms = {f"{ATTACHMENT_STORE}-{stack_name}-{alarm}" for alarm in ATTACHMENT_ALARMS}

    assert set(alarms_by_name(deployment)) == (
        expected | table_alarms | events_alarms | reminders_alarms | realtime_alarms | attachment_alarms
    )


def test_the_function_alarms_point_at_the_stacks_functions(stack):
    names = deployed(stack)

    for name, alarm in alarms_by_name(stack).items():
        if alarm.inputs.get("namespace") == "AWS/Lambda":
            if name.startswith((f"{REMINDERS}-", REALTIME, f"{ATTACHMENT_STORE}-")):
                continue  # the reminders', the WebSocket API's and the attachments' functions: their own tests
            function = names["relay"] if name.startswith(f"{DOMAIN_EVENTS}-") else names["function"]
            assert alarm.inputs["dimensions"] == {"FunctionName": function}, name


def test_the_events_alarms_watch_the_relay_and_the_queues(stack):
    names = deployed(stack)
    # `<component>-<stack>-`, as the events topic is named.
    prefix = named(stack, "aws:sns/topic:Topic", DOMAIN_EVENTS).inputs["name"] + "-"
    alarms = {
        name.removeprefix(prefix): alarm for name, alarm in alarms_by_name(stack).items() if name.startswith(prefix)
    }
    watched = {
        name: (
            alarm.inputs["namespace"],
            alarm.inputs["metricName"],
            alarm.inputs["dimensions"],
            alarm.inputs["statistic"],
            alarm.inputs["comparisonOperator"],
            alarm.inputs["threshold"],
        )
        for name, alarm in alarms.items()
    }

    assert watched == {
        "relay-errors": (
            "AWS/Lambda", "Errors", {"FunctionName": names["relay"]}, "Sum", "GreaterThanOrEqualToThreshold", 1
        ),
        "relay-iterator-age": (
            "AWS/Lambda", "IteratorAge", {"FunctionName": names["relay"]}, "Maximum", "GreaterThanThreshold", 60000
        ),
        "relay-dlq-depth": (
            "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": names["relay-dlq"]}, "Maximum",
            "GreaterThanThreshold", 0,
        ),
        "queue-dlq-depth": (
            "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": names["queue-dlq"]}, "Maximum",
            "GreaterThanThreshold", 0,
        ),
        "queue-oldest-message-age": (
            "AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": names["queue"]}, "Maximum",
            "GreaterThanThreshold", 3600,
        ),
    }  # fmt: skip


def test_the_5xx_alarm_points_at_the_stacks_api(stack):
    [alarm] = [a for a in alarms_by_name(stack).values() if a.inputs.get("namespace") == "AWS/ApiGateway"]

    assert alarm.inputs["dimensions"] == {"ApiId": deployed(stack)["api"], "Stage": "$default"}, alarm
    assert alarm.inputs["metricName"] == "5xx", alarm


@pytest.mark.parametrize(
    ("table", "operations"), [(MAIN_TABLE, TABLE_OPERATIONS), (IDEMPOTENCY_TABLE, IDEMPOTENCY_TABLE_OPERATIONS)]
)
def test_the_table_alarms_point_at_each_table_for_each_operation_the_runtime_calls_on_it(stack, table, operations):
    table_name = deployed(stack)[table]
    table_alarms = [a for name, a in alarms_by_name(stack).items() if name.startswith(f"{table}-")]

    assert len(table_alarms) == 2
    for alarm in table_alarms:
        dimensions = [query["metric"]["dimensions"] for query in alarm.inputs["metricQueries"] if "metric" in query]
        assert dimensions == [{"TableName": table_name, "Operation": operation} for operation in sorted(operations)], (
            alarm
        )


def test_every_alarm_notifies_the_stacks_topic_and_reads_no_data_as_no_failure(stack):
    topic = deployed(stack)["topic"]

    for name, alarm in alarms_by_name(stack).items():
        assert (alarm.inputs["alarmActions"], alarm.inputs["okActions"]) == ([topic], [topic]), name
        assert alarm.inputs["treatMissingData"] == "notBreaching", name
        assert (alarm.inputs["evaluationPeriods"], alarm.inputs["datapointsToAlarm"]) == (1, 1), name
        assert alarm.inputs.get("period", 300) == 300, name


@pytest.mark.parametrize(
    ("stack_name", "slow_ms", "near_limit"),
    [("dev", 12000, None), ("prod", 12000, 40)],
)
def test_duration_and_concurrency_thresholds_follow_the_timeout_and_the_reservation(
    stack_name, slow_ms, near_limit, dev, prod
):
    alarms = alarms_by_name({"dev": dev, "prod": prod}[stack_name])

    assert alarms[f"users-items-api-{stack_name}-duration-p99"].inputs["threshold"] == slow_ms
    concurrency = alarms.get(f"users-items-api-{stack_name}-concurrency-near-limit")
    assert (concurrency.inputs["threshold"] if concurrency else None) == near_limit


def test_prod_reserves_fifty_instances_and_dev_none(dev, prod):
    assert api_function(prod).inputs["reservedConcurrentExecutions"] == 50
    assert "reservedConcurrentExecutions" not in api_function(dev).inputs


def test_devs_topic_has_no_subscriber_until_alarm_email_is_set(dev):
    assert not email_subscriptions(dev)
    assert dev.outputs[outputs.ALARM_TOPIC_ARN] == deployed(dev)["topic"]


def test_prods_alarm_email_is_subscribed_to_the_stacks_topic(prod):
    [subscription] = email_subscriptions(prod)

    assert subscription.inputs["topic"] == deployed(prod)["topic"] == prod.outputs[outputs.ALARM_TOPIC_ARN]
    assert (subscription.inputs["protocol"], subscription.inputs["endpoint"]) == ("email", "oncall@example.com")


def test_setting_alarm_email_subscribes_it_to_the_topic():
    deployment = deploy_stack("dev", alarmEmail="ops@example.com")
    [subscription] = email_subscriptions(deployment)

    assert subscription.inputs["topic"] == deployed(deployment)["topic"], subscription
    assert (subscription.inputs["protocol"], subscription.inputs["endpoint"]) == ("email", "ops@example.com")


def test_with_an_existing_topic_the_alarms_notify_it_and_the_stack_makes_no_topic_or_key():
    paging = "arn:aws:sns:us-east-1:210987654321:paging"
    deployment = deploy_stack("prod", alarmEmail="", alarmTopicArn=paging)
    alarms = alarms_by_name(deployment)

    assert not deployment.of_type("users-items:index:AlarmTopic")
    assert [topic.name for topic in deployment.of_type("aws:sns/topic:Topic")] == [DOMAIN_EVENTS]
    assert [key.name for key in deployment.of_type("aws:kms/key:Key")] == [DOMAIN_EVENTS]
    assert not email_subscriptions(deployment)
    assert len(alarms) == 29, (
        "function 4, API 1, two tables 2 each, domain events 5, reminders 2, real-time 5 and its table 2, attachments 6"
    )
    for name, alarm in alarms.items():
        assert (alarm.inputs["alarmActions"], alarm.inputs["okActions"]) == ([paging], [paging]), name
    assert deployment.outputs[outputs.ALARM_TOPIC_ARN] == paging


def test_alarm_thresholds_and_window_come_from_config():
    deployment = deploy_stack(
        "dev",
        alarmPeriodSeconds="60",
        alarmEvaluationPeriods="5",
        alarmDatapointsToAlarm="3",
        functionErrorsAlarmThreshold="4",
        api5xxAlarmThreshold="7",
        functionThrottlesAlarmThreshold="2",
        tableThrottlesAlarmThreshold="9",
        tableSystemErrorsAlarmThreshold="6",
        alarmLimitWarningPercent="50",
    )
    alarms = alarms_by_name(deployment)

    assert alarms["users-items-api-dev-errors"].inputs["threshold"] == 4
    assert alarms["users-items-api-dev-api-5xx"].inputs["threshold"] == 7
    assert alarms["users-items-api-dev-throttles"].inputs["threshold"] == 2
    assert alarms["users-items-table-dev-throttled-requests"].inputs["threshold"] == 9
    assert alarms["users-items-table-dev-system-errors"].inputs["threshold"] == 6
    assert alarms["users-items-api-dev-duration-p99"].inputs["threshold"] == 7500  # 50% of 15 s
    for name, alarm in alarms.items():
        assert (alarm.inputs["evaluationPeriods"], alarm.inputs["datapointsToAlarm"]) == (5, 3), name
        periods = [q["metric"]["period"] for q in alarm.inputs.get("metricQueries", []) if "metric" in q]
        assert set(periods or [alarm.inputs["period"]]) == {60}, name


def test_with_alarms_off_there_is_no_topic_and_no_alarm():
    deployment = deploy_stack("dev", enableAlarms="false")

    assert ALARM_TOPIC not in [topic.name for topic in deployment.of_type("aws:sns/topic:Topic")]
    assert not deployment.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    assert outputs.ALARM_TOPIC_ARN not in deployment.outputs


def test_the_dashboard_graphs_the_stacks_api_functions_table_and_dead_letter_queues(stack):
    names = deployed(stack)
    dashboard = stack.one("aws:cloudwatch/dashboard:Dashboard")
    lines = [
        line
        for widget in json.loads(dashboard.inputs["dashboardBody"])["widgets"]
        for line in widget["properties"]["metrics"]
    ]

    for namespace, dimension, values in [
        ("AWS/ApiGateway", "ApiId", {names["api"]}),
        ("AWS/Lambda", "FunctionName", {names["function"], names["relay"]}),
        ("AWS/DynamoDB", "TableName", {names[MAIN_TABLE]}),
        ("AWS/SQS", "QueueName", {names["relay-dlq"], names["queue-dlq"]}),
    ]:
        of_namespace = [line for line in lines if line[0] == namespace]
        assert {line[line.index(dimension) + 1] for line in of_namespace} == values, namespace
    relay_lines = [line for line in lines if line[0] == "AWS/Lambda" and names["relay"] in line]
    assert {line[1] for line in relay_lines} == {"IteratorAge", "Invocations", "Errors"}


def test_the_dashboard_url_opens_the_stacks_dashboard(stack):
    name = stack.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardName"]

    assert name.startswith("users-items-dashboard-")
    assert stack.outputs[outputs.DASHBOARD_URL] == (
        f"https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name={name}"
    )
