"""PrivateNetwork alone: private subnets only, DynamoDB through a scoped gateway endpoint, a closed security group."""

from __future__ import annotations

import ipaddress

import pytest

from components.private_network import (
    DynamoDbEndpointAccess,
    FlowLogOptions,
    NetworkLayout,
    PrivateNetwork,
    PrivateNetworkArgs,
    RegionZones,
    subnet_cidrs,
    zone_choice,
)
from tests.infra.pulumi_mocks import Deployment, deploy, policy_of

TABLE_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/users-items-table-1a2b3c4"
ACTIONS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query")
FORBIDDEN_TYPES = {
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/eip:Eip",
    "aws:ec2/route:Route",
    "aws:ec2/vpnGateway:VpnGateway",
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment",
}


def network(
    region: str = "eu-west-1", impaired_zone_ids: frozenset[str] = frozenset(), **overrides: object
) -> Deployment:
    def program() -> dict[str, object]:
        args = PrivateNetworkArgs(dynamodb=DynamoDbEndpointAccess(table_arns=[TABLE_ARN], actions=ACTIONS), **overrides)
        component = PrivateNetwork("net", args)
        return {
            "vpcId": component.vpc_id,
            "subnetIds": component.private_subnet_ids,
            "routeTableIds": component.private_route_table_ids,
            "securityGroupId": component.lambda_security_group_id,
            "prefixListId": component.dynamodb_prefix_list_id,
        }

    return deploy(program, region=region, impaired_zone_ids=impaired_zone_ids)


@pytest.fixture(scope="module")
def two_zones() -> Deployment:
    return network()


@pytest.fixture(scope="module")
def three_zones_with_flow_logs() -> Deployment:
    return network(layout=NetworkLayout(availability_zone_count=3), flow_logs=FlowLogOptions(retention_days=365))


@pytest.fixture(scope="module", params=["two_zones", "three_zones_with_flow_logs"])
def any_network(request: pytest.FixtureRequest) -> Deployment:
    return request.getfixturevalue(request.param)


def test_the_vpc_resolves_dns_names_for_the_endpoint(two_zones):
    vpc = two_zones.one("aws:ec2/vpc:Vpc")

    assert vpc.inputs["enableDnsSupport"] is True, vpc
    assert vpc.inputs["enableDnsHostnames"] is True, vpc
    assert vpc.inputs["cidrBlock"] == "10.0.0.0/16", vpc


def test_nothing_can_reach_or_be_reached_from_the_internet(any_network):
    assert not any_network.types() & FORBIDDEN_TYPES
    for subnet in any_network.of_type("aws:ec2/subnet:Subnet"):
        assert subnet.inputs["mapPublicIpOnLaunch"] is False, subnet
        assert "ipv6CidrBlock" not in subnet.inputs, subnet
    for table in any_network.of_type("aws:ec2/routeTable:RouteTable"):
        assert not table.inputs.get("routes"), f"{table} has routes: {table.inputs.get('routes')}"


def test_there_is_a_private_subnet_in_each_of_the_configured_number_of_looked_up_zones(three_zones_with_flow_logs):
    subnets = three_zones_with_flow_logs.of_type("aws:ec2/subnet:Subnet")

    assert [subnet.inputs["availabilityZone"] for subnet in subnets] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    lookup = next(i for i in three_zones_with_flow_logs.invokes if i.token.endswith("getAvailabilityZones"))
    assert lookup.args["filters"] == [{"name": "opt-in-status", "values": ["opt-in-not-required"]}]


def zones_of(deployment: Deployment) -> list[str]:
    return [subnet.inputs["availabilityZone"] for subnet in deployment.of_type("aws:ec2/subnet:Subnet")]


@pytest.mark.parametrize("impaired", ["euw1-az2", "euw1-az3"])
def test_a_zone_event_moves_no_subnet(two_zones, impaired):
    """While AWS reports a zone as impaired, the zones chosen stay those chosen before: the lookup
    does not filter on state, so no subnet (nor the function's VPC config) is replaced."""
    during_the_event = network(impaired_zone_ids=frozenset({impaired}))

    assert zones_of(during_the_event) == zones_of(two_zones) == ["eu-west-1a", "eu-west-1b"]
    lookup = next(i for i in during_the_event.invokes if i.token.endswith("getAvailabilityZones"))
    assert "state" not in lookup.args


def test_pinned_zone_ids_place_the_subnets_in_those_zones_in_order():
    # The mocks map eu-west-1a/b/c to euw1-az2/az3/az1, as an account may: IDs, not letters, decide.
    pinned = network(layout=NetworkLayout(availability_zone_ids=("euw1-az1", "euw1-az3")))

    assert zones_of(pinned) == ["eu-west-1c", "eu-west-1b"]


def test_pinning_the_zones_a_network_uses_changes_no_subnet(two_zones):
    pinned = network(layout=NetworkLayout(availability_zone_ids=("euw1-az2", "euw1-az3")))

    assert [s.inputs for s in pinned.of_type("aws:ec2/subnet:Subnet")] == [
        s.inputs for s in two_zones.of_type("aws:ec2/subnet:Subnet")
    ]


