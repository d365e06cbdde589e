"""The relay's objects, built once per container, lazily; tests start each mocked account with
`cache_clear()`. Apart from `runtime.dependencies` so that the relay's cold start imports nothing
of the repository it never uses."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from runtime.config import RelaySettings

# The relay's PublishBatch and Scheduler calls: a slow answer fails the batch's records in time for a retry.
_SNS_CLIENT_CONFIG = Config(
    connect_timeout=1,
    read_timeout=3,
    retries={"mode": "standard", "max_attempts": 3},
)


@cache
def relay_settings() -> RelaySettings:
    return RelaySettings.from_environment()


@cache
def sns_client() -> Any:
    return boto3.client("sns", config=_SNS_CLIENT_CONFIG)


@cache
def scheduler_client() -> Any:
    return boto3.client("scheduler", config=_SNS_CLIENT_CONFIG)
