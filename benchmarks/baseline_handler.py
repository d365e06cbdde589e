"""The cold-start baseline: a minimal handler built the way powertools' documentation builds one.

A module-level boto3 client, Logger, Tracer, Metrics, `APIGatewayHttpResolver(enable_validation=True)`,
one pydantic model and one route, and `lambda_handler` decorated as `runtime.handler`'s is. It
reads its settings from the same environment variables, so both run under the same Lambda-like
environment. Nothing imports it at module level except the cold-start child it is measured in.
"""

from __future__ import annotations

from typing import Any, Literal

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

logger = Logger()
tracer = Tracer()
metrics = Metrics()
dynamodb = boto3.client("dynamodb")
app = APIGatewayHttpResolver(enable_validation=True)


class Health(BaseModel):
    status: Literal["ok"]


@app.get("/health")
def health() -> Health:
    return Health(status="ok")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
