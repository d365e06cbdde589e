"""RealtimeApi: domain events pushed to their user's connected clients over an API Gateway
WebSocket API.

    client ──wss://…/<stage>?token=<JWT>──▶ $connect ──REQUEST authorizer (the HTTP API's JWT rules)
       ▲                                       │ routes function: registers the connection
       │ post_to_connection                    ▼
    pusher ◀──event source mapping── its queue ◀──raw── events topic      connections table (TTL 2 h)
       └─ reads the user's connections, forgets the gone (410) ───────────────────▲

Every function here runs outside the VPC: `post_to_connection` goes to the public execute-api
endpoint, which a VPC's execute-api endpoint would not let through (it serves private APIs only).
None touches the user table: the connections table, apart from user data, holds only who holds
which connection. The pusher is fed by its own subscription to the events topic, not by a third
reader of the table's stream (DynamoDB advises at most two per shard).

Without token rules (`authMode` none), $connect has no authorizer and takes `?userId=`.

Given alarm options: the authorizer's errors beyond the tokens it refused, failed pushes, the
functions' errors, the pusher's dead-letter queue holding anything, and the connections table's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import policies
from components.alarms import TREAT_MISSING_DATA, AlarmOptions, AlarmSpec, create_alarms
from components.aws_context import aws_context
from components.event_queue import (
    EventQueue,
    EventQueueSettings,
    consumer_statement,
    create_event_queue,
    dead_letters_alarm,
    feed_function,
)
from components.lambda_function import (
    FunctionCode,
    FunctionOptions,
    LambdaFunction,
    LambdaFunctionArgs,
    TableAccess,
    create_lambda_function,
)
from components.single_table import DataProtection, SingleTable, SingleTableArgs, TableKeys
from runtime import config, permissions
from runtime.realtime import schema
from runtime.realtime.names import PING_ROUTE, PUSH_FAILURES, TOKEN_PARAMETER, TOKENS_REFUSED

# The one identity source: browsers cannot set headers on a WebSocket handshake. Without it in the
# query string API Gateway answers 401 and never invokes the authorizer.
TOKEN_IDENTITY_SOURCE = f"route.request.querystring.{TOKEN_PARAMETER}"
# Connection-level facts only: the query string (the token) is never logged.
ACCESS_LOG_FORMAT: dict[str, str] = {
    "requestId": "$context.requestId",
    "requestTime": "$context.requestTime",
    "sourceIp": "$context.identity.sourceIp",
    "connectionId": "$context.connectionId",
    "eventType": "$context.eventType",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "principalId": "$context.authorizer.principalId",
    "integrationError": "$context.integrationErrorMessage",
    "errorMessage": "$context.error.message",
}
# Routes whose function's answer goes back to the client (two-way): the ping's pong, the error
# message of an unknown action.
_ANSWERING_ROUTES = (PING_ROUTE, "$default")


@dataclass(frozen=True, kw_only=True)
class TokenRules:
    """Which tokens get a connection: the HTTP API's JWT authorizer's settings."""

    issuer: pulumi.Input[str]
    audiences: Sequence[pulumi.Input[str]]
    required_scopes: Sequence[str] = ()
    token_use: str | None = None
    """The `token_use` a token must have (`access` for a Cognito pool's); None: not checked."""

    def __post_init__(self) -> None:
        if not self.audiences:
            raise ValueError("token rules need at least one audience")


@dataclass(frozen=True, kw_only=True)
class RealtimeCode:
    authorizer: FunctionCode
    routes: FunctionCode
    pusher: FunctionCode


@dataclass(frozen=True, kw_only=True)
class RealtimeAlarmThresholds:
    authorizer_errors: int = 1
    """Authorizer failures (errors beyond refused tokens: the issuer's keys unreachable, a crash)."""
    push_failures: int = 10
    """Posts to live connections that failed (not 410) per period."""
    function_errors: int = 1

    def __post_init__(self) -> None:
        if min(self.authorizer_errors, self.push_failures, self.function_errors) < 1:
            raise ValueError("alarm thresholds must be at least 1")


@dataclass(frozen=True, kw_only=True)
class RealtimeApiArgs:
    code: RealtimeCode
    events_topic_arn: pulumi.Input[str]
    token_rules: TokenRules | None
    """None: no authorizer; clients connect with `?userId=` (a stack with authMode none)."""
    service_name: str
    """The functions' name on their log lines and metrics (the alarms read their metrics by it)."""
    function: FunctionOptions = field(default_factory=FunctionOptions)
    stage_name: str = "v1"
    throttling_burst_limit: int = 500
    throttling_rate_limit: int = 1000
    queue: EventQueueSettings = field(default_factory=lambda: EventQueueSettings(visibility_timeout_seconds=90))
    alarms: AlarmOptions | None = None
    alarm_thresholds: RealtimeAlarmThresholds = RealtimeAlarmThresholds()

    def __post_init__(self) -> None:
        if self.queue.visibility_timeout_seconds < self.function.timeout_seconds:
            raise ValueError("the pusher queue's visibility timeout must be at least the pusher's timeout")
        if min(self.throttling_burst_limit, self.throttling_rate_limit) < 1:
            raise ValueError("throttling limits must be at least 1: unset, they can mean 0")


class RealtimeApi(pulumi.ComponentResource):
    ws_url: pulumi.Output[str]
    api_id: pulumi.Output[str]
    stage_name: pulumi.Output[str]
    connections_table_name: pulumi.Output[str]
    pusher_queue_url: pulumi.Output[str]

    def __init__(self, name: str, args: RealtimeApiArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("users-items:index:RealtimeApi", name, None, opts)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        self._physical_name = f"{name}-{pulumi.get_stack()}"
        self._aws = aws_context(self)

        table = self._create_connections_table()
        api = aws.apigatewayv2.Api(
            name,
            name=self._physical_name,
            protocol_type="WEBSOCKET",
            route_selection_expression="$request.body.action",
            opts=self._child,
        )
        routes = self._create_routes_function(table)
        authorizer = self._create_authorizer(api, args.token_rules) if args.token_rules else None
        self._create_routes(api, routes, authorizer)
        stage = self._create_stage(api)
        pusher, queue = self._create_pusher(api, table)
        if args.alarms:
            self._create_alarms(args.alarms, authorizer, routes, pusher, queue)

        self.ws_url = pulumi.Output.concat(api.api_endpoint, "/", stage.name)
        self.api_id = api.id
        self.stage_name = stage.name
        self.connections_table_name = table.name
        self.pusher_queue_url = queue.queue.url
        self.register_outputs(
            {
                "wsUrl": self.ws_url,
                "apiId": self.api_id,
                "stageName": self.stage_name,
                "connectionsTableName": self.connections_table_name,
                "pusherQueueUrl": self.pusher_queue_url,
            }
        )

    def _create_connections_table(self) -> SingleTable:
        return SingleTable(
            f"{self._name}-connections",
            SingleTableArgs(
                keys=TableKeys(
                    partition_key=schema.PARTITION_KEY,
                    sort_key=schema.SORT_KEY,
                    attribute_types=schema.KEY_ATTRIBUTE_TYPES,
                    ttl_attribute=schema.TTL_ATTRIBUTE,
                ),
                # Connections live two hours at most: a restored one would be long closed.
                protection=DataProtection(point_in_time_recovery=False),
                operations=permissions.CONNECTIONS_TABLE_OPERATIONS,
                alarms=self._args.alarms,
            ),
            opts=self._child,
        )

    def _function(
        self,
        label: str,
        code: FunctionCode,
        environment: Mapping[str, pulumi.Input[str]],
        tables: Sequence[TableAccess] = (),
        inline_policies: Mapping[str, pulumi.Input[str]] | None = None,
    ) -> LambdaFunction:
        return create_lambda_function(
            f"{self._name}-{label}",
            LambdaFunctionArgs(
                name=f"{self._name}-{label}-{pulumi.get_stack()}",
                code=code,
                options=self._args.function,
                environment=environment,
                network=None,
                dynamodb_tables=tables,
                inline_policies=dict(inline_policies or {}),
            ),
            parent=self,
        )

    def _environment(
        self, declared: Sequence[config.EnvironmentVariable], provided: Mapping[str, pulumi.Input[str]]
    ) -> dict[str, pulumi.Input[str]]:
        """Exactly the declared variables: these values, the service's name, else the declared defaults."""
        values = {config.SERVICE_NAME.name: self._args.service_name, **provided}
        environment: dict[str, pulumi.Input[str]] = {}
        for variable in declared:
            value = values.get(variable.name, variable.default)
            if value is None:
                raise ValueError(f"the runtime requires {variable.name}, which the component does not provide")
            environment[variable.name] = value
        return environment

    def _create_routes_function(self, table: SingleTable) -> LambdaFunction:
        connect_auth = "authorizer" if self._args.token_rules else "query"
        return self._function(
            "routes",
            self._args.code.routes,
            self._environment(
                config.CONNECTIONS_ENVIRONMENT,
                {config.CONNECTIONS_TABLE_NAME.name: table.name, config.CONNECT_AUTH.name: connect_auth},
            ),
            [TableAccess(sid="Connections", table_arn=table.arn, actions=permissions.CONNECTIONS_ACTIONS)],
        )

    def _create_authorizer(
        self, api: aws.apigatewayv2.Api, rules: TokenRules
    ) -> tuple[LambdaFunction, aws.apigatewayv2.Authorizer]:
        function = self._function(
            "authorizer",
            self._args.code.authorizer,
            self._environment(
                config.AUTHORIZER_ENVIRONMENT,
                {
                    config.JWT_ISSUER.name: rules.issuer,
                    config.JWT_AUDIENCES.name: pulumi.Output.all(*rules.audiences).apply(",".join),
                    config.JWT_REQUIRED_SCOPES.name: ",".join(rules.required_scopes),
                    config.JWT_TOKEN_USE.name: rules.token_use or "",
                },
            ),
        )
        authorizer = aws.apigatewayv2.Authorizer(
            self._name,
            api_id=api.id,
            name=f"{self._physical_name}-tokens",
            authorizer_type="REQUEST",
            authorizer_uri=function.function.invoke_arn,
            identity_sources=[TOKEN_IDENTITY_SOURCE],
            opts=self._child,
        )
        aws.lambda_.Permission(
            f"{self._name}-authorizer",
            action="lambda:InvokeFunction",
            function=function.function.name,
            principal="apigateway.amazonaws.com",
            # This authorizer of this API, and nothing else.
            source_arn=pulumi.Output.concat(api.execution_arn, "/authorizers/", authorizer.id),
            opts=self._child,
        )
        return function, authorizer

    def _create_routes(
        self,
        api: aws.apigatewayv2.Api,
        function: LambdaFunction,
        authorizer: tuple[LambdaFunction, aws.apigatewayv2.Authorizer] | None,
    ) -> None:
        integration = aws.apigatewayv2.Integration(
            f"{self._name}-routes",
            api_id=api.id,
            integration_type="AWS_PROXY",
            integration_method="POST",
            integration_uri=function.function.invoke_arn,
            opts=self._child,
        )
        target = pulumi.Output.concat("integrations/", integration.id)
        for key, label in (
            ("$connect", "connect"),
            ("$disconnect", "disconnect"),
            (PING_ROUTE, "ping"),
            ("$default", "default"),
        ):
            guarded = key == "$connect" and authorizer is not None
            route = aws.apigatewayv2.Route(
                f"{self._name}-{label}",
                api_id=api.id,
                route_key=key,
                target=target,
                authorization_type="CUSTOM" if guarded else "NONE",
                authorizer_id=authorizer[1].id if guarded and authorizer else None,
                route_response_selection_expression="$default" if key in _ANSWERING_ROUTES else None,
                opts=self._child,
            )
            if key in _ANSWERING_ROUTES:
                aws.apigatewayv2.RouteResponse(
                    f"{self._name}-{label}",
                    api_id=api.id,
                    route_id=route.id,
                    route_response_key="$default",
                    opts=self._child,
                )
        aws.lambda_.Permission(
            f"{self._name}-routes",
            action="lambda:InvokeFunction",
            function=function.function.name,
            principal="apigateway.amazonaws.com",
            # Any route of this API's stage, and no other API or stage.
            source_arn=pulumi.Output.concat(api.execution_arn, "/", self._args.stage_name, "/*"),
            opts=self._child,
        )

    def _create_stage(self, api: aws.apigatewayv2.Api) -> aws.apigatewayv2.Stage:
        # Under /aws/vendedlogs/, as the HTTP API's: outside it, enabling access logs edits the
        # account-wide CloudWatch Logs resource policy.
        access_logs = aws.cloudwatch.LogGroup(
            f"{self._name}-access-logs",
            name=f"/aws/vendedlogs/apigateway/{self._physical_name}/access",
            retention_in_days=self._args.function.log_retention_days,
            opts=self._child,
        )
        return aws.apigatewayv2.Stage(
            self._name,
            api_id=api.id,
            name=self._args.stage_name,
            auto_deploy=True,
            default_route_settings=aws.apigatewayv2.StageDefaultRouteSettingsArgs(
                # Explicit: limits left unset can mean 0, and every message throttled.
                throttling_burst_limit=self._args.throttling_burst_limit,
                throttling_rate_limit=float(self._args.throttling_rate_limit),
            ),
            access_log_settings=aws.apigatewayv2.StageAccessLogSettingsArgs(
                destination_arn=access_logs.arn, format=json.dumps(ACCESS_LOG_FORMAT)
            ),
            opts=self._child,
        )

    def _create_pusher(self, api: aws.apigatewayv2.Api, table: SingleTable) -> tuple[LambdaFunction, EventQueue]:
        queue = create_event_queue(
            f"{self._name}-pusher",
            physical_name=f"{self._name}-pusher-{pulumi.get_stack()}",
            topic_arn=self._args.events_topic_arn,
            parent=self,
            settings=self._args.queue,
        )
        stage = self._args.stage_name
        connections_arn = pulumi.Output.concat(
            "arn:",
            self._aws.partition,
            ":execute-api:",
            self._aws.region,
            ":",
            self._aws.account_id,
            ":",
            api.id,
            "/",
            stage,
            "/POST/@connections/*",
        )
        endpoint = pulumi.Output.concat("https://", api.id, ".execute-api.", self._aws.region, ".amazonaws.com/", stage)
        document = pulumi.Output.all(queue.queue.arn, connections_arn).apply(
            lambda arns: policies.websocket_pusher_policy(consumer_statement("ReadItsQueue", arns[0]), arns[1])
        )
        function = self._function(
            "pusher",
            self._args.code.pusher,
            self._environment(
                config.PUSHER_ENVIRONMENT,
                {config.CONNECTIONS_TABLE_NAME.name: table.name, config.WEBSOCKET_MANAGEMENT_ENDPOINT.name: endpoint},
            ),
            [TableAccess(sid="Connections", table_arn=table.arn, actions=permissions.PUSHER_CONNECTIONS_ACTIONS)],
            {"queue-and-connections": document},
        )
        feed_function(f"{self._name}-pusher", queue.queue, function.function.arn, self)
        return function, queue

    def _create_alarms(
        self,
        alarms: AlarmOptions,
        authorizer: tuple[LambdaFunction, aws.apigatewayv2.Authorizer] | None,
        routes: LambdaFunction,
        pusher: LambdaFunction,
        queue: EventQueue,
    ) -> None:
        thresholds, service = self._args.alarm_thresholds, {"service": self._args.service_name}
        specs = [
            AlarmSpec(
                resource="push-failures",
                name="push-failures",
                description=(
                    f"The {self._physical_name} pusher failed {thresholds.push_failures}+ posts to live "
                    "connections in a period (timeouts, throttling, API Gateway errors; a gone connection "
                    "is not one): those clients missed events. Look for `push failed` in the pusher's logs."
                ),
                namespace=str(config.METRICS_NAMESPACE.default),
                metric_name=PUSH_FAILURES,
                dimension_sets=[service],
                threshold=thresholds.push_failures,
            ),
            dead_letters_alarm(
                "pusher-dlq",
                queue.dead_letters.name,
                f"Events the {self._physical_name} pusher could not push (not an event, or the "
                "connections table unreadable) after their retries. Read them, fix the cause, redrive.",
            ),
        ]
        for label, function in (("routes", routes), ("pusher", pusher)):
            specs.append(
                AlarmSpec(
                    resource=f"{label}-errors",
                    name=f"{label}-errors",
                    description=(
                        f"The {self._physical_name} {label} function failed {thresholds.function_errors}+ "
                        "times in a period. Look for ERROR lines in its log group."
                    ),
                    namespace="AWS/Lambda",
                    metric_name="Errors",
                    dimension_sets=[{"FunctionName": function.function.name}],
                    threshold=thresholds.function_errors,
                )
            )
        create_alarms(specs, alarms, resource_prefix=self._name, name_prefix=self._physical_name, parent=self)
        if authorizer:
            self._create_authorizer_alarm(alarms, authorizer[0])

    def _create_authorizer_alarm(self, alarms: AlarmOptions, function: LambdaFunction) -> None:
        """Lambda counts each refused token as an error (`Unauthorized` is how an authorizer says
        401): the alarm is on the errors beyond the refusals the function counted itself."""

        def query(
            id_: str, namespace: str, metric: str, dimensions: Mapping[str, pulumi.Input[str]]
        ) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
            return aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id=id_,
                metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                    namespace=namespace,
                    metric_name=metric,
                    dimensions=dict(dimensions),
                    period=alarms.period_seconds,
                    stat="Sum",
                ),
                return_data=False,
            )

        threshold = self._args.alarm_thresholds.authorizer_errors
        aws.cloudwatch.MetricAlarm(
            f"{self._name}-authorizer-errors",
            name=f"{self._physical_name}-authorizer-errors",
            alarm_description=(
                f"The {self._physical_name} $connect authorizer failed {threshold}+ times in a period beyond "
                "the tokens it refused: clients got 500 on connect. Usually the issuer's JWKS could not be "
                "fetched; look for ERROR lines in the authorizer's log group."
            ),
            threshold=threshold,
            comparison_operator="GreaterThanOrEqualToThreshold",
            evaluation_periods=alarms.evaluation_periods,
            datapoints_to_alarm=alarms.datapoints_to_alarm,
            treat_missing_data=TREAT_MISSING_DATA,
            alarm_actions=[alarms.topic_arn],
            ok_actions=[alarms.topic_arn],
            metric_queries=[
                query("errors", "AWS/Lambda", "Errors", {"FunctionName": function.function.name}),
                query(
                    "refused",
                    str(config.METRICS_NAMESPACE.default),
                    TOKENS_REFUSED,
                    {"service": self._args.service_name},
                ),
                aws.cloudwatch.MetricAlarmMetricQueryArgs(
                    id="failures", expression="errors - FILL(refused, 0)", label="Authorizer failures", return_data=True
                ),
            ],
            opts=self._child,
        )
