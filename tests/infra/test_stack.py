"""The whole program, as the dev and prod stack files configure it."""

from __future__ import annotations

import runpy

import pulumi
import pytest

from components import lambda_artifacts, outputs
from components.lambda_function import LIVE_ALIAS
from components.lambda_package import ARCHITECTURE, HANDLER, PYTHON_RUNTIME
from tests.infra.pulumi_mocks import deploy, policy_of
from tests.infra.stacks import (
    API_FUNCTION,
    NETWORK,
    ROOT,
    api_function,
    deploy_stack,
    named,
    stack_settings,
    stand_in_artifacts,
)
from tests.infra.test_contracts import IDEMPOTENCY_TABLE, MAIN_TABLE, table_named
from tests.infra.test_private_network import FORBIDDEN_TYPES

COMPONENTS = {
    "users-items:index:PrivateNetwork",
    "users-items:index:SingleTable",
    "users-items:index:HttpLambdaApi",
    "users-items:index:FunctionPackage",
    "users-items:index:AlarmTopic",
    "users-items:index:ServiceDashboard",
    "users-items:index:UserPool",
    "users-items:index:DomainEvents",
    "users-items:index:Reminders",
    "users-items:index:RealtimeApi",
    "users-items:index:AttachmentBucket",
    "users-items:index:AttachmentStore",
}
ALWAYS = {
    "apiUrl",
    "tableName",
    "tableArn",
    "functionName",
    "vpcId",
    "privateSubnetIds",
    "region",
    "dashboardUrl",
    "eventsTopicArn",
    "eventsQueueUrl",
    "wsUrl",
}
WITH_ALARMS = {"alarmTopicArn"}
WITH_COGNITO = {"userPoolId", "userPoolClientId", "jwtIssuer"}


def test_the_output_names_are_the_shared_constants():
    names = {value for name, value in vars(outputs).items() if name.isupper()}

    assert names == ALWAYS | WITH_ALARMS | WITH_COGNITO


@pytest.mark.parametrize(
    ("stack_name", "expected"),
    [("dev", ALWAYS | WITH_ALARMS), ("prod", ALWAYS | WITH_ALARMS | WITH_COGNITO)],
)
def test_the_stack_exports_the_outputs_client_apps_read(stack_name, expected, dev, prod):
    assert set({"dev": dev, "prod": prod}[stack_name].outputs) == expected


def test_the_outputs_are_the_deployed_resources(stack):
    table = table_named(stack, MAIN_TABLE)

    assert (
        stack.outputs[outputs.API_URL] == named(stack, "aws:apigatewayv2/api:Api", API_FUNCTION).outputs["apiEndpoint"]
    )
    assert stack.outputs[outputs.TABLE_NAME] == table.outputs["name"]
    assert stack.outputs[outputs.TABLE_ARN] == table.outputs["arn"]
    assert stack.outputs[outputs.FUNCTION_NAME] == api_function(stack).outputs["name"]
    assert stack.outputs[outputs.VPC_ID] == stack.one("aws:ec2/vpc:Vpc").id
    assert stack.outputs[outputs.PRIVATE_SUBNET_IDS] == [s.id for s in stack.of_type("aws:ec2/subnet:Subnet")]
    assert stack.outputs[outputs.REGION] == "us-east-1"


def test_the_program_defines_no_resource_outside_its_components(stack):
    component_urns = {r.urn for r in stack if r.type in COMPONENTS}

    assert {r.type for r in stack if r.type in COMPONENTS} >= COMPONENTS - {"users-items:index:UserPool"}
    for resource in stack:
        if resource.type in COMPONENTS:
            # Top-level, or inside another component (the real-time API's connections table).
            nested = resource.parent in component_urns
            assert "::pulumi:pulumi:Stack::" in resource.parent or nested, f"{resource} is outside the components"
        else:
            assert resource.parent in component_urns, f"{resource} is not inside a component"


def test_nothing_in_the_stack_reaches_the_internet(stack):
    assert not stack.types() & FORBIDDEN_TYPES
    for table in stack.of_type("aws:ec2/routeTable:RouteTable"):
        assert not table.inputs.get("routes"), table


def test_the_function_runs_in_the_networks_private_subnets_with_its_security_group(stack):
    function = api_function(stack)

    assert function.inputs["vpcConfig"]["subnetIds"] == [s.id for s in stack.of_type("aws:ec2/subnet:Subnet")]
    assert function.inputs["vpcConfig"]["securityGroupIds"] == [stack.one("aws:ec2/securityGroup:SecurityGroup").id]


