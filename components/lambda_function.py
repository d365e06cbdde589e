"""A Lambda function as every component builds one: the function, its own role and its own log group.

`create_lambda_function` makes the log group (with retention) and the role first and the
function last, waiting for both: Lambda would otherwise create the log group itself, without
retention, and IAM is eventually consistent. The role may write to that log group only, and gets
network, tracing and DynamoDB permissions only when the function is given a network, tracing or
tables.

A plain builder, not a component: the resources are children of the caller's component, named
after the name it is given, so a function moved here keeps its URNs. A component adds one
function in a few lines, and alarms on it with `function_alarm_specs`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import policies
from components.alarms import AlarmSpec

_FUNCTION_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SUPPORTED_RUNTIME = re.compile(r"python3\.(1[2-9]|[2-9]\d)")

# AWS managed policies attached by ARN (under arn:<partition>:iam::aws:policy/), by label.
NETWORK_MANAGED_POLICIES: dict[str, str] = {
    # Network interfaces in the VPC. Not AWSLambdaVPCAccessExecutionRole: besides these it lets the
    # function write to every log group in the account; its own logs are granted inline instead,
    # and the one network action this policy lacks (`ec2:DescribeSubnets`) by `policies.vpc_access_policy`.
    "eni-management": "service-role/AWSLambdaENIManagementAccess",
}
# The labels of the inline policies the builder writes itself.
_BUILT_IN_POLICY_LABELS = frozenset({"logs", "vpc-access", "dynamodb"})
TRACING_MANAGED_POLICIES: dict[str, str] = {
    # Sending trace segments for active tracing.
    "xray": "AWSXRayDaemonWriteAccess",
}


@dataclass(frozen=True, kw_only=True)
class FunctionCode:
    """What the function runs: the archive, the handler in it, the layers beside it, and the Python
    and CPU they are built for. Everything packaging decides reaches a function through here."""

    archive: pulumi.Archive
    handler: str
    """`package.module.function` inside the archive."""
    layers: Sequence[pulumi.Input[str]] = ()
    python_runtime: str = "python3.13"
    architecture: str = "arm64"

    def __post_init__(self) -> None:
        if not _SUPPORTED_RUNTIME.fullmatch(self.python_runtime):
            raise ValueError("python_runtime must be python3.12 or newer")
        if self.architecture not in ("arm64", "x86_64"):
            raise ValueError("architecture must be arm64 or x86_64")


@dataclass(frozen=True, kw_only=True)
class FunctionOptions:
    """How the function runs."""

    memory_mb: int = 256
    timeout_seconds: int = 15
    log_retention_days: int = 30
    reserved_concurrency: int | None = None
    """Instances of the function that may run at once (None: no reservation, the account's pool).
    A ceiling on what the function can cost and on the load it puts on the table."""
    snap_start: bool = False
    """Publish a version on each code or configuration change, snapshot it after init, and have
    callers invoke it through the `live` alias: SnapStart restores only published versions, and
    `$LATEST` would never use the snapshot."""

    def __post_init__(self) -> None:
        if self.reserved_concurrency is not None and self.reserved_concurrency < 1:
            raise ValueError("reserved_concurrency must be at least 1: 0 stops the function altogether")


@dataclass(frozen=True, kw_only=True)
class FunctionNetwork:
    """The private subnets and security groups the function's network interfaces go in."""

    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    security_group_ids: Sequence[pulumi.Input[str]]


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
class LambdaFunctionArgs:
    name: str
    """The function's physical name (its log group is `/aws/lambda/<name>`)."""
    code: FunctionCode
    options: FunctionOptions = FunctionOptions()
    environment: Mapping[str, pulumi.Input[str]] | None = None
    """The function's environment variables: exactly these, nothing added."""
    network: FunctionNetwork | None = None
    """None: the function runs outside any VPC."""
    tracing: bool = False
    """Active X-Ray tracing."""
    dynamodb_tables: Sequence[TableAccess] = ()
    """Every table the function uses, each with exactly the actions the code performs on it."""
    inline_policies: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Further policy documents of the role by label (`<name>-<label>`): what the function does
    beyond logs, network, tracing and tables. Created before the function, like the others."""

    def __post_init__(self) -> None:
        if not _FUNCTION_NAME.fullmatch(self.name):
            raise ValueError(f"{self.name!r} is not a valid Lambda function name (64 characters at most)")
        if len({table.sid for table in self.dynamodb_tables}) != len(self.dynamodb_tables):
            raise ValueError("each table the function uses needs its own statement id")
        if set(self.inline_policies) & _BUILT_IN_POLICY_LABELS:
            raise ValueError(f"inline policy labels {sorted(_BUILT_IN_POLICY_LABELS)} are the builder's own")


# The alias callers invoke a SnapStart function through.
LIVE_ALIAS = "live"


@dataclass(frozen=True)
class LambdaFunction:
    function: aws.lambda_.Function
    role: aws.iam.Role
    log_group: aws.cloudwatch.LogGroup
    alias: aws.lambda_.Alias | None = None
    """With SnapStart, the `live` alias on the latest published version."""

    @property
    def invoke_arn(self) -> pulumi.Output[str]:
        """What an integration invokes: the alias with SnapStart, else the function (`$LATEST`)."""
        invoke_arn: pulumi.Output[str] = self.alias.invoke_arn if self.alias else self.function.invoke_arn
        return invoke_arn

    @property
    def qualifier(self) -> pulumi.Output[str] | None:
        """The alias a permission to invoke must name with SnapStart; None for the unqualified function."""
        return self.alias.name if self.alias else None


def create_lambda_function(
    name: str,
    args: LambdaFunctionArgs,
    *,
    parent: pulumi.Resource,
    role_and_log_group_name: str | None = None,
) -> LambdaFunction:
    """The function `name`, its log group and role (`role_and_log_group_name`, by default `name`)
    and the role's policies (`<name>-<label>`), all children of `parent`."""
    child = pulumi.ResourceOptions(parent=parent)
    companion = role_and_log_group_name or name
    log_group = aws.cloudwatch.LogGroup(
        companion,
        name=f"/aws/lambda/{args.name}",
        retention_in_days=args.options.log_retention_days,
        opts=child,
    )
    role = aws.iam.Role(
        companion,
        description=f"Execution role of the {args.name} function",
        assume_role_policy=policies.lambda_trust_policy(),
        opts=child,
    )
    role_policies = _attach_managed_policies(name, role, args, parent) + _add_inline_policies(
        name, role, log_group, args, parent
    )
    code, options, network = args.code, args.options, args.network
    function = aws.lambda_.Function(
        name,
        name=args.name,
        role=role.arn,
        code=code.archive,
        handler=code.handler,
        runtime=code.python_runtime,
        architectures=[code.architecture],
        layers=list(code.layers) or None,
        memory_size=options.memory_mb,
        timeout=options.timeout_seconds,
        reserved_concurrent_executions=options.reserved_concurrency,
        environment=(
            aws.lambda_.FunctionEnvironmentArgs(variables=dict(args.environment))
            if args.environment is not None
            else None
        ),
        vpc_config=(
            aws.lambda_.FunctionVpcConfigArgs(
                subnet_ids=network.subnet_ids, security_group_ids=list(network.security_group_ids)
            )
            if network
            else None
        ),
        # On destroy, move the function's ENIs to the VPC's default group first, so the
        # stack's own group can be deleted sooner (Lambda releases ENIs slowly).
        replace_security_groups_on_destroy=True if network else None,
        tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active") if args.tracing else None,
        logging_config=aws.lambda_.FunctionLoggingConfigArgs(
            log_format="JSON",
            log_group=log_group.name,
            application_log_level="INFO",
            system_log_level="INFO",
        ),
        publish=True if options.snap_start else None,
        snap_start=aws.lambda_.FunctionSnapStartArgs(apply_on="PublishedVersions") if options.snap_start else None,
        # The role's policies first: IAM is eventually consistent, and the first
        # invocations after a create would fail without them.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[log_group, *role_policies]),
    )
    alias = None
    if options.snap_start:
        alias = aws.lambda_.Alias(
            f"{name}-{LIVE_ALIAS}",
            name=LIVE_ALIAS,
            description="The latest published version, restored from its SnapStart snapshot",
            function_name=function.name,
            function_version=function.version,
            opts=child,
        )
    return LambdaFunction(function=function, role=role, log_group=log_group, alias=alias)


def _attach_managed_policies(
    name: str, role: aws.iam.Role, args: LambdaFunctionArgs, parent: pulumi.Resource
) -> list[pulumi.Resource]:
    managed = {
        **(NETWORK_MANAGED_POLICIES if args.network else {}),
        **(TRACING_MANAGED_POLICIES if args.tracing else {}),
    }
    if not managed:
        return []
    partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=parent)).partition
    return [
        aws.iam.RolePolicyAttachment(
            f"{name}-{label}",
            role=role.name,
            policy_arn=pulumi.Output.concat("arn:", partition, ":iam::aws:policy/", policy),
            opts=pulumi.ResourceOptions(parent=parent),
        )
        for label, policy in managed.items()
    ]


