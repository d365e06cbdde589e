"""Logger, Tracer and Metrics, shared by the handler and the routes.

The Tracer patches botocore, so every DynamoDB call is a subsegment of the request's trace.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from runtime.dependencies import settings

logger = Logger(service=settings().service_name)
tracer = Tracer(service=settings().service_name)
metrics = Metrics(namespace=settings().metrics_namespace, service=settings().service_name)


def count(metric: str) -> None:
    metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)


USERS_CREATED = "UsersCreated"
ITEMS_CREATED = "ItemsCreated"
ITEMS_COMPLETED = "ItemsCompleted"
