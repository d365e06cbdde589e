"""The relay's objects, built once per container, lazily; tests start each mocked account with
`cache_clear()`. Apart from `runtime.dependencies` so that the relay's cold start imports nothing
of the repository it never uses."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from runtime.config import RelaySettings

_CONNECT_TIMEOUT_SECONDS = 1
_READ_TIMEOUT_SECONDS = 3
_MAX_ATTEMPTS = 3
# Standard mode's sleeps before the second and third attempts (botocore.retries.standard's
# ExponentialBackoff): at most 1 s, then 2 s, for throttling; SNS's `x-amz-retry-after` may add up
# to 5 s to each.
_MAX_BACKOFF_SECONDS = (1 + 5) + (2 + 5)
# The relay's PublishBatch and Scheduler calls: a slow answer fails the batch's records in time for a retry.
_SNS_CLIENT_CONFIG = Config(
    connect_timeout=_CONNECT_TIMEOUT_SECONDS,
    read_timeout=_READ_TIMEOUT_SECONDS,
    retries={"mode": "standard", "max_attempts": _MAX_ATTEMPTS},
)
# The longest one PublishBatch or Scheduler call can take, every attempt timing out: the relay
# starts none with less time left (runtime.events.batch).
PUBLISH_CALL_WORST_CASE_MS = (
    _MAX_ATTEMPTS * (_CONNECT_TIMEOUT_SECONDS + _READ_TIMEOUT_SECONDS) + _MAX_BACKOFF_SECONDS
) * 1000


@cache
def relay_settings() -> RelaySettings:
    return RelaySettings.from_environment()


@cache
def sns_client() -> Any:
    return boto3.client("sns", config=_SNS_CLIENT_CONFIG)


@cache
def scheduler_client() -> Any:
    return boto3.client("scheduler", config=_SNS_CLIENT_CONFIG)