def _add_inline_policies(
    name: str,
    role: aws.iam.Role,
    log_group: aws.cloudwatch.LogGroup,
    args: LambdaFunctionArgs,
    parent: pulumi.Resource,
) -> list[pulumi.Resource]:
    documents: dict[str, pulumi.Input[str]] = {"logs": log_group.arn.apply(policies.function_logs_policy)}
    if args.network:
        documents["vpc-access"] = policies.vpc_access_policy()
    if args.dynamodb_tables:
        documents["dynamodb"] = dynamodb_policy(args.dynamodb_tables)
    documents.update(args.inline_policies)
    return [
        aws.iam.RolePolicy(f"{name}-{label}", role=role.id, policy=document, opts=pulumi.ResourceOptions(parent=parent))
        for label, document in documents.items()
    ]


def dynamodb_policy(tables: Sequence[TableAccess]) -> pulumi.Output[str]:
    """`policies.table_access_policy` over the tables, once their ARNs are known."""
    grants = [
        pulumi.Output.all(table.table_arn, table.index_arns).apply(
            lambda arns, table=table: (table.sid, table.actions, [arns[0], *arns[1]])  # type: ignore[misc]
        )
        for table in tables
    ]
    return pulumi.Output.all(*grants).apply(policies.table_access_policy)


