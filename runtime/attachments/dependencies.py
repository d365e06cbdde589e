"""The attachment functions' clients and settings, built once per container, lazily (as
`runtime.dependencies` does for the API; tests clear them with `cache_clear()`)."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from runtime.attachments.repository import AttachmentRepository
from runtime.config import ATTACHMENTS_BUCKET, TABLE_NAME, read_setting
from runtime.dependencies import dynamodb_client

# Objects are at most a few MiB and read a slice at a time: well inside the functions' timeout.
_S3_CLIENT_CONFIG = Config(connect_timeout=2, read_timeout=10, retries={"mode": "standard", "max_attempts": 3})


@cache
def s3_client() -> Any:
    return boto3.client("s3", config=_S3_CLIENT_CONFIG)


@cache
def processor_repository() -> AttachmentRepository:
    return AttachmentRepository(dynamodb_client(), read_setting(TABLE_NAME))


@cache
def cleanup_bucket() -> str:
    return read_setting(ATTACHMENTS_BUCKET)
