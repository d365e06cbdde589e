"""The real-time WebSocket API as each stack deploys it: functions outside the VPC acting only on
their connections table and their API's stage, the pusher fed by its own raw subscription, the
$connect authorizer applying the HTTP API's token rules (or `?userId=` with none), and its alarms."""

from __future__ import annotations

import json

import pytest

from components import outputs
from components.realtime_api import ACCESS_LOG_FORMAT, TOKEN_IDENTITY_SOURCE
from runtime import config, permissions
from runtime.realtime.schema import TTL_ATTRIBUTE
from tests.infra.pulumi_mocks import Deployment, Registered
from tests.infra.stacks import DOMAIN_EVENTS, deploy_stack, named
from tests.infra.test_domain_events import inline_statements

REALTIME = "users-items-realtime"
ROUTE_KEYS = {"$connect", "$disconnect", "ping", "$default"}


@pytest.fixture(scope="module")
def external_issuer() -> Deployment:
    return deploy_stack(
        "dev",
        authMode="jwt",
        jwtIssuer="https://example.eu.auth0.com/",
        jwtAudiences='["https://api.example.com", "mobile-app"]',
    )


def function(deployment: Deployment, label: str) -> Registered:
    return named(deployment, "aws:lambda/function:Function", f"{REALTIME}-{label}")


def realtime_functions(deployment: Deployment) -> list[Registered]:
    return [f for f in deployment.of_type("aws:lambda/function:Function") if f.name.startswith(REALTIME)]


def websocket_api(deployment: Deployment) -> Registered:
    return named(deployment, "aws:apigatewayv2/api:Api", REALTIME)


def connections_table(deployment: Deployment) -> Registered:
    return named(deployment, "aws:dynamodb/table:Table", f"{REALTIME}-connections")


def routes(deployment: Deployment) -> dict[str, Registered]:
    api_id = websocket_api(deployment).id
    found = deployment.of_type("aws:apigatewayv2/route:Route")
    return {route.inputs["routeKey"]: route for route in found if route.inputs["apiId"] == api_id}


def variables(resource: Registered) -> dict[str, str]:
    return dict(resource.inputs["environment"]["variables"])


def test_the_stack_exports_the_websocket_url_of_its_stage(stack):
    api = websocket_api(stack)

    assert api.inputs["protocolType"] == "WEBSOCKET"
    assert api.inputs["routeSelectionExpression"] == "$request.body.action"
    assert stack.outputs[outputs.WS_URL] == f"{api.outputs['apiEndpoint']}/v1"
    assert stack.outputs[outputs.WS_URL].startswith("wss://")


def test_every_function_runs_outside_the_vpc_on_the_layer(stack):
    found = realtime_functions(stack)

    assert {f.name for f in found} >= {f"{REALTIME}-routes", f"{REALTIME}-pusher"}
    for resource in found:
        assert "vpcConfig" not in resource.inputs, resource
        assert resource.inputs["layers"] == [stack.one("aws:lambda/layerVersion:LayerVersion").outputs["arn"]]


def test_the_functions_act_on_the_connections_table_alone_with_exactly_the_declared_actions(stack):
    table_arn = connections_table(stack).outputs["arn"]
    expected = {"routes": permissions.CONNECTIONS_ACTIONS, "pusher": permissions.PUSHER_CONNECTIONS_ACTIONS}

    for label, actions in expected.items():
        statements = [
            s for s in inline_statements(stack, function(stack, label)) if "dynamodb" in json.dumps(s["Action"])
        ]
        assert [(sorted(s["Action"]), s["Resource"]) for s in statements] == [(sorted(actions), [table_arn])], label


def test_the_pusher_posts_to_its_own_stages_connections_only_and_reads_its_own_queue(stack):
    api, queue = websocket_api(stack), named(stack, "aws:sqs/queue:Queue", f"{REALTIME}-pusher")
    statements = {s["Sid"]: s for s in inline_statements(stack, function(stack, "pusher"))}

    assert statements["PostToItsConnections"]["Action"] == permissions.MANAGE_CONNECTIONS_ACTION
    assert statements["PostToItsConnections"]["Resource"] == (
        f"arn:aws:execute-api:us-east-1:123456789012:{api.id}/v1/POST/@connections/*"
    )
    assert statements["ReadItsQueue"]["Resource"] == queue.outputs["arn"]
    assert not [s for s in statements.values() if "kms" in json.dumps(s["Action"])], "SSE-SQS: no key to use"
    assert variables(function(stack, "pusher"))[config.WEBSOCKET_MANAGEMENT_ENDPOINT.name] == (
        f"https://{api.id}.execute-api.us-east-1.amazonaws.com/v1"
    )


