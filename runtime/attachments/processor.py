"""The attachment processor's Lambda entry point: S3 `ObjectCreated` notifications of the pending
prefix, through SQS, in batches; a partial batch response out (`ReportBatchItemFailures`).

Each upload is checked against its attachment's summary: the exact declared size, and content
that matches the declared type (`runtime.attachments.content`). A good one is copied to the
ready prefix (with the declared content type) and its attachment becomes READY; a bad one's
attachment becomes REJECTED with the reason. Either way the pending object is deleted last.

Every step can run again: a redelivered notification finds the attachment settled, or the pending
object gone, and only finishes what is left. An upload whose attachment (or item) is gone is
deleted unchecked.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError

from runtime.attachments.content import SNIFF_BYTES, rejection
from runtime.attachments.dependencies import processor_repository, s3_client
from runtime.attachments.keys import AttachmentRef, pending_ref
from runtime.attachments.repository import AttachmentRepository
from runtime.models import AttachmentStatus
from runtime.observability import ATTACHMENTS_READY, ATTACHMENTS_REJECTED, count, logger, metrics, tracer

batch = BatchProcessor(event_type=EventType.SQS)


def check_upload(s3: Any, repository: AttachmentRepository, bucket: str, ref: AttachmentRef) -> AttachmentStatus | None:
    """Settle the attachment `ref`'s upload; its status then, or None when it is gone."""
    stored = repository.find(ref.user_id, ref.item_id, ref.attachment_id)
    status = None if stored is None else stored.attachment.status
    if stored is not None and status is AttachmentStatus.PENDING:
        size = _uploaded_size(s3, bucket, ref.pending_key)
        if size is None:
            return status  # a redelivery after the object was deleted: nothing arrived since
        declared = stored.attachment
        first_bytes = b""
        if size:
            first_bytes = s3.get_object(Bucket=bucket, Key=ref.pending_key, Range=f"bytes=0-{SNIFF_BYTES - 1}")[
                "Body"
            ].read()
        reason = rejection(
            content_type=declared.content_type, declared_size=declared.size, size=size, first_bytes=first_bytes
        )
        if reason is None:
            s3.copy_object(
                Bucket=bucket,
                Key=ref.ready_key,
                CopySource={"Bucket": bucket, "Key": ref.pending_key},
                ContentType=declared.content_type,
                MetadataDirective="REPLACE",
            )
        status = AttachmentStatus.READY if reason is None else AttachmentStatus.REJECTED
        if repository.settle(ref.user_id, ref.item_id, ref.attachment_id, status, reason):
            count(ATTACHMENTS_READY if reason is None else ATTACHMENTS_REJECTED)
        logger.info("upload checked", extra={"key": ref.pending_key, "status": status.value, "reason": reason})
    s3.delete_object(Bucket=bucket, Key=ref.pending_key)
    return status


def _uploaded_size(s3: Any, bucket: str, key: str) -> int | None:
    try:
        return int(s3.head_object(Bucket=bucket, Key=key)["ContentLength"])
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def handle_notification(record: SQSRecord) -> None:
    # S3's test event (sent when the notification is configured) has no `Records`.
    for notification in json.loads(record.body).get("Records", []):
        if not str(notification.get("eventName", "")).startswith("ObjectCreated"):
            continue
        bucket = notification["s3"]["bucket"]["name"]
        key = unquote_plus(notification["s3"]["object"]["key"])
        ref = pending_ref(key)
        if ref is None:
            logger.warning("an object outside the pending layout was reported; left alone", extra={"key": key})
            continue
        check_upload(s3_client(), processor_repository(), bucket, ref)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(event=event, record_handler=handle_notification, processor=batch, context=context)
    )
