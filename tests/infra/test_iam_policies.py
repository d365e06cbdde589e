"""Every IAM policy document the stack produces passes parliament with no findings.

Documents are found by shape, not by name: any input of any resource that is a JSON policy
(`{"Statement": …}`), so a policy added later is linted without touching this test. AWS managed
policies are attached by ARN; their list is asserted exactly instead.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from parliament import analyze_policy_string

from tests.infra.pulumi_mocks import Deployment, Registered, policy_of
from tests.infra.stacks import ALARM_TOPIC, named

# Which resource inputs are policy documents, and what kind (a trust policy has no Resource).
EXPECTED_DOCUMENTS = {
    ("aws:iam/role:Role", "assumeRolePolicy"),
    ("aws:iam/rolePolicy:RolePolicy", "policy"),
    ("aws:ec2/vpcEndpoint:VpcEndpoint", "policy"),
    ("aws:kms/key:Key", "policy"),
    ("aws:sns/topicPolicy:TopicPolicy", "policy"),
    ("aws:sqs/queuePolicy:QueuePolicy", "policy"),
    ("aws:s3/bucketPolicy:BucketPolicy", "policy"),
}


def policy_documents(deployment: Deployment) -> list[tuple[Registered, str, dict[str, Any]]]:
    found = []
    for resource in deployment:
        for key, value in resource.inputs.items():
            if isinstance(value, str) and value.lstrip().startswith("{") and '"Statement"' in value:
                found.append((resource, key, json.loads(value)))
    return found


def findings(document: dict[str, Any]) -> list[str]:
    policy = analyze_policy_string(json.dumps(document))
    return [f"{finding.issue}: {finding.detail}" for finding in policy.findings]


def as_resource_policy_of(resource: Registered, policy: dict[str, Any]) -> dict[str, Any]:
    """A trust policy is the role's resource policy, a key policy the key's. IAM forbids
    `Resource` in the first (parliament, duo-labs/parliament#229, requires one) and a key policy
    spells its key `*`, which parliament reads as every resource: both are linted with the
    resource's own ARN as `Resource`."""
    statements = [{**statement, "Resource": resource.outputs["arn"]} for statement in policy["Statement"]]
    return {**policy, "Statement": statements}


def is_key_administration_by_the_account(resource: Registered, statement: dict[str, Any]) -> bool:
    """KMS's default key policy: the account's root may do anything with the key, which hands its
    administration to IAM policies. Without it a key can become unmanageable."""
    if resource.type != "aws:kms/key:Key":
        return False
    account_id = resource.outputs["arn"].split(":")[4]
    return statement["Principal"] == {"AWS": f"arn:aws:iam::{account_id}:root"}


# Read-only list actions IAM cannot scope to a resource (parliament requires `*` for them), each
# the only action of its statement: the flow-logs role finds its log group, the function's role
# lists subnets as AWSLambdaVPCAccessExecutionRole lets it, the relay's lists the account's
# streams as Lambda's stream poller needs.
UNSCOPABLE_LIST_ACTIONS = {"logs:DescribeLogGroups", "ec2:DescribeSubnets", "dynamodb:ListStreams"}


def test_the_stack_produces_the_expected_kinds_of_policy_documents(prod):
    assert {(resource.type, key) for resource, key, _ in policy_documents(prod)} == EXPECTED_DOCUMENTS


def test_every_policy_document_passes_parliament(stack):
    documents = policy_documents(stack)
    assert len(documents) >= 3

    for resource, key, document in documents:
        if key == "assumeRolePolicy" or resource.type == "aws:kms/key:Key":
            document = as_resource_policy_of(resource, document)
        # `kms:*` on a key's ARN mismatches the account-level KMS actions; the statement is the
        # default one, checked exactly below.
        statements = [s for s in document["Statement"] if not is_key_administration_by_the_account(resource, s)]
        document = {**document, "Statement": statements}
        assert findings(document) == [], f"{resource} {key}"


def test_no_policy_allows_every_action_or_every_resource(stack):
    for resource, key, document in policy_documents(stack):
        if resource.type == "aws:kms/key:Key":  # `*` is the key itself there
            document = as_resource_policy_of(resource, document)
        for statement in document["Statement"]:
            # A Deny of every action (plain HTTP to a bucket) takes away; only an Allow over-grants.
            if is_key_administration_by_the_account(resource, statement) or statement["Effect"] == "Deny":
                continue
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = statement.get("Resource", [])
            resources = resources if isinstance(resources, list) else [resources]
            assert not [a for a in actions if a == "*" or a.endswith(":*")], f"{resource} {key}"
            if not (len(actions) == 1 and actions[0] in UNSCOPABLE_LIST_ACTIONS):
                assert "*" not in resources, f"{resource} {key}"


def test_the_only_managed_policies_are_lambdas_eni_management_and_xray(stack):
    attached = {a.inputs["policyArn"] for a in stack.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")}

    assert attached == {
        "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
        "arn:aws:iam::aws:policy/service-role/AWSLambdaENIManagementAccess",
    }


@pytest.mark.parametrize(
    "bad",
    [
        {
            "Effect": "Allow",
            "Action": "dynamodb:TransactWriteItems",
            "Resource": "arn:aws:dynamodb:us-east-1:1:table/t",
        },
        {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"},
    ],
)
def test_parliament_does_flag_what_it_should(bad):
    """The linter is live: an unknown action and a wildcard resource are findings."""
    assert findings({"Version": "2012-10-17", "Statement": [bad]})


def test_the_alarm_keys_policy_is_the_default_administration_plus_cloudwatch_encrypting(stack):
    key = named(stack, "aws:kms/key:Key", ALARM_TOPIC)
    administer, cloudwatch = policy_of(key)["Statement"]

    assert administer == {
        "Sid": "AccountAdministersTheKeyThroughIam",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "kms:*",
        "Resource": "*",
    }, key
    assert cloudwatch["Principal"] == {"Service": "cloudwatch.amazonaws.com"}, key
    assert cloudwatch["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"], key


def test_cloudwatch_may_use_the_alarm_key_only_for_this_accounts_alarms_in_this_region(stack):
    """No confused deputy: CloudWatch acting for another account's alarm cannot use the key."""
    _, cloudwatch = policy_of(named(stack, "aws:kms/key:Key", ALARM_TOPIC))["Statement"]

    assert cloudwatch["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*"},
    }


def test_only_the_listed_unscopable_actions_may_take_every_resource(stack):
    """The exceptions above are what the stack uses, and nothing else takes `*`."""
    starred = set()
    for resource, _, document in policy_documents(stack):
        if resource.type == "aws:kms/key:Key":
            continue
        for statement in document["Statement"]:
            if statement.get("Resource") == "*":
                starred.add(statement["Action"])
    expected = {"ec2:DescribeSubnets", "dynamodb:ListStreams"} | (
        {"logs:DescribeLogGroups"} if stack.of_type("aws:ec2/flowLog:FlowLog") else set()
    )

    assert starred == expected