def test_the_function_runs_the_built_archive_on_the_projects_own_dependency_layer(stack):
    function = api_function(stack)
    layer = stack.one("aws:lambda/layerVersion:LayerVersion")

    assert function.inputs["handler"] == HANDLER
    assert function.inputs["code"].path == str(stand_in_artifacts().function_zip)
    assert function.inputs["layers"] == [layer.outputs["arn"]]
    assert layer.inputs["code"].path == str(stand_in_artifacts().layer_zip)
    assert layer.inputs["layerName"].startswith("users-items-dependencies-")
    assert (layer.inputs["compatibleRuntimes"], layer.inputs["compatibleArchitectures"]) == (
        [PYTHON_RUNTIME],
        [ARCHITECTURE],
    )
    assert (function.inputs["runtime"], function.inputs["architectures"]) == ("python3.13", ["arm64"])
    assert (function.inputs["memorySize"], function.inputs["timeout"]) == (256, 15)


def api_permission(deployment):
    return next(p for p in deployment.of_type("aws:lambda/permission:Permission") if p.name == "users-items-api-api")


def test_without_snap_start_the_api_invokes_the_unqualified_function(stack):
    function = api_function(stack)
    integration = named(stack, "aws:apigatewayv2/integration:Integration", API_FUNCTION)
    permission = api_permission(stack)

    assert "publish" not in function.inputs
    assert "snapStart" not in function.inputs
    assert not stack.of_type("aws:lambda/alias:Alias")
    assert integration.inputs["integrationUri"] == function.outputs["invokeArn"]
    assert "qualifier" not in permission.inputs


def test_with_snap_start_the_api_invokes_the_live_alias_on_the_published_version():
    deployment = deploy_stack("prod", snapStart="true")
    function = api_function(deployment)
    alias = deployment.one("aws:lambda/alias:Alias")
    integration = named(deployment, "aws:apigatewayv2/integration:Integration", API_FUNCTION)
    permission = api_permission(deployment)

    assert (function.inputs["publish"], function.inputs["snapStart"]) == (True, {"applyOn": "PublishedVersions"})
    assert (alias.inputs["name"], alias.inputs["functionName"]) == (LIVE_ALIAS, function.outputs["name"])
    assert alias.inputs["functionVersion"] == function.outputs["version"] == "1"
    assert integration.inputs["integrationUri"] == alias.outputs["invokeArn"]
    assert integration.inputs["integrationUri"].endswith(f":function:{function.outputs['name']}:live/invocations")
    assert (permission.inputs["function"], permission.inputs["qualifier"]) == (function.outputs["name"], "live")
    trigger = next(f for f in deployment.of_type("aws:lambda/function:Function") if f is not function)
    assert "snapStart" not in trigger.inputs, "the token trigger decides by its own latency needs"


def test_the_endpoint_and_the_role_are_scoped_to_the_stacks_tables(stack):
    table_arn = table_named(stack, MAIN_TABLE).outputs["arn"]
    idempotency_arn = table_named(stack, IDEMPOTENCY_TABLE).outputs["arn"]
    endpoint = named(stack, "aws:ec2/vpcEndpoint:VpcEndpoint", f"{NETWORK}-dynamodb")
    role_policy = named(stack, "aws:iam/rolePolicy:RolePolicy", f"{API_FUNCTION}-dynamodb")

    assert policy_of(endpoint)["Statement"][0]["Resource"] == [
        table_arn,
        f"{table_arn}/index/*",
        idempotency_arn,
        f"{idempotency_arn}/index/*",
    ]
    assert [statement["Resource"] for statement in policy_of(role_policy)["Statement"]] == [
        [table_arn, f"{table_arn}/index/ByStatus"],
        [idempotency_arn],
    ]