def test_a_pinned_zone_the_region_does_not_have_fails_the_preview_naming_the_regions_zones():
    with pytest.raises(ValueError, match=r"availabilityZoneIds: euw1-az4 is not among them: eu-west-1 has 3 zones"):
        network(layout=NetworkLayout(availability_zone_ids=("euw1-az1", "euw1-az4")))


@pytest.mark.parametrize(("region", "usable"), [("us-east-1", 5), ("eu-west-1", 3)])
def test_more_zones_than_the_region_offers_fails_the_preview_naming_the_limit(region, usable):
    """us-east-1 has six zones, one of which (use1-az3) Lambda cannot use: five remain."""
    with pytest.raises(ValueError, match=rf"availabilityZoneCount can be at most {usable}$"):
        network(region=region, layout=NetworkLayout(availability_zone_count=usable + 1))
    assert len(zones_of(network(region=region, layout=NetworkLayout(availability_zone_count=usable)))) == usable


def test_no_subnet_is_in_a_zone_where_lambda_cannot_run(stack):
    # The mocks map us-east-1c to use1-az3, the zone Lambda does not support.
    zones = [subnet.inputs["availabilityZone"] for subnet in stack.of_type("aws:ec2/subnet:Subnet")]
    lookup = next(i for i in stack.invokes if i.token.endswith("getAvailabilityZones"))

    assert lookup.args["excludeZoneIds"] == ["use1-az3"]
    assert "us-east-1c" not in zones
    assert zones == ["us-east-1a", "us-east-1b", "us-east-1d"][: len(zones)]


def test_subnet_ranges_are_disjoint_parts_of_the_vpc_fixed_by_index(three_zones_with_flow_logs):
    deployment = three_zones_with_flow_logs
    vpc = ipaddress.ip_network(deployment.one("aws:ec2/vpc:Vpc").inputs["cidrBlock"])
    ranges = [ipaddress.ip_network(s.inputs["cidrBlock"]) for s in deployment.of_type("aws:ec2/subnet:Subnet")]

    assert [str(r) for r in ranges] == ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"]
    assert all(r.subnet_of(vpc) for r in ranges)
    assert not any(a.overlaps(b) for i, a in enumerate(ranges) for b in ranges[i + 1 :])


def test_adding_a_zone_adds_a_subnet_and_moves_none():
    assert subnet_cidrs("10.0.0.0/16", 3)[:2] == subnet_cidrs("10.0.0.0/16", 2)


def test_each_subnet_has_its_own_route_table(any_network):
    subnets = {s.id for s in any_network.of_type("aws:ec2/subnet:Subnet")}
    tables = {t.id for t in any_network.of_type("aws:ec2/routeTable:RouteTable")}
    associations = any_network.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")

    assert {a.inputs["subnetId"] for a in associations} == subnets
    assert {a.inputs["routeTableId"] for a in associations} == tables
    assert len(associations) == len(subnets) == len(tables)


def test_the_dynamodb_gateway_endpoint_is_on_every_private_route_table(any_network):
    endpoint = any_network.one("aws:ec2/vpcEndpoint:VpcEndpoint")
    tables = [t.id for t in any_network.of_type("aws:ec2/routeTable:RouteTable")]

    assert endpoint.inputs["vpcEndpointType"] == "Gateway", endpoint
    assert endpoint.inputs["serviceName"] == "com.amazonaws.eu-west-1.dynamodb", endpoint
    assert sorted(endpoint.inputs["routeTableIds"]) == sorted(tables), endpoint


def test_the_endpoint_lets_through_only_the_given_actions_on_the_given_table_and_its_indexes(two_zones):
    endpoint = two_zones.one("aws:ec2/vpcEndpoint:VpcEndpoint")

    assert policy_of(endpoint)["Statement"] == [
        {
            "Sid": "OnlyTheseTables",
            "Effect": "Allow",
            "Principal": "*",
            "Action": sorted(ACTIONS),
            "Resource": [TABLE_ARN, f"{TABLE_ARN}/index/*"],
        }
    ]


def test_the_lambda_security_group_allows_only_https_to_the_dynamodb_prefix_list(any_network):
    group = any_network.one("aws:ec2/securityGroup:SecurityGroup")
    endpoint = any_network.one("aws:ec2/vpcEndpoint:VpcEndpoint")

    assert group.inputs["ingress"] == [], group
    assert [{k: v for k, v in rule.items() if k != "description"} for rule in group.inputs["egress"]] == [
        {"protocol": "tcp", "fromPort": 443, "toPort": 443, "prefixListIds": [endpoint.outputs["prefixListId"]]}
    ], group
    assert not any_network.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert not any_network.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    assert not any_network.of_type("aws:ec2/securityGroupRule:SecurityGroupRule")


