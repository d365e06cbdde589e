"""The attachment cleanup's Lambda entry point: `item.deleted` and `attachment.removed` events from
the events topic, through SQS; a partial batch response out (`ReportBatchItemFailures`).

It deletes the objects of one attachment, or of one item (a user's deletion deletes each of its
items, so each has its `item.deleted`), never by a user's prefix: a user created again under the
same id (the same `sub`) keeps its new objects. Deleting what is already gone is fine, so a
redelivered event changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from runtime.attachments.dependencies import cleanup_bucket, s3_client
from runtime.attachments.keys import AttachmentRef, item_prefixes
from runtime.events.models import AttachmentRemoved, ItemDeleted
from runtime.observability import ATTACHMENT_OBJECTS_DELETED, count, logger, metrics, tracer

# DeleteObjects takes at most 1,000 keys, as ListObjectsV2 pages them.
_PAGE = 1000

batch = BatchProcessor(event_type=EventType.SQS)


def delete_keys(s3: Any, bucket: str, keys: Iterable[str]) -> None:
    objects = [{"Key": key} for key in keys]
    count(ATTACHMENT_OBJECTS_DELETED, len(objects))
    for start in range(0, len(objects), _PAGE):
        response = s3.delete_objects(Bucket=bucket, Delete={"Objects": objects[start : start + _PAGE], "Quiet": True})
        if response.get("Errors"):
            raise RuntimeError(f"S3 kept {len(response['Errors'])} objects: {response['Errors'][:3]}")


def item_keys(s3: Any, bucket: str, user_id: str, item_id: str) -> list[str]:
    paginator = s3.get_paginator("list_objects_v2")
    return [
        listed["Key"]
        for prefix in item_prefixes(user_id, item_id)
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": _PAGE})
        for listed in page.get("Contents", [])
    ]


def clean_up(s3: Any, bucket: str, envelope: dict[str, Any]) -> None:
    if envelope.get("type") == "attachment.removed":
        removed = AttachmentRemoved.model_validate(envelope)
        ref = AttachmentRef(removed.user_id, removed.data.item_id, removed.data.attachment_id)
        delete_keys(s3, bucket, [ref.pending_key, ref.ready_key])
    elif envelope.get("type") == "item.deleted":
        deleted = ItemDeleted.model_validate(envelope)
        delete_keys(s3, bucket, item_keys(s3, bucket, deleted.user_id, deleted.data.item_id))
    else:
        logger.warning("an event the cleanup does not subscribe to; ignored", extra={"type": envelope.get("type")})


def handle_event(record: SQSRecord) -> None:
    clean_up(s3_client(), cleanup_bucket(), json.loads(record.body))


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(process_partial_response(event=event, record_handler=handle_event, processor=batch, context=context))
