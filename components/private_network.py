"""PrivateNetwork: a VPC with private subnets only, reaching DynamoDB (and S3) through Gateway endpoints.

No internet gateway, no NAT gateway, no public IPs and no route to 0.0.0.0/0: whatever runs here
cannot reach the internet. DynamoDB is the one service it reaches, through a Gateway VPC
endpoint on every private route table whose policy names the allowed tables, and the Lambda
security group allows nothing but HTTPS to that endpoint's prefix list. Given an S3 bucket, an
S3 gateway endpoint on the same route tables lets through that bucket alone, and the group HTTPS
to S3's prefix list.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import policies

# Each subnet is a 16th of the VPC (a /20 of a /16): room for 6 zones and for later tiers.
_SUBNET_PREFIX_EXTRA_BITS = 4


@dataclass(frozen=True, kw_only=True)
class DynamoDbEndpointAccess:
    """What the DynamoDB gateway endpoint lets through, for anyone in the VPC (an identity policy
    narrows it further)."""

    table_arns: Sequence[pulumi.Input[str]]
    """Tables reachable through the endpoint, with their indexes; no other table is."""
    actions: Sequence[str]

    def __post_init__(self) -> None:
        if not self.table_arns:
            raise ValueError("the endpoint must let through at least one table")
        if not self.actions or any("*" in action for action in self.actions):
            raise ValueError("the endpoint's actions must be explicit, without wildcards")


@dataclass(frozen=True, kw_only=True)
class S3EndpointAccess:
    """What the S3 gateway endpoint lets through: these actions on this bucket and its objects."""

    bucket_arn: pulumi.Input[str]
    actions: Sequence[str]

    def __post_init__(self) -> None:
        if not self.actions or any("*" in action or not action.startswith("s3:") for action in self.actions):
            raise ValueError("the endpoint's actions must be explicit `s3:Action` names, without wildcards")


@dataclass(frozen=True, kw_only=True)
class NetworkLayout:
    """The VPC's address range and the zones its private subnets are spread over, one each."""

    cidr_block: str = "10.0.0.0/16"
    availability_zone_count: int = 2
    availability_zone_ids: Sequence[str] = ()
    """The zones by ID (`use1-az1`: the same physical zone in every account), subnet i in the
    i-th; empty for the first `availability_zone_count` zone names (`zone_choice`)."""

    def __post_init__(self) -> None:
        if self.availability_zone_count < 2:
            raise ValueError("availability_zone_count must be at least 2: one zone is a single point of failure")
        if self.availability_zone_ids:
            if len(self.availability_zone_ids) != self.availability_zone_count:
                raise ValueError("availability_zone_ids must list exactly availability_zone_count zones")
            if len(set(self.availability_zone_ids)) != len(self.availability_zone_ids):
                raise ValueError("availability_zone_ids must be distinct zones")
            unsupported = set(self.availability_zone_ids) & set(LAMBDA_UNSUPPORTED_ZONE_IDS)
            if unsupported:
                raise ValueError(f"Lambda cannot attach a function to a subnet in {', '.join(sorted(unsupported))}")
        subnet_cidrs(self.cidr_block, self.availability_zone_count)  # raises if they do not fit


@dataclass(frozen=True, kw_only=True)
class FlowLogOptions:
    """VPC flow logs of all traffic, to a log group of their own."""

    retention_days: int = 30


@dataclass(frozen=True, kw_only=True)
class PrivateNetworkArgs:
    dynamodb: DynamoDbEndpointAccess
    layout: NetworkLayout = field(default_factory=NetworkLayout)
    flow_logs: FlowLogOptions | None = None
    """None: no flow logs."""
    s3: S3EndpointAccess | None = None
    """None: no S3 endpoint, and no route to S3."""


