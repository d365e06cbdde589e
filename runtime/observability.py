"""Logger, Tracer and Metrics, shared by the handler and the routes.

The Tracer patches botocore, so every DynamoDB call is a subsegment of the request's trace.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from runtime.config import METRICS_NAMESPACE, SERVICE_NAME, read_setting

# Read apart from the API's settings: the stream relay shares these and has no table to name.
_SERVICE = read_setting(SERVICE_NAME)
logger = Logger(service=_SERVICE)
tracer = Tracer(service=_SERVICE)
metrics = Metrics(namespace=read_setting(METRICS_NAMESPACE), service=_SERVICE)


def count(metric: str, value: int = 1) -> None:
    metrics.add_metric(name=metric, unit=MetricUnit.Count, value=value)


USERS_CREATED = "UsersCreated"
ITEMS_CREATED = "ItemsCreated"
ITEMS_COMPLETED = "ItemsCompleted"
EVENTS_PUBLISHED = "EventsPublished"
ATTACHMENTS_READY = "AttachmentsReady"
ATTACHMENTS_REJECTED = "AttachmentsRejected"
ATTACHMENT_OBJECTS_DELETED = "AttachmentObjectsDeleted"
