"""AlarmTopic alone, and the evaluation options every component's alarms share."""

from __future__ import annotations

import pytest

from components.alarm_topic import AlarmTopic, AlarmTopicArgs
from components.alarms import AlarmOptions
from tests.infra.pulumi_mocks import Deployment, deploy, policy_of


def alarm_topic(email: str | None = None) -> Deployment:
    def program() -> dict[str, object]:
        topic = AlarmTopic("alerts", AlarmTopicArgs(email=email))
        return {"topicArn": topic.topic_arn, "keyArn": topic.key_arn}

    return deploy(program, stack="staging")


@pytest.fixture(scope="module")
def silent() -> Deployment:
    return alarm_topic()


@pytest.fixture(scope="module")
def mailing() -> Deployment:
    return alarm_topic("ops@example.com")


def test_the_topic_is_named_after_the_component_and_the_stack(silent):
    topic = silent.one("aws:sns/topic:Topic")

    assert topic.inputs["name"] == "alerts-staging", topic
    assert silent.outputs["topicArn"] == topic.outputs["arn"]


def test_the_topic_is_encrypted_with_its_own_rotated_key_that_cloudwatch_may_use(silent):
    topic = silent.one("aws:sns/topic:Topic")
    key = silent.one("aws:kms/key:Key")
    [_, cloudwatch] = policy_of(key)["Statement"]

    # Not alias/aws/sns: CloudWatch alarms cannot publish to a topic under the AWS managed key.
    assert topic.inputs["kmsMasterKeyId"] == key.outputs["arn"], topic
    assert key.inputs["enableKeyRotation"] is True, key
    assert cloudwatch["Principal"] == {"Service": "cloudwatch.amazonaws.com"}, key
    assert set(cloudwatch["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}, key


def test_the_topic_keeps_snss_default_policy(silent):
    assert "policy" not in silent.one("aws:sns/topic:Topic").inputs


def test_without_an_email_nobody_is_subscribed(silent):
    assert not silent.of_type("aws:sns/topicSubscription:TopicSubscription")


def test_an_email_is_subscribed_to_the_topic(mailing):
    subscription = mailing.one("aws:sns/topicSubscription:TopicSubscription")

    assert subscription.inputs["topic"] == mailing.one("aws:sns/topic:Topic").outputs["arn"], subscription
    assert (subscription.inputs["protocol"], subscription.inputs["endpoint"]) == ("email", "ops@example.com")


def test_every_resource_is_a_child_of_the_component(mailing):
    component = mailing.one("users-items:index:AlarmTopic")

    for resource in mailing:
        if resource is not component:
            assert resource.parent == component.urn, resource


def test_a_malformed_email_is_refused():
    with pytest.raises(ValueError, match="not an email address"):
        AlarmTopicArgs(email="ops")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"period_seconds": 30}, "multiple of 60"),
        ({"period_seconds": 90}, "multiple of 60"),
        ({"evaluation_periods": 2, "datapoints_to_alarm": 3}, "between 1 and evaluation_periods"),
        ({"datapoints_to_alarm": 0}, "between 1 and evaluation_periods"),
        ({"period_seconds": 3600, "evaluation_periods": 25}, "one day"),
    ],
)
def test_alarm_options_cloudwatch_would_refuse_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        AlarmOptions(topic_arn="arn:aws:sns:us-east-1:123456789012:alarms", **options)
