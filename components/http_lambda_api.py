"""HttpLambdaApi: a Python Lambda function in private subnets behind an API Gateway HTTP API.

The function comes from `lambda_function` (its least-privilege role and log group with it); this
component puts an HTTP API in front: one explicit route per entry of the route table it is given
(no `$default` catch-all), payload format 2.0, throttling, JSON access logs and CORS. Only this
API may invoke the function.

Given a JWT issuer, a JWT authorizer guards every route that `requires_auth` (with the scopes it
requires); given alarm options, the component alarms on its function's errors, throttles,
duration and concurrency and on the API's 5xx responses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pulumi
import pulumi_aws as aws

from components import cors as cors_rules
from components.alarms import AlarmOptions, AlarmSpec, create_alarms
from components.lambda_function import (
    FunctionAlarmThresholds,
    FunctionCode,
    FunctionNetwork,
    FunctionOptions,
    LambdaFunction,
    LambdaFunctionArgs,
    TableAccess,
    create_lambda_function,
    function_alarm_specs,
)

# What API Gateway writes per request: enough to find a request in the function's logs by its
# id and to tell an API Gateway error from a function error.
ACCESS_LOG_FORMAT: dict[str, str] = {
    "requestId": "$context.requestId",
    "requestTime": "$context.requestTime",
    "sourceIp": "$context.identity.sourceIp",
    "httpMethod": "$context.httpMethod",
    "path": "$context.path",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationLatency": "$context.integrationLatency",
    "integrationStatus": "$context.integrationStatus",
    "integrationError": "$context.integrationErrorMessage",
    "errorMessage": "$context.error.message",
}


class RouteSpec(Protocol):
    """A route of the route table: `route_key` as API Gateway spells it (`GET /users/{userId}`)."""

    @property
    def route_key(self) -> str: ...
    @property
    def requires_auth(self) -> bool: ...


@dataclass(frozen=True, kw_only=True)
class JwtAuthorizerArgs:
    """Who issues the tokens the API accepts, and for whom they must be meant."""

    issuer: pulumi.Input[str]
    """The tokens' `iss`, exactly (API Gateway fetches its keys from `<issuer>/.well-known/…`)."""
    audiences: Sequence[pulumi.Input[str]]
    """A token's `aud` (or, for a Cognito access token, `client_id`) must be one of these."""
    required_scopes: Sequence[str] = ()
    """A token must carry at least one of these in `scope` (or `scp`) on every guarded route, or
    gets 403; empty checks no scope. The only way to keep ID tokens out: they carry no scope."""

    def __post_init__(self) -> None:
        if not self.audiences:
            raise ValueError("a JWT authorizer needs at least one audience")
        if any(not scope or scope != scope.strip() or " " in scope for scope in self.required_scopes):
            raise ValueError("required scopes must be non-empty, without spaces (a scope claim is space-separated)")
        if isinstance(self.issuer, str) and not self.issuer.startswith("https://"):
            raise ValueError("the JWT issuer must be an https:// URL")


@dataclass(frozen=True, kw_only=True)
class ApiOptions:
    """Who may call the API, how often, and from which browser origins."""

    throttling_burst_limit: int = 100
    throttling_rate_limit: float = 50.0
    cors_allowed_origins: Sequence[str] = ()
    cors_allowed_headers: Sequence[str] = cors_rules.ALLOWED_HEADERS
    cors_expose_headers: Sequence[str] = cors_rules.EXPOSE_HEADERS
    jwt_authorizer: JwtAuthorizerArgs | None = None
    """Without one every route is open, and the function sees no verified caller."""

    def __post_init__(self) -> None:
        if self.throttling_burst_limit <= 0 or self.throttling_rate_limit <= 0:
            raise ValueError("throttling limits must be positive: unset limits can mean every call is throttled")


