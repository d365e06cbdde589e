"""The Lambda function builder alone: what a function gets with and without a network, tracing and tables."""

from __future__ import annotations

import pulumi
import pytest

from components.lambda_function import (
    FunctionCode,
    FunctionNetwork,
    LambdaFunctionArgs,
    TableAccess,
    create_lambda_function,
)
from tests.infra.pulumi_mocks import Deployment, deploy

TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/things-5e6f7a8"
CODE = FunctionCode(
    archive=pulumi.AssetArchive({"app/main.py": pulumi.StringAsset("def handler(e, c): ...")}),
    handler="app.main.handler",
)


def built(role_and_log_group_name: str | None = None, **overrides: object) -> Deployment:
    """One function, `relay`, built inside an owning component."""

    def program() -> dict[str, object]:
        owner = pulumi.ComponentResource("test:index:Owner", "owner")
        args = LambdaFunctionArgs(**{"name": "relay-staging", "code": CODE, **overrides})
        function = create_lambda_function(
            "relay", args, parent=owner, role_and_log_group_name=role_and_log_group_name
        ).function
        return {"name": function.name}

    return deploy(program, stack="staging")


@pytest.fixture(scope="module")
def plain() -> Deployment:
    return built()


@pytest.fixture(scope="module")
def complete() -> Deployment:
    return built(
        network=FunctionNetwork(subnet_ids=["subnet-0a"], security_group_ids=["sg-0c"]),
        tracing=True,
        dynamodb_tables=[TableAccess(sid="Things", table_arn=TABLE_ARN, actions=("dynamodb:GetItem",))],
    )


def names_by_type(deployment: Deployment) -> dict[str, list[str]]:
    return {
        resource.type.split(":")[-1]: sorted(r.name for r in deployment.of_type(resource.type))
        for resource in deployment
        if resource.type != "test:index:Owner"
    }


def test_a_plain_function_gets_its_role_and_log_group_and_may_only_write_its_logs(plain):
    assert names_by_type(plain) == {
        "LogGroup": ["relay"],
        "Role": ["relay"],
        "RolePolicy": ["relay-logs"],
        "Function": ["relay"],
    }
    function = plain.one("aws:lambda/function:Function")
    for absent in ("vpcConfig", "replaceSecurityGroupsOnDestroy", "tracingConfig", "layers", "environment"):
        assert absent not in function.inputs, f"{function}: {absent}"
    assert plain.outputs == {"name": "relay-staging"}


def test_every_resource_is_a_child_of_the_given_parent(plain, complete):
    for deployment in (plain, complete):
        owner = deployment.one("test:index:Owner")
        for resource in deployment:
            assert resource is owner or resource.parent == owner.urn, f"{resource} is not parented to {owner}"


def test_a_network_tracing_and_tables_each_add_their_permissions_which_the_function_waits_for(complete):
    function = complete.one("aws:lambda/function:Function")
    policies = complete.of_type("aws:iam/rolePolicy:RolePolicy")
    attachments = complete.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")

    assert [p.name for p in policies] == ["relay-dynamodb", "relay-logs", "relay-vpc-access"]
    assert [a.name for a in attachments] == ["relay-eni-management", "relay-xray"]
    assert function.inputs["vpcConfig"] == {"subnetIds": ["subnet-0a"], "securityGroupIds": ["sg-0c"]}, function
    assert function.inputs["tracingConfig"] == {"mode": "Active"}, function
    for permission in (*policies, *attachments):
        assert permission.urn in function.dependencies, f"{function} does not wait for {permission}"


def test_the_role_and_the_log_group_can_keep_names_of_their_own():
    deployment = built(role_and_log_group_name="relay-function")

    assert names_by_type(deployment) == {
        "LogGroup": ["relay-function"],
        "Role": ["relay-function"],
        "RolePolicy": ["relay-logs"],
        "Function": ["relay"],
    }


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (lambda: FunctionCode(archive=CODE.archive, handler="h", python_runtime="python3.11"), "3.12 or newer"),
        (lambda: FunctionCode(archive=CODE.archive, handler="h", architecture="arm"), "arm64 or x86_64"),
        (lambda: LambdaFunctionArgs(name="f" * 65, code=CODE), "64 characters"),
        (
            lambda: LambdaFunctionArgs(
                name="relay", code=CODE, dynamodb_tables=[TableAccess(sid="T", table_arn=TABLE_ARN, actions=("a",))]
            ),
            "without wildcards",
        ),
        (
            lambda: LambdaFunctionArgs(
                name="relay",
                code=CODE,
                dynamodb_tables=[TableAccess(sid="T", table_arn=TABLE_ARN, actions=("dynamodb:GetItem",))] * 2,
            ),
            "its own statement id",
        ),
    ],
)
def test_impossible_functions_are_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        arguments()
