"""The domain events as each stack deploys them: the stream's mapping, the relay outside the VPC,
the topic, the integration queue, their dead-letter queues, and least privilege on all of it.

Their alarms and dashboard widgets are checked with the stack's others, in `test_stack_operations.py`.
"""

from __future__ import annotations

import json
from fnmatch import fnmatchcase

import pulumi
import pytest

from components import outputs, policies
from components.domain_events import RelayArgs, StreamMappingSettings, StreamSource
from components.event_queue import MAX_RETENTION_SECONDS
from components.lambda_function import TRACING_MANAGED_POLICIES, FunctionCode, LambdaFunctionArgs
from components.single_table import SingleTableArgs, TableKeys
from runtime.config import EVENTS_TOPIC_ARN, RELAY_ENVIRONMENT, SERVICE_NAME
from runtime.events.stream_filter import STREAM_FILTER_PATTERNS
from tests.infra.pulumi_mocks import Deployment, Registered, policy_of
from tests.infra.stacks import DOMAIN_EVENTS, api_function, named, relay_function, stand_in_artifacts
from tests.infra.test_contracts import IDEMPOTENCY_TABLE, MAIN_TABLE, table_named

# What reads a table's stream: Lambda's poller, with the relay's role. None reads or writes an item.
STREAM_ACTIONS = {*policies.STREAM_READ_ACTIONS, "dynamodb:ListStreams"}


def events_resource(deployment: Deployment, type_: str, suffix: str = "") -> Registered:
    return named(deployment, type_, DOMAIN_EVENTS + suffix)


def topic(deployment: Deployment) -> Registered:
    return events_resource(deployment, "aws:sns/topic:Topic")


def queue(deployment: Deployment, suffix: str) -> Registered:
    return events_resource(deployment, "aws:sqs/queue:Queue", suffix)


def role_of(deployment: Deployment, function: Registered) -> Registered:
    return next(
        role for role in deployment.of_type("aws:iam/role:Role") if role.outputs["arn"] == function.inputs["role"]
    )


def inline_statements(deployment: Deployment, function: Registered) -> list[dict]:
    role = role_of(deployment, function)
    return [
        statement
        for policy in deployment.of_type("aws:iam/rolePolicy:RolePolicy")
        if policy.inputs["role"] == role.id
        for statement in policy_of(policy)["Statement"]
    ]


def as_list(value: str | list[str]) -> list[str]:
    return value if isinstance(value, list) else [value]


def data_actions_on_table(deployment: Deployment, function: Registered, table: Registered) -> set[str]:
    """Every DynamoDB action but a stream read that the function's role allows on the table or
    one of its indexes, however the resource is spelled (an ARN, a pattern, `*`)."""
    arn = table.outputs["arn"]
    targets = [arn, *(f"{arn}/index/{index['name']}" for index in table.inputs.get("localSecondaryIndexes", []))]
    found = set()
    for statement in inline_statements(deployment, function):
        if statement["Effect"] != "Allow":
            continue
        if any(fnmatchcase(target, pattern) for pattern in as_list(statement["Resource"]) for target in targets):
            found |= {
                action for action in as_list(statement["Action"]) if action == "*" or action.startswith("dynamodb:")
            }
    return {action for action in found if action not in STREAM_ACTIONS}


def test_no_function_outside_the_vpc_holds_a_data_action_on_the_user_table_or_its_indexes(stack):
    """The README's network rule: whatever reads or writes user data runs in the VPC, behind the
    gateway endpoint's policy."""
    table = table_named(stack, MAIN_TABLE)
    outside = [f for f in stack.of_type("aws:lambda/function:Function") if not f.inputs.get("vpcConfig")]

    assert relay_function(stack) in outside
    for function in outside:
        assert not data_actions_on_table(stack, function, table), function
        role = role_of(stack, function)
        attachments = stack.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        managed = {a.inputs["policyArn"] for a in attachments if a.inputs["role"] == role.name}
        assert managed <= {f"arn:aws:iam::aws:policy/{policy}" for policy in TRACING_MANAGED_POLICIES.values()}, role


