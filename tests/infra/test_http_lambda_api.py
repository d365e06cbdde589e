"""HttpLambdaApi alone: the function's settings, its least-privilege role, its logs, and the HTTP API."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pytest

from components.http_lambda_api import (
    ACCESS_LOG_FORMAT,
    MANAGED_POLICIES,
    HttpLambdaApi,
    HttpLambdaApiArgs,
    route_slug,
)
from tests.infra.pulumi_mocks import Deployment, deploy, policy_of

TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/things-5e6f7a8"
INDEX_ARN = f"{TABLE_ARN}/index/ByOwner"
LAYER = "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-arm64:27"


@dataclass(frozen=True)
class FakeRoute:
    method: str
    path: str
    requires_auth: bool = True

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"


ROUTES = (
    FakeRoute("GET", "/health", requires_auth=False),
    FakeRoute("GET", "/things/{id}"),
    FakeRoute("PUT", "/things/{id}"),
)
ACTIONS = ("dynamodb:Query", "dynamodb:GetItem")


def api_args(**overrides: object) -> HttpLambdaApiArgs:
    args = {
        "code": pulumi.AssetArchive({"app/main.py": pulumi.StringAsset("def handler(e, c): ...")}),
        "handler": "app.main.handler",
        "routes": ROUTES,
        "environment": {"TABLE_NAME": "things-5e6f7a8"},
        "subnet_ids": ["subnet-0a", "subnet-0b"],
        "security_group_ids": ["sg-0c"],
        "dynamodb_table_arn": TABLE_ARN,
        "dynamodb_index_arns": [INDEX_ARN],
        "dynamodb_actions": ACTIONS,
        "layers": [LAYER],
    }
    return HttpLambdaApiArgs(**{**args, **overrides})


def http_lambda_api(**overrides: object) -> Deployment:
    def program() -> dict[str, object]:
        api = HttpLambdaApi("things", api_args(**overrides))
        return {"apiUrl": api.api_url, "functionName": api.function_name, "executionArn": api.execution_arn}

    return deploy(program, stack="staging")


@pytest.fixture(scope="module")
def defaults() -> Deployment:
    return http_lambda_api()


@pytest.fixture(scope="module")
def configured() -> Deployment:
    return http_lambda_api(
        memory_mb=512,
        timeout_seconds=20,
        log_retention_days=90,
        throttling_burst_limit=20,
        throttling_rate_limit=10,
        cors_allowed_origins=("https://app.example.com",),
        function_name="things-api",
    )


def function_of(deployment: Deployment):
    return deployment.one("aws:lambda/function:Function")


# The function ----------------------------------------------------------------------------------


def test_the_function_runs_the_given_code_on_python_313_arm64(defaults):
    function = function_of(defaults)

    assert function.inputs["handler"] == "app.main.handler", function
    assert function.inputs["runtime"] == "python3.13", function
    assert function.inputs["architectures"] == ["arm64"], function
    assert function.inputs["layers"] == [LAYER], function
    assert isinstance(function.inputs["code"], pulumi.AssetArchive), function


def test_memory_and_timeout_default_to_256_mb_and_15_s(defaults):
    function = function_of(defaults)

    assert (function.inputs["memorySize"], function.inputs["timeout"]) == (256, 15), function


def test_memory_and_timeout_follow_the_arguments(configured):
    function = function_of(configured)

    assert (function.inputs["memorySize"], function.inputs["timeout"]) == (512, 20), function


def test_the_function_runs_in_the_given_subnets_with_the_given_security_group(defaults):
    function = function_of(defaults)

    assert function.inputs["vpcConfig"] == {"subnetIds": ["subnet-0a", "subnet-0b"], "securityGroupIds": ["sg-0c"]}
    assert function.inputs["replaceSecurityGroupsOnDestroy"] is True, function


def test_the_function_is_traced_and_logs_json_to_its_own_log_group(defaults):
    function = function_of(defaults)
    logs = {g.inputs["name"]: g for g in defaults.of_type("aws:cloudwatch/logGroup:LogGroup")}

    assert function.inputs["tracingConfig"] == {"mode": "Active"}, function
    assert function.inputs["loggingConfig"]["logFormat"] == "JSON", function
    assert function.inputs["loggingConfig"]["logGroup"] == "/aws/lambda/things-staging", function
    assert "/aws/lambda/things-staging" in logs


def test_the_environment_is_exactly_the_given_one(defaults):
    assert function_of(defaults).inputs["environment"] == {"variables": {"TABLE_NAME": "things-5e6f7a8"}}


def test_the_function_name_derives_from_the_component_and_the_stack_unless_given(defaults, configured):
    assert function_of(defaults).inputs["name"] == "things-staging"
    assert function_of(configured).inputs["name"] == "things-api"
    assert configured.outputs["functionName"] == "things-api"


def test_the_function_waits_for_its_log_group_and_every_policy_of_its_role(defaults):
    function = function_of(defaults)
    log_group = next(g for g in defaults.of_type("aws:cloudwatch/logGroup:LogGroup") if "/aws/lambda/" in g.id)
    policies = defaults.of_type("aws:iam/rolePolicy:RolePolicy") + defaults.of_type(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    )

    for dependency in [log_group, *policies]:
        assert dependency.urn in function.dependencies, f"{function} does not depend on {dependency}"


# Logs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("deployment", "days"), [("defaults", 30), ("configured", 90)])
def test_every_log_group_keeps_logs_for_the_configured_retention(deployment, days, request):
    for log_group in request.getfixturevalue(deployment).of_type("aws:cloudwatch/logGroup:LogGroup"):
        assert log_group.inputs["retentionInDays"] == days, log_group


# The role --------------------------------------------------------------------------------------


def test_only_lambda_may_assume_the_role(defaults):
    role = defaults.one("aws:iam/role:Role")

    assert policy_of(role, "assumeRolePolicy")["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ], role
    assert function_of(defaults).inputs["role"] == role.outputs["arn"]


def test_the_role_has_exactly_the_vpc_access_and_xray_managed_policies(defaults):
    role = defaults.one("aws:iam/role:Role")
    attachments = defaults.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")

    assert sorted(a.inputs["policyArn"] for a in attachments) == [
        "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
        "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
    ]
    assert all(a.inputs["role"] == role.outputs["name"] for a in attachments)
    assert len(MANAGED_POLICIES) == len(attachments)


def test_the_role_may_use_exactly_the_given_dynamodb_actions_on_exactly_the_table_and_its_indexes(defaults):
    [policy] = defaults.of_type("aws:iam/rolePolicy:RolePolicy")

    assert policy_of(policy)["Statement"] == [
        {"Sid": "TableAndIndexes", "Effect": "Allow", "Action": sorted(ACTIONS), "Resource": [TABLE_ARN, INDEX_ARN]}
    ], policy
    assert policy.inputs["role"] == defaults.one("aws:iam/role:Role").id


# The API ---------------------------------------------------------------------------------------


def test_the_api_is_an_http_api_with_a_proxy_integration_on_payload_format_2(defaults):
    api = defaults.one("aws:apigatewayv2/api:Api")
    integration = defaults.one("aws:apigatewayv2/integration:Integration")

    assert api.inputs["protocolType"] == "HTTP", api
    assert integration.inputs["apiId"] == api.id, integration
    assert integration.inputs["integrationType"] == "AWS_PROXY", integration
    assert integration.inputs["payloadFormatVersion"] == "2.0", integration
    assert integration.inputs["integrationUri"] == function_of(defaults).outputs["invokeArn"], integration


def test_there_is_one_explicit_route_per_route_table_entry_to_the_integration(defaults):
    routes = defaults.of_type("aws:apigatewayv2/route:Route")
    integration = defaults.one("aws:apigatewayv2/integration:Integration")

    assert sorted(r.inputs["routeKey"] for r in routes) == sorted(r.route_key for r in ROUTES)
    for route in routes:
        assert route.inputs["target"] == f"integrations/{integration.id}", route
        assert route.inputs["apiId"] == integration.inputs["apiId"], route
    assert "$default" not in {r.inputs["routeKey"] for r in routes}


def test_the_default_stage_deploys_automatically_with_explicit_throttling(defaults, configured):
    for deployment, (burst, rate) in [(defaults, (100, 50.0)), (configured, (20, 10.0))]:
        stage = deployment.one("aws:apigatewayv2/stage:Stage")

        assert stage.inputs["name"] == "$default", stage
        assert stage.inputs["autoDeploy"] is True, stage
        assert stage.inputs["defaultRouteSettings"]["throttlingBurstLimit"] == burst, stage
        assert stage.inputs["defaultRouteSettings"]["throttlingRateLimit"] == rate, stage


def test_access_logs_are_json_with_the_fields_to_trace_a_request_in_their_own_log_group(defaults):
    stage = defaults.one("aws:apigatewayv2/stage:Stage")
    access_logs = next(g for g in defaults.of_type("aws:cloudwatch/logGroup:LogGroup") if "/aws/apigateway/" in g.id)
    fields = json.loads(stage.inputs["accessLogSettings"]["format"])

    assert stage.inputs["accessLogSettings"]["destinationArn"] == access_logs.outputs["arn"], stage
    assert fields == ACCESS_LOG_FORMAT
    for variable in (
        "$context.requestId",
        "$context.routeKey",
        "$context.status",
        "$context.responseLatency",
        "$context.integrationLatency",
        "$context.integrationErrorMessage",
        "$context.error.message",
    ):
        assert variable in fields.values(), f"access logs lack {variable}"


def test_cors_is_off_without_origins(defaults):
    assert "corsConfiguration" not in defaults.one("aws:apigatewayv2/api:Api").inputs


def test_cors_allows_the_configured_origins_the_routes_methods_and_the_apis_headers(configured):
    api = configured.one("aws:apigatewayv2/api:Api")

    assert api.inputs["corsConfiguration"] == {
        "allowOrigins": ["https://app.example.com"],
        "allowMethods": ["GET", "PUT"],
        "allowHeaders": ["authorization", "content-type", "idempotency-key", "if-match"],
        "exposeHeaders": ["etag", "location"],
        "maxAge": 600,
    }, api


def test_only_this_api_may_invoke_the_function(defaults):
    permission = defaults.one("aws:lambda/permission:Permission")
    api = defaults.one("aws:apigatewayv2/api:Api")

    assert permission.inputs["action"] == "lambda:InvokeFunction", permission
    assert permission.inputs["principal"] == "apigateway.amazonaws.com", permission
    assert permission.inputs["function"] == function_of(defaults).outputs["name"], permission
    assert permission.inputs["sourceArn"] == f"{api.outputs['executionArn']}/*/*", permission


def test_the_api_url_is_the_apis_endpoint(defaults):
    api = defaults.one("aws:apigatewayv2/api:Api")

    assert defaults.outputs["apiUrl"] == api.outputs["apiEndpoint"]
    assert defaults.outputs["apiUrl"].startswith("https://")


def test_every_resource_is_a_child_of_the_component(defaults):
    component = defaults.one("users-items:index:HttpLambdaApi")

    for resource in defaults:
        if resource is not component:
            assert resource.parent == component.urn, f"{resource} is not parented to {component}"


def test_route_resource_names_are_stable_slugs_of_the_route_key():
    assert route_slug("GET /users/{userId}/items") == "get-users-userid-items"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"routes": ()}, "non-empty"),
        ({"routes": (*ROUTES, ROUTES[0])}, "distinct"),
        ({"routes": (FakeRoute("GET", "/a/{b}"), FakeRoute("GET", "/a/b"))}, "same resource name"),
        ({"routes": (FakeRoute("", "$default"),)}, "catch-all"),
        ({"dynamodb_actions": ("dynamodb:*",)}, "without wildcards"),
        ({"dynamodb_actions": ("s3:GetObject",)}, "without wildcards"),
        ({"python_runtime": "python3.11"}, "3.12 or newer"),
        ({"architecture": "arm"}, "arm64 or x86_64"),
        ({"throttling_burst_limit": 0}, "positive"),
    ],
)
def test_unsafe_or_impossible_arguments_are_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        api_args(**overrides)


def test_an_over_long_function_name_is_refused():
    with pytest.raises(ValueError, match="64 characters"):
        http_lambda_api(function_name="f" * 65)
