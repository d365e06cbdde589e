"""The reminders as the stacks deploy them: the schedule group, the scheduler's role and what it
may invoke, the relay's grip on the schedules, the reminders function in the VPC, the notifier
outside it (only with a sender and an authorizer), their dead-letter queues and alarms."""

from __future__ import annotations

import json

import pytest

from components.reminders import BOUNCE_RATE_THRESHOLD
from runtime import permissions
from runtime.config import NOTIFIER_ENVIRONMENT, RELAY_ENVIRONMENT, REMINDERS_ENVIRONMENT
from runtime.events.stream_filter import NOTIFIER_FILTER_PATTERNS
from tests.infra.pulumi_mocks import ACCOUNT_ID, Deployment, Registered, policy_of
from tests.infra.stacks import RELAY_FUNCTION, deploy_stack, named, relay_function
from tests.infra.test_contracts import MAIN_TABLE, table_named
from tests.infra.test_domain_events import data_actions_on_table, inline_statements
from tests.infra.test_iam_policies import as_resource_policy_of, findings, policy_documents

REMINDERS = "users-items-reminders"
NOTIFIER = f"{REMINDERS}-notifier"
SENDER = "reminders@example.com"
FUNCTION = "aws:lambda/function:Function"


@pytest.fixture(scope="module")
def sending() -> Deployment:
    """prod (an authorizer) with a sender identity: the one kind of stack that emails reminders."""
    return deploy_stack("prod", notificationSender=SENDER)


def group(deployment: Deployment) -> Registered:
    return named(deployment, "aws:scheduler/scheduleGroup:ScheduleGroup", REMINDERS)


def schedules_arn(deployment: Deployment) -> str:
    return f"arn:aws:scheduler:us-east-1:{ACCOUNT_ID}:schedule/{group(deployment).outputs['name']}/*"


def scheduler_role(deployment: Deployment) -> Registered:
    return named(deployment, "aws:iam/role:Role", f"{REMINDERS}-scheduler")


def by_sid(statements: list[dict]) -> dict[str, dict]:
    return {statement["Sid"]: statement for statement in statements if statement.get("Sid") != "OwnLogGroup"}


def test_each_stack_has_its_own_schedule_group(stack):
    stack_name = group(stack).urn.split(":")[2]  # urn:pulumi:<stack>::…

    assert group(stack).inputs["name"] == f"{REMINDERS}-{stack_name}"


def test_only_scheduler_acting_for_this_accounts_schedules_in_the_group_assumes_the_scheduler_role(stack):
    (statement,) = policy_of(scheduler_role(stack), "assumeRolePolicy")["Statement"]

    assert statement["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT_ID},
        "ArnEquals": {"aws:SourceArn": group(stack).outputs["arn"]},  # the group's, as Scheduler sets it
    }
    assert group(stack).outputs["arn"].endswith(f":schedule-group/{group(stack).outputs['name']}")


def test_the_scheduler_role_invokes_only_the_reminders_function_and_sends_only_to_its_queue(stack):
    reminders = named(stack, FUNCTION, REMINDERS)
    dead_letters = named(stack, "aws:sqs/queue:Queue", f"{REMINDERS}-schedules-dlq")
    policy = named(stack, "aws:iam/rolePolicy:RolePolicy", f"{REMINDERS}-scheduler")

    assert policy.inputs["role"] == scheduler_role(stack).id
    assert [(s["Action"], s["Resource"]) for s in policy_of(policy)["Statement"]] == [
        ("lambda:InvokeFunction", reminders.outputs["arn"]),
        ("sqs:SendMessage", dead_letters.outputs["arn"]),
    ]
    assert dead_letters.inputs["sqsManagedSseEnabled"] is True


def test_the_relay_manages_schedules_in_the_group_only_and_passes_only_the_scheduler_role_to_scheduler(stack):
    relay = relay_function(stack)
    statements = by_sid(inline_statements(stack, relay))
    variables = relay.inputs["environment"]["variables"]

    assert statements["ManageTheItemsSchedules"]["Action"] == list(permissions.RELAY_SCHEDULER_ACTIONS)
    assert statements["ManageTheItemsSchedules"]["Resource"] == schedules_arn(stack)
    assert statements["PassTheSchedulersRole"] == {
        "Sid": "PassTheSchedulersRole",
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": scheduler_role(stack).outputs["arn"],
        "Condition": {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}},
    }
    assert set(variables) == {variable.name for variable in RELAY_ENVIRONMENT}
    assert variables["SCHEDULE_GROUP_NAME"] == group(stack).outputs["name"]
    assert variables["REMINDERS_FUNCTION_ARN"] == named(stack, FUNCTION, REMINDERS).outputs["arn"]
    assert variables["SCHEDULER_ROLE_ARN"] == scheduler_role(stack).outputs["arn"]


def test_the_reminders_function_runs_in_the_vpc_with_exactly_its_table_actions_and_environment(stack):
    reminders = named(stack, FUNCTION, REMINDERS)
    table = table_named(stack, MAIN_TABLE)

    assert reminders.inputs["vpcConfig"]["subnetIds"]
    assert reminders.inputs["handler"] == "runtime.reminders.handler.lambda_handler"
    assert set(reminders.inputs["environment"]["variables"]) == {variable.name for variable in REMINDERS_ENVIRONMENT}
    assert reminders.inputs["environment"]["variables"]["TABLE_NAME"] == table.outputs["name"]
    assert data_actions_on_table(stack, reminders, table) == set(permissions.REMINDERS_DYNAMODB_ACTIONS)