def test_the_data_action_check_sees_the_api_functions_grants(stack):
    """The check above is live: it finds what the API function (inside the VPC) may do on the table."""
    table = table_named(stack, MAIN_TABLE)

    assert "dynamodb:PutItem" in data_actions_on_table(stack, api_function(stack), table)


def test_the_main_table_streams_new_and_old_images_and_the_idempotency_table_nothing(stack):
    table, idempotency = table_named(stack, MAIN_TABLE), table_named(stack, IDEMPOTENCY_TABLE)

    assert (table.inputs["streamEnabled"], table.inputs["streamViewType"]) == (True, "NEW_AND_OLD_IMAGES"), table
    assert "streamEnabled" not in idempotency.inputs, idempotency


def test_the_relay_runs_outside_the_vpc_traced_with_exactly_the_relay_environment(stack):
    relay = relay_function(stack)
    variables = relay.inputs["environment"]["variables"]

    assert "vpcConfig" not in relay.inputs, relay
    assert relay.inputs["tracingConfig"] == {"mode": "Active"}, relay
    assert set(variables) == {variable.name for variable in RELAY_ENVIRONMENT}, relay
    assert variables[EVENTS_TOPIC_ARN.name] == topic(stack).outputs["arn"]
    assert variables[SERVICE_NAME.name] == "users-items-relay"
    for variable in RELAY_ENVIRONMENT:
        if variable not in (EVENTS_TOPIC_ARN, SERVICE_NAME):
            assert variables[variable.name] == variable.default, variable.name


def test_the_relay_runs_its_handler_from_the_shared_archive_on_the_layer_with_its_own_role_and_logs(stack):
    relay = relay_function(stack)
    log_group = named(stack, "aws:cloudwatch/logGroup:LogGroup", f"{DOMAIN_EVENTS}-relay")

    assert relay.inputs["handler"] == "runtime.events.relay.lambda_handler"
    assert relay.inputs["code"].path == str(stand_in_artifacts().function_zip)
    assert relay.inputs["layers"] == [stack.one("aws:lambda/layerVersion:LayerVersion").outputs["arn"]]
    assert relay.inputs["role"] != api_function(stack).inputs["role"]
    assert (
        relay.inputs["loggingConfig"]["logGroup"] == log_group.outputs["name"] == f"/aws/lambda/{relay.inputs['name']}"
    )
    assert relay.inputs["name"].startswith("users-items-events-relay-")


def test_the_mapping_hands_the_tables_stream_to_the_relay_with_the_decided_settings(stack):
    mapping = events_resource(stack, "aws:lambda/eventSourceMapping:EventSourceMapping", "-relay")

    assert mapping.inputs["eventSourceArn"] == table_named(stack, MAIN_TABLE).outputs["streamArn"]
    assert mapping.inputs["functionName"] == relay_function(stack).outputs["arn"]
    settings = {key: mapping.inputs[key] for key in (
        "startingPosition", "batchSize", "maximumBatchingWindowInSeconds", "maximumRetryAttempts",
        "maximumRecordAgeInSeconds", "bisectBatchOnFunctionError", "parallelizationFactor", "functionResponseTypes",
    )}  # fmt: skip
    assert settings == {
        "startingPosition": "LATEST",
        "batchSize": 100,
        "maximumBatchingWindowInSeconds": 1,
        "maximumRetryAttempts": 3,
        "maximumRecordAgeInSeconds": 3600,
        "bisectBatchOnFunctionError": True,
        "parallelizationFactor": 1,
        "functionResponseTypes": ["ReportBatchItemFailures"],
    }, mapping


