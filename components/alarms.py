"""CloudWatch alarms as every component creates them: data, one shape, one topic told.

A component that owns a resource owns its alarms: it takes `AlarmOptions` (the topic and the
evaluation window), lists its alarms as `AlarmSpec`s and creates them with `create_alarms`, so
every alarm notifies the topic when it fires and when it recovers, and reads missing data the
same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

# A metric with no data points has seen no traffic, which on a low-traffic stack is the normal
# case and no reason to alarm: every metric alarmed on here counts failures, and no failures
# reported is no failure.
TREAT_MISSING_DATA = "notBreaching"
# An SNS topic's ARN: partition, region, account, and a topic name (256 characters at most, a FIFO
# topic's ending in `.fifo`).
SNS_TOPIC_ARN = re.compile(
    r"arn:aws(-cn|-us-gov|-iso[a-z]?)?:sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,251}(\.fifo)?"
)
# CloudWatch's limit on the metrics (and expressions) of one alarm.
_MAX_METRIC_QUERIES = 10


@dataclass(frozen=True, kw_only=True)
class AlarmOptions:
    topic_arn: pulumi.Input[str]
    """The SNS topic told when an alarm fires (ALARM) and when it recovers (OK)."""
    period_seconds: int = 300
    evaluation_periods: int = 1
    datapoints_to_alarm: int = 1
    """An alarm fires when this many of the last `evaluation_periods` periods breach."""

    def __post_init__(self) -> None:
        # Lambda, API Gateway and DynamoDB publish per-minute metrics: a shorter period has no data.
        if self.period_seconds < 60 or self.period_seconds % 60:
            raise ValueError("period_seconds must be a multiple of 60")
        if not 1 <= self.datapoints_to_alarm <= self.evaluation_periods:
            raise ValueError("datapoints_to_alarm must be between 1 and evaluation_periods")
        if self.period_seconds * self.evaluation_periods > 86400:
            raise ValueError("an alarm looks back one day at most: period_seconds * evaluation_periods <= 86400")


@dataclass(frozen=True, kw_only=True)
class AlarmSpec:
    """One alarm of a component: on one metric, or on one metric added up over several dimension
    sets (e.g. one per DynamoDB operation)."""

    resource: str
    """Suffix of its Pulumi resource name (part of its URN: never change it)."""
    name: str
    """Suffix of the alarm's name in CloudWatch."""
    description: str
    """What it means and where to look first: the runbook an on-call reads in the notification."""
    namespace: str
    metric_name: str
    dimension_sets: Sequence[Mapping[str, pulumi.Input[str]]]
    threshold: float
    statistic: str = "Sum"
    comparison: str = "GreaterThanOrEqualToThreshold"


def create_alarms(
    specs: Sequence[AlarmSpec],
    options: AlarmOptions,
    *,
    resource_prefix: str,
    name_prefix: str,
    parent: pulumi.Resource,
) -> list[aws.cloudwatch.MetricAlarm]:
    """The component's alarms, `<resource_prefix>-<resource>` named `<name_prefix>-<name>`: on one
    metric, or with metric math adding one metric up over several dimension sets."""
    return [
        aws.cloudwatch.MetricAlarm(
            f"{resource_prefix}-{spec.resource}",
            name=f"{name_prefix}-{spec.name}",
            alarm_description=spec.description,
            threshold=spec.threshold,
            comparison_operator=spec.comparison,
            evaluation_periods=options.evaluation_periods,
            datapoints_to_alarm=options.datapoints_to_alarm,
            treat_missing_data=TREAT_MISSING_DATA,
            alarm_actions=[options.topic_arn],
            ok_actions=[options.topic_arn],
            opts=pulumi.ResourceOptions(parent=parent),
            **(_one_metric(spec, options) if len(spec.dimension_sets) == 1 else _metric_sum(spec, options)),
        )
        for spec in specs
    ]


def _one_metric(spec: AlarmSpec, options: AlarmOptions) -> dict[str, Any]:
    """`statistic` is Sum, Maximum… or a percentile such as `p99`."""
    percentile = spec.statistic.startswith("p")
    return {
        "namespace": spec.namespace,
        "metric_name": spec.metric_name,
        "dimensions": dict(spec.dimension_sets[0]),
        "statistic": None if percentile else spec.statistic,
        "extended_statistic": spec.statistic if percentile else None,
        # A percentile over a handful of requests is noise; evaluate it once there are enough.
        "evaluate_low_sample_count_percentiles": "ignore" if percentile else None,
        "period": options.period_seconds,
    }


def _metric_sum(spec: AlarmSpec, options: AlarmOptions) -> dict[str, Any]:
    """The Sum of one metric over several dimension sets (e.g. one per DynamoDB operation), by a
    metric math expression: one alarm rather than one per set. A metric math alarm has no
    `period` of its own: it is its metrics' (CloudWatch refuses both)."""
    if not 1 <= len(spec.dimension_sets) < _MAX_METRIC_QUERIES:
        raise ValueError(f"a sum alarm adds up 1 to {_MAX_METRIC_QUERIES - 1} metrics")
    metrics = [
        aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id=f"m{index}",
            metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                namespace=spec.namespace,
                metric_name=spec.metric_name,
                dimensions=dict(dimensions),
                period=options.period_seconds,
                stat="Sum",
            ),
            return_data=False,
        )
        for index, dimensions in enumerate(spec.dimension_sets)
    ]
    total = aws.cloudwatch.MetricAlarmMetricQueryArgs(
        id="total", expression="SUM(METRICS())", label=f"{spec.metric_name} (all)", return_data=True
    )
    return {"metric_queries": [*metrics, total]}
