"""HttpLambdaApi: a Python Lambda function in private subnets behind an API Gateway HTTP API.

Function, least-privilege role, log groups with retention, and an HTTP API with one explicit
route per entry of the route table it is given (no `$default` catch-all), payload format 2.0,
throttling, JSON access logs and CORS. Only this API may invoke the function.

Given a JWT issuer, a JWT authorizer guards every route that `requires_auth` (with the scopes it
requires); given alarm
options, the component alarms on its function's errors, throttles, duration and concurrency and
on the API's 5xx responses.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pulumi
import pulumi_aws as aws

from components import cors as cors_rules
from components import policies
from components.alarms import AlarmOptions, AlarmSpec, create_alarms

_FUNCTION_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SUPPORTED_RUNTIME = re.compile(r"python3\.(1[2-9]|[2-9]\d)")

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
class TableAccess:
    """What the function may do on one DynamoDB table: exactly these actions, on the table and
    these of its indexes, and nothing else."""

    sid: str
    """The policy statement's id, e.g. `Table` (letters and digits)."""
    table_arn: pulumi.Input[str]
    actions: Sequence[str]
    """Exactly the DynamoDB actions the code performs on this table."""
    index_arns: pulumi.Input[Sequence[pulumi.Input[str]]] = ()

    def __post_init__(self) -> None:
        if not self.sid.isalnum():
            raise ValueError("a statement id has letters and digits only")
        if not self.actions or any(not a.startswith("dynamodb:") or "*" in a for a in self.actions):
            raise ValueError("actions must be explicit `dynamodb:Action` names, without wildcards")


@dataclass(frozen=True, kw_only=True)
class FunctionOptions:
    """How the function runs."""

    python_runtime: str = "python3.13"
    architecture: str = "arm64"
    memory_mb: int = 256
    timeout_seconds: int = 15
    log_retention_days: int = 30
    layers: Sequence[pulumi.Input[str]] = ()
    name: str | None = None
    """Physical name of the function; defaults to `<component name>-<stack>`."""
    reserved_concurrency: int | None = None
    """Instances of the function that may run at once (None: no reservation, the account's pool).
    A ceiling on what the function can cost and on the load it puts on the table."""

    def __post_init__(self) -> None:
        if not _SUPPORTED_RUNTIME.fullmatch(self.python_runtime):
            raise ValueError("python_runtime must be python3.12 or newer")
        if self.architecture not in ("arm64", "x86_64"):
            raise ValueError("architecture must be arm64 or x86_64")
        if self.reserved_concurrency is not None and self.reserved_concurrency < 1:
            raise ValueError("reserved_concurrency must be at least 1: 0 stops the function altogether")


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
class AlarmThresholds:
    """When the function's and the API's alarms fire."""

    errors: int = 1
    """Function errors (unhandled exceptions, timeouts) per period that fire the errors alarm."""
    server_errors: int = 1
    """5xx responses of the API per period that fire its 5xx alarm."""
    throttles: int = 1
    """Throttled invocations per period that fire the throttles alarm."""
    limit_warning_percent: int = 80
    """Alarm before a limit is hit, not after: p99 duration at this share of the timeout, and
    concurrent instances at this share of the reservation."""

    def __post_init__(self) -> None:
        if min(self.errors, self.server_errors, self.throttles) < 1:
            raise ValueError("alarm thresholds must be at least 1")
        if not 1 <= self.limit_warning_percent <= 100:
            raise ValueError("limit_warning_percent must be between 1 and 100")