class PrivateNetwork(pulumi.ComponentResource):
    vpc_id: pulumi.Output[str]
    private_subnet_ids: pulumi.Output[list[str]]
    private_route_table_ids: pulumi.Output[list[str]]
    lambda_security_group_id: pulumi.Output[str]
    dynamodb_endpoint_id: pulumi.Output[str]
    dynamodb_prefix_list_id: pulumi.Output[str]
    s3_endpoint_id: pulumi.Output[str] | None

    def __init__(self, name: str, args: PrivateNetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("users-items:index:PrivateNetwork", name, None, opts)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        self._lookup = pulumi.InvokeOutputOptions(parent=self)

        vpc = self._create_vpc()
        route_tables, subnets = self._create_private_subnets(vpc)
        endpoint = self._create_dynamodb_endpoint(vpc, route_tables)
        s3_endpoint = self._create_s3_endpoint(vpc, route_tables, args.s3) if args.s3 else None
        security_group = self._create_lambda_security_group(vpc, endpoint, s3_endpoint)
        if args.flow_logs:
            self._create_flow_logs(vpc, args.flow_logs)

        self.vpc_id = vpc.id
        self.private_subnet_ids = pulumi.Output.all(*[subnet.id for subnet in subnets])
        self.private_route_table_ids = pulumi.Output.all(*[table.id for table in route_tables])
        self.lambda_security_group_id = security_group.id
        self.dynamodb_endpoint_id = endpoint.id
        self.dynamodb_prefix_list_id = endpoint.prefix_list_id
        self.s3_endpoint_id = s3_endpoint.id if s3_endpoint else None
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "privateSubnetIds": self.private_subnet_ids,
                "privateRouteTableIds": self.private_route_table_ids,
                "lambdaSecurityGroupId": self.lambda_security_group_id,
                "dynamodbEndpointId": self.dynamodb_endpoint_id,
                "dynamodbPrefixListId": self.dynamodb_prefix_list_id,
                "s3EndpointId": self.s3_endpoint_id,
            }
        )

    def _create_vpc(self) -> aws.ec2.Vpc:
        vpc = aws.ec2.Vpc(
            self._name,
            cidr_block=self._args.layout.cidr_block,
            # The endpoint's DNS name resolves through the VPC resolver: both must be on.
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": self._name},
            opts=self._child,
        )
        # Strip every rule from the VPC's default security group, which allows all egress, so
        # nothing placed in it by default (or by Lambda's clean-up on destroy) can reach anything.
        aws.ec2.DefaultSecurityGroup(f"{self._name}-default", vpc_id=vpc.id, ingress=[], egress=[], opts=self._child)
        return vpc

    def _create_private_subnets(self, vpc: aws.ec2.Vpc) -> tuple[list[aws.ec2.RouteTable], list[aws.ec2.Subnet]]:
        """One subnet and one route table per zone; the route tables hold no route but the VPC's own."""
        layout = self._args.layout
        count = layout.availability_zone_count
        pinned = list(layout.availability_zone_ids)
        # No `state` filter: a zone's state changes during an AWS zone event, and a choice that
        # followed it would move subnets (replacing them and the function's VPC config).
        lookup = aws.get_availability_zones_output(
            # Regular zones only: Local and Wavelength Zones sort before them in some regions.
            filters=[aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"])],
            exclude_zone_ids=LAMBDA_UNSUPPORTED_ZONE_IDS,
            opts=self._lookup,
        )
        zones = pulumi.Output.all(lookup.region, lookup.names, lookup.zone_ids).apply(
            lambda found: zone_choice(RegionZones(found[0], found[1], found[2]), count, pinned)
        )
        route_tables, subnets = [], []
        for index, cidr in enumerate(subnet_cidrs(layout.cidr_block, count)):
            label = f"{self._name}-private-{index + 1}"
            subnet = aws.ec2.Subnet(
                label,
                vpc_id=vpc.id,
                cidr_block=cidr,
                availability_zone=zones[index],
                map_public_ip_on_launch=False,
                tags={"Name": label},
                opts=self._child,
            )
            # No routes: the implicit local route is all a private subnet needs (DynamoDB's
            # prefix-list route is added by the endpoint). No IGW or NAT exists to point at.
            route_table = aws.ec2.RouteTable(label, vpc_id=vpc.id, tags={"Name": label}, opts=self._child)
            aws.ec2.RouteTableAssociation(label, subnet_id=subnet.id, route_table_id=route_table.id, opts=self._child)
            subnets.append(subnet)
            route_tables.append(route_table)
        return route_tables, subnets

    def _create_dynamodb_endpoint(
        self, vpc: aws.ec2.Vpc, route_tables: Sequence[aws.ec2.RouteTable]
    ) -> aws.ec2.VpcEndpoint:
        region = aws.get_region_output(opts=self._lookup).region
        dns_prefix = aws.get_partition_output(opts=self._lookup).reverse_dns_prefix
        access = self._args.dynamodb
        return aws.ec2.VpcEndpoint(
            f"{self._name}-dynamodb",
            vpc_id=vpc.id,
            service_name=pulumi.Output.concat(dns_prefix, ".", region, ".dynamodb"),
            # Gateway, not Interface: free, and no ENIs or private DNS to manage.
            vpc_endpoint_type="Gateway",
            route_table_ids=[table.id for table in route_tables],
            policy=pulumi.Output.all(*access.table_arns).apply(
                lambda arns: policies.endpoint_policy(arns, access.actions)
            ),
            tags={"Name": f"{self._name}-dynamodb"},
            opts=self._child,
        )

    def _create_s3_endpoint(
        self, vpc: aws.ec2.Vpc, route_tables: Sequence[aws.ec2.RouteTable], access: S3EndpointAccess
    ) -> aws.ec2.VpcEndpoint:
        region = aws.get_region_output(opts=self._lookup).region
        dns_prefix = aws.get_partition_output(opts=self._lookup).reverse_dns_prefix
        return aws.ec2.VpcEndpoint(
            f"{self._name}-s3",
            vpc_id=vpc.id,
            service_name=pulumi.Output.concat(dns_prefix, ".", region, ".s3"),
            # Gateway, not Interface: free, on every private route table, no ENIs or private DNS.
            vpc_endpoint_type="Gateway",
            route_table_ids=[table.id for table in route_tables],
            policy=pulumi.Output.from_input(access.bucket_arn).apply(
                lambda arn: policies.s3_endpoint_policy(arn, access.actions)
            ),
            tags={"Name": f"{self._name}-s3"},
            opts=self._child,
        )

    def _create_lambda_security_group(
        self, vpc: aws.ec2.Vpc, endpoint: aws.ec2.VpcEndpoint, s3_endpoint: aws.ec2.VpcEndpoint | None
    ) -> aws.ec2.SecurityGroup:
        # Inline rules keep the group authoritative: a rule added by hand is removed on the next up.
        # DNS needs no rule: security groups do not filter traffic to the VPC's Amazon resolver.
        egress = [
            aws.ec2.SecurityGroupEgressArgs(
                description="HTTPS to DynamoDB through the gateway endpoint",
                protocol="tcp",
                from_port=443,
                to_port=443,
                prefix_list_ids=[endpoint.prefix_list_id],
            )
        ]
        if s3_endpoint is not None:
            egress.append(
                aws.ec2.SecurityGroupEgressArgs(
                    description="HTTPS to S3 through the gateway endpoint",
                    protocol="tcp",
                    from_port=443,
                    to_port=443,
                    prefix_list_ids=[s3_endpoint.prefix_list_id],
                )
            )
        return aws.ec2.SecurityGroup(
            f"{self._name}-lambda",
            vpc_id=vpc.id,
            # Older than the S3 rule; a new description would replace the group, and with it every
            # function's network interfaces.
            description="Lambda functions: no ingress, HTTPS egress to the DynamoDB endpoint only",
            ingress=[],
            egress=egress,
            tags={"Name": f"{self._name}-lambda"},
            opts=self._child,
        )

    def _create_flow_logs(self, vpc: aws.ec2.Vpc, options: FlowLogOptions) -> aws.ec2.FlowLog:
        log_group = aws.cloudwatch.LogGroup(
            f"{self._name}-flow-logs", retention_in_days=options.retention_days, opts=self._child
        )
        partition = aws.get_partition_output(opts=self._lookup).partition
        region = aws.get_region_output(opts=self._lookup).region
        account = aws.get_caller_identity_output(opts=self._lookup).account_id
        role = aws.iam.Role(
            f"{self._name}-flow-logs",
            description="VPC flow logs delivery to their own log group",
            assume_role_policy=pulumi.Output.all(partition, region, account).apply(
                lambda values: policies.flow_logs_trust_policy(*values)
            ),
            opts=self._child,
        )
        policy = aws.iam.RolePolicy(
            f"{self._name}-flow-logs",
            role=role.id,
            policy=log_group.arn.apply(policies.flow_logs_policy),
            opts=self._child,
        )
        return aws.ec2.FlowLog(
            self._name,
            vpc_id=vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )


def subnet_cidrs(vpc_cidr: str, count: int) -> list[str]:
    """The first `count` subnets of the VPC by index: adding a zone later adds a subnet and moves none."""
    network = ipaddress.ip_network(vpc_cidr)
    if network.prefixlen + _SUBNET_PREFIX_EXTRA_BITS > network.max_prefixlen - 4:
        raise ValueError(f"{vpc_cidr} is too small for private subnets")
    subnets = network.subnets(prefixlen_diff=_SUBNET_PREFIX_EXTRA_BITS)
    cidrs = [str(subnet) for _, subnet in zip(range(count), subnets, strict=False)]
    if len(cidrs) < count:
        raise ValueError(f"{vpc_cidr} holds fewer than {count} subnets")
    return cidrs


# Zones where Lambda cannot attach a function to a subnet (by zone ID, the same physical zone in
# every account, unlike zone names): a subnet there fails the function's VPC configuration.
LAMBDA_UNSUPPORTED_ZONE_IDS = ["use1-az3"]


@dataclass(frozen=True)
class RegionZones:
    """The region's regular zones where Lambda runs, whatever their state: names and IDs in pairs."""

    region: str
    names: Sequence[str]
    zone_ids: Sequence[str]


def zone_choice(zones: RegionZones, count: int, pinned: Sequence[str] = ()) -> list[str]:
    """The names of the subnets' zones, from facts that do not change with a zone's state.

    Pinned zone IDs name the zones themselves; otherwise the first `count` zone names in AWS's
    own (alphabetical) order, which new zones (later letters) do not disturb. Names, not IDs,
    go to the subnets, so pinning the zones a stack already uses changes nothing."""
    by_id = dict(zip(zones.zone_ids, zones.names, strict=True))
    usable = (
        f"{zones.region} has {len(by_id)} zones where Lambda can run ({', '.join(sorted(by_id))}; "
        f"never {', '.join(LAMBDA_UNSUPPORTED_ZONE_IDS)})"
    )
    if count > len(by_id):
        raise ValueError(
            f"availabilityZoneCount is {count}, but {usable}: availabilityZoneCount can be at most {len(by_id)}"
        )
    unknown = [zone_id for zone_id in pinned if zone_id not in by_id]
    if unknown:
        raise ValueError(f"availabilityZoneIds: {', '.join(unknown)} is not among them: {usable}")
    if pinned:
        return [by_id[zone_id] for zone_id in pinned]
    return sorted(zones.names)[:count]
