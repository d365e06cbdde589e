"""The attachment processor and cleanup on moto's S3 and DynamoDB, and the events attachments give."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import boto3
import pytest
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from runtime import permissions
from runtime.attachments import cleanup, processor
from runtime.attachments import dependencies as attachment_dependencies
from runtime.attachments.keys import AttachmentRef
from runtime.attachments.repository import AttachmentRepository
from runtime.events.translate import events_of
from runtime.models import AttachmentStatus, ItemStatus
from runtime.records import item_record, to_attributes
from tests.support.events import LambdaContext

BUCKET = "users-items-attachments-test"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))


@pytest.fixture
def s3(table: str) -> Any:
    attachment_dependencies.s3_client.cache_clear()
    attachment_dependencies.processor_repository.cache_clear()
    client = boto3.client("s3")
    client.create_bucket(Bucket=BUCKET)
    return client


def _actions_of(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    """(S3 action, key or prefix) each call needs granted: CopyObject reads its source as well."""
    if operation == "DeleteObjects":
        keys = [entry["Key"] for entry in params["Delete"]["Objects"]]
    else:
        keys = [params.get("Key", params.get("Prefix", ""))]
    needed = [(action, key) for action in permissions.S3_OPERATION_ACTIONS[operation] for key in keys]
    if operation == "CopyObject":
        source = params["CopySource"]  # botocore may have made it `bucket/key` already
        needed.append(("s3:GetObject", source["Key"] if isinstance(source, dict) else unquote(source).split("/", 1)[1]))
    return needed


def _recording_s3(grants: dict[str, tuple[str, ...]]) -> Iterator[Any]:
    """The runtime's S3 client; afterwards, a call its role's grants would refuse fails the test."""
    client = attachment_dependencies.s3_client()
    calls: list[tuple[str, str]] = []

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        calls.extend(_actions_of(model.name, params))

    client.meta.events.register("before-parameter-build.s3", record)
    yield client
    refused = [(a, k) for a, k in calls if not any(k.startswith(prefix) for prefix in grants.get(a, ()))]
    assert not refused, f"S3 calls runtime/permissions.py does not grant: {refused}"


@pytest.fixture
def processor_s3(s3: Any) -> Iterator[Any]:
    yield from _recording_s3(permissions.PROCESSOR_S3_GRANTS)


@pytest.fixture
def cleanup_s3(s3: Any) -> Iterator[Any]:
    yield from _recording_s3(permissions.CLEANUP_S3_GRANTS)


@pytest.fixture
def attachments(table: str) -> AttachmentRepository:
    return attachment_dependencies.processor_repository()


@pytest.fixture
def item(repository: Any, jane: Any) -> Any:
    return repository.create_item(jane.user.user_id, task="Finalize Q3 report", status=ItemStatus.TODO)


def _declare(attachments: AttachmentRepository, item: Any, content_type: str = "image/png", size: int = len(PNG)):
    stored = attachments.add(
        item.user_id, item.item_id, file_name="f", content_type=content_type, size=size, limit=10, upload_seconds=900
    )
    return AttachmentRef(item.user_id, item.item_id, stored.attachment.attachment_id)


def _notify(*keys: str) -> dict[str, Any]:
    records = [
        {"messageId": f"m{n}", "receiptHandle": "r", "attributes": {}, "messageAttributes": {}, "md5OfBody": "",
         "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q", "awsRegion": "us-east-1",
         "body": json.dumps({"Records": [{"eventName": "ObjectCreated:Post",
                                          "s3": {"bucket": {"name": BUCKET}, "object": {"key": key}}}]})}
        for n, key in enumerate(keys)
    ]  # fmt: skip
    return {"Records": records}


def _keys(s3: Any) -> list[str]:
    return sorted(entry["Key"] for entry in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_a_matching_upload_becomes_ready_under_the_ready_prefix_with_the_same_bytes(
    s3, processor_s3, attachments, item
):
    ref = _declare(attachments, item)
    s3.put_object(Bucket=BUCKET, Key=ref.pending_key, Body=PNG)

    response = processor.lambda_handler(_notify(ref.pending_key), LambdaContext())

    assert response == {"batchItemFailures": []}
    assert attachments.get(ref.user_id, ref.item_id, ref.attachment_id).status is AttachmentStatus.READY
    assert _keys(s3) == [ref.ready_key]
    ready = s3.get_object(Bucket=BUCKET, Key=ref.ready_key)
    assert (ready["Body"].read(), ready["ContentType"]) == (PNG, "image/png")


def test_an_upload_that_is_not_what_was_declared_becomes_rejected_with_the_reason_and_is_deleted(
    s3, processor_s3, attachments, item
):
    ref = _declare(attachments, item, "image/png", 11)
    s3.put_object(Bucket=BUCKET, Key=ref.pending_key, Body=b"hello world")

    status = processor.check_upload(processor_s3, attachments, BUCKET, ref)

    attachment = attachments.get(ref.user_id, ref.item_id, ref.attachment_id)
    assert (status, attachment.status, attachment.reason) == (
        AttachmentStatus.REJECTED,
        AttachmentStatus.REJECTED,
        "the content is not image/png",
    )
    assert _keys(s3) == []


def test_a_redelivered_notification_changes_nothing(s3, processor_s3, attachments, item):
    ref = _declare(attachments, item)
    s3.put_object(Bucket=BUCKET, Key=ref.pending_key, Body=PNG)
    processor.check_upload(processor_s3, attachments, BUCKET, ref)
    version = attachments.find(ref.user_id, ref.item_id, ref.attachment_id)

    assert processor.check_upload(processor_s3, attachments, BUCKET, ref) is AttachmentStatus.READY
    assert attachments.find(ref.user_id, ref.item_id, ref.attachment_id) == version
    assert _keys(s3) == [ref.ready_key]


def test_an_upload_whose_attachment_is_gone_is_deleted_unchecked(s3, processor_s3, attachments, item):
    ref = _declare(attachments, item)
    attachments.remove(ref.user_id, ref.item_id, ref.attachment_id)
    s3.put_object(Bucket=BUCKET, Key=ref.pending_key, Body=PNG)

    assert processor.check_upload(processor_s3, attachments, BUCKET, ref) is None
    assert _keys(s3) == []


def _event(event_type: str, user_id: str, data: dict[str, Any]) -> dict[str, Any]:
    envelope = {"id": "e", "type": event_type, "version": 1, "occurredAt": "2026-12-01T00:00:00.000Z",
                "userId": user_id, "data": data}  # fmt: skip
    return {"Records": [{**_notify("x")["Records"][0], "body": json.dumps(envelope)}]}


def test_an_item_deleted_removes_that_items_objects_only(s3, cleanup_s3, monkeypatch):
    monkeypatch.setenv("ATTACHMENTS_BUCKET", BUCKET)
    attachment_dependencies.cleanup_bucket.cache_clear()
    gone = [AttachmentRef("U1", "ITEM1", "A1").pending_key, AttachmentRef("U1", "ITEM1", "A2").ready_key]
    kept = [AttachmentRef("U1", "ITEM2", "A3").ready_key, AttachmentRef("U2", "ITEM1", "A4").ready_key]
    for key in gone + kept:
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")

    event = _event("item.deleted", "U1", {"itemId": "ITEM1", "version": 3, "cause": "request"})
    assert cleanup.lambda_handler(event, LambdaContext()) == {"batchItemFailures": []}

    assert _keys(s3) == sorted(kept)


def test_an_attachment_removed_removes_its_objects_and_a_repeat_is_fine(s3, cleanup_s3):
    ref, other = AttachmentRef("U1", "ITEM1", "A1"), AttachmentRef("U1", "ITEM1", "A2")
    for key in (ref.ready_key, other.ready_key):
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")
    envelope = json.loads(_event("attachment.removed", "U1", {"itemId": "ITEM1", "attachmentId": "A1",
                                                               "cause": "request"})["Records"][0]["body"])  # fmt: skip

    cleanup.clean_up(cleanup_s3, BUCKET, envelope)
    cleanup.clean_up(cleanup_s3, BUCKET, envelope)

    assert _keys(s3) == [other.ready_key]


def _modify(before: dict[str, Any], after: dict[str, Any]) -> DynamoDBRecord:
    keys = {name: before[name] for name in ("PK", "SK")}
    images = {"OldImage": to_attributes(before), "NewImage": to_attributes(after)}
    stream = {"Keys": to_attributes(keys), **images, "ApproximateCreationDateTime": 1796000000}
    return DynamoDBRecord({"eventID": "0123456789abcdef", "eventName": "MODIFY", "dynamodb": stream})


def _with_attachments(item: Any, attachments: dict[str, Any], version: int, updated_at: str) -> dict[str, Any]:
    record = item_record(item)
    return {**record, "attachments": attachments, "version": version, "updatedAt": updated_at}


def test_removing_attachments_gives_one_attachment_removed_each_and_no_item_updated(item):
    entry = {"fileName": "f", "contentType": "image/png", "size": 3, "status": "READY",
             "createdAt": "2026-12-01T00:00:00.000Z", "uploadExpiresAt": "2026-12-01T00:15:00.000Z"}  # fmt: skip
    expired = {**entry, "status": "PENDING"}
    before = _with_attachments(item, {"A1": entry, "A2": expired, "A3": entry}, 4, "2026-12-01T00:00:00.000Z")
    after = _with_attachments(item, {"A3": entry}, 5, "2026-12-01T01:00:00.000Z")

    events = events_of(_modify(before, after))

    assert [(e.type, e.data.attachment_id, e.data.cause.value) for e in events] == [  # type: ignore[union-attr]
        ("attachment.removed", "A1", "request"),
        ("attachment.removed", "A2", "expiry"),
    ]
    assert len({event.id for event in events}) == 2


def test_adding_or_settling_an_attachment_gives_no_event(item):
    entry = {"fileName": "f", "contentType": "image/png", "size": 3, "status": "PENDING",
             "createdAt": "2026-12-01T00:00:00.000Z", "uploadExpiresAt": "2026-12-01T00:15:00.000Z"}  # fmt: skip
    before = _with_attachments(item, {}, 1, "2026-12-01T00:00:00.000Z")
    added = _with_attachments(item, {"A1": entry}, 2, "2026-12-01T00:00:01.000Z")
    settled = _with_attachments(item, {"A1": {**entry, "status": "READY"}}, 3, "2026-12-01T00:00:02.000Z")

    assert events_of(_modify(before, added)) == []
    assert events_of(_modify(added, settled)) == []
