"""HttpLambdaApi alone: the function's settings, its least-privilege role, its logs, and the HTTP API."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pytest

from components.alarms import AlarmOptions
from components.http_lambda_api import (
    ACCESS_LOG_FORMAT,
    AlarmThresholds,
    ApiOptions,
    HttpLambdaApi,
    HttpLambdaApiArgs,
    JwtAuthorizerArgs,
    route_slug,
)
from components.lambda_function import (
    NETWORK_MANAGED_POLICIES,
    TRACING_MANAGED_POLICIES,
    FunctionCode,
    FunctionNetwork,
    FunctionOptions,
    TableAccess,
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
        "code": FunctionCode(
            archive=pulumi.AssetArchive({"app/main.py": pulumi.StringAsset("def handler(e, c): ...")}),
            handler="app.main.handler",
            layers=[LAYER],
        ),
        "routes": ROUTES,
        "environment": {"TABLE_NAME": "things-5e6f7a8"},
        "network": FunctionNetwork(subnet_ids=["subnet-0a", "subnet-0b"], security_group_ids=["sg-0c"]),
        "dynamodb_tables": [TableAccess(sid="Things", table_arn=TABLE_ARN, index_arns=[INDEX_ARN], actions=ACTIONS)],
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
        function=FunctionOptions(memory_mb=512, timeout_seconds=20, log_retention_days=90),
        physical_name="things-api",
        api=ApiOptions(
            throttling_burst_limit=20, throttling_rate_limit=10, cors_allowed_origins=("https://app.example.com",)
        ),
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


def test_the_role_has_exactly_the_eni_management_and_xray_managed_policies(defaults):
    role = defaults.one("aws:iam/role:Role")
    attachments = defaults.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")

    assert sorted(a.inputs["policyArn"] for a in attachments) == [
        "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
        "arn:aws:iam::aws:policy/service-role/AWSLambdaENIManagementAccess",
    ]
    assert all(a.inputs["role"] == role.outputs["name"] for a in attachments)
    assert len(NETWORK_MANAGED_POLICIES) + len(TRACING_MANAGED_POLICIES) == len(attachments)


def test_the_function_writes_logs_only_to_its_own_log_group(defaults):
    log_group = next(g for g in defaults.of_type("aws:cloudwatch/logGroup:LogGroup") if g.name.endswith("-function"))
    policy = next(p for p in defaults.of_type("aws:iam/rolePolicy:RolePolicy") if p.name.endswith("-logs"))

    assert policy_of(policy)["Statement"] == [
        {
            "Sid": "OwnLogGroup",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"{log_group.outputs['arn']}:*",
        }
    ], policy
    assert policy.urn in function_of(defaults).dependencies, "the function must wait for its log permissions"


def test_the_role_may_describe_subnets_as_lambdas_current_vpc_access_policy_does(defaults):
    """AWS added `ec2:DescribeSubnets` to AWSLambdaVPCAccessExecutionRole in 2024; the
    ENI-management policy attached instead lacks it."""
    policy = next(p for p in defaults.of_type("aws:iam/rolePolicy:RolePolicy") if p.name.endswith("-vpc-access"))

    assert policy_of(policy)["Statement"] == [
        {"Sid": "DescribeSubnets", "Effect": "Allow", "Action": "ec2:DescribeSubnets", "Resource": "*"}
    ], policy
    assert policy.inputs["role"] == defaults.one("aws:iam/role:Role").id
    assert policy.urn in function_of(defaults).dependencies, "the function must wait for its network permissions"


def test_the_role_may_use_exactly_the_given_dynamodb_actions_on_exactly_the_table_and_its_indexes(defaults):
    policy = next(p for p in defaults.of_type("aws:iam/rolePolicy:RolePolicy") if p.name.endswith("-dynamodb"))

    assert policy_of(policy)["Statement"] == [
        {"Sid": "Things", "Effect": "Allow", "Action": sorted(ACTIONS), "Resource": [TABLE_ARN, INDEX_ARN]}
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


def access_log_groups(deployment: Deployment) -> dict[str, object]:
    return {g.name: g for g in deployment.of_type("aws:cloudwatch/logGroup:LogGroup") if "/access" in g.inputs["name"]}


def test_access_logs_are_json_with_the_fields_to_trace_a_request_in_their_own_log_group(defaults):
    stage = defaults.one("aws:apigatewayv2/stage:Stage")
    access_logs = access_log_groups(defaults)["things-access-logs"]
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


def test_the_access_log_group_is_under_vendedlogs_so_logging_needs_no_room_in_the_accounts_policy(defaults):
    """Elsewhere enabling access logs adds the group to the account's CloudWatch Logs resource
    policy (5,120 characters), which fails in busy accounts."""
    access_logs = access_log_groups(defaults)["things-access-logs"]

    assert access_logs.inputs["name"] == "/aws/vendedlogs/apigateway/things-staging/access", access_logs
    assert not access_logs.retain_on_delete, access_logs


def test_the_access_log_group_of_earlier_deploys_is_kept_under_its_own_name_and_retained(defaults):
    """An `up` on a stack deployed before the move keeps the old group (same URN, same name: no
    replacement) and records it as retained, so neither a later removal nor a destroy deletes
    its history."""
    legacy = access_log_groups(defaults)["things-access"]
    stage = defaults.one("aws:apigatewayv2/stage:Stage")

    assert legacy.urn.endswith("aws:cloudwatch/logGroup:LogGroup::things-access"), legacy
    assert legacy.inputs["name"] == "/aws/apigateway/things-staging/access", legacy
    assert legacy.retain_on_delete, legacy
    assert stage.inputs["accessLogSettings"]["destinationArn"] != legacy.outputs["arn"], stage


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
        ({"dynamodb_tables": []}, "at least one table"),
        (
            {"dynamodb_tables": [TableAccess(sid="T", table_arn=TABLE_ARN, actions=ACTIONS)] * 2},
            "its own statement id",
        ),
    ],
)
def test_unsafe_or_impossible_arguments_are_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        api_args(**overrides)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (lambda: ApiOptions(throttling_burst_limit=0), "positive"),
        (lambda: AlarmThresholds(errors=0), "at least 1"),
        (lambda: AlarmThresholds(server_errors=0), "at least 1"),
        (lambda: AlarmThresholds(limit_warning_percent=101), "between 1 and 100"),
    ],
)
def test_unsafe_or_impossible_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        options()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"actions": ("dynamodb:*",)}, "without wildcards"),
        ({"actions": ("s3:GetObject",)}, "without wildcards"),
        ({"actions": ()}, "without wildcards"),
        ({"sid": "Table-1"}, "letters and digits"),
    ],
)
def test_table_access_with_wildcards_or_a_bad_statement_id_is_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        TableAccess(**{"sid": "Things", "table_arn": TABLE_ARN, "actions": ACTIONS, **overrides})


def test_an_over_long_function_name_is_refused():
    with pytest.raises(ValueError, match="64 characters"):
        http_lambda_api(physical_name="f" * 65)


# The JWT authorizer ----------------------------------------------------------------------------

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI"
TOPIC = "arn:aws:sns:us-east-1:123456789012:alarms"


@pytest.fixture(scope="module")
def guarded() -> Deployment:
    return http_lambda_api(
        api=ApiOptions(
            jwt_authorizer=JwtAuthorizerArgs(
                issuer=ISSUER,
                audiences=["app-client-id"],
                required_scopes=["aws.cognito.signin.user.admin", "api/read"],
            )
        ),
        function=FunctionOptions(reserved_concurrency=20, timeout_seconds=10),
        alarms=AlarmOptions(topic_arn=TOPIC, period_seconds=60, evaluation_periods=5, datapoints_to_alarm=3),
        alarm_thresholds=AlarmThresholds(errors=3, server_errors=4),
    )


def routes_by_key(deployment: Deployment):
    return {route.inputs["routeKey"]: route for route in deployment.of_type("aws:apigatewayv2/route:Route")}


def test_without_an_issuer_there_is_no_authorizer_and_every_route_is_open(defaults):
    assert not defaults.of_type("aws:apigatewayv2/authorizer:Authorizer")
    for route in routes_by_key(defaults).values():
        assert route.inputs["authorizationType"] == "NONE", route
        assert "authorizerId" not in route.inputs, route


def test_the_authorizer_checks_bearer_jwts_from_the_issuer_for_the_audiences(guarded):
    authorizer = guarded.one("aws:apigatewayv2/authorizer:Authorizer")

    assert authorizer.inputs["apiId"] == guarded.one("aws:apigatewayv2/api:Api").id, authorizer
    assert authorizer.inputs["authorizerType"] == "JWT", authorizer
    assert authorizer.inputs["identitySources"] == ["$request.header.Authorization"], authorizer
    assert authorizer.inputs["jwtConfiguration"] == {"issuer": ISSUER, "audiences": ["app-client-id"]}, authorizer
    assert authorizer.inputs["name"] == "things-staging-jwt", authorizer


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.route_key)
def test_the_authorizer_guards_exactly_the_routes_that_require_auth(route, guarded):
    authorizer = guarded.one("aws:apigatewayv2/authorizer:Authorizer")
    deployed = routes_by_key(guarded)[route.route_key]

    if route.requires_auth:
        assert deployed.inputs["authorizationType"] == "JWT", deployed
        assert deployed.inputs["authorizerId"] == authorizer.id, deployed
        assert deployed.inputs["authorizationScopes"] == ["aws.cognito.signin.user.admin", "api/read"], deployed
    else:
        assert deployed.inputs["authorizationType"] == "NONE", deployed
        assert "authorizerId" not in deployed.inputs, deployed
        assert "authorizationScopes" not in deployed.inputs, deployed


def test_an_authorizer_without_required_scopes_leaves_the_routes_unscoped():
    deployment = http_lambda_api(
        api=ApiOptions(jwt_authorizer=JwtAuthorizerArgs(issuer=ISSUER, audiences=["app-client-id"]))
    )

    for route in routes_by_key(deployment).values():
        assert "authorizationScopes" not in route.inputs, route


@pytest.mark.parametrize(
    ("jwt", "message"),
    [
        ({"issuer": ISSUER, "audiences": []}, "at least one audience"),
        ({"issuer": "http://issuer.example.com", "audiences": ["a"]}, "https://"),
        ({"issuer": ISSUER, "audiences": ["a"], "required_scopes": [""]}, "required scopes"),
        ({"issuer": ISSUER, "audiences": ["a"], "required_scopes": ["read write"]}, "required scopes"),
        ({"issuer": ISSUER, "audiences": ["a"], "required_scopes": [" read"]}, "required scopes"),
    ],
)
def test_an_authorizer_without_an_audience_an_https_issuer_or_well_formed_scopes_is_refused(jwt, message):
    with pytest.raises(ValueError, match=message):
        JwtAuthorizerArgs(**jwt)


# Reserved concurrency ----------------------------------------------------------------------------


def test_the_function_reserves_no_concurrency_unless_asked_for(defaults, guarded):
    assert "reservedConcurrentExecutions" not in function_of(defaults).inputs
    assert function_of(guarded).inputs["reservedConcurrentExecutions"] == 20


@pytest.mark.parametrize("reserved", [0, -1])
def test_a_reservation_that_would_stop_the_function_is_refused(reserved):
    with pytest.raises(ValueError, match="at least 1"):
        FunctionOptions(reserved_concurrency=reserved)


# Alarms ------------------------------------------------------------------------------------------


def alarms_by_name(deployment: Deployment):
    return {alarm.inputs["name"]: alarm for alarm in deployment.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}


def test_without_alarm_options_there_are_no_alarms(defaults, configured):
    assert not alarms_by_name(defaults)
    assert not alarms_by_name(configured)


@pytest.mark.parametrize(
    ("name", "metric", "statistic", "comparison", "threshold"),
    [
        ("things-staging-errors", "Errors", "Sum", "GreaterThanOrEqualToThreshold", 3),
        ("things-staging-throttles", "Throttles", "Sum", "GreaterThanOrEqualToThreshold", 1),
        ("things-staging-duration-p99", "Duration", "p99", "GreaterThanThreshold", 8000),
        (
            "things-staging-concurrency-near-limit",
            "ConcurrentExecutions",
            "Maximum",
            "GreaterThanOrEqualToThreshold",
            16,
        ),
    ],
)
def test_each_function_alarm_watches_the_functions_metric(name, metric, statistic, comparison, threshold, guarded):
    alarm = alarms_by_name(guarded)[name]
    measured = alarm.inputs.get("extendedStatistic") if statistic.startswith("p") else alarm.inputs.get("statistic")

    assert alarm.inputs["namespace"] == "AWS/Lambda", alarm
    assert alarm.inputs["metricName"] == metric, alarm
    assert alarm.inputs["dimensions"] == {"FunctionName": function_of(guarded).outputs["name"]}, alarm
    assert measured == statistic, alarm
    assert alarm.inputs["comparisonOperator"] == comparison, alarm
    assert alarm.inputs["threshold"] == threshold, alarm


def test_the_5xx_alarm_watches_the_apis_default_stage(guarded):
    alarm = alarms_by_name(guarded)["things-staging-api-5xx"]

    assert (alarm.inputs["namespace"], alarm.inputs["metricName"]) == ("AWS/ApiGateway", "5xx"), alarm
    assert alarm.inputs["dimensions"] == {"ApiId": guarded.one("aws:apigatewayv2/api:Api").id, "Stage": "$default"}
    assert (alarm.inputs["statistic"], alarm.inputs["threshold"]) == ("Sum", 4), alarm


def test_every_alarm_tells_the_topic_both_ways_ignores_missing_data_and_says_what_to_do(guarded):
    alarms = alarms_by_name(guarded)

    assert len(alarms) == 5
    for alarm in alarms.values():
        assert alarm.inputs["alarmActions"] == [TOPIC], alarm
        assert alarm.inputs["okActions"] == [TOPIC], alarm
        assert alarm.inputs["treatMissingData"] == "notBreaching", alarm
        assert (alarm.inputs["period"], alarm.inputs["evaluationPeriods"], alarm.inputs["datapointsToAlarm"]) == (
            60,
            5,
            3,
        ), alarm
        assert len(alarm.inputs["alarmDescription"]) > 80, alarm
        assert alarm.parent == guarded.one("users-items:index:HttpLambdaApi").urn, alarm


def test_without_reserved_concurrency_there_is_no_concurrency_alarm():
    deployment = http_lambda_api(alarms=AlarmOptions(topic_arn=TOPIC))

    assert sorted(alarms_by_name(deployment)) == [
        "things-staging-api-5xx",
        "things-staging-duration-p99",
        "things-staging-errors",
        "things-staging-throttles",
    ]
