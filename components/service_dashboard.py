"""ServiceDashboard: one CloudWatch dashboard for the service, top to bottom as a request goes.

API (requests, latency, 4xx/5xx) → function (invocations, errors, throttles, duration,
concurrency) → table (consumed capacity, throttles) → with domain events, the stream relay
(iterator age, invocations and errors) and the dead-letter queues' depth. The same metrics the
alarms watch, so an alarm's email leads to the graph that explains it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.lambda_function import FunctionOptions

_WIDTH, _HEIGHT = 8, 6  # a 24-column grid: three widgets a row


@dataclass(frozen=True, kw_only=True)
class ServiceDashboardArgs:
    api_id: pulumi.Input[str]
    stage_name: pulumi.Input[str]
    function_name: pulumi.Input[str]
    table_name: pulumi.Input[str]
    function_options: FunctionOptions
    """What the function was given: its timeout is drawn as a line on the duration graph, and its
    reserved concurrency, when there is one, on the concurrency graph."""
    events: EventsMetrics | None = None
    """The domain events' relay and dead-letter queues, graphed after the table."""


@dataclass(frozen=True, kw_only=True)
class EventsMetrics:
    relay_function_name: pulumi.Input[str]
    relay_dead_letter_queue_name: pulumi.Input[str]
    queue_dead_letter_queue_name: pulumi.Input[str]


class ServiceDashboard(pulumi.ComponentResource):
    dashboard_name: pulumi.Output[str]
    url: pulumi.Output[str]
    """The dashboard in the CloudWatch console."""

    def __init__(self, name: str, args: ServiceDashboardArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("users-items:index:ServiceDashboard", name, None, opts)
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        physical_name = f"{name}-{pulumi.get_stack()}"
        body = pulumi.Output.all(
            region=region,
            api_id=args.api_id,
            stage=args.stage_name,
            function=args.function_name,
            table=args.table_name,
            events=(
                pulumi.Output.all(
                    args.events.relay_function_name,
                    args.events.relay_dead_letter_queue_name,
                    args.events.queue_dead_letter_queue_name,
                )
                if args.events
                else None
            ),
        ).apply(lambda values: dashboard_body(**values, args=args))
        dashboard = aws.cloudwatch.Dashboard(
            name, dashboard_name=physical_name, dashboard_body=body, opts=pulumi.ResourceOptions(parent=self)
        )

        self.dashboard_name = dashboard.dashboard_name
        self.url = region.apply(lambda region: dashboard_url(region, physical_name))
        self.register_outputs({"dashboardName": self.dashboard_name, "url": self.url})


def dashboard_url(region: str, name: str) -> str:
    return f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#dashboards:name={name}"


def dashboard_body(
    *,
    region: str,
    api_id: str,
    stage: str,
    function: str,
    table: str,
    events: list[str] | None,
    args: ServiceDashboardArgs,
) -> str:
    """`events`: the relay function's name, then the relay's and the integration queue's
    dead-letter queues' names (None without domain events)."""
    api = ("AWS/ApiGateway", ["ApiId", api_id, "Stage", stage])
    fn = ("AWS/Lambda", ["FunctionName", function])
    tbl = ("AWS/DynamoDB", ["TableName", table])

    def metric(source: tuple[str, list[str]], name: str, *, stat: str) -> list[Any]:
        """A widget's metric line: namespace, name, dimension names and values, then options."""
        namespace, dimensions = source
        return [namespace, name, *dimensions, {"stat": stat}]

    def line(label: str, value: float) -> dict[str, Any]:
        return {"horizontal": [{"label": label, "value": value}]}

    reserved = args.function_options.reserved_concurrency
    widgets = [
        ("API requests", [metric(api, "Count", stat="Sum")], {}),
        (
            "API latency (ms)",
            [
                metric(api, "Latency", stat="p50"),
                metric(api, "Latency", stat="p99"),
                metric(api, "IntegrationLatency", stat="p99"),
            ],
            {},
        ),
        ("API errors", [metric(api, "4xx", stat="Sum"), metric(api, "5xx", stat="Sum")], {}),
        (
            "Function invocations, errors and throttles",
            [
                metric(fn, "Invocations", stat="Sum"),
                metric(fn, "Errors", stat="Sum"),
                metric(fn, "Throttles", stat="Sum"),
            ],
            {},
        ),
        (
            "Function duration (ms)",
            [metric(fn, "Duration", stat="p50"), metric(fn, "Duration", stat="p99")],
            {"annotations": line("timeout", args.function_options.timeout_seconds * 1000)},
        ),
        (
            "Function concurrency",
            [metric(fn, "ConcurrentExecutions", stat="Maximum")],
            ({"annotations": line("reserved concurrency", reserved)} if reserved else {}),
        ),
        (
            "Table consumed capacity",
            [
                metric(tbl, "ConsumedReadCapacityUnits", stat="Sum"),
                metric(tbl, "ConsumedWriteCapacityUnits", stat="Sum"),
            ],
            {},
        ),
        (
            "Table throttle events",
            [metric(tbl, "ReadThrottleEvents", stat="Sum"), metric(tbl, "WriteThrottleEvents", stat="Sum")],
            {},
        ),
    ]
    if events:
        widgets += _events_widgets(*events, metric=metric)
    return json.dumps(
        {
            "widgets": [
                {
                    "type": "metric",
                    "x": (index % 3) * _WIDTH,
                    "y": (index // 3) * _HEIGHT,
                    "width": _WIDTH,
                    "height": _HEIGHT,
                    "properties": {
                        "title": title,
                        "region": region,
                        "metrics": metrics,
                        "view": "timeSeries",
                        "stacked": False,
                        "period": 60,
                        **extra,
                    },
                }
                for index, (title, metrics, extra) in enumerate(widgets)
            ]
        }
    )


def _events_widgets(
    relay: str, relay_dead_letters: str, queue_dead_letters: str, *, metric: Callable[..., list[Any]]
) -> list[tuple[str, list[list[Any]], dict[str, Any]]]:
    """The relay falling behind or failing, and what ended up in a dead-letter queue."""
    fn = ("AWS/Lambda", ["FunctionName", relay])
    return [
        ("Relay iterator age (ms)", [metric(fn, "IteratorAge", stat="Maximum")], {}),
        ("Relay invocations and errors", [metric(fn, "Invocations", stat="Sum"), metric(fn, "Errors", stat="Sum")], {}),
        (
            "Dead-letter queue depth",
            [
                metric(("AWS/SQS", ["QueueName", queue]), "ApproximateNumberOfMessagesVisible", stat="Maximum")
                for queue in (relay_dead_letters, queue_dead_letters)
            ],
            {},
        ),
    ]