def test_the_vpcs_default_security_group_is_stripped_of_its_rules(two_zones):
    default = two_zones.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")

    assert default.inputs["vpcId"] == two_zones.one("aws:ec2/vpc:Vpc").id, default
    assert default.inputs.get("ingress", []) == [], default
    assert default.inputs.get("egress", []) == [], default


def test_flow_logs_are_off_unless_asked_for(two_zones):
    assert not two_zones.of_type("aws:ec2/flowLog:FlowLog")
    assert not two_zones.of_type("aws:iam/role:Role")
    assert not two_zones.of_type("aws:cloudwatch/logGroup:LogGroup")


def test_flow_logs_go_to_their_own_log_group_through_a_role_scoped_to_it(three_zones_with_flow_logs):
    deployment = three_zones_with_flow_logs
    flow_log = deployment.one("aws:ec2/flowLog:FlowLog")
    log_group = deployment.one("aws:cloudwatch/logGroup:LogGroup")
    role = deployment.one("aws:iam/role:Role")
    policy = deployment.one("aws:iam/rolePolicy:RolePolicy")

    assert flow_log.inputs["vpcId"] == deployment.one("aws:ec2/vpc:Vpc").id, flow_log
    assert flow_log.inputs["trafficType"] == "ALL", flow_log
    assert flow_log.inputs["logDestinationType"] == "cloud-watch-logs", flow_log
    assert flow_log.inputs["logDestination"] == log_group.outputs["arn"], flow_log
    assert flow_log.inputs["iamRoleArn"] == role.outputs["arn"], flow_log
    assert policy.urn in flow_log.dependencies, f"{flow_log} must wait for its role's policy"
    assert log_group.inputs["retentionInDays"] == 365, log_group
    assert policy.inputs["role"] == role.id, policy
    own_group, find_group = policy_of(policy)["Statement"]
    assert own_group["Action"] == ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"], policy
    assert own_group["Resource"] == [log_group.outputs["arn"], log_group.outputs["arn"] + ":*"], policy
    # AWS's documented minimum for a flow-logs role includes listing the log groups.
    assert find_group["Action"] == "logs:DescribeLogGroups", policy
    assert find_group["Resource"] == "*", policy
    [trust] = policy_of(role, "assumeRolePolicy")["Statement"]
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}, role
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}, role


def test_every_resource_is_a_child_of_the_component(any_network):
    [component] = [r for r in any_network if r.type == "users-items:index:PrivateNetwork"]

    for resource in any_network:
        if resource is not component:
            assert resource.parent == component.urn, f"{resource} is not parented to {component}"


def test_the_outputs_are_the_created_resources(two_zones):
    outputs = two_zones.outputs

    assert outputs["vpcId"] == two_zones.one("aws:ec2/vpc:Vpc").id
    assert outputs["subnetIds"] == [s.id for s in two_zones.of_type("aws:ec2/subnet:Subnet")]
    assert outputs["routeTableIds"] == [t.id for t in two_zones.of_type("aws:ec2/routeTable:RouteTable")]
    assert outputs["securityGroupId"] == two_zones.one("aws:ec2/securityGroup:SecurityGroup").id
    assert outputs["prefixListId"].startswith("pl-")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (lambda: NetworkLayout(availability_zone_count=1), "at least 2"),
        (lambda: NetworkLayout(cidr_block="10.0.0.0/28"), "too small"),
        (lambda: DynamoDbEndpointAccess(table_arns=[TABLE_ARN], actions=("dynamodb:*",)), "without wildcards"),
        (lambda: DynamoDbEndpointAccess(table_arns=[TABLE_ARN], actions=()), "without wildcards"),
        (lambda: DynamoDbEndpointAccess(table_arns=[], actions=ACTIONS), "at least one table"),
    ],
)
def test_unsafe_or_impossible_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        options()


def test_zones_are_chosen_by_name_order_or_by_pinned_id_never_by_state():
    zones = RegionZones("eu-west-1", ["eu-west-1b", "eu-west-1a", "eu-west-1c"], ["euw1-az3", "euw1-az2", "euw1-az1"])

    assert zone_choice(zones, 2) == ["eu-west-1a", "eu-west-1b"]
    assert zone_choice(zones, 2, ["euw1-az1", "euw1-az2"]) == ["eu-west-1c", "eu-west-1a"]
    with pytest.raises(ValueError, match="availabilityZoneCount is 4, but eu-west-1 has 3 zones"):
        zone_choice(zones, 4)


@pytest.mark.parametrize(
    ("zone_ids", "message"),
    [
        (("euw1-az1",), "exactly availability_zone_count"),
        (("euw1-az1", "euw1-az1"), "distinct"),
        (("use1-az1", "use1-az3"), "Lambda cannot attach a function to a subnet in use1-az3"),
    ],
)
def test_pinned_zones_must_be_one_distinct_lambda_zone_per_subnet(zone_ids, message):
    with pytest.raises(ValueError, match=message):
        NetworkLayout(availability_zone_ids=zone_ids)