@dataclass(frozen=True, kw_only=True)
class HttpLambdaApiArgs:
    code: pulumi.Archive
    handler: str
    routes: Sequence[RouteSpec]
    environment: Mapping[str, pulumi.Input[str]]
    """The function's environment variables: exactly these, nothing added."""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    security_group_ids: Sequence[pulumi.Input[str]]
    dynamodb_tables: Sequence[TableAccess]
    """Every table the function uses, each with exactly the actions the code performs on it."""
    function: FunctionOptions = FunctionOptions()
    api: ApiOptions = ApiOptions()
    alarms: AlarmOptions | None = None
    """Without them the component creates no alarms."""
    alarm_thresholds: AlarmThresholds = AlarmThresholds()

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
        self._physical_name = args.function.name or f"{name}-{pulumi.get_stack()}"
        if not _FUNCTION_NAME.fullmatch(self._physical_name):
            raise ValueError(f"{self._physical_name!r} is not a valid Lambda function name (64 characters at most)")

        log_group = self._create_log_group()
        role, role_policies = self._create_role(log_group)
        function = self._create_function(role, log_group, role_policies)
        api = self._create_api()
        integration = self._create_integration(api, function)
        authorizer = self._create_authorizer(api, args.api.jwt_authorizer) if args.api.jwt_authorizer else None
        scopes = args.api.jwt_authorizer.required_scopes if args.api.jwt_authorizer else ()
        for route in args.routes:
            self._create_route(api, integration, route, authorizer, scopes)
        stage, access_log_group = self._create_stage(api)
        self._allow_invocation_by(api, function)
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
        self.role_arn = role.arn
        self.log_group_name = log_group.name
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

    def _create_role(self, log_group: aws.cloudwatch.LogGroup) -> tuple[aws.iam.Role, list[pulumi.Resource]]:
        role = aws.iam.Role(
            f"{self._name}-function",
            description=f"Execution role of the {self._physical_name} function",
            assume_role_policy=policies.lambda_trust_policy(),
            opts=self._child,
        )
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition
        attached: list[pulumi.Resource] = [
            aws.iam.RolePolicyAttachment(
                f"{self._name}-{label}",
                role=role.name,
                policy_arn=pulumi.Output.concat("arn:", partition, ":iam::aws:policy/", policy),
                opts=self._child,
            )
            for label, policy in MANAGED_POLICIES.items()
        ]
        attached.append(
            aws.iam.RolePolicy(
                f"{self._name}-logs",
                role=role.id,
                policy=log_group.arn.apply(policies.function_logs_policy),
                opts=self._child,
            )
        )
        attached.append(
            aws.iam.RolePolicy(
                f"{self._name}-vpc-access",
                role=role.id,
                policy=policies.vpc_access_policy(),
                opts=self._child,
            )
        )
        attached.append(
            aws.iam.RolePolicy(
                f"{self._name}-dynamodb",
                role=role.id,
                policy=dynamodb_policy(self._args.dynamodb_tables),
                opts=self._child,
            )
        )
        return role, attached

    def _create_log_group(self) -> aws.cloudwatch.LogGroup:
        # Created here, before the function, or Lambda creates it on first run without retention.
        return aws.cloudwatch.LogGroup(
            f"{self._name}-function",
            name=f"/aws/lambda/{self._physical_name}",
            retention_in_days=self._args.function.log_retention_days,
            opts=self._child,
        )

    def _create_function(
        self, role: aws.iam.Role, log_group: aws.cloudwatch.LogGroup, role_policies: Sequence[pulumi.Resource]
    ) -> aws.lambda_.Function:
        args = self._args
        return aws.lambda_.Function(
            self._name,
            name=self._physical_name,
            role=role.arn,
            code=args.code,
            handler=args.handler,
            runtime=args.function.python_runtime,
            architectures=[args.function.architecture],
            layers=list(args.function.layers),
            memory_size=args.function.memory_mb,
            timeout=args.function.timeout_seconds,
            reserved_concurrent_executions=args.function.reserved_concurrency,
            environment=aws.lambda_.FunctionEnvironmentArgs(variables=dict(args.environment)),
            vpc_config=aws.lambda_.FunctionVpcConfigArgs(
                subnet_ids=args.subnet_ids, security_group_ids=list(args.security_group_ids)
            ),
            # On destroy, move the function's ENIs to the VPC's default group first, so the
            # stack's own group can be deleted sooner (Lambda releases ENIs slowly).
            replace_security_groups_on_destroy=True,
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(
                log_format="JSON",
                log_group=log_group.name,
                application_log_level="INFO",
                system_log_level="INFO",
            ),
            # The role's policies first: IAM is eventually consistent, and the first
            # invocations after a create would fail without them.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_group, *role_policies]),
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

    def _create_integration(
        self, api: aws.apigatewayv2.Api, function: aws.lambda_.Function
    ) -> aws.apigatewayv2.Integration:
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

    def _allow_invocation_by(self, api: aws.apigatewayv2.Api, function: aws.lambda_.Function) -> None:
        aws.lambda_.Permission(
            f"{self._name}-api",
            action="lambda:InvokeFunction",
            function=function.name,
            principal="apigateway.amazonaws.com",
            # Any stage and route of this API, and no other API: `/*/*` is stage/method+path.
            source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/*"),
            opts=self._child,
        )

    def _alarm_specs(
        self, function: aws.lambda_.Function, api: aws.apigatewayv2.Api, stage: aws.apigatewayv2.Stage
    ) -> list[AlarmSpec]:
        """The function's errors, throttles, p99 duration and (with a reservation) concurrency, and
        the API's 5xx responses."""
        args = self._args
        name = self._physical_name
        on_function: list[Mapping[str, pulumi.Input[str]]] = [{"FunctionName": function.name}]
        percent = args.alarm_thresholds.limit_warning_percent
        warning = percent / 100
        specs = [
            AlarmSpec(
                resource="errors",
                name="errors",
                description=(
                    f"The {name} function failed (unhandled exception, timeout or out of memory) "
                    f"{args.alarm_thresholds.errors}+ times in a period: callers got 5xx. First look at the "
                    "function's log group for ERROR lines and the X-Ray traces of the failed requests."
                ),
                metric_name="Errors",
                threshold=args.alarm_thresholds.errors,
                namespace="AWS/Lambda",
                dimension_sets=on_function,
            ),
            AlarmSpec(
                resource="throttles",
                name="throttles",
                description=(
                    f"Lambda refused to run the {name} function (its concurrency limit was reached): callers "
                    "got errors. Compare its ConcurrentExecutions and Duration: a traffic spike or slower "
                    "calls. Raise the reserved concurrency only if the table and the bill can take it."
                ),
                metric_name="Throttles",
                threshold=args.alarm_thresholds.throttles,
                namespace="AWS/Lambda",
                dimension_sets=on_function,
            ),
            AlarmSpec(
                resource="duration",
                name="duration-p99",
                description=(
                    f"The slowest 1% of {name} invocations take over {percent}% of its "
                    f"{args.function.timeout_seconds} s "
                    "timeout: timeouts are next. Find the slow segment in the X-Ray traces (DynamoDB calls, "
                    "cold starts); more memory also gives the function more CPU."
                ),
                metric_name="Duration",
                statistic="p99",
                comparison="GreaterThanThreshold",
                threshold=warning * args.function.timeout_seconds * 1000,
                namespace="AWS/Lambda",
                dimension_sets=on_function,
            ),
            AlarmSpec(
                resource="5xx",
                name="api-5xx",
                description=(
                    f"The {name} HTTP API answered {args.alarm_thresholds.server_errors}+ requests with "
                    "a 5xx in a period. Look at the access logs for the status, integrationStatus and "
                    "errorMessage of those requests: a function error (see its errors alarm), a timeout "
                    "or a throttle."
                ),
                namespace="AWS/ApiGateway",
                metric_name="5xx",
                dimension_sets=[{"ApiId": api.id, "Stage": stage.name}],
                threshold=args.alarm_thresholds.server_errors,
            ),
        ]
        if args.function.reserved_concurrency is not None:
            near_limit = max(1, math.ceil(warning * args.function.reserved_concurrency))
            specs.append(
                AlarmSpec(
                    resource="concurrency",
                    name="concurrency-near-limit",
                    description=(
                        f"{name} ran {near_limit}+ instances at once, {percent}% of its "
                        "reserved concurrency of "
                        f"{args.function.reserved_concurrency}: throttling is next. Check whether traffic grew or "
                        "calls got slower (Duration) before raising the reservation."
                    ),
                    metric_name="ConcurrentExecutions",
                    statistic="Maximum",
                    threshold=near_limit,
                    namespace="AWS/Lambda",
                    dimension_sets=on_function,
                )
            )
        return specs


# AWS managed policies attached by ARN (under arn:<partition>:iam::aws:policy/).
MANAGED_POLICIES: dict[str, str] = {
    # Network interfaces in the VPC. Not AWSLambdaVPCAccessExecutionRole: besides these it lets the
    # function write to every log group in the account; its own logs are granted inline instead,
    # and the one network action this policy lacks (`ec2:DescribeSubnets`) by `policies.vpc_access_policy`.
    "eni-management": "service-role/AWSLambdaENIManagementAccess",
    # Sending trace segments for active tracing.
    "xray": "AWSXRayDaemonWriteAccess",
}


def dynamodb_policy(tables: Sequence[TableAccess]) -> pulumi.Output[str]:
    """`policies.table_access_policy` over the tables, once their ARNs are known."""
    grants = [
        pulumi.Output.all(table.table_arn, table.index_arns).apply(
            lambda arns, table=table: (table.sid, table.actions, [arns[0], *arns[1]])  # type: ignore[misc]
        )
        for table in tables
    ]
    return pulumi.Output.all(*grants).apply(policies.table_access_policy)


def access_log_group_name(function_name: str) -> str:
    return f"/aws/vendedlogs/apigateway/{function_name}/access"


def legacy_access_log_group_name(function_name: str) -> str:
    """Where access logs went before they moved under /aws/vendedlogs/."""
    return f"/aws/apigateway/{function_name}/access"


def route_slug(route_key: str) -> str:
    """`GET /users/{userId}` -> `get-users-userid`: a stable resource name per route."""
    return re.sub(r"[^a-z0-9]+", "-", route_key.lower()).strip("-")


def source_archive(sources: Mapping[str, Path]) -> pulumi.AssetArchive:
    """The function's code: exactly these files at these archive paths.

    Pulumi zips an asset archive with fixed timestamps, so the same files give the same hash and
    a second `pulumi up` shows no diff; `source_code_hash` is never set by hand.
    """
    return pulumi.AssetArchive({path: pulumi.FileAsset(str(sources[path])) for path in sorted(sources)})
