"""Where a component is deployed: the partition, region and account its ARNs and policies name,
looked up once per component (as its child, so that the provider it was given answers)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class AwsContext:
    partition: pulumi.Output[str]
    region: pulumi.Output[str]
    account_id: pulumi.Output[str]


def aws_context(parent: pulumi.Resource) -> AwsContext:
    lookup = pulumi.InvokeOutputOptions(parent=parent)
    return AwsContext(
        partition=aws.get_partition_output(opts=lookup).partition,
        region=aws.get_region_output(opts=lookup).region,
        account_id=aws.get_caller_identity_output(opts=lookup).account_id,
    )
