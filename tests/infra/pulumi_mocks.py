"""Pulumi's own mocks seam, with realistic AWS ids and ARNs, and a record of every resource.

`deploy(program, config=...)` runs a Pulumi program (a function creating resources) against the
mocks, waits for every resource to be registered, and returns a `Deployment`: each resource's
resolved inputs, its mocked outputs, its parent, its explicit options, and the invokes made.
Tests then assert on plain data, naming the resource's URN in their failure messages.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.sync_await import _ensure_event_loop  # the loop the mocks run programs on

PROJECT = "users-items-backend"
ACCOUNT_ID = "123456789012"
# Each region's regular zones as get-availability-zones lists them (by name, alphabetical), with
# their zone IDs. Names map to IDs differently in every account, so not in order here either; as
# in AWS, us-east-1 has six zones and eu-west-1 three. Other regions get six, in order.
REGION_ZONES = {
    "us-east-1": {"a": "use1-az6", "b": "use1-az1", "c": "use1-az3", "d": "use1-az2", "e": "use1-az4", "f": "use1-az5"},
    "eu-west-1": {"a": "euw1-az2", "b": "euw1-az3", "c": "euw1-az1"},
}
# The real prefix list ids of DynamoDB in a few regions (`aws ec2 describe-prefix-lists`).
DYNAMODB_PREFIX_LISTS = {"us-east-1": "pl-02cd2c6b", "eu-west-1": "pl-6fa54006", "us-west-2": "pl-00a54069"}
S3_PREFIX_LISTS = {"us-east-1": "pl-63a5400a", "eu-west-1": "pl-6da54004", "us-west-2": "pl-68a54001"}


@dataclass(frozen=True)
class Registered:
    type: str
    name: str
    urn: str
    parent: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    id: str
    protect: bool
    retain_on_delete: bool
    dependencies: tuple[str, ...]

    def __str__(self) -> str:
        return self.urn


@dataclass(frozen=True)
class Invoke:
    token: str
    args: dict[str, Any]


@dataclass
class Deployment:
    resources: list[Registered]
    invokes: list[Invoke]
    outputs: dict[str, Any] = field(default_factory=dict)

    def of_type(self, type_: str) -> list[Registered]:
        """Resources of this type by name (registration order varies between runs)."""
        return sorted((resource for resource in self.resources if resource.type == type_), key=lambda r: r.name)

    def one(self, type_: str) -> Registered:
        found = self.of_type(type_)
        assert len(found) == 1, f"expected exactly one {type_}, found {[str(r) for r in found]}"
        return found[0]

    def by_urn(self, urn: str) -> Registered:
        return next(resource for resource in self.resources if resource.urn == urn)

    def by_id(self, id_: str) -> Registered:
        return next(resource for resource in self.resources if resource.id == id_)

    def types(self) -> set[str]:
        return {resource.type for resource in self.resources}

    def __iter__(self) -> Iterator[Registered]:
        return iter(self.resources)


def _hex(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


class AwsMocks(pulumi.runtime.Mocks):
    """Answers resources and invokes as AWS would, per type; refuses any it does not know."""

    def __init__(self, region: str, impaired_zone_ids: frozenset[str] = frozenset()) -> None:
        self.region = region
        self.impaired_zone_ids = impaired_zone_ids
        self.invokes: list[Invoke] = []

    # Invokes -----------------------------------------------------------------------------------

    def _zones(self, query: Mapping[str, Any]) -> dict[str, Any]:
        """The region's zones, as AWS answers: `excludeZoneIds` left out, and with `state`
        `available` the zones of `impaired_zone_ids` too (a zone event)."""
        area, direction, number = self.region.split("-")
        prefix = f"{area}{direction[0]}{number}"
        letters = REGION_ZONES.get(self.region) or {letter: f"{prefix}-az{i}" for i, letter in enumerate("abcdef", 1)}
        left_out = set(query.get("excludeZoneIds") or [])
        if query.get("state") == "available":
            left_out |= self.impaired_zone_ids
        zones = [(f"{self.region}{letter}", zone_id) for letter, zone_id in letters.items() if zone_id not in left_out]
        return {"id": self.region, "region": self.region, "names": [name for name, _ in zones],
                "zoneIds": [zone_id for _, zone_id in zones], "groupNames": [self.region] * len(zones)}  # fmt: skip

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        self.invokes.append(Invoke(args.token, dict(args.args)))
        region = self.region
        answers: dict[str, Callable[[], dict[str, Any]]] = {
            "aws:index/getRegion:getRegion": lambda: {
                "id": region,
                "region": region,
                "name": region,
                "endpoint": f"ec2.{region}.amazonaws.com",
                "description": region,
            },
            "aws:index/getPartition:getPartition": lambda: {
                "id": "aws",
                "partition": "aws",
                "dnsSuffix": "amazonaws.com",
                "reverseDnsPrefix": "com.amazonaws",
            },
            "aws:index/getCallerIdentity:getCallerIdentity": lambda: {
                "id": ACCOUNT_ID,
                "accountId": ACCOUNT_ID,
                "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/ci",
                "userId": "AIDAEXAMPLEUSERID0001",
            },
            "aws:index/getAvailabilityZones:getAvailabilityZones": lambda: self._zones(args.args),
        }
        if args.token not in answers:
            raise NotImplementedError(f"the mocks do not answer the invoke {args.token}: add it to AwsMocks.call")
        return answers[args.token]()

    # Resources ---------------------------------------------------------------------------------

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if not args.custom:  # component resources have no physical id
            return f"{args.name}-component", dict(args.inputs)
        handler = _RESOURCE_HANDLERS.get(args.typ)
        if handler is None:
            raise NotImplementedError(f"the mocks have no realistic outputs for {args.typ}: add it to AwsMocks")
        id_, outputs = handler(self, args)
        return id_, {**args.inputs, **outputs}

    def _arn(self, service: str, resource: str, *, region: str | None = None) -> str:
        return f"arn:aws:{service}:{self.region if region is None else region}:{ACCOUNT_ID}:{resource}"

    def _ec2(self, prefix: str, kind: str, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        id_ = f"{prefix}-{_hex(args.typ, args.name)}"
        return id_, {"arn": self._arn("ec2", f"{kind}/{id_}"), "ownerId": ACCOUNT_ID}

    def _autoname(self, args: pulumi.runtime.MockResourceArgs) -> str:
        return args.inputs.get("name") or f"{args.name}-{_hex(args.typ, args.name, length=7)}"

    def _vpc(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        id_, outputs = self._ec2("vpc", "vpc", args)
        extras = {f"{kind}Id": f"{prefix}-{_hex(kind, id_)}" for kind, prefix in _VPC_DEFAULTS.items()}
        return id_, {**outputs, **extras}

    def _subnet(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return self._ec2("subnet", "subnet", args)

    def _route_table(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return self._ec2("rtb", "route-table", args)

    def _route_table_association(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"rtbassoc-{_hex(args.typ, args.name)}", {}

    def _security_group(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        id_, outputs = self._ec2("sg", "security-group", args)
        return id_, {**outputs, "name": self._autoname(args)}

    def _default_security_group(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        id_, outputs = self._ec2("sg", "security-group", args)
        return id_, {**outputs, "name": "default"}

    def _vpc_endpoint(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        id_, outputs = self._ec2("vpce", "vpc-endpoint", args)
        lists = S3_PREFIX_LISTS if str(args.inputs.get("serviceName", "")).endswith(".s3") else DYNAMODB_PREFIX_LISTS
        prefix_list = lists.get(self.region, f"pl-{_hex(self.region, str(args.inputs.get('serviceName')), length=8)}")
        return id_, {**outputs, "prefixListId": prefix_list, "state": "available"}

    def _flow_log(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return self._ec2("fl", "vpc-flow-log", args)

    def _log_group(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        name = self._autoname(args)
        return name, {"name": name, "arn": self._arn("logs", f"log-group:{name}")}

    def _role(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        name = self._autoname(args)
        arn = f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"
        return name, {"name": name, "arn": arn, "uniqueId": f"AROA{_hex(name).upper()}"}

    def _role_policy(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        name = self._autoname(args)
        return f"{args.inputs['role']}:{name}", {"name": name}

    def _role_policy_attachment(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.inputs['role']}-{_hex(args.name, length=20)}", {}

    def _table(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        name = self._autoname(args)
        arn = self._arn("dynamodb", f"table/{name}")
        if not args.inputs.get("streamEnabled"):
            return name, {"name": name, "arn": arn, "streamArn": ""}
        # A stream's label is the time it was turned on.
        label = "2025-01-01T00:00:00.000"
        return name, {"name": name, "arn": arn, "streamArn": f"{arn}/stream/{label}", "streamLabel": label}

    def _function(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        name = self._autoname(args)
        arn = self._arn("lambda", f"function:{name}")
        # `publish` makes Lambda publish version 1 on create; otherwise only $LATEST exists.
        version = "1" if args.inputs.get("publish") else "$LATEST"
        return name, {
            "name": name,
            "arn": arn,
            "invokeArn": self._invoke_arn(arn),
            "qualifiedArn": f"{arn}:{version}",
            "version": version,
        }

    def _invoke_arn(self, function_arn: str) -> str:
        return f"arn:aws:apigateway:{self.region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"

    def _alias(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        arn = self._arn("lambda", f"function:{args.inputs['functionName']}:{args.inputs['name']}")
        return arn, {"arn": arn, "invokeArn": self._invoke_arn(arn)}

    def _layer_version(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        layer_arn = self._arn("lambda", f"layer:{args.inputs['layerName']}")
        return f"{layer_arn}:1", {"arn": f"{layer_arn}:1", "layerArn": layer_arn, "version": "1"}

    def _permission(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        statement = args.inputs.get("statementId") or f"terraform-{_hex(args.name, length=26)}"
        return statement, {"statementId": statement}

    def _api(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        id_ = _hex(args.typ, args.name, length=10)
        scheme = "wss" if args.inputs.get("protocolType") == "WEBSOCKET" else "https"
        return id_, {
            "apiEndpoint": f"{scheme}://{id_}.execute-api.{self.region}.amazonaws.com",
            "executionArn": self._arn("execute-api", id_),
            "arn": f"arn:aws:apigateway:{self.region}::/apis/{id_}",
        }

    def _integration(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return _hex(args.typ, args.name, length=7), {}

    def _route(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return _hex(args.typ, args.name, length=7), {}

    def _stage(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        api_id, name = args.inputs["apiId"], args.inputs["name"]
        return name, {
            "arn": f"arn:aws:apigateway:{self.region}::/apis/{api_id}/stages/{name}",
            "invokeUrl": f"https://{api_id}.execute-api.{self.region}.amazonaws.com/",
            "executionArn": self._arn("execute-api", f"{api_id}/{name}"),
        }

    def _authorizer(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return _hex(args.typ, args.name, length=6), {}

    def _user_pool(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        id_ = f"{self.region}_{_hex(args.typ, args.name, length=9)}"
        return id_, {
            "name": self._autoname(args),
            "arn": self._arn("cognito-idp", f"userpool/{id_}"),
            "endpoint": f"cognito-idp.{self.region}.amazonaws.com/{id_}",
        }

    def _user_pool_client(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return _hex(args.typ, args.name, length=26), {}

    def _metric_alarm(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        name = self._autoname(args)
        return name, {"name": name, "arn": self._arn("cloudwatch", f"alarm:{name}")}

    def _dashboard(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        name = args.inputs["dashboardName"]
        return name, {"dashboardArn": self._arn("cloudwatch", f"dashboard/{name}", region="")}

    def _topic(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        name = self._autoname(args)
        arn = self._arn("sns", name)
        return arn, {"name": name, "arn": arn}

    def _topic_subscription(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        arn = f"{args.inputs['topic']}:{_hex(args.typ, args.name, length=32)}"
        return arn, {"arn": arn}

    def _topic_policy(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return args.inputs["arn"], {"owner": ACCOUNT_ID}

    def _queue(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        name = self._autoname(args)
        url = f"https://sqs.{self.region}.amazonaws.com/{ACCOUNT_ID}/{name}"
        return url, {"name": name, "url": url, "arn": self._arn("sqs", name)}

    def _queue_policy(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return args.inputs["queueUrl"], {}

    def _event_source_mapping(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        digits = _hex(args.typ, args.name, length=32)
        uuid = "-".join((digits[:8], digits[8:12], digits[12:16], digits[16:20], digits[20:]))
        return uuid, {
            "uuid": uuid,
            "arn": self._arn("lambda", f"event-source-mapping:{uuid}"),
            "functionArn": args.inputs["functionName"],
            "state": "Enabled",
        }

    def _schedule_group(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        name = self._autoname(args)
        return name, {"name": name, "arn": self._arn("scheduler", f"schedule-group/{name}"), "state": "ACTIVE"}

    def _configuration_set(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        name = args.inputs["configurationSetName"]
        return name, {"arn": self._arn("ses", f"configuration-set/{name}")}

    def _configuration_set_event_destination(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.inputs['configurationSetName']}|{args.inputs['eventDestinationName']}", {}

    def _key(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        digits = _hex(args.typ, args.name, length=32)
        key_id = "-".join((digits[:8], digits[8:12], digits[12:16], digits[16:20], digits[20:]))
        return key_id, {"keyId": key_id, "arn": self._arn("kms", f"key/{key_id}")}

    def _bucket(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        # Pulumi auto-names a bucket `<name>-<random>`: bucket names are global.
        name = args.inputs.get("bucket") or f"{args.name}-{_hex(args.typ, args.name, length=7)}"
        return name, {"bucket": name, "arn": f"arn:aws:s3:::{name}", "region": self.region}

    def _bucket_setting(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return str(args.inputs["bucket"]), {}


_RESOURCE_HANDLERS: dict[str, Callable[[AwsMocks, pulumi.runtime.MockResourceArgs], tuple[str, dict[str, Any]]]] = {
    "aws:ec2/vpc:Vpc": AwsMocks._vpc,
    "aws:ec2/subnet:Subnet": AwsMocks._subnet,
    "aws:ec2/routeTable:RouteTable": AwsMocks._route_table,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": AwsMocks._route_table_association,
    "aws:ec2/securityGroup:SecurityGroup": AwsMocks._security_group,
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": AwsMocks._default_security_group,
    "aws:ec2/vpcEndpoint:VpcEndpoint": AwsMocks._vpc_endpoint,
    "aws:ec2/flowLog:FlowLog": AwsMocks._flow_log,
    "aws:cloudwatch/logGroup:LogGroup": AwsMocks._log_group,
    "aws:iam/role:Role": AwsMocks._role,
    "aws:iam/rolePolicy:RolePolicy": AwsMocks._role_policy,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": AwsMocks._role_policy_attachment,
    "aws:dynamodb/table:Table": AwsMocks._table,
    "aws:lambda/function:Function": AwsMocks._function,
    "aws:lambda/permission:Permission": AwsMocks._permission,
    "aws:lambda/alias:Alias": AwsMocks._alias,
    "aws:lambda/layerVersion:LayerVersion": AwsMocks._layer_version,
    "aws:apigatewayv2/api:Api": AwsMocks._api,
    "aws:apigatewayv2/integration:Integration": AwsMocks._integration,
    "aws:apigatewayv2/route:Route": AwsMocks._route,
    "aws:apigatewayv2/routeResponse:RouteResponse": AwsMocks._route,
    "aws:apigatewayv2/stage:Stage": AwsMocks._stage,
    "aws:apigatewayv2/authorizer:Authorizer": AwsMocks._authorizer,
    "aws:cognito/userPool:UserPool": AwsMocks._user_pool,
    "aws:cognito/userPoolClient:UserPoolClient": AwsMocks._user_pool_client,
    "aws:cloudwatch/metricAlarm:MetricAlarm": AwsMocks._metric_alarm,
    "aws:cloudwatch/dashboard:Dashboard": AwsMocks._dashboard,
    "aws:sns/topic:Topic": AwsMocks._topic,
    "aws:sns/topicSubscription:TopicSubscription": AwsMocks._topic_subscription,
    "aws:kms/key:Key": AwsMocks._key,
    "aws:sns/topicPolicy:TopicPolicy": AwsMocks._topic_policy,
    "aws:sqs/queue:Queue": AwsMocks._queue,
    "aws:sqs/queuePolicy:QueuePolicy": AwsMocks._queue_policy,
    "aws:lambda/eventSourceMapping:EventSourceMapping": AwsMocks._event_source_mapping,
    "aws:scheduler/scheduleGroup:ScheduleGroup": AwsMocks._schedule_group,
    "aws:sesv2/configurationSet:ConfigurationSet": AwsMocks._configuration_set,
    "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination": (
        AwsMocks._configuration_set_event_destination
    ),
    "aws:s3/bucket:Bucket": AwsMocks._bucket,
    **{
        f"aws:s3/{kind}:{kind[0].upper()}{kind[1:]}": AwsMocks._bucket_setting
        for kind in (
            "bucketPublicAccessBlock",
            "bucketOwnershipControls",
            "bucketServerSideEncryptionConfiguration",
            "bucketVersioning",
            "bucketLifecycleConfiguration",
            "bucketCorsConfiguration",
            "bucketLogging",
            "bucketPolicy",
            "bucketNotification",
        )
    },
}

_VPC_DEFAULTS = {
    "defaultSecurityGroup": "sg",
    "defaultRouteTable": "rtb",
    "mainRouteTable": "rtb",
    "defaultNetworkAcl": "acl",
}


class _RecordingMonitor(MockMonitor):
    """The mock engine, also keeping what `Mocks` cannot see: parent, protect, retain-on-delete
    and dependencies."""

    def __init__(self, mocks: AwsMocks) -> None:
        super().__init__(mocks)
        self.registered: list[Registered] = []

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (the engine's method name)
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            registration = self.resources[response.urn]
            inputs = pulumi.runtime.rpc.deserialize_properties(request.object)
            self.registered.append(
                Registered(
                    type=request.type,
                    name=request.name,
                    urn=response.urn,
                    parent=request.parent,
                    inputs=dict(inputs),
                    outputs=dict(registration.state),
                    id=registration.id,
                    protect=request.protect,
                    retain_on_delete=request.retainOnDelete,
                    dependencies=tuple(request.dependencies),
                )
            )
        return response


def _unless_left_by_a_failed_program(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """A program that fails (a test expecting a preview error) leaves a failed future for each
    resource it was registering, which asyncio reports when they are collected, long after the
    test saw the first failure: those reports are noise, anything else is reported as usual."""
    if context.get("message") != "Future exception was never retrieved":
        loop.default_exception_handler(context)


def deploy(
    program: Callable[[], Any],
    *,
    config: Mapping[str, str] | None = None,
    stack: str = "test",
    region: str = "us-east-1",
    impaired_zone_ids: frozenset[str] = frozenset(),
) -> Deployment:
    """Run `program` under fresh mocks and config; what it returns is resolved into `outputs`.
    `impaired_zone_ids` are zones that AWS reports as not `available` (a zone event)."""
    mocks = AwsMocks(region, impaired_zone_ids)
    monitor = _RecordingMonitor(mocks)
    _ensure_event_loop().set_exception_handler(_unless_left_by_a_failed_program)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
    pulumi.runtime.set_all_config({"aws:region": region, **(config or {})})
    resolved: dict[str, Any] = {}

    @pulumi.runtime.test
    def run() -> pulumi.Output[Any]:
        return pulumi.Output.from_input(program()).apply(lambda value: resolved.update(value=value))

    run()
    return Deployment(resources=list(monitor.registered), invokes=list(mocks.invokes), outputs=resolved.get("value"))


def policy_of(resource: Registered, key: str = "policy") -> dict[str, Any]:
    document = resource.inputs[key]
    assert isinstance(document, str), f"{resource}: {key} is not a JSON string"
    return json.loads(document)
