"""AlarmTopic: the SNS topic every alarm of the service notifies, encrypted, with an optional email.

Encrypted with its own customer managed KMS key, not the AWS managed `alias/aws/sns`: CloudWatch
alarms cannot publish to a topic under `aws/sns` (that key's policy, which nobody can edit, does
not let CloudWatch use it), and the alarm would fire with nobody told. The key lets CloudWatch
encrypt messages for the topic, and nothing else, and only for this account's alarms in this region.

No topic policy: SNS's default one lets this account publish, which covers its own alarms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import policies
from components.aws_context import aws_context
from runtime.emails import EMAIL_PATTERN

EMAIL_ADDRESS = re.compile(EMAIL_PATTERN)


@dataclass(frozen=True, kw_only=True)
class AlarmTopicArgs:
    email: str | None = None
    """Who is told by email. SNS first mails a confirmation link: nothing arrives until it is
    clicked. Without an email the topic has no subscriber (add one by hand, or chat/pager)."""

    def __post_init__(self) -> None:
        if self.email is not None and not EMAIL_ADDRESS.fullmatch(self.email):
            raise ValueError(f"{self.email!r} is not an email address")


class AlarmTopic(pulumi.ComponentResource):
    topic_arn: pulumi.Output[str]
    key_arn: pulumi.Output[str]

    def __init__(self, name: str, args: AlarmTopicArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("users-items:index:AlarmTopic", name, None, opts)
        self._name = name
        self._child = pulumi.ResourceOptions(parent=self)

        key = self._create_key()
        topic = aws.sns.Topic(
            name,
            name=f"{name}-{pulumi.get_stack()}",
            display_name=f"{name} ({pulumi.get_stack()})",
            kms_master_key_id=key.arn,
            opts=self._child,
        )
        if args.email:
            aws.sns.TopicSubscription(
                f"{name}-email", topic=topic.arn, protocol="email", endpoint=args.email, opts=self._child
            )

        self.topic_arn = topic.arn
        self.key_arn = key.arn
        self.register_outputs({"topicArn": self.topic_arn, "keyArn": self.key_arn})

    def _create_key(self) -> aws.kms.Key:
        context = aws_context(self)
        return aws.kms.Key(
            self._name,
            description=f"Encrypts the {self._name}-{pulumi.get_stack()} alarm topic's messages",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.all(context.partition, context.region, context.account_id).apply(
                lambda values: policies.alarm_topic_key_policy(*values)
            ),
            opts=self._child,
        )
