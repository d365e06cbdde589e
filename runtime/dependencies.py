"""Objects built once per container, lazily; tests start each mocked account with `cache_clear()`.

Routes call `get_repository()` directly rather than through powertools' `Depends`, which rebuilds
its dependency tree from type hints on every request (a third of the handler's own warm cost).

Nothing here talks to AWS at import: the first request that needs the table builds the client,
so moto (or the local API's endpoint) is in place by then and GET /health never pays for it.
Under SnapStart only, the handler builds it while Lambda initializes the version, so that it is
in the snapshot (`runtime.snapstart`).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from runtime.attachments.repository import AttachmentRepository
from runtime.config import AttachmentSettings, Settings
from runtime.repository import Repository

# Well inside the function's 15 s: at most 3 attempts of 1 s connect + 2 s read, with backoff.
_DYNAMODB_CLIENT_CONFIG = Config(
    connect_timeout=1,
    read_timeout=2,
    retries={"mode": "standard", "max_attempts": 3},
)


@cache
def settings() -> Settings:
    return Settings.from_environment()


@cache
def dynamodb_client() -> Any:
    return boto3.client("dynamodb", config=_DYNAMODB_CLIENT_CONFIG)


@cache
def get_repository() -> Repository:
    return Repository(dynamodb_client(), settings().table_name)


@cache
def attachment_settings() -> AttachmentSettings:
    return AttachmentSettings.from_environment()


@cache
def s3_client() -> Any:
    """Signs the attachments' presigned requests (SigV4); the API makes no call to S3 with it.
    botocore addresses buckets by path on an endpoint that is an IP (the local API's moto)."""
    return boto3.client("s3", config=Config(signature_version="s3v4"))


@cache
def get_attachment_repository() -> AttachmentRepository:
    return AttachmentRepository(dynamodb_client(), settings().table_name)
