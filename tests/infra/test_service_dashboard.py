"""ServiceDashboard alone: a widget per concern, each graphing the given API, function and table."""

from __future__ import annotations

import json

import pytest

from components.lambda_function import FunctionOptions
from components.service_dashboard import EventsMetrics, ServiceDashboard, ServiceDashboardArgs
from tests.infra.pulumi_mocks import Deployment, deploy

ARGS = {"api_id": "a1b2c3d4e5", "stage_name": "$default", "function_name": "things-fn", "table_name": "things-tbl"}


def service_dashboard(reserved_concurrency: int | None = None) -> Deployment:
    def program() -> dict[str, object]:
        dashboard = ServiceDashboard(
            "things",
            ServiceDashboardArgs(
                **ARGS,
                function_options=FunctionOptions(timeout_seconds=15, reserved_concurrency=reserved_concurrency),
            ),
        )
        return {"url": dashboard.url, "name": dashboard.dashboard_name}

    return deploy(program, stack="staging", region="eu-west-1")


@pytest.fixture(scope="module")
def dashboard() -> Deployment:
    return service_dashboard(reserved_concurrency=40)


def widgets_of(deployment: Deployment) -> dict[str, dict]:
    body = json.loads(deployment.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])
    return {widget["properties"]["title"]: widget["properties"] for widget in body["widgets"]}


def graphed(properties: dict) -> set[tuple[str, ...]]:
    """(namespace, metric, dimension names and values…, stat) of each line of a widget."""
    return {(*line[:-1], line[-1]["stat"]) for line in properties["metrics"]}


def test_the_dashboard_is_named_after_the_component_and_the_stack_and_linked_in_the_console(dashboard):
    resource = dashboard.one("aws:cloudwatch/dashboard:Dashboard")

    assert resource.inputs["dashboardName"] == "things-staging", resource
    assert dashboard.outputs["url"] == (
        "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=things-staging"
    )


def test_every_widget_graphs_the_stacks_region(dashboard):
    for title, properties in widgets_of(dashboard).items():
        assert properties["region"] == "eu-west-1", title


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        ("API requests", {("AWS/ApiGateway", "Count", "ApiId", "a1b2c3d4e5", "Stage", "$default", "Sum")}),
        (
            "API latency (ms)",
            {
                ("AWS/ApiGateway", "Latency", "ApiId", "a1b2c3d4e5", "Stage", "$default", "p50"),
                ("AWS/ApiGateway", "Latency", "ApiId", "a1b2c3d4e5", "Stage", "$default", "p99"),
                ("AWS/ApiGateway", "IntegrationLatency", "ApiId", "a1b2c3d4e5", "Stage", "$default", "p99"),
            },
        ),
        (
            "API errors",
            {
                ("AWS/ApiGateway", "4xx", "ApiId", "a1b2c3d4e5", "Stage", "$default", "Sum"),
                ("AWS/ApiGateway", "5xx", "ApiId", "a1b2c3d4e5", "Stage", "$default", "Sum"),
            },
        ),
        (
            "Function invocations, errors and throttles",
            {
                ("AWS/Lambda", "Invocations", "FunctionName", "things-fn", "Sum"),
                ("AWS/Lambda", "Errors", "FunctionName", "things-fn", "Sum"),
                ("AWS/Lambda", "Throttles", "FunctionName", "things-fn", "Sum"),
            },
        ),
        (
            "Function duration (ms)",
            {
                ("AWS/Lambda", "Duration", "FunctionName", "things-fn", "p50"),
                ("AWS/Lambda", "Duration", "FunctionName", "things-fn", "p99"),
            },
        ),
        ("Function concurrency", {("AWS/Lambda", "ConcurrentExecutions", "FunctionName", "things-fn", "Maximum")}),
        (
            "Table consumed capacity",
            {
                ("AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", "things-tbl", "Sum"),
                ("AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", "things-tbl", "Sum"),
            },
        ),
        (
            "Table throttle events",
            {
                ("AWS/DynamoDB", "ReadThrottleEvents", "TableName", "things-tbl", "Sum"),
                ("AWS/DynamoDB", "WriteThrottleEvents", "TableName", "things-tbl", "Sum"),
            },
        ),
    ],
)
def test_each_widget_graphs_the_given_resources_metrics(title, lines, dashboard):
    assert graphed(widgets_of(dashboard)[title]) == lines


def test_the_timeout_and_the_reserved_concurrency_are_drawn_as_limits(dashboard):
    widgets = widgets_of(dashboard)

    assert widgets["Function duration (ms)"]["annotations"]["horizontal"] == [{"label": "timeout", "value": 15000}]
    assert widgets["Function concurrency"]["annotations"]["horizontal"] == [
        {"label": "reserved concurrency", "value": 40}
    ]


def test_without_reserved_concurrency_no_limit_is_drawn():
    assert "annotations" not in widgets_of(service_dashboard())["Function concurrency"]


def test_widgets_do_not_overlap(dashboard):
    body = json.loads(dashboard.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])
    cells = [
        (x, y)
        for widget in body["widgets"]
        for x in range(widget["x"], widget["x"] + widget["width"])
        for y in range(widget["y"], widget["y"] + widget["height"])
    ]

    assert len(cells) == len(set(cells))
    assert all(widget["x"] + widget["width"] <= 24 for widget in body["widgets"])


def test_with_domain_events_the_relay_and_the_dead_letter_queues_are_graphed_after_the_table():
    def program() -> dict[str, object]:
        dashboard = ServiceDashboard(
            "things",
            ServiceDashboardArgs(
                **ARGS,
                function_options=FunctionOptions(),
                events=EventsMetrics(
                    relay_function_name="things-relay",
                    relay_dead_letter_queue_name="things-relay-dlq",
                    queue_dead_letter_queue_name="things-dlq",
                ),
            ),
        )
        return {"name": dashboard.dashboard_name}

    widgets = widgets_of(deploy(program, stack="staging", region="eu-west-1"))

    assert list(widgets)[-3:] == ["Relay iterator age (ms)", "Relay invocations and errors", "Dead-letter queue depth"]
    assert graphed(widgets["Relay iterator age (ms)"]) == {
        ("AWS/Lambda", "IteratorAge", "FunctionName", "things-relay", "Maximum")
    }
    assert graphed(widgets["Relay invocations and errors"]) == {
        ("AWS/Lambda", "Invocations", "FunctionName", "things-relay", "Sum"),
        ("AWS/Lambda", "Errors", "FunctionName", "things-relay", "Sum"),
    }
    assert graphed(widgets["Dead-letter queue depth"]) == {
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queue, "Maximum")
        for queue in ("things-relay-dlq", "things-dlq")
    }


def test_without_domain_events_no_queue_is_graphed(dashboard):
    assert "Dead-letter queue depth" not in widgets_of(dashboard)
