"""ServiceDashboard: one CloudWatch dashboard for the service, top to bottom as a request goes.

API (requests, latency, 4xx/5xx) → function (invocations, errors, throttles, duration,
concurrency) → table (consumed capacity, throttles). The same metrics the alarms watch, so an
alarm's email leads to the graph that explains it.
"""

from __future__ import annotations

import json
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
    *, region: str, api_id: str, stage: str, function: str, table: str, args: ServiceDashboardArgs
) -> str:
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