@pytest.mark.parametrize(
    ("stack_name", "settings"),
    [("prod", {}), ("dev", {"notificationSender": SENDER})],
    ids=["no sender", "no authorizer"],
)
def test_without_a_sender_or_without_an_authorizer_nothing_can_send_email(stack_name, settings):
    deployment = deploy_stack(stack_name, **settings)

    assert [f.name for f in deployment.of_type(FUNCTION) if f.name == NOTIFIER] == []
    assert not deployment.of_type("aws:sesv2/configurationSet:ConfigurationSet")
    assert not [
        s for r in deployment.of_type("aws:iam/rolePolicy:RolePolicy") for s in policy_of(r)["Statement"]
        if "ses:SendEmail" in json.dumps(s["Action"])
    ]  # fmt: skip


def test_the_notifier_runs_outside_the_vpc_and_holds_no_data_action_on_the_table(sending):
    notifier = named(sending, FUNCTION, NOTIFIER)
    variables = notifier.inputs["environment"]["variables"]

    assert "vpcConfig" not in notifier.inputs
    assert notifier.inputs["handler"] == "runtime.reminders.notifier.lambda_handler"
    assert not data_actions_on_table(sending, notifier, table_named(sending, MAIN_TABLE))
    assert set(variables) == {variable.name for variable in NOTIFIER_ENVIRONMENT}
    assert variables["NOTIFICATION_SENDER"] == SENDER
    assert variables["SES_CONFIGURATION_SET"] == f"{NOTIFIER}-prod"


def test_the_notifier_sends_only_from_the_configured_identity_with_the_stacks_configuration_set(sending):
    statement = by_sid(inline_statements(sending, named(sending, FUNCTION, NOTIFIER)))["SendFromTheConfiguredIdentity"]
    configuration_set = named(sending, "aws:sesv2/configurationSet:ConfigurationSet", NOTIFIER)

    assert statement["Action"] == ["ses:SendEmail"]
    assert statement["Resource"] == [
        f"arn:aws:ses:us-east-1:{ACCOUNT_ID}:identity/{SENDER}",
        f"arn:aws:ses:us-east-1:{ACCOUNT_ID}:identity/example.com",
        configuration_set.outputs["arn"],
    ]
    assert statement["Condition"] == {"StringEquals": {"ses:FromAddress": SENDER}}


def test_bounces_and_complaints_go_to_cloudwatch(sending):
    destination = named(
        sending, "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination", NOTIFIER
    ).inputs["eventDestination"]

    assert destination["enabled"] is True
    assert sorted(destination["matchingEventTypes"]) == ["BOUNCE", "COMPLAINT"]
    assert destination["cloudWatchDestination"]["dimensionConfigurations"]


def test_the_notifier_is_the_streams_second_reader_with_its_own_filter_and_bounded_retries(sending):
    table = table_named(sending, MAIN_TABLE)
    mappings = [
        m
        for m in sending.of_type("aws:lambda/eventSourceMapping:EventSourceMapping")
        if m.inputs["eventSourceArn"] == table.outputs["streamArn"]
    ]
    (mapping,) = [m for m in mappings if m.name == NOTIFIER]

    assert len(mappings) == 2, "DynamoDB advises at most two readers per shard"
    assert mapping.inputs["eventSourceArn"] == table.outputs["streamArn"]
    assert mapping.inputs["functionName"] == named(sending, FUNCTION, NOTIFIER).outputs["arn"]
    assert [f["pattern"] for f in mapping.inputs["filterCriteria"]["filters"]] == list(NOTIFIER_FILTER_PATTERNS)
    assert mapping.inputs["functionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping.inputs["maximumRetryAttempts"] == 3
    assert mapping.inputs["maximumRecordAgeInSeconds"] == 3600
    dead_letters = named(sending, "aws:sqs/queue:Queue", f"{NOTIFIER}-dlq")
    assert mapping.inputs["destinationConfig"]["onFailure"]["destinationArn"] == dead_letters.outputs["arn"]


def test_the_reminders_alarms_watch_their_functions_queues_and_the_accounts_bounce_rate(sending):
    alarms = {
        alarm.inputs["name"].removeprefix(f"{REMINDERS}-prod-"): alarm.inputs
        for alarm in sending.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if alarm.inputs["name"].startswith(f"{REMINDERS}-prod-")
    }
    functions = {f.name: f.outputs["name"] for f in sending.of_type(FUNCTION)}
    queues = {q.name: q.outputs["name"] for q in sending.of_type("aws:sqs/queue:Queue")}

    assert {name: (a["namespace"], a["metricName"], a.get("dimensions")) for name, a in alarms.items()} == {
        "errors": ("AWS/Lambda", "Errors", {"FunctionName": functions[REMINDERS]}),
        "schedules-dlq-depth": (
            "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": queues[f"{REMINDERS}-schedules-dlq"]}
        ),
        "notifier-errors": ("AWS/Lambda", "Errors", {"FunctionName": functions[NOTIFIER]}),
        "notifier-dlq-depth": (
            "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": queues[f"{NOTIFIER}-dlq"]}
        ),
        "ses-bounce-rate": ("AWS/SES", "Reputation.BounceRate", {}),  # the account's, no dimension
    }  # fmt: skip
    assert alarms["ses-bounce-rate"]["threshold"] == BOUNCE_RATE_THRESHOLD
    assert "account-level" in alarms["ses-bounce-rate"]["alarmDescription"]


def test_the_reminders_policy_documents_pass_parliament(sending):
    documents = [
        (resource, key, document)
        for resource, key, document in policy_documents(sending)
        if resource.name.startswith(REMINDERS) or resource.name == RELAY_FUNCTION
    ]

    assert len(documents) >= 6
    for resource, key, document in documents:
        if key == "assumeRolePolicy":
            document = as_resource_policy_of(resource, document)
        assert findings(document) == [], f"{resource} {key}"