def test_the_pusher_is_fed_by_its_own_raw_subscription_to_the_events_topic(stack):
    queue = named(stack, "aws:sqs/queue:Queue", f"{REALTIME}-pusher")
    subscription = named(stack, "aws:sns/topicSubscription:TopicSubscription", f"{REALTIME}-pusher")
    mapping = named(stack, "aws:lambda/eventSourceMapping:EventSourceMapping", f"{REALTIME}-pusher")

    assert subscription.inputs["topic"] == named(stack, "aws:sns/topic:Topic", DOMAIN_EVENTS).outputs["arn"]
    assert (subscription.inputs["endpoint"], subscription.inputs["rawMessageDelivery"]) == (queue.outputs["arn"], True)
    assert queue.inputs["sqsManagedSseEnabled"] is True
    assert queue.inputs["visibilityTimeoutSeconds"] >= 6 * function(stack, "pusher").inputs["timeout"]
    assert mapping.inputs["eventSourceArn"] == queue.outputs["arn"]
    assert mapping.inputs["functionName"] == function(stack, "pusher").outputs["arn"]
    assert mapping.inputs["functionResponseTypes"] == ["ReportBatchItemFailures"]


def test_connections_live_in_a_table_of_their_own_expiring_by_ttl(stack):
    table = connections_table(stack)

    assert table.inputs["ttl"] == {"attributeName": TTL_ATTRIBUTE, "enabled": True}
    assert table.inputs["billingMode"] == "PAY_PER_REQUEST"
    assert variables(function(stack, "routes"))[config.CONNECTIONS_TABLE_NAME.name] == table.outputs["name"]
    assert variables(function(stack, "pusher"))[config.CONNECTIONS_TABLE_NAME.name] == table.outputs["name"]


def test_the_routes_go_to_the_routes_function_and_ping_answers(stack):
    found = routes(stack)
    integration = named(stack, "aws:apigatewayv2/integration:Integration", f"{REALTIME}-routes")
    responses = {r.inputs["routeId"] for r in stack.of_type("aws:apigatewayv2/routeResponse:RouteResponse")}

    assert set(found) == ROUTE_KEYS
    assert integration.inputs["integrationUri"] == function(stack, "routes").outputs["invokeArn"]
    assert {route.inputs["target"] for route in found.values()} == {f"integrations/{integration.id}"}
    assert {found["ping"].id, found["$default"].id} == responses


def test_api_gateway_may_invoke_the_routes_function_from_this_stage_only(stack):
    permission = named(stack, "aws:lambda/permission:Permission", f"{REALTIME}-routes")

    assert permission.inputs["sourceArn"] == f"{websocket_api(stack).outputs['executionArn']}/v1/*"


def test_the_stage_throttles_explicitly_and_logs_no_query_string(stack):
    stage = named(stack, "aws:apigatewayv2/stage:Stage", REALTIME)

    assert stage.inputs["defaultRouteSettings"]["throttlingBurstLimit"] >= 1
    assert stage.inputs["defaultRouteSettings"]["throttlingRateLimit"] >= 1
    assert json.loads(stage.inputs["accessLogSettings"]["format"]) == ACCESS_LOG_FORMAT
    assert "querystring" not in json.dumps(ACCESS_LOG_FORMAT).lower()