def test_the_mapping_filters_with_the_runtimes_pattern_and_sends_failed_batches_to_the_relays_queue(stack):
    mapping = events_resource(stack, "aws:lambda/eventSourceMapping:EventSourceMapping", "-relay")

    assert [f["pattern"] for f in mapping.inputs["filterCriteria"]["filters"]] == list(STREAM_FILTER_PATTERNS)
    assert mapping.inputs["destinationConfig"] == {
        "onFailure": {"destinationArn": queue(stack, "-relay-dlq").outputs["arn"]}
    }, mapping


def test_the_mapping_waits_for_the_relay_whose_role_lets_it_read_the_stream(stack):
    """Lambda checks the role can read the stream when the mapping is created; the function waits
    for the role's policies."""
    mapping = events_resource(stack, "aws:lambda/eventSourceMapping:EventSourceMapping", "-relay")
    relay = relay_function(stack)
    policy = named(stack, "aws:iam/rolePolicy:RolePolicy", f"{DOMAIN_EVENTS}-relay-stream-and-topic")

    assert relay.urn in mapping.dependencies
    assert policy.urn in relay.dependencies


def test_every_queue_keeps_messages_14_days_encrypted_by_sqs(stack):
    component = events_resource(stack, "users-items:index:DomainEvents")
    queues = [each for each in stack.of_type("aws:sqs/queue:Queue") if each.parent == component.urn]

    assert len(queues) == 3
    for each in queues:
        assert each.inputs["messageRetentionSeconds"] == MAX_RETENTION_SECONDS == 1209600, each
        assert each.inputs["sqsManagedSseEnabled"] is True, each


def test_the_integration_queue_moves_a_message_failed_five_times_to_its_dead_letter_queue(stack):
    redrive = json.loads(queue(stack, "-queue").inputs["redrivePolicy"])

    assert redrive == {"deadLetterTargetArn": queue(stack, "-queue-dlq").outputs["arn"], "maxReceiveCount": 5}


def test_the_integration_queue_gets_every_event_raw_and_only_from_the_topic(stack):
    integration, events_topic = queue(stack, "-queue"), topic(stack)
    subscription = events_resource(stack, "aws:sns/topicSubscription:TopicSubscription", "-queue")
    queue_policy = events_resource(stack, "aws:sqs/queuePolicy:QueuePolicy", "-queue")

    assert (subscription.inputs["topic"], subscription.inputs["protocol"], subscription.inputs["endpoint"]) == (
        events_topic.outputs["arn"],
        "sqs",
        integration.outputs["arn"],
    )
    assert subscription.inputs["rawMessageDelivery"] is True
    assert "filterPolicy" not in subscription.inputs
    assert queue_policy.urn in subscription.dependencies
    assert queue_policy.inputs["queueUrl"] == integration.outputs["url"]
    assert policy_of(queue_policy)["Statement"] == [
        {
            "Sid": "TopicDelivers",
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": integration.outputs["arn"],
            "Condition": {"ArnEquals": {"aws:SourceArn": events_topic.outputs["arn"]}},
        }
    ]


def test_the_topic_is_encrypted_with_its_own_rotated_key_which_only_iam_policies_grant(stack):
    key = events_resource(stack, "aws:kms/key:Key")

    assert topic(stack).inputs["kmsMasterKeyId"] == key.outputs["arn"]
    assert topic(stack).inputs["name"].startswith("users-items-events-")
    assert key.inputs["enableKeyRotation"] is True, key
    assert [statement["Sid"] for statement in policy_of(key)["Statement"]] == ["AccountAdministersTheKeyThroughIam"]