@dataclass(frozen=True, kw_only=True)
class FunctionAlarmThresholds:
    """When a function's alarms fire."""

    errors: int = 1
    """Function errors (unhandled exceptions, timeouts) per period that fire the errors alarm."""
    throttles: int = 1
    """Throttled invocations per period that fire the throttles alarm."""
    limit_warning_percent: int = 80
    """Alarm before a limit is hit, not after: p99 duration at this share of the timeout, and
    concurrent instances at this share of the reservation."""

    def __post_init__(self) -> None:
        if min(self.errors, self.throttles) < 1:
            raise ValueError("alarm thresholds must be at least 1")
        if not 1 <= self.limit_warning_percent <= 100:
            raise ValueError("limit_warning_percent must be between 1 and 100")


def function_alarm_specs(
    function: aws.lambda_.Function, args: LambdaFunctionArgs, thresholds: FunctionAlarmThresholds
) -> list[AlarmSpec]:
    """The function's errors, throttles, p99 duration and (with a reservation) concurrency."""
    name, options = args.name, args.options
    on_function: list[Mapping[str, pulumi.Input[str]]] = [{"FunctionName": function.name}]
    percent = thresholds.limit_warning_percent
    warning = percent / 100
    specs = [
        AlarmSpec(
            resource="errors",
            name="errors",
            description=(
                f"The {name} function failed (unhandled exception, timeout or out of memory) "
                f"{thresholds.errors}+ times in a period: callers got 5xx. First look at the "
                "function's log group for ERROR lines and the X-Ray traces of the failed requests."
            ),
            metric_name="Errors",
            threshold=thresholds.errors,
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
            threshold=thresholds.throttles,
            namespace="AWS/Lambda",
            dimension_sets=on_function,
        ),
        AlarmSpec(
            resource="duration",
            name="duration-p99",
            description=(
                f"The slowest 1% of {name} invocations take over {percent}% of its "
                f"{options.timeout_seconds} s "
                "timeout: timeouts are next. Find the slow segment in the X-Ray traces (DynamoDB calls, "
                "cold starts); more memory also gives the function more CPU."
            ),
            metric_name="Duration",
            statistic="p99",
            comparison="GreaterThanThreshold",
            threshold=warning * options.timeout_seconds * 1000,
            namespace="AWS/Lambda",
            dimension_sets=on_function,
        ),
    ]
    if options.reserved_concurrency is not None:
        near_limit = max(1, math.ceil(warning * options.reserved_concurrency))
        specs.append(
            AlarmSpec(
                resource="concurrency",
                name="concurrency-near-limit",
                description=(
                    f"{name} ran {near_limit}+ instances at once, {percent}% of its "
                    "reserved concurrency of "
                    f"{options.reserved_concurrency}: throttling is next. Check whether traffic grew or "
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