def test_with_cognito_connect_needs_the_pools_access_token_in_the_query_string(prod):
    authorizer = named(prod, "aws:apigatewayv2/authorizer:Authorizer", REALTIME)
    connect = routes(prod)["$connect"]
    pool, client = prod.one("aws:cognito/userPool:UserPool"), prod.one("aws:cognito/userPoolClient:UserPoolClient")
    permission = named(prod, "aws:lambda/permission:Permission", f"{REALTIME}-authorizer")

    assert (connect.inputs["authorizationType"], connect.inputs["authorizerId"]) == ("CUSTOM", authorizer.id)
    assert {route.inputs["authorizationType"] for key, route in routes(prod).items() if key != "$connect"} == {"NONE"}
    assert authorizer.inputs["authorizerType"] == "REQUEST"
    assert authorizer.inputs["identitySources"] == [TOKEN_IDENTITY_SOURCE] == ["route.request.querystring.token"]
    assert authorizer.inputs["authorizerUri"] == function(prod, "authorizer").outputs["invokeArn"]
    assert (
        permission.inputs["sourceArn"] == f"{websocket_api(prod).outputs['executionArn']}/authorizers/{authorizer.id}"
    )
    assert variables(function(prod, "authorizer")) == {
        config.JWT_ISSUER.name: f"https://{pool.outputs['endpoint']}",
        config.JWT_AUDIENCES.name: client.id,
        config.JWT_REQUIRED_SCOPES.name: "aws.cognito.signin.user.admin",
        config.JWT_TOKEN_USE.name: "access",
        config.SERVICE_NAME.name: "users-items-realtime",
        config.METRICS_NAMESPACE.name: config.METRICS_NAMESPACE.default,
    }
    assert variables(function(prod, "routes"))[config.CONNECT_AUTH.name] == "authorizer"


def test_jwt_mode_checks_the_configured_issuer_audiences_and_no_token_use(external_issuer):
    found = variables(function(external_issuer, "authorizer"))

    assert found[config.JWT_ISSUER.name] == "https://example.eu.auth0.com/"
    assert found[config.JWT_AUDIENCES.name] == "https://api.example.com,mobile-app"
    assert (found[config.JWT_REQUIRED_SCOPES.name], found[config.JWT_TOKEN_USE.name]) == ("", "")


def test_without_an_authorizer_connect_is_open_and_takes_the_user_id(dev):
    assert not [a for a in dev.of_type("aws:apigatewayv2/authorizer:Authorizer") if a.name == REALTIME]
    assert f"{REALTIME}-authorizer" not in {f.name for f in realtime_functions(dev)}
    assert routes(dev)["$connect"].inputs["authorizationType"] == "NONE"
    assert variables(function(dev, "routes"))[config.CONNECT_AUTH.name] == "query"


@pytest.mark.parametrize(
    ("label", "environment"),
    [
        ("routes", config.CONNECTIONS_ENVIRONMENT),
        ("pusher", config.PUSHER_ENVIRONMENT),
        ("authorizer", config.AUTHORIZER_ENVIRONMENT),
    ],
)
def test_each_functions_environment_is_exactly_what_the_runtime_declares(prod, label, environment):
    assert set(variables(function(prod, label))) == {variable.name for variable in environment}


def test_the_authorizer_alarm_counts_its_errors_beyond_the_tokens_it_refused(prod):
    alarm = named(prod, "aws:cloudwatch/metricAlarm:MetricAlarm", f"{REALTIME}-authorizer-errors")
    queries = {query["id"]: query for query in alarm.inputs["metricQueries"]}

    assert queries["errors"]["metric"]["dimensions"] == {"FunctionName": function(prod, "authorizer").outputs["name"]}
    assert queries["refused"]["metric"]["metricName"] == "TokensRefused"
    assert queries["refused"]["metric"]["dimensions"] == {"service": "users-items-realtime"}
    assert queries["failures"]["expression"] == "errors - FILL(refused, 0)"


def test_push_failures_and_the_pushers_dead_letters_are_alarmed(prod):
    failures = named(prod, "aws:cloudwatch/metricAlarm:MetricAlarm", f"{REALTIME}-push-failures")
    dead_letters = named(prod, "aws:cloudwatch/metricAlarm:MetricAlarm", f"{REALTIME}-pusher-dlq")
    queue = named(prod, "aws:sqs/queue:Queue", f"{REALTIME}-pusher-dlq")

    assert (failures.inputs["metricName"], failures.inputs["dimensions"]) == (
        "PushFailures",
        {"service": "users-items-realtime"},
    )
    assert dead_letters.inputs["dimensions"] == {"QueueName": queue.outputs["name"]}
    for label in ("routes", "pusher"):
        errors = named(prod, "aws:cloudwatch/metricAlarm:MetricAlarm", f"{REALTIME}-{label}-errors")
        assert errors.inputs["dimensions"] == {"FunctionName": function(prod, label).outputs["name"]}
