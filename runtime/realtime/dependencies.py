"""The WebSocket functions' objects, built once per container, lazily; tests start each mocked
account with `cache_clear()`. The JWKS client is what caches the issuer's keys across invocations."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
import jwt
from botocore.config import Config

from runtime.config import ConnectionsSettings, PusherSettings, TokenRules
from runtime.realtime.registry import ConnectionRegistry

# The issuer's keys are fetched on the first token and again at most every JWKS_LIFESPAN_SECONDS
# (or when a token names a key not seen yet: the issuer rotated its keys).
JWKS_LIFESPAN_SECONDS = 600
JWKS_TIMEOUT_SECONDS = 3
# Posts to connections: one slow connection fails its post in time, the others go on meanwhile.
PUSH_CONCURRENCY = 32
_MANAGEMENT_CLIENT_CONFIG = Config(
    connect_timeout=1,
    read_timeout=2,
    retries={"mode": "standard", "max_attempts": 2},
    max_pool_connections=PUSH_CONCURRENCY,
)
_TABLE_CLIENT_CONFIG = Config(connect_timeout=1, read_timeout=3, retries={"mode": "standard", "max_attempts": 3})


@cache
def token_rules() -> TokenRules:
    return TokenRules.from_environment()


@cache
def jwks_client() -> jwt.PyJWKClient:
    return jwt.PyJWKClient(
        token_rules().jwks_url, cache_keys=True, lifespan=JWKS_LIFESPAN_SECONDS, timeout=JWKS_TIMEOUT_SECONDS
    )


@cache
def connections_settings() -> ConnectionsSettings:
    return ConnectionsSettings.from_environment()


@cache
def pusher_settings() -> PusherSettings:
    return PusherSettings.from_environment()


@cache
def table_client() -> Any:
    return boto3.client("dynamodb", config=_TABLE_CLIENT_CONFIG)


@cache
def management_client() -> Any:
    return boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=pusher_settings().management_endpoint,
        config=_MANAGEMENT_CLIENT_CONFIG,
    )


def connection_registry(table_name: str) -> ConnectionRegistry:
    return ConnectionRegistry(table_client(), table_name)