@pytest.mark.parametrize(
    ("stack_name", "expected"),
    [
        ("dev", {"zones": 2, "flow_logs": 0, "retention": 14, "protected": False, "burst": 100, "rate": 50}),
        ("prod", {"zones": 3, "flow_logs": 1, "retention": 365, "protected": True, "burst": 500, "rate": 200}),
    ],
)
def test_each_stack_gets_its_environments_settings(stack_name, expected, dev, prod):
    deployment = {"dev": dev, "prod": prod}[stack_name]
    table = table_named(deployment, MAIN_TABLE)
    idempotency_table = table_named(deployment, IDEMPOTENCY_TABLE)
    stage = named(deployment, "aws:apigatewayv2/stage:Stage", API_FUNCTION)

    assert len(deployment.of_type("aws:ec2/subnet:Subnet")) == expected["zones"]
    assert len({s.inputs["availabilityZone"] for s in deployment.of_type("aws:ec2/subnet:Subnet")}) == expected["zones"]
    assert len(deployment.of_type("aws:ec2/flowLog:FlowLog")) == expected["flow_logs"]
    for log_group in deployment.of_type("aws:cloudwatch/logGroup:LogGroup"):
        assert log_group.inputs["retentionInDays"] == expected["retention"], log_group
    assert table.inputs["deletionProtectionEnabled"] is expected["protected"], table
    assert table.protect is expected["protected"], table
    assert table.inputs["pointInTimeRecovery"] == {"enabled": True}, table
    assert table.inputs["serverSideEncryption"]["enabled"] is True, table
    # A day's replay records: nothing to restore, nothing to protect.
    assert idempotency_table.inputs["pointInTimeRecovery"] == {"enabled": False}, idempotency_table
    assert idempotency_table.inputs["serverSideEncryption"]["enabled"] is True, idempotency_table
    assert idempotency_table.inputs["deletionProtectionEnabled"] is False, idempotency_table
    assert stage.inputs["defaultRouteSettings"] == {
        "throttlingBurstLimit": expected["burst"],
        "throttlingRateLimit": expected["rate"],
    }, stage


def test_dev_allows_the_local_web_apps_origins(dev):
    api = named(dev, "aws:apigatewayv2/api:Api", API_FUNCTION)

    assert api.inputs["corsConfiguration"]["allowOrigins"] == ["http://localhost:3000", "http://localhost:5173"], api


def test_the_stack_names_physical_resources_after_the_stack(dev, prod):
    assert api_function(dev).inputs["name"] == "users-items-api-dev"
    assert api_function(prod).inputs["name"] == "users-items-api-prod"


def test_every_invoke_the_program_makes_is_answered_by_the_mocks(stack):
    assert {invoke.token for invoke in stack.invokes} <= {
        "aws:index/getRegion:getRegion",
        "aws:index/getPartition:getPartition",
        "aws:index/getCallerIdentity:getCallerIdentity",
        "aws:index/getAvailabilityZones:getAvailabilityZones",
    }


def test_the_program_runs_as_pulumi_runs_it_and_exports_its_outputs(monkeypatch, dev):
    """`__main__.py` executed as `__main__`, as the Pulumi CLI runs it, rather than through `build_stack`."""
    exported: dict[str, object] = {}
    monkeypatch.setattr(pulumi, "export", lambda name, value: exported.setdefault(name, value))
    monkeypatch.setattr(lambda_artifacts, "ensure_artifacts", lambda architecture: stand_in_artifacts())

    def program() -> pulumi.Output[object]:
        runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")
        return pulumi.Output.all(**exported)

    deployment = deploy(program, config=stack_settings("dev"), stack="dev")

    assert deployment.outputs == dev.outputs
    assert sorted(r.urn for r in deployment) == sorted(r.urn for r in dev)


def test_without_a_python313_to_build_with_the_program_fails_in_one_line(monkeypatch):
    def no_python(architecture):
        raise lambda_artifacts.BuildError("no python3.13 found: install one")

    monkeypatch.setattr(lambda_artifacts, "ensure_artifacts", no_python)
    program = runpy.run_path(str(ROOT / "__main__.py"))

    with pytest.raises(pulumi.RunError, match=r"^no python3\.13 found: install one$"):
        program["built_artifacts"]()


def subnet_zones(deployment):
    return [subnet.inputs["availabilityZone"] for subnet in deployment.of_type("aws:ec2/subnet:Subnet")]


def test_an_up_during_a_zone_event_keeps_every_subnet_and_the_functions_network(prod):
    # us-east-1a is use1-az6 in the mocks; AWS reports it impaired.
    during_the_event = deploy_stack("prod", impaired_zone_ids=frozenset({"use1-az6"}))

    assert subnet_zones(during_the_event) == subnet_zones(prod) == ["us-east-1a", "us-east-1b", "us-east-1d"]
    assert api_function(during_the_event).inputs["vpcConfig"] == api_function(prod).inputs["vpcConfig"]


def test_pinned_zone_ids_from_config_place_the_subnets():
    deployment = deploy_stack("prod", availabilityZoneIds='["use1-az4", "use1-az1", "use1-az5"]')

    assert subnet_zones(deployment) == ["us-east-1e", "us-east-1b", "us-east-1f"]


def test_more_zones_than_us_east_1_offers_to_lambda_fails_the_preview_naming_the_limit():
    with pytest.raises(ValueError, match=r"us-east-1 has 5 zones where Lambda can run .*at most 5$"):
        deploy_stack("prod", availabilityZoneCount="6")