@dataclass(frozen=True, kw_only=True)
class AlarmThresholds(FunctionAlarmThresholds):
    """When the function's and the API's alarms fire."""

    server_errors: int = 1
    """5xx responses of the API per period that fire its 5xx alarm."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.server_errors < 1:
            raise ValueError("alarm thresholds must be at least 1")


@dataclass(frozen=True, kw_only=True)
class HttpLambdaApiArgs:
    code: FunctionCode
    """The function's archive, handler and layers: where packaging plugs in."""
    routes: Sequence[RouteSpec]
    environment: Mapping[str, pulumi.Input[str]]
    """The function's environment variables: exactly these, nothing added."""
    network: FunctionNetwork
    dynamodb_tables: Sequence[TableAccess]
    """Every table the function uses, each with exactly the actions the code performs on it."""
    function: FunctionOptions = field(default_factory=FunctionOptions)
    inline_policies: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """The function's further policy documents by label (see `LambdaFunctionArgs.inline_policies`)."""
    api: ApiOptions = ApiOptions()
    alarms: AlarmOptions | None = None
    """Without them the component creates no alarms."""
    alarm_thresholds: AlarmThresholds = AlarmThresholds()
    physical_name: str | None = None
    """Physical name of the function, the API and their log groups and alarms; defaults to
    `<component name>-<stack>`."""

    def __post_init__(self) -> None:
        keys = [route.route_key for route in self.routes]
        if not keys or len(set(keys)) != len(keys):
            raise ValueError("routes must be a non-empty list of distinct route keys")
        if any(not key.split(" ")[-1].startswith("/") for key in keys):
            raise ValueError("every route key must be `METHOD /path`: no `$default` catch-all")
        if len({route_slug(key) for key in keys}) != len(keys):
            raise ValueError("two route keys give the same resource name; rename one")
        if not self.dynamodb_tables or len({table.sid for table in self.dynamodb_tables}) != len(self.dynamodb_tables):
            raise ValueError("dynamodb_tables must list at least one table, each with its own statement id")