def test_only_the_relay_publishes_to_the_topic_and_only_over_tls(stack):
    events_topic, relay_role = topic(stack), role_of(stack, relay_function(stack))
    topic_policy = events_resource(stack, "aws:sns/topicPolicy:TopicPolicy")
    allow, deny_others, deny_plain = policy_of(topic_policy)["Statement"]

    assert topic_policy.inputs["arn"] == events_topic.outputs["arn"]
    assert (allow["Effect"], allow["Principal"], allow["Action"]) == (
        "Allow",
        {"AWS": relay_role.outputs["arn"]},
        ["sns:Publish"],
    )
    assert deny_others["Effect"] == "Deny"
    assert deny_others["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": relay_role.outputs["arn"]}}
    assert (deny_plain["Effect"], deny_plain["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})
    for statement in (allow, deny_others, deny_plain):
        assert statement["Resource"] == events_topic.outputs["arn"], statement


def test_the_relays_role_reads_this_tables_stream_publishes_to_this_topic_and_sends_to_its_own_queue(stack):
    table = table_named(stack, MAIN_TABLE)
    key = events_resource(stack, "aws:kms/key:Key")
    statements = {s["Sid"]: s for s in inline_statements(stack, relay_function(stack)) if s["Sid"] != "OwnLogGroup"}

    assert statements == {
        "ReadTheTablesStream": {
            "Sid": "ReadTheTablesStream",
            "Effect": "Allow",
            "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
            "Resource": f"{table.outputs['arn']}/stream/*",
        },
        "ListStreams": {"Sid": "ListStreams", "Effect": "Allow", "Action": "dynamodb:ListStreams", "Resource": "*"},
        "PublishToTheTopic": {
            "Sid": "PublishToTheTopic",
            "Effect": "Allow",
            "Action": ["sns:Publish"],
            "Resource": topic(stack).outputs["arn"],
        },
        "EncryptForTheTopic": {
            "Sid": "EncryptForTheTopic",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": key.outputs["arn"],
            "Condition": {"StringEquals": {"kms:ViaService": "sns.us-east-1.amazonaws.com"}},
        },
        "SendToItsDeadLetterQueue": {
            "Sid": "SendToItsDeadLetterQueue",
            "Effect": "Allow",
            "Action": "sqs:SendMessage",
            "Resource": queue(stack, "-relay-dlq").outputs["arn"],
        },
    }


def test_the_stack_exports_the_events_topic_and_the_integration_queue(stack):
    assert stack.outputs[outputs.EVENTS_TOPIC_ARN] == topic(stack).outputs["arn"]
    assert stack.outputs[outputs.EVENTS_QUEUE_URL] == queue(stack, "-queue").outputs["url"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"retry_attempts": -1}, "finite"),
        ({"maximum_record_age_seconds": -1}, "finite"),
        ({"parallelization_factor": 11}, "parallelization_factor"),
        ({"batch_size": 0}, "batch_size"),
        ({"batching_window_seconds": 301}, "batching_window_seconds"),
    ],
)
def test_mapping_settings_lambda_refuses_or_that_never_give_up_are_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        StreamMappingSettings(**overrides)


def test_a_stream_without_a_filter_or_with_a_malformed_one_is_refused():
    with pytest.raises(ValueError, match="at least one filter"):
        StreamSource(table_arn="t", stream_arn="s", filter_patterns=())
    with pytest.raises(ValueError, match="JSON object"):
        StreamSource(table_arn="t", stream_arn="s", filter_patterns=("[1]",))


def relay_code() -> FunctionCode:
    return FunctionCode(archive=pulumi.AssetArchive({}), handler="runtime.events.relay.lambda_handler")


def test_the_relays_environment_cannot_set_the_topics_arn_itself():
    with pytest.raises(ValueError, match=EVENTS_TOPIC_ARN.name):
        RelayArgs(code=relay_code(), environment={EVENTS_TOPIC_ARN.name: "x"}, topic_arn_variable=EVENTS_TOPIC_ARN.name)


def test_an_inline_policy_cannot_take_a_label_the_function_builder_uses():
    with pytest.raises(ValueError, match="builder's own"):
        LambdaFunctionArgs(name="fn", code=relay_code(), inline_policies={"logs": "{}"})


def test_an_unknown_stream_view_type_is_refused():
    keys = TableKeys(partition_key="PK", sort_key=None, attribute_types={"PK": "S"})

    with pytest.raises(ValueError, match="stream_view_type"):
        SingleTableArgs(keys=keys, stream_view_type="EVERYTHING")