class HttpLambdaApi(pulumi.ComponentResource):
    api_url: pulumi.Output[str]
    api_id: pulumi.Output[str]
    stage_name: pulumi.Output[str]
    authorizer_id: pulumi.Output[str] | None
    execution_arn: pulumi.Output[str]
    function_name: pulumi.Output[str]
    function_arn: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    access_log_group_name: pulumi.Output[str]

    def __init__(self, name: str, args: HttpLambdaApiArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("users-items:index:HttpLambdaApi", name, None, opts)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        self._physical_name = args.physical_name or f"{name}-{pulumi.get_stack()}"
        self._function_args = LambdaFunctionArgs(
            name=self._physical_name,
            code=args.code,
            options=args.function,
            environment=args.environment,
            network=args.network,
            tracing=True,
            dynamodb_tables=args.dynamodb_tables,
            inline_policies=args.inline_policies,
        )

        # `-function`: the names this API's role and log group were first created under.
        built = create_lambda_function(
            name, self._function_args, parent=self, role_and_log_group_name=f"{name}-function"
        )
        function = built.function
        api = self._create_api()
        integration = self._create_integration(api, built)
        authorizer = self._create_authorizer(api, args.api.jwt_authorizer) if args.api.jwt_authorizer else None
        scopes = args.api.jwt_authorizer.required_scopes if args.api.jwt_authorizer else ()
        for route in args.routes:
            self._create_route(api, integration, route, authorizer, scopes)
        stage, access_log_group = self._create_stage(api)
        self._allow_invocation_by(api, built)
        if args.alarms:
            create_alarms(
                self._alarm_specs(function, api, stage),
                args.alarms,
                resource_prefix=self._name,
                name_prefix=self._physical_name,
                parent=self,
            )

        self.api_url = api.api_endpoint
        self.api_id = api.id
        self.stage_name = stage.name
        self.authorizer_id = authorizer.id if authorizer else None
        self.execution_arn = api.execution_arn
        self.function_name = function.name
        self.function_arn = function.arn
        self.role_arn = built.role.arn
        self.log_group_name = built.log_group.name
        self.access_log_group_name = access_log_group.name
        self.register_outputs(
            {
                "apiUrl": self.api_url,
                "apiId": self.api_id,
                "stageName": self.stage_name,
                "authorizerId": self.authorizer_id,
                "executionArn": self.execution_arn,
                "functionName": self.function_name,
                "functionArn": self.function_arn,
                "roleArn": self.role_arn,
                "logGroupName": self.log_group_name,
                "accessLogGroupName": self.access_log_group_name,
            }
        )

    def _create_api(self) -> aws.apigatewayv2.Api:
        args = self._args
        cors = None
        if args.api.cors_allowed_origins:
            cors = aws.apigatewayv2.ApiCorsConfigurationArgs(
                allow_origins=list(args.api.cors_allowed_origins),
                allow_methods=cors_rules.allowed_methods(route.route_key for route in args.routes),
                allow_headers=list(args.api.cors_allowed_headers),
                expose_headers=list(args.api.cors_expose_headers),
                max_age=cors_rules.MAX_AGE_SECONDS,
            )
        return aws.apigatewayv2.Api(
            self._name,
            name=self._physical_name,
            protocol_type="HTTP",
            description=f"HTTP API in front of the {self._physical_name} function",
            cors_configuration=cors,
            opts=self._child,
        )

    def _create_integration(self, api: aws.apigatewayv2.Api, function: LambdaFunction) -> aws.apigatewayv2.Integration:
        return aws.apigatewayv2.Integration(
            self._name,
            api_id=api.id,
            integration_type="AWS_PROXY",
            integration_method="POST",
            integration_uri=function.invoke_arn,
            # The default is 1.0; the resolver expects 2.0 events.
            payload_format_version="2.0",
            opts=self._child,
        )

    def _create_authorizer(self, api: aws.apigatewayv2.Api, jwt: JwtAuthorizerArgs) -> aws.apigatewayv2.Authorizer:
        # API Gateway checks the signature (against the issuer's published keys), `exp`, `iss`
        # and the audience before the function runs, and passes the claims on in
        # `requestContext.authorizer.jwt.claims`; a request without a valid token gets a 401, a
        # valid one without a scope its route requires a 403.
        return aws.apigatewayv2.Authorizer(
            self._name,
            api_id=api.id,
            name=f"{self._physical_name}-jwt",
            authorizer_type="JWT",
            identity_sources=["$request.header.Authorization"],
            jwt_configuration=aws.apigatewayv2.AuthorizerJwtConfigurationArgs(
                issuer=jwt.issuer, audiences=list(jwt.audiences)
            ),
            opts=self._child,
        )

    def _create_route(
        self,
        api: aws.apigatewayv2.Api,
        integration: aws.apigatewayv2.Integration,
        route: RouteSpec,
        authorizer: aws.apigatewayv2.Authorizer | None,
        required_scopes: Sequence[str],
    ) -> aws.apigatewayv2.Route:
        """One explicit route, behind the authorizer (and its required scopes) when there is one and
        the route `requires_auth`. The function then applies its per-user rules to the verified `sub`."""
        guarded = authorizer is not None and route.requires_auth
        return aws.apigatewayv2.Route(
            f"{self._name}-{route_slug(route.route_key)}",
            api_id=api.id,
            route_key=route.route_key,
            target=pulumi.Output.concat("integrations/", integration.id),
            authorization_type="JWT" if guarded else "NONE",
            authorizer_id=authorizer.id if guarded and authorizer else None,
            # Scopes live on the route, not the authorizer: a valid token with none of them gets 403.
            authorization_scopes=list(required_scopes) if guarded and required_scopes else None,
            opts=self._child,
        )

    def _create_stage(self, api: aws.apigatewayv2.Api) -> tuple[aws.apigatewayv2.Stage, aws.cloudwatch.LogGroup]:
        self._keep_legacy_access_log_group()
        # Under /aws/vendedlogs/: enabling access logs elsewhere adds the group to the account-wide
        # CloudWatch Logs resource policy (5,120 characters at most), and in an account with many
        # log-delivering resources the stage create then fails ("Insufficient permissions to
        # enable logging"). Groups under this prefix share one policy entry.
        access_logs = aws.cloudwatch.LogGroup(
            f"{self._name}-access-logs",
            name=access_log_group_name(self._physical_name),
            retention_in_days=self._args.function.log_retention_days,
            opts=self._child,
        )
        stage = aws.apigatewayv2.Stage(
            self._name,
            api_id=api.id,
            name="$default",
            auto_deploy=True,
            default_route_settings=aws.apigatewayv2.StageDefaultRouteSettingsArgs(
                # Explicit: limits left unset can mean 0, and every call throttled.
                throttling_burst_limit=self._args.api.throttling_burst_limit,
                throttling_rate_limit=float(self._args.api.throttling_rate_limit),
            ),
            access_log_settings=aws.apigatewayv2.StageAccessLogSettingsArgs(
                destination_arn=access_logs.arn, format=json.dumps(ACCESS_LOG_FORMAT)
            ),
            opts=self._child,
        )
        return stage, access_logs

    def _keep_legacy_access_log_group(self) -> None:
        """The access-log group stacks had before the move to /aws/vendedlogs/, kept with its history.

        Renaming the group in place would replace it, and a replacement deletes the old group
        unless the *stored* state already says to retain it: Pulumi reads `retain_on_delete` of
        the old state, not of the program, when it deletes the replaced resource
        (pulumi/pulumi#13428). So the old group stays declared under its own name and URN, no
        longer written to, and retained: an `up` only records the flag, and whenever this
        declaration is dropped later (or the stack destroyed) the group and its logs stay in AWS,
        expiring by its retention."""
        aws.cloudwatch.LogGroup(
            f"{self._name}-access",
            name=legacy_access_log_group_name(self._physical_name),
            retention_in_days=self._args.function.log_retention_days,
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True),
        )

    def _allow_invocation_by(self, api: aws.apigatewayv2.Api, function: LambdaFunction) -> None:
        aws.lambda_.Permission(
            f"{self._name}-api",
            action="lambda:InvokeFunction",
            function=function.function.name,
            qualifier=function.qualifier,
            principal="apigateway.amazonaws.com",
            # Any stage and route of this API, and no other API: `/*/*` is stage/method+path.
            source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/*"),
            opts=self._child,
        )

    def _alarm_specs(
        self, function: aws.lambda_.Function, api: aws.apigatewayv2.Api, stage: aws.apigatewayv2.Stage
    ) -> list[AlarmSpec]:
        """The function's own alarms, and the API's 5xx responses."""
        thresholds = self._args.alarm_thresholds
        server_errors = AlarmSpec(
            resource="5xx",
            name="api-5xx",
            description=(
                f"The {self._physical_name} HTTP API answered {thresholds.server_errors}+ requests with "
                "a 5xx in a period. Look at the access logs for the status, integrationStatus and "
                "errorMessage of those requests: a function error (see its errors alarm), a timeout "
                "or a throttle."
            ),
            namespace="AWS/ApiGateway",
            metric_name="5xx",
            dimension_sets=[{"ApiId": api.id, "Stage": stage.name}],
            threshold=thresholds.server_errors,
        )
        return [*function_alarm_specs(function, self._function_args, thresholds), server_errors]


def access_log_group_name(function_name: str) -> str:
    return f"/aws/vendedlogs/apigateway/{function_name}/access"


def legacy_access_log_group_name(function_name: str) -> str:
    """Where access logs went before they moved under /aws/vendedlogs/."""
    return f"/aws/apigateway/{function_name}/access"


def route_slug(route_key: str) -> str:
    """`GET /users/{userId}` -> `get-users-userid`: a stable resource name per route."""
    return re.sub(r"[^a-z0-9]+", "-", route_key.lower()).strip("-")
